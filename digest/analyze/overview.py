"""The edition's one-paragraph overview, in neutral words, built only from the events' own content."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from digest.model import Event, FeedHealth, QuietEvent


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _lead(event: Event) -> str:
    support = _plural(event.independent_sources, "independent source")
    status = {"new": "new", "developing": "developing"}.get(event.status)
    tag = f"{status}, {support}" if status else support
    return f"{event.title} ({tag})"


def edition_overview(events: Sequence[Event], source_count: int, outlet_count: int,
                     window: tuple[dt.datetime, dt.datetime], tz: str,
                     quiet: Sequence[QuietEvent] = (), health: Sequence[FeedHealth] = ()) -> str:
    """One paragraph: the period, the most important events, what changed, disagreements, feed problems."""
    problems = [h for h in health if h.status in ("failing", "stale", "retired")]
    trouble = f"{_plural(len(problems), 'feed')} could not be read normally (see feed health)." if problems else ""
    if not events:
        return " ".join(p for p in ("No new articles arrived in this period.", trouble) if p)
    local = zoneinfo.ZoneInfo(tz)
    start, end = (f"{t.day} {t:%B %Y %H:%M}" for t in (w.astimezone(local) for w in window))
    parts = [f"{_plural(len(events), 'event')} from {_plural(source_count, 'article')} by "
             f"{_plural(outlet_count, 'outlet')}, {start} to {end}."]
    parts.append("Most widely reported: " + "; ".join(_lead(e) for e in events[:3]) + ".")
    top = events[0]
    if top.facts:
        parts.append(f"Leading fact: {top.facts[0].text}")
    new = sum(e.status == "new" for e in events)
    developing = sum(e.status == "developing" for e in events)
    if new or developing or quiet:
        changes = [f"{new} new" if new else "", f"{developing} developing" if developing else "",
                   f"{len(quiet)} gone quiet" if quiet else ""]
        parts.append("Since the previous edition: " + ", ".join(c for c in changes if c) + ".")
    disputed = sum(1 for e in events if e.disagreements)
    if disputed:
        parts.append(f"Sources disagree on details in {_plural(disputed, 'event')}.")
    if trouble:
        parts.append(trouble)
    return " ".join(parts)
