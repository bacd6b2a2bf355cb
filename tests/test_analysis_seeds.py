"""The briefing's substance on the reference event (the five seeds): pure analysis, asserted on content."""

from __future__ import annotations

import datetime as dt

import pytest
from seed_articles import NOW, seed_articles, seed_origins, seed_source_ids

from digest.analyze.disagreements import find_disagreements
from digest.analyze.event import analyze_event
from digest.analyze.framing import event_framings, loaded_hits
from digest.analyze.people import build_people
from digest.analyze.questions import open_questions
from digest.analyze.quotes import extract_quotes
from digest.analyze.summary import _bare_quote
from digest.analyze.timeline import build_timeline, resolve_date


def by_outlet() -> dict[str, str]:
    """Outlet -> source id."""
    ids = seed_source_ids()
    return {a.outlet: ids[a.key] for a in seed_articles()}


@pytest.fixture(scope="module")
def analysis():
    return analyze_event(seed_articles(), seed_source_ids(), seed_origins(), NOW)


def test_people_resolve_short_names_titles_and_roles() -> None:
    people = build_people(a.text for a in seed_articles())
    for mention in ("Kim", "Mr Jong Un", "Kim Jong-un", "the North Korean leader"):
        assert people.resolve(mention) == "Kim Jong Un", mention
    assert [name for _, name in people.mentions("North Korea’s Kim Jong Un met the Russian President.")] \
        == ["Kim Jong Un", "Vladimir Putin"]
    assert people.resolve("Mr Putin") == people.resolve("Putin") == "Vladimir Putin"
    assert people.resolve("Peskov") == "Dmitry Peskov"
    assert people.roles["Kim Jong Un"] == "North Korean leader"


def test_the_same_quote_is_merged_across_outlets_with_its_speaker() -> None:
    s = by_outlet()
    quotes = extract_quotes(seed_articles(), seed_source_ids(), limit=100)
    hegemonic = [q for q in quotes if q.text.startswith("Russia is currently engaged in a just fight")]
    assert len(hegemonic) == 1  # Global Security Wire ("he said" after "Kim, in turn") and Morning Star
    [quote] = hegemonic  # ("he said" after "Mr Jong Un, in turn") are one quote
    assert quote.speaker == "Kim Jong Un" and quote.role == "North Korean leader"
    assert {s["Global Security Wire"], s["Morning Star"]} <= set(quote.sources)
    sacred = next(q for q in quotes if q.text.startswith("Russia has risen for a sacred fight"))
    assert sacred.speaker == "Kim Jong Un" and sacred.sources == (s["Countercurrents"],)  # “…,” Kim said
    peskov = next(q for q in quotes if q.text.startswith("As with any of our neighbors"))
    assert peskov.speaker == "Dmitry Peskov" and peskov.role == "Kremlin spokesperson"  # “…,” he added
    kirby = next(q for q in quotes if q.text.startswith("No nation on the planet"))
    assert kirby.speaker == "John Kirby"  # NAME expressed …, declaring: “…”
    assert all(q.speaker for q in quotes)
    assert not any(q.text == "situation in the region" for q in quotes)  # fragments are not quotes


def test_the_length_of_the_talks_is_shown_side_by_side() -> None:
    s = by_outlet()
    disagreements = find_disagreements(seed_articles(), seed_source_ids(), seed_origins())
    talks = next(d for d in disagreements if d.about == "length of the talks")
    values = {v.value: v for v in talks.versions}
    assert {"over four hours", "approximately an hour"} <= set(values)
    assert values["approximately an hour"].sources == (s["Countercurrents"],)
    assert s["Global Security Wire"] in values["over four hours"].sources
    assert any(s["Morning Star"] in v.sources for v in talks.versions)  # "a four-hour meeting"
    for version in talks.versions:
        assert version.value.lower() in version.text.lower()  # each in its source's own sentence


def test_no_disagreement_from_quantities_everyone_agrees_on() -> None:
    disagreements = find_disagreements(seed_articles(), seed_source_ids(), seed_origins())
    assert not any("missiles" in d.about for d in disagreements)  # "two ballistic missiles" everywhere


@pytest.mark.parametrize(("sentence", "published", "expected"), [
    ("Kim arrived in Russia on Tuesday.", dt.date(2023, 9, 12), dt.date(2023, 9, 12)),
    ("Kim boarded his train on Sunday afternoon.", dt.date(2023, 9, 12), dt.date(2023, 9, 10)),
    ("The leaders met on Wednesday.", dt.date(2023, 9, 15), dt.date(2023, 9, 13)),
    ("The leaders will meet on Friday.", dt.date(2023, 9, 12), dt.date(2023, 9, 15)),
    ("A statement on Monday said the visit would take place soon.", dt.date(2023, 9, 12), dt.date(2023, 9, 11)),
    ("Kim vowed support today.", dt.date(2023, 9, 13), dt.date(2023, 9, 13)),
    ("The talks ended yesterday.", dt.date(2023, 9, 13), dt.date(2023, 9, 12)),
    ("The summit was held on Sept. 13, 2023 in Amur.", dt.date(2023, 9, 20), dt.date(2023, 9, 13)),
    ("The summit was held on 13 September.", dt.date(2023, 9, 20), dt.date(2023, 9, 13)),
    ("Nothing dated here.", dt.date(2023, 9, 20), None),
])
def test_relative_and_explicit_dates_resolve_against_the_article_date(sentence, published, expected) -> None:
    assert resolve_date(sentence, published) == expected


def test_timeline_is_in_date_order_and_places_the_summit_on_wednesday() -> None:
    timeline = build_timeline(seed_articles(), seed_source_ids())
    dates = [e.date for e in timeline]
    assert dates == sorted(dates)
    summit = [e for e in timeline if e.date == dt.date(2023, 9, 13)]
    assert summit and any("Wednesday" in e.text for e in summit)
    assert any(e.date == dt.date(2023, 9, 10) and "Sunday" in e.text for e in timeline)  # the train left
    assert all(e.date <= dt.date(2023, 9, 15) for e in timeline)  # nothing after the last article


def test_open_questions_are_what_sources_say_is_unknown() -> None:
    s = by_outlet()
    questions = open_questions(seed_articles(), seed_source_ids())
    texts = {q.text: q.sources for q in questions}
    assert any(t.startswith("No details were released") and src == (s["World Socialist Web Site"],)
               for t, src in texts.items())
    assert any("didn’t immediately confirm" in t for t in texts)


def test_framings_compare_outlets_and_find_their_loaded_labels() -> None:
    s = by_outlet()
    framings = {f.outlet: f for f in event_framings(seed_articles(), seed_source_ids(), seed_origins())}
    assert set(framings) == set(s)
    wsws = framings["World Socialist Web Site"]
    assert {"imperialism", "regime"} <= set(wsws.loaded_terms)
    assert "pariah" in framings["Global Security Wire"].loaded_terms
    assert wsws.headline == "North Korean leader meets Putin in Russian Far East"
    assert "imperialism" in wsws.distinctive_terms
    only_wsws = [c.text for c in wsws.unique_claims + wsws.context_added]
    assert any("imperialism" in t for t in only_wsws)
    wsws_text = next(a.text for a in seed_articles() if a.outlet == "World Socialist Web Site")
    for claim in wsws.unique_claims + wsws.context_added:
        assert claim.sources == (s["World Socialist Web Site"],) and claim.text in wsws_text
    # Morning Star copies AP: its AP-derived sentences are supported by the AP mastheads, so not "only it"
    morning_star = framings["Morning Star"]
    assert not any("Vostochny" in c.text for c in morning_star.unique_claims)


def test_wire_copy_does_not_support_itself_in_framings() -> None:
    framings = {f.outlet: f for f in event_framings(seed_articles(), seed_source_ids(), seed_origins())}
    # Japan Today and Global Security Wire are both AP: what only AP carries counts as AP-only in both
    assert framings["Japan Today"].unique_claims and framings["Global Security Wire"].unique_claims


def test_loaded_terms_match_inflections_and_phrases() -> None:
    hits = loaded_hits("They slammed the bill and rammed it through; a so-called reform, critics said.")
    assert {"slammed", "so-called"} <= set(hits)
    assert loaded_hits("The committee met on Tuesday and approved the budget.") == {}


def test_event_analysis_cites_only_its_sources_and_labels_support(analysis) -> None:
    ids = set(seed_source_ids().values())
    cited = [f.sources for f in analysis.facts] + [q.sources for q in analysis.quotes] \
        + [e.sources for e in analysis.timeline] + [c.sources for c in analysis.open_questions] \
        + [v.sources for d in analysis.disagreements for v in d.versions]
    assert cited and all(src and set(src) <= ids for src in cited)
    origins = seed_origins()
    key_of = {sid: key for key, sid in seed_source_ids().items()}
    for fact in analysis.facts:
        assert fact.support == len({origins[key_of[s]] for s in fact.sources})  # origins, not mastheads
    assert analysis.facts[0].support >= 2
    assert not any(_bare_quote(f.text) for f in analysis.facts)  # quotes without speaker are not facts
    assert "Kim Jong Un" in analysis.entities and "Vladimir Putin" in analysis.entities


def test_analysis_is_pure_and_deterministic(analysis) -> None:
    again = analyze_event(seed_articles(), seed_source_ids(), seed_origins(), NOW)
    assert again == analysis
