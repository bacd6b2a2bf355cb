"""The framing analysis against BASIL's annotated bias spans: floors from ../shared/eval/README.md."""

from __future__ import annotations

from digest.evaluate.framing import score

LEXICAL_FLOOR, LIFT_FLOOR = 0.30, 1.5


def test_loaded_terms_and_outlet_only_sentences_meet_the_floors(shared) -> None:
    scores = score(shared / "eval" / "framing" / "basil-2010-2014.jsonl")
    print(scores.line())
    assert scores.events == 50 and scores.lex_spans >= 150 and scores.inf_spans >= 200
    assert scores.lexical >= LEXICAL_FLOOR, scores
    assert scores.lift >= LIFT_FLOOR, scores
    assert 0.05 < scores.marked_share < 0.6  # marks a real minority of sentences, not all or none


def test_framing_terms_name_the_angles_allsides_editors_saw_more_than_frequent_words(shared) -> None:
    from digest.evaluate.framing import notes_score

    scores = notes_score(shared / "eval" / "framing" / "allsides-2021-framing.jsonl")
    print(scores.line())
    assert scores.events >= 500
    assert scores.product > scores.control + 0.05, scores
