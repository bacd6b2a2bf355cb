"""Disagreements on real sentences: dates, who said or did what, differing figures over time (pure)."""

from __future__ import annotations

import datetime as dt

from seed_articles import seed_articles, seed_origins, seed_source_ids

from digest.analyze.disagreements import find_disagreements
from digest.analyze.disagreements.dates import date_disagreements
from digest.analyze.people import build_people
from digest.analyze.quotes import extract_quotes
from digest.analyze.timeline import find_date
from digest.model import Article

UTC = dt.timezone.utc


def _article(key: str, outlet: str, text: str, published: dt.datetime, title: str = "") -> Article:
    return Article(key=key, feed="f", outlet=outlet, title=title, text=text, published=published,
                   fetched=published, content_hash=key)


def _find(*articles: Article):
    ids = {a.key: f"s{i + 1}" for i, a in enumerate(articles)}
    return find_disagreements(articles, ids, {a.key: a.outlet for a in articles})


# AllSides event e-804ad866b2 (25 August 2021), two outlets' sentences as published
PENTAGON_AXIOS = ("The Pentagon on Wednesday ordered military troops to get the COVID-19 vaccine as soon as possible, "
                  "according to a memo from Defense Secretary Lloyd Austin obtained by AP.")
PENTAGON_EPOCH = ("U.S. military department heads were ordered Tuesday to “immediately” start getting their troops "
                  "vaccinated against the virus that causes COVID-19, two days after the first COVID-19 vaccine "
                  "received federal approval.")
AUG_25 = dt.datetime(2021, 8, 25, 16, tzinfo=UTC)


def test_the_same_development_on_different_days_is_a_date_disagreement() -> None:
    [d] = _find(_article("a", "Axios", PENTAGON_AXIOS, AUG_25), _article("b", "The Epoch Times", PENTAGON_EPOCH, AUG_25))
    assert d.kind == "date" and d.contradiction
    assert [(v.value, v.sources, v.text) for v in d.versions] == [
        ("Tuesday 24 August 2021 (“Tuesday”)", ("s2",), PENTAGON_EPOCH),
        ("Wednesday 25 August 2021 (“on Wednesday”)", ("s1",), PENTAGON_AXIOS)]


def test_a_weekday_and_a_written_date_for_the_same_talks() -> None:
    # constructed from the seeds' wording: "on Wednesday" in an article of 14 September is the 13th
    a = _article("a", "A", "Kim Jong Un and Vladimir Putin held talks on Wednesday at the Vostochny Cosmodrome "
                           "in the Russian Far East.", dt.datetime(2023, 9, 14, 8, tzinfo=UTC))
    b = _article("b", "B", "Kim Jong Un and Vladimir Putin held talks on Sept. 12 at the Vostochny Cosmodrome "
                           "in the Russian Far East.", dt.datetime(2023, 9, 13, 8, tzinfo=UTC))
    [d] = _find(a, b)
    assert d.about == "date of the talks"
    assert [(v.value, v.sources) for v in d.versions] == [("Tuesday 12 September 2023 (“Sept. 12”)", ("s2",)),
                                                         ("Wednesday 13 September 2023 (“on Wednesday”)", ("s1",))]


def test_weekdays_resolve_against_each_articles_own_publication_date() -> None:
    # "on Wednesday" on Friday 26 August is the 25th: the same day as Axios's, so no disagreement
    later = _article("b", "Later", PENTAGON_AXIOS.replace("The Pentagon", "Austin’s Pentagon"),
                     dt.datetime(2021, 8, 27, 9, tzinfo=UTC))
    assert _find(_article("a", "Axios", PENTAGON_AXIOS, AUG_25), later) == ()
    # the seeds: WSWS (15 September) and AP (13 September) both put the summit on Wednesday the 13th
    wsws = next(a for a in seed_articles() if a.outlet == "World Socialist Web Site")
    sentence = "Putin laid out the red carpet for Kim on Wednesday at the Vostochny space centre"
    assert find_date(sentence, wsws.published.date()).date == dt.date(2023, 9, 13)


def test_dates_someone_said_something_or_forecasts_are_not_compared() -> None:
    said = _article("b", "B", "The Pentagon said Tuesday it ordered military troops to get the COVID-19 vaccine "
                              "as soon as possible.", AUG_25)
    will = _article("c", "C", "The Pentagon will order military troops on Friday to get the COVID-19 vaccine "
                              "as soon as possible.", AUG_25)
    articles = [_article("a", "Axios", PENTAGON_AXIOS, AUG_25), said, will]
    assert date_disagreements(articles, {a.key: a.key for a in articles}, {a.key: a.outlet for a in articles}) == []


def test_the_seed_briefing_shows_the_talks_length_and_no_false_dates_or_actors() -> None:
    found = find_disagreements(seed_articles(), seed_source_ids(), seed_origins())
    talks = next(d for d in found if d.about == "length of the talks")
    assert talks.kind == "duration" and talks.contradiction
    assert {"over four hours", "approximately an hour", "several hours"} <= {v.value for v in talks.versions}
    assert not [d for d in found if d.kind in {"date", "speaker", "actor"}]


# The Derna floods in the bundled sample feeds (digest/sample/feeds): headlines as published
DERNA = [("wp", "The Washington Post", "Libya floods destroy quarter of Derna city; death toll rises to 5,300",
          dt.datetime(2023, 9, 13, 9, 11, 42, tzinfo=UTC)),
         ("npr1", "NPR", "More than 5,000 have been found dead after Libya floods",
          dt.datetime(2023, 9, 13, 15, 42, 44, tzinfo=UTC)),
         ("npr2", "NPR Wire", "Death toll soars to 11,300 from flooding in Libyan coastal city of Derna",
          dt.datetime(2023, 9, 14, 19, 21, 4, tzinfo=UTC))]


def test_rising_tolls_are_differing_figures_with_their_publication_times() -> None:
    articles = [_article(k, o, "Rescue teams searched the city.", when, title) for k, o, title, when in DERNA]
    [toll] = _find(*articles)
    assert toll.kind == "toll" and not toll.contradiction  # a later, larger figure may be an update
    assert [(v.value, v.sources, v.published) for v in toll.versions] == [
        ("5,300", ("s1", "s2"), DERNA[0][3]),  # "more than 5,000" is the same figure as 5,300
        ("11,300", ("s3",), DERNA[2][3])]
    assert toll.versions[1].text == DERNA[2][2]


def test_the_same_quote_given_to_different_speakers_is_a_disagreement() -> None:
    # a real quotation from the seeds (Kim, in AP's copy); the second attribution is constructed
    quote = "“Russia has risen for a sacred fight to protect its national sovereignty and safety,” "
    a = _article("a", "A", "Kim Jong Un met Vladimir Putin.\n\n" + quote + "Kim Jong Un said.", AUG_25)
    b = _article("b", "B", "Vladimir Putin met Kim Jong Un.\n\n" + quote + "said Vladimir Putin.", AUG_25)
    [d] = _find(a, b)
    assert d.kind == "speaker" and {(v.value, v.sources) for v in d.versions} == {
        ("Kim Jong Un", ("s1",)), ("Vladimir Putin", ("s2",))}
    assert all(v.text.startswith("“Russia has risen") for v in d.versions)
    same = _article("c", "C", "Kim Jong Un met Vladimir Putin.\n\n" + quote + "Kim said.", AUG_25)
    assert _find(a, same) == ()


def test_the_same_action_by_different_subjects_is_a_disagreement() -> None:
    a = _article("a", "A", "Russia launched the missile strike on the Kharkiv power station overnight.", AUG_25)
    b = _article("b", "B", "Ukraine launched the missile strike on the Kharkiv power station overnight.", AUG_25)
    c = _article("c", "C", "Russia launched the missile strike on the Kharkiv power station, officials said.", AUG_25)
    [d] = _find(a, b)
    assert d.kind == "actor" and [v.value for v in d.versions] == ["Russia", "Ukraine"]
    assert _find(a, c) == ()


def test_quoted_as_saying_without_a_colon() -> None:
    quotes = extract_quotes(seed_articles(), seed_source_ids(), limit=100)
    [q] = [q for q in quotes if "keen interest in rocket technology" in q.text]
    assert q.speaker == "Vladimir Putin"


def test_a_headline_and_the_body_do_not_glue_into_one_name() -> None:
    people = build_people(["Death toll soars to 11,300 from flooding in Libyan coastal city of Derna\n"
                           "Another 10,100 are reported missing from flooding caused by Mediterranean storm Daniel."])
    assert not any("Derna" in name for name in people.names)


def test_a_regions_toll_is_not_compared_with_the_whole_events() -> None:
    # AllSides event e-8652e4e910 (European floods, 17 July 2021): AP's overall figure, Breitbart's for one state
    when = dt.datetime(2021, 7, 17, 15, tzinfo=UTC)
    ap = _article("a", "Associated Press", "Rescue workers across Germany and Belgium rushed Friday to prevent more "
                  "deaths from some of the Continent’s worst flooding in years as the number of dead surpassed 125 "
                  "and the search went on for hundreds of missing people.", when)
    breitbart = _article("b", "Breitbart News", "On Friday, authorities gave a death toll of 63 for "
                         "Rhineland-Palatinate state, where Ahrweiler is located.", when)
    assert _find(ap, breitbart) == ()


def test_a_capital_standing_for_its_government_is_not_another_actor() -> None:
    a = _article("a", "A", "Russia launched the missile strike on the Kharkiv power station overnight.", AUG_25)
    b = _article("b", "B", "Moscow launched the missile strike on the Kharkiv power station overnight.", AUG_25)
    assert _find(a, b) == ()
