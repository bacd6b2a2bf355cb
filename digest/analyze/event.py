"""One event's articles -> everything the briefing says about it.

Runs the pure analysis stages in order (key facts, disagreements, quotes,
framings, timeline, open questions, main entities) and returns them as one
frozen value. ``now`` is injected; nothing here reads a clock or the disk
(beyond the bundled loaded-terms list).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from digest.analyze.disagreements import find_disagreements
from digest.analyze.framing import event_framings
from digest.analyze.people import build_people
from digest.analyze.questions import open_questions
from digest.analyze.quotes import attributions, extract_quotes
from digest.analyze.summary import summarize_event
from digest.analyze.timeline import build_timeline
from digest.model import Article, Claim, Disagreement, Fact, Framing, Quote, TimelineEntry

MAX_QUOTES = 10


@dataclass(frozen=True)
class EventAnalysis:
    title: str
    summary: str  # one sentence the key facts do not already say ("" when there is none)
    facts: tuple[Fact, ...]
    disagreements: tuple[Disagreement, ...]
    quotes: tuple[Quote, ...]
    framings: tuple[Framing, ...]
    timeline: tuple[TimelineEntry, ...]
    open_questions: tuple[Claim, ...]
    entities: tuple[str, ...]
    summary_sources: tuple[str, ...] = ()  # source ids carrying the summary sentence


def analyze_event(articles: Sequence[Article], source_ids: Mapping[str, str], origin_of: Mapping[str, str],
                  now: dt.datetime, *, max_facts: int = 6) -> EventAnalysis:
    """The substance of one event: every item cites the source ids it came from."""
    summary = summarize_event(articles, source_ids, origin_of, max_facts=max_facts, now=now)
    people = build_people(f"{a.title}\n{a.text}" for a in articles)
    attributed = attributions(articles, source_ids, people)  # every quotation once, for quotes and disagreements
    quotes = extract_quotes(articles, source_ids, people=people, limit=100, attributed=attributed)
    mentions: Counter[str] = Counter()
    for article in articles:
        mentions.update({name for _, name in people.mentions(f"{article.title}\n{article.text}")})
    ranked = sorted(mentions.items(), key=lambda kv: (-kv[1], kv[0]))  # ties broken by name: same input, same list
    entities = tuple(name for name, count in ranked[:5] if count >= 2)
    return EventAnalysis(
        title=summary.title, summary=summary.summary, facts=summary.facts,
        disagreements=find_disagreements(articles, source_ids, origin_of, people, attributed),
        quotes=quotes[:MAX_QUOTES],
        framings=event_framings(articles, source_ids, origin_of, quotes),
        timeline=build_timeline(articles, source_ids),
        open_questions=open_questions(articles, source_ids),
        entities=entities, summary_sources=summary.summary_sources,
    )
