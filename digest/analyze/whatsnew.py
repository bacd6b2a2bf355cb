"""What's new since the previous edition, and how important each event is.

Compares this edition's events with the previous edition's (as published in
its briefing.json): new events, developing ones (new articles or new facts)
and those that went quiet. Importance orders events by independent sources,
growth since the previous edition and recency. Pure: values in, values out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from digest.analyze.text import content_words
from digest.model import Article, Briefing, Event, QuietEvent

SAME_FACT = 0.6  # content-word overlap at which a fact counts as already reported
RECENCY_HALF_LIFE_H = 24.0


@dataclass(frozen=True)
class Change:
    status: str  # "new" | "developing" | "quiet"
    new_articles: int
    new_facts: int


def _bag(text: str) -> set[str]:
    return set(content_words(text))


def _known(fact: str, previous: Iterable[str]) -> bool:
    bag = _bag(fact)
    for other in previous:
        old = _bag(other)
        if bag and old and len(bag & old) / min(len(bag), len(old)) >= SAME_FACT:
            return True
    return False


def event_change(event_id: str, articles: Sequence[Article], facts: Sequence[str],
                 previous: Briefing | None) -> Change:
    """How one event changed since ``previous`` (None: no earlier edition, everything is new)."""
    before = next((e for e in previous.events if e.id == event_id), None) if previous else None
    if previous is None or before is None:
        return Change("new", len(articles), len(facts))
    cited = {s.id: s for s in previous.sources}
    seen = {(cited[s].outlet, cited[s].title) for s in before.sources if s in cited}
    new_articles = sum((a.outlet, a.title) not in seen for a in articles)
    new_facts = sum(not _known(f, [p.text for p in before.facts]) for f in facts)
    status = "developing" if new_articles or new_facts else "quiet"
    return Change(status, new_articles, new_facts)


def quiet_events(previous: Briefing | None, current_ids: Iterable[str]) -> tuple[QuietEvent, ...]:
    """Events of the previous edition that have nothing in this one."""
    if previous is None:
        return ()
    shown = set(current_ids)
    return tuple(QuietEvent(id=e.id, title=e.title, last_seen=e.last_seen)
                 for e in previous.events if e.id not in shown)


def importance(independent_sources: int, new_articles: int, last_seen: dt.datetime, now: dt.datetime,
               new_facts: int = 0) -> float:
    """Independent sources first, then growth since the previous edition, then recency."""
    age_h = max((now - last_seen).total_seconds() / 3600.0, 0.0)
    recency = math.pow(0.5, age_h / RECENCY_HALF_LIFE_H)
    growth = math.log1p(new_articles) + 0.5 * math.log1p(new_facts)
    return independent_sources + 0.35 * growth + 0.5 * recency


def rank_events(events: Sequence[Event], now: dt.datetime) -> list[Event]:
    """Events by importance, most important first."""
    return sorted(events, key=lambda e: (-importance(e.independent_sources, e.new_articles, e.last_seen, now,
                                                     e.new_facts), -len(e.sources), e.id))
