"""briefing.json carries every analysis item with its source ids and reads back exactly."""

from __future__ import annotations

import datetime as dt
import json

from digest.model import (Briefing, Claim, Disagreement, Event, Fact, Framing, QuietEvent, Quote, SourceRef,
                          TimelineEntry, Version)
from digest.render.edition_json import briefing_from_json, briefing_to_json


def test_analysis_items_round_trip() -> None:
    U = dt.timezone.utc
    t = dt.datetime(2023, 9, 13, tzinfo=U)
    ev = Event(id="ev-1", status="new", title="T", summary="S", first_seen=t, last_seen=t, sources=("s1", "s2"),
               outlet_count=2, independent_sources=1, facts=(Fact("f", ("s1",), 1),),
               disagreements=(Disagreement("length of the talks", (
                   Version("The meeting lasted over four hours.", ("s1",), "over four hours"),
                   Version("Talks lasted approximately an hour.", ("s2",), "approximately an hour", t)),
                   "duration"),),
               quotes=(Quote("Kim Jong Un", "we will always stand with Russia", ("s1",), "North Korean leader"),),
               framings=(Framing("A", "H", ("s1",), ("x",), ("pariah",), (Claim("c", ("s1",)),), (), ("Putin",)),),
               timeline=(TimelineEntry(dt.date(2023, 9, 12), "Kim arrived in Russia.", ("s2",)),),
               open_questions=(Claim("No details were released.", ("s1",)),), entities=("Kim Jong Un",),
               new_articles=2, new_facts=1)
    b = Briefing(title="B", date=dt.date(2023, 9, 15), number=1, generated_at=t, window_start=t, window_end=t,
                 timezone="UTC", overview="o", sources=(SourceRef("s1", "A", "t", t), SourceRef("s2", "B", "t", t)),
                 events=(ev,), quiet_events=(QuietEvent("ev-0", "Old", t),))
    data = json.loads(json.dumps(briefing_to_json(b)))
    assert briefing_from_json(data) == b
    event = data["events"][0]
    assert event["disagreements"][0]["versions"][1] == {"text": "Talks lasted approximately an hour.",
                                                       "sources": ["s2"], "value": "approximately an hour",
                                                       "published": "2023-09-13T00:00:00+00:00"}
    assert event["disagreements"][0]["kind"] == "duration" and event["disagreements"][0]["contradiction"] is True
    assert event["timeline"][0]["date"] == "2023-09-12"
    assert data["quiet_events"] == [{"id": "ev-0", "title": "Old", "last_seen": "2023-09-13T00:00:00+00:00"}]
