"""Fact support counts origins sentence by sentence; explicit attributions ("An AP report said:")."""

from __future__ import annotations

import datetime as dt

from test_dedup import _seed_articles

from digest.dedup import syndicate
from digest.dedup.attribution import attributed_blocks, attributed_origins
from digest.dedup.support import recount_support
from digest.model import Article, Fact

UTC = dt.timezone.utc


def test_attribution_blocks() -> None:
    text = ("Own opening paragraph about the talks.\n\nMedia reports said:\n\nVague block.\n\n"
            "A report by The Washington Post said:\n\nPost paragraph one.\n\nPost paragraph two.\n\n"
            "An AP report said:\n\nAP paragraph.\n\nAnother report said:\n\nUnnamed again.")
    blocks = attributed_blocks(text)
    assert blocks == [("Own opening paragraph about the talks.", None), ("Vague block.", None),
                      ("Post paragraph one.", "Washington Post"), ("Post paragraph two.", "Washington Post"),
                      ("AP paragraph.", "Associated Press"), ("Unnamed again.", None)]
    assert attributed_origins(text) == ("Washington Post", "Associated Press")
    assert attributed_origins("He said the report said: nothing.\n\nThe reports were wrong.") == ()


def _article(key: str, outlet: str, text: str) -> Article:
    now = dt.datetime(2024, 5, 1, tzinfo=UTC)
    return Article(key=key, feed="f", outlet=outlet, title=key, text=text, published=now, fetched=now,
                   content_hash=key)


def test_quoted_wire_passage_does_not_add_support() -> None:
    seeds = {a.key: a for a in _seed_articles()}
    members = [seeds["001"], seeds["002"]]  # GSW (AP) and Countercurrents quoting AP
    synd = syndicate(members)
    ids = {"001": "s1", "002": "s2"}
    shared = "During the 1950-53 Korean War, the Soviet Union provided ammunition, warplanes and pilots"
    own = "North Korean leader Kim Jong-un has pledged his nation’s support for Russia in its standoff"
    facts = (Fact(text=shared, sources=("s1", "s2"), support=2), Fact(text=own, sources=("s2",), support=1))
    recounted = recount_support(facts, members, ids, synd)
    assert [f.support for f in recounted] == [1, 1]


def test_independent_reports_still_count_twice() -> None:
    a = _article("a", "Paper A", "The bridge over the river closed on Monday after engineers found cracks in "
                 "two of its supports.\n\nOfficials said repairs would take a month.")
    b = _article("b", "Paper B", "Engineers found cracks in the bridge, which closed on Monday.\n\n"
                 "A report by The Washington Post said:\n\nThe city had been warned about the supports in 2019.")
    synd = syndicate([a, b])
    assert synd.quoted_from["b"] == ("Washington Post",)
    fact = Fact(text="The bridge over the river closed on Monday after engineers found cracks in two of its supports.",
                sources=("s1", "s2"), support=2)
    [recounted] = recount_support((fact,), [a, b], {"a": "s1", "b": "s2"}, synd)
    assert recounted.support == 2
