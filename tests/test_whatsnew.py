"""What's new since the previous edition, importance order and the overview: pure functions on values."""

from __future__ import annotations

import dataclasses
import datetime as dt

from seed_articles import NOW, seed_articles

from digest.analyze.overview import edition_overview
from digest.analyze.whatsnew import event_change, importance, quiet_events, rank_events
from digest.model import Briefing, Event, Fact, FeedHealth, SourceRef

UTC = dt.timezone.utc
T0 = dt.datetime(2023, 9, 14, 6, tzinfo=UTC)


def _event(eid: str, sources: tuple[str, ...], facts: tuple[str, ...], independent: int = 1,
           last_seen: dt.datetime = T0, **kw) -> Event:
    return Event(id=eid, status=kw.pop("status", "new"), title=f"Event {eid}", summary="", first_seen=T0,
                 last_seen=last_seen, sources=sources, outlet_count=len(sources),
                 independent_sources=independent,
                 facts=tuple(Fact(text=f, sources=sources[:1], support=1) for f in facts), **kw)


def _previous() -> Briefing:
    articles = seed_articles()[:3]
    refs = tuple(SourceRef(id=f"s{i + 1}", outlet=a.outlet, title=a.title, published=a.published)
                 for i, a in enumerate(articles))
    events = (_event("ev-kim", ("s1", "s2"), ("Kim Jong Un arrived in Russia on Tuesday by armoured train.",)),
              _event("ev-old", ("s3",), ("A separate story about something else entirely today.",)))
    return Briefing(title="B", date=dt.date(2023, 9, 14), number=1, generated_at=T0, window_start=T0,
                    window_end=T0, timezone="UTC", overview="", sources=refs, events=events)


def test_first_edition_everything_is_new() -> None:
    change = event_change("ev-kim", seed_articles(), ["a fact"], None)
    assert change.status == "new" and change.new_articles == 5 and change.new_facts == 1


def test_developing_event_counts_new_articles_and_new_facts() -> None:
    previous = _previous()
    facts = ["Kim Jong Un arrived in Russia on Tuesday by his armoured train.",  # same claim, reworded
             "Putin and Kim met at the Vostochny Cosmodrome for over four hours."]
    change = event_change("ev-kim", seed_articles()[:2] + seed_articles()[3:], facts, previous)
    assert change.status == "developing"
    assert change.new_articles == 2 and change.new_facts == 1


def test_unchanged_event_is_quiet_and_missing_ones_went_quiet() -> None:
    previous = _previous()
    change = event_change("ev-kim", seed_articles()[:2],
                          ["Kim Jong Un arrived in Russia on Tuesday by armoured train."], previous)
    assert change == dataclasses.replace(change, status="quiet", new_articles=0, new_facts=0)
    assert [q.id for q in quiet_events(previous, ["ev-kim"])] == ["ev-old"]
    assert quiet_events(None, []) == ()


def test_importance_prefers_independent_sources_then_growth_then_recency() -> None:
    wide = _event("ev-a", ("s1", "s2", "s3"), (), independent=3, last_seen=T0 - dt.timedelta(days=2))
    growing = _event("ev-b", ("s4",), (), independent=1, new_articles=4, new_facts=3)
    fresh = _event("ev-c", ("s5",), (), independent=1, last_seen=NOW)
    stale = _event("ev-d", ("s6",), (), independent=1, last_seen=NOW - dt.timedelta(days=3))
    assert [e.id for e in rank_events([stale, fresh, growing, wide], NOW)] == ["ev-a", "ev-b", "ev-c", "ev-d"]
    assert importance(1, 0, NOW, NOW) > importance(1, 0, NOW - dt.timedelta(days=1), NOW)


def test_overview_is_one_paragraph_naming_the_top_events_and_changes() -> None:
    events = [_event("ev-a", ("s1", "s2"), ("The leaders met at the cosmodrome.",), independent=2,
                     status="developing", new_articles=1),
              _event("ev-b", ("s3",), (), status="new")]
    quiet = quiet_events(_previous(), ["ev-a", "ev-b", "ev-kim"])
    text = edition_overview(events, 3, 3, (T0, NOW), "Europe/London", quiet,
                            [FeedHealth(feed="x", status="failing", error="boom")])
    assert "\n" not in text
    assert text.startswith("2 events from 3 articles by 3 outlets")
    assert "Event ev-a (developing, 2 independent sources)" in text
    assert "The leaders met at the cosmodrome." in text
    assert "1 new, 1 developing, 1 gone quiet" in text and "1 feed could not be read" in text
    assert edition_overview([], 0, 0, (T0, NOW), "UTC") == "No new articles arrived in this period."
    failing = [FeedHealth(feed="x", status="failing", error="boom"), FeedHealth(feed="y", status="ok")]
    assert edition_overview([], 0, 0, (T0, NOW), "UTC", (), failing) == (  # an empty edition says why
        "No new articles arrived in this period. 1 feed could not be read normally (see feed health).")


def test_previous_edition_missing_or_corrupt_is_treated_as_none(tmp_path, caplog) -> None:
    import json

    from digest.model import EditionRecord
    from digest.previous import load_previous_briefing
    from digest.render.edition_json import briefing_to_json

    record = EditionRecord(date=dt.date(2023, 9, 14), number=1, generated_at=T0, path=str(tmp_path))
    assert load_previous_briefing(None) is None
    assert load_previous_briefing(record) is None and "no briefing.json" in caplog.text
    (tmp_path / "briefing.json").write_text("{broken", encoding="utf-8")
    assert load_previous_briefing(record) is None and "cannot read" in caplog.text
    (tmp_path / "briefing.json").write_text(json.dumps(briefing_to_json(_previous())), encoding="utf-8")
    assert load_previous_briefing(record) == _previous()
