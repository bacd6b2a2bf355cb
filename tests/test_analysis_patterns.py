"""Quote attribution and disagreement patterns on small hand-written texts (pure)."""

from __future__ import annotations

import datetime as dt

from digest.analyze.quotes import extract_quotes
from digest.model import Article

NOW = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
TEXT = """Prime Minister Jane Doe met union leaders on Tuesday. Union chief Omar Haddad said the talks were hard.

“We have reached an agreement that protects every single job in the plant,” said Jane Doe, the prime minister.

Haddad was more cautious. “Nothing is signed until the members vote on the final text,” he said.

The minister added: “This deal shows what patient negotiation can achieve for workers.”

“The plant will stay open for at least ten more years under this plan,” according to Haddad.

Observers were unconvinced. “It is a pause, not a solution to anything at all,” one analyst said."""


def _article(key: str, outlet: str, text: str) -> Article:
    return Article(key=key, feed="f", outlet=outlet, title="Deal", text=text, published=NOW, fetched=NOW,
                   content_hash=key)


def test_patterns_speakers_and_roles() -> None:
    quotes = extract_quotes([_article("a", "A", TEXT)], {"a": "s1"})
    got = {q.text.split()[0] + " " + q.text.split()[1]: (q.speaker, q.role) for q in quotes}
    assert got["We have"] == ("Jane Doe", "the prime minister")  # “…,” said NAME, ROLE
    assert got["Nothing is"][0] == "Omar Haddad"  # pronoun after a surname mention
    assert got["This deal"][0] == "Jane Doe"  # "The minister added:" -> the one person whose role is a minister
    assert got["The plant"][0] == "Omar Haddad"  # according to SURNAME
    assert "It is" not in got  # an unnamed analyst is not guessed
    assert all(q.sources == ("s1",) for q in quotes)


def test_same_quote_in_two_outlets_is_one_with_both_sources() -> None:
    other = "“We have reached an agreement that protects every job in the plant,” Doe told reporters."
    quotes = extract_quotes([_article("a", "A", TEXT), _article("b", "B", "Jane Doe spoke.\n\n" + other)],
                            {"a": "s1", "b": "s2"})
    merged = [q for q in quotes if q.text.startswith("We have reached")]
    assert len(merged) == 1 and merged[0].sources == ("s1", "s2") and merged[0].speaker == "Jane Doe"


def test_counts_disagree_only_when_both_cannot_be_true() -> None:
    from digest.analyze.disagreements import find_disagreements

    def event(a: str, b: str):
        arts = [_article("a", "A", a), _article("b", "B", b)]
        return find_disagreements(arts, {"a": "s1", "b": "s2"}, {"a": "A", "b": "B"})

    [d] = event("The bomb attack killed five people near the market, police said on Monday.",
                "Officials said the bomb attack killed three people near the market on Monday.")
    assert d.about == "number of people killed"
    assert {(v.value, v.sources) for v in d.versions} == {("five people", ("s1",)), ("three people", ("s2",))}
    assert d.kind == "count" and d.contradiction
    # a lower bound below a larger figure: both can be true, so shown as differing figures, not a contradiction
    [bounded] = event("The storm killed at least 150 people across the region, officials said.",
                      "The storm killed 189 people across the region, the agency reported.")
    assert not bounded.contradiction and [v.value for v in bounded.versions] == ["189 people", "at least 150 people"]
    # the same figure, once hedged and once bounded, is no disagreement at all
    assert event("The storm killed about 5,000 people across the region, officials said.",
                 "The storm killed more than 5,000 people across the region, the agency reported.") == ()
    [talks] = event("The talks lasted over four hours at the spaceport, officials said.",
                    "The negotiations lasted approximately an hour, a spokesman told journalists.")
    assert talks.about == "length of the talks" and talks.kind == "duration" and talks.contradiction


def test_camel_case_names_and_titles() -> None:
    from digest.analyze.people import build_people

    people = build_people(["House Speaker Kevin McCarthy said on Tuesday that McCarthy would act.",
                           "Florida Gov. Ron DeSantis said DeSantis had no comment. Mr. O’Brien agreed."])
    assert people.resolve("McCarthy") == "Kevin McCarthy" and people.roles["Kevin McCarthy"] == "House Speaker"
    assert people.resolve("Gov. DeSantis") == "Ron DeSantis"


def test_death_tolls_reported_differently_are_a_disagreement() -> None:
    from digest.analyze.disagreements import find_disagreements

    arts = [_article("a", "A", "The number of deaths in the city could range from 18,000 to 20,000, the mayor said."),
            _article("b", "B", "The death toll in the city rose to 11,300 on Thursday, the Red Crescent said.")]
    [toll] = find_disagreements(arts, {"a": "s1", "b": "s2"}, {"a": "A", "b": "B"})
    assert toll.about == "death toll"
    assert {(v.value, v.sources) for v in toll.versions} == {("18,000 to 20,000", ("s1",)), ("11,300", ("s2",))}
