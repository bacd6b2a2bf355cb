"""Event summaries (top key facts, product order) against AllSides' reference summaries: ROUGE floors."""

from __future__ import annotations

from digest.evaluate.summary import lead_summary, product_summary, score

R1_FLOOR, R2_FLOOR = 0.445, 0.170  # ../shared/eval/README.md


def test_event_summaries_beat_the_floors_and_the_lead_baseline(shared) -> None:
    path = shared / "eval" / "framing" / "allsides-2021-framing.jsonl"
    ours = score(path, product_summary)
    lead = score(path, lead_summary)
    print(ours.line("product"), lead.line("lead"), sep="\n")
    assert ours.events == lead.events >= 500
    assert ours.rouge1 >= R1_FLOOR and ours.rouge2 >= R2_FLOOR, ours
    assert ours.rouge1 > lead.rouge1 and ours.rouge2 > lead.rouge2 and ours.rougeL > lead.rougeL
