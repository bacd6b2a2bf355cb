"""The whole analysis on real labelled events (AllSides 2021, BASIL): invariants that must hold everywhere."""

from __future__ import annotations

import datetime as dt

from digest.analyze.event import analyze_event
from digest.evaluate.common import eval_article, parse_when, read_jsonl
from digest.evaluate.summary import event_articles

NOW = dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc)


def _check(articles) -> None:
    ids = {a.key: f"s{i + 1}" for i, a in enumerate(articles)}
    origins = {a.key: a.outlet for a in articles}
    result = analyze_event(articles, ids, origins, NOW)
    texts = {ids[a.key]: " ".join(a.text.split()) for a in articles}
    for fact in result.facts:
        assert 1 <= fact.support <= len(fact.sources)
        assert any(" ".join(fact.text.split()) in texts[s] for s in fact.sources), fact.text
    for quote in result.quotes:
        assert quote.speaker and any(" ".join(quote.text.split()) in texts[s] for s in quote.sources)
    titles = {ids[a.key]: " ".join(a.title.split()) for a in articles}
    for d in result.disagreements:
        assert len(d.versions) >= 2 and d.kind in {"duration", "count", "toll", "date", "speaker", "actor"}
        for v in d.versions:  # a toll may be only in the headline
            assert all(" ".join(v.text.split()) in texts[s] + " " + titles[s] for s in v.sources[:1])
    for framing in result.framings:
        for claim in framing.unique_claims + framing.context_added:
            assert claim.sources[0] in framing.sources and " ".join(claim.text.split()) in texts[claim.sources[0]]
    assert len(result.framings) == len({a.outlet for a in articles})


def test_every_allsides_event_analyses_with_attributable_output(shared) -> None:
    events = list(read_jsonl(shared / "eval" / "framing" / "allsides-2021-framing.jsonl"))
    for event in events[::5]:  # a fifth of the 505 events keeps this test quick
        _check(event_articles(event))


def test_every_basil_event_analyses_with_attributable_output(shared) -> None:
    for event in read_jsonl(shared / "eval" / "framing" / "basil-2010-2014.jsonl"):
        _check([eval_article(event["event_id"], i, a, parse_when(a.get("published")))
                for i, a in enumerate(event["articles"])])
