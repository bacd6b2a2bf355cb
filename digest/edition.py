"""Assemble one dated edition (a :class:`Briefing`) from the store.

Window -> articles -> events (stable ids, stored) -> per-event summary ->
ranking -> numbered sources -> feed health -> overview.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from digest.analyze.summary import summarize_event
from digest.config import Config
from digest.dedup import Syndication, syndicate
from digest.dedup.support import recount_support
from digest.events import assign_events, event_context, save_events
from digest.model import Article, Briefing, Event, EventCluster, FeedHealth, FeedState, SourceRef
from digest.store import SQLStore

UTC = dt.timezone.utc


def edition_window(date: dt.date, timezone: str, window: dt.timedelta,
                   now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, end): ends at the close of ``date`` (local), or now if that is earlier."""
    tz = zoneinfo.ZoneInfo(timezone)
    day_end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=tz).astimezone(UTC)
    end = min(day_end, now)
    return end - window, end


def _status(cluster: EventCluster, by_key: dict[str, Article], previous_ids: set[str],
            previous_at: dt.datetime | None) -> str:
    if cluster.id not in previous_ids:
        return "new"
    if previous_at and any(by_key[k].fetched > previous_at for k in cluster.article_keys):
        return "developing"
    return "quiet"


def _rank_key(cluster: EventCluster, by_key: dict[str, Article], origins: dict[str, str]) -> tuple:
    members = [by_key[k] for k in cluster.article_keys]
    return (-len({origins[a.key] for a in members}), -len(members),
            -max(a.published for a in members).timestamp(), cluster.id)


def _feed_health(states: Sequence[FeedState], now: dt.datetime, every: dt.timedelta) -> tuple[FeedHealth, ...]:
    out = []
    for s in states:
        status = s.status
        if status == "ok" and s.url and s.last_success and now - s.last_success > max(every * 6, dt.timedelta(days=1)):
            status = "stale"
        out.append(FeedHealth(feed=s.name, status=status, error=s.error, last_success=s.last_success))
    return tuple(out)


def _overview(events: Sequence[Event], sources: Sequence[SourceRef], window: tuple[dt.datetime, dt.datetime],
              tz: str) -> str:
    if not events:
        return "No new articles arrived in this period."
    outlets = len({s.outlet for s in sources})
    local = zoneinfo.ZoneInfo(tz)
    start, end = (w.astimezone(local).strftime("%d %B %Y %H:%M") for w in window)
    lead = "; ".join(f"{e.title} ({e.independent_sources} independent "
                     f"source{'s' if e.independent_sources != 1 else ''})" for e in events[:3])
    return (f"{len(events)} event{'s' if len(events) != 1 else ''} from {len(sources)} articles by "
            f"{outlets} outlet{'s' if outlets != 1 else ''}, {start} to {end}. Most widely reported: {lead}.")


def syndication_groups(syndication: Syndication, source_ids: dict[str, str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(origin, source ids) for each origin carried by two or more shown sources, or credited by one."""
    out = []
    for group in syndication.groups:
        ids = [source_ids[k] for k in group.members if k in source_ids]
        if len(ids) > 1 or (ids and group.credited):
            out.append((group.origin, tuple(sorted(ids, key=lambda s: int(s[1:])))))
    return tuple(sorted(out))


def build_briefing(config: Config, store: SQLStore, date: dt.date, now: dt.datetime) -> Briefing:
    """The edition for ``date`` from what the store holds. Stores the event assignments."""
    window = edition_window(date, config.briefing.timezone, config.briefing.window, now)
    articles = store.articles_published_between(*window)
    by_key = {a.key: a for a in articles}
    syndication = syndicate(articles)  # issue 5: origins counted, not mastheads
    origins = dict(syndication.origin)
    clusters = assign_events(store, articles, now)
    previous = store.previous_edition(date)
    previous_ids = set(previous.event_ids) if previous else set()
    shown = sorted(clusters, key=lambda c: _rank_key(c, by_key, origins))[:config.briefing.max_events]

    sources: list[SourceRef] = []
    source_ids: dict[str, str] = {}
    for cluster in shown:
        for key in cluster.article_keys:
            a = by_key[key]
            source_ids[key] = f"s{len(sources) + 1}"
            sources.append(SourceRef(id=source_ids[key], outlet=a.outlet, title=a.title, published=a.published,
                                     url=a.url, byline=a.byline, feed=a.feed,
                                     origin=origins[key] if origins[key] != a.outlet else None,
                                     quoted_from=syndication.quoted_from.get(key, ())))
    events, titles = [], {}
    context = event_context(store, [c.id for c in shown], previous.generated_at if previous else None)
    for cluster in shown:
        members = [by_key[k] for k in cluster.article_keys]
        summary = summarize_event(members, source_ids, origins)
        titles[cluster.id] = summary.title
        events.append(Event(
            id=cluster.id, status=_status(cluster, by_key, previous_ids, previous.generated_at if previous else None),
            title=summary.title, summary=summary.summary,
            first_seen=context[cluster.id][0] or min(a.published for a in members),
            last_seen=max(a.published for a in members),
            sources=tuple(source_ids[k] for k in cluster.article_keys),
            outlet_count=len({a.outlet for a in members}),
            independent_sources=len({origins[a.key] for a in members}),
            facts=recount_support(summary.facts, members, source_ids, syndication),  # issue 5
            entities=context[cluster.id][1], new_articles=context[cluster.id][2],
        ))
    save_events(store, shown, by_key, titles, now)  # keep the readable titles
    groups = syndication_groups(syndication, source_ids)
    return Briefing(
        title=config.briefing.title, date=date, number=store.edition_number_for(date), generated_at=now,
        window_start=window[0], window_end=window[1], timezone=config.briefing.timezone,
        overview=_overview(events, sources, window, config.briefing.timezone), sources=tuple(sources),
        events=tuple(events),
        feed_health=_feed_health(store.feed_states(), now, config.poll.every),
        syndication=groups,
    )
