"""Assemble one dated edition (a :class:`Briefing`) from the store.

Window -> articles -> events (stable ids, stored) -> per-event summary ->
ranking -> numbered sources -> feed health -> overview.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from digest.analyze.event import analyze_event  # substance (issue 7)
from digest.analyze.overview import edition_overview  # substance (issue 7)
from digest.analyze.whatsnew import event_change, importance, quiet_events  # substance (issue 7)
from digest.analyze.embeddings import embedder_for
from digest.config import Config
from digest.dedup import Syndication, syndicate
from digest.dedup.copies import distinct_members, edition_outlets, number_sources
from digest.dedup.support import recount_support
from digest.events import assign_events, event_context, save_events
from digest.model import Article, Briefing, Event, EventCluster, FeedHealth, FeedState
from digest.previous import load_previous_briefing  # substance (issue 7)
from digest.store import SQLStore

UTC = dt.timezone.utc


def edition_window(date: dt.date, timezone: str, window: dt.timedelta,
                   now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, end): ends at the close of ``date`` (local), or now if that is earlier."""
    tz = zoneinfo.ZoneInfo(timezone)
    day_end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=tz).astimezone(UTC)
    end = min(day_end, now)
    return end - window, end


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


def _entities(names: Sequence[str], terms: Sequence[str], people: int = 6, limit: int = 10) -> tuple[str, ...]:
    """The first people named in the event (from the analysis), then the clusterer's top terms
    (places, organisations) not already among them."""
    seen = {n.casefold() for n in names[:people]}
    return tuple([*names[:people], *(t for t in terms if t.casefold() not in seen)][:limit])


def syndication_groups(syndication: Syndication, source_ids: dict[str, str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(origin, source ids) for each origin carried by two or more shown sources, or credited by one."""
    out = []
    for group in syndication.groups:
        ids = list(dict.fromkeys(source_ids[k] for k in group.members if k in source_ids))
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
    clusters = assign_events(store, articles, now, embedder=embedder_for(config))
    previous = store.previous_edition(date)
    # --- substance (issue 7): importance order, per-event analysis, what's new --------------
    before = load_previous_briefing(previous)

    def cluster_rank(cluster: EventCluster) -> tuple:
        members = [by_key[k] for k in cluster.article_keys]
        change = event_change(cluster.id, members, (), before)
        return (-importance(len({origins[a.key] for a in members}), change.new_articles,
                            max(a.published for a in members), now), *_rank_key(cluster, by_key, origins))
    shown = sorted(clusters, key=cluster_rank)[:config.briefing.max_events]

    numbered = number_sources(shown, by_key, syndication)  # issue 5: exact copies are one source
    sources, source_ids = list(numbered.sources), numbered.ids
    events, titles = [], {}
    context = event_context(store, [c.id for c in shown], previous.generated_at if previous else None)
    for cluster in shown:
        members = [by_key[k] for k in cluster.article_keys]
        distinct = distinct_members(cluster.article_keys, source_ids, numbered.cited)  # each text read once
        found = analyze_event(distinct, source_ids, origins, now)
        change = event_change(cluster.id, members, [f.text for f in found.facts], before)
        titles[cluster.id] = found.title
        events.append(Event(
            id=cluster.id, status=change.status, title=found.title, summary=found.summary,
            summary_sources=found.summary_sources,
            first_seen=context[cluster.id][0] or min(a.published for a in members),
            last_seen=max(a.published for a in members),
            sources=tuple(dict.fromkeys(source_ids[k] for k in cluster.article_keys)),
            outlet_count=len({a.outlet for a in members}),
            independent_sources=len({origins[a.key] for a in members}),
            facts=recount_support(found.facts, distinct, source_ids, syndication),  # issue 5
            disagreements=found.disagreements, quotes=found.quotes, framings=found.framings,
            timeline=found.timeline, open_questions=found.open_questions,
            entities=_entities(found.entities, context[cluster.id][1]),
            new_articles=change.new_articles, new_facts=change.new_facts,
        ))
    quiet = quiet_events(before, [c.id for c in clusters])
    health = _feed_health(store.feed_states(), now, config.poll.every)
    overview = edition_overview(events, len(sources), len(edition_outlets(sources)), window,
                                config.briefing.timezone, quiet, health)
    # --- end substance (issue 7) ------------------------------------------------------------
    save_events(store, shown, by_key, titles, now)  # keep the readable titles
    groups = syndication_groups(syndication, source_ids)
    return Briefing(
        title=config.briefing.title, date=date, number=store.edition_number_for(date), generated_at=now,
        window_start=window[0], window_end=window[1], timezone=config.briefing.timezone,
        overview=overview, sources=tuple(sources),
        events=tuple(events),
        feed_health=health, quiet_events=quiet,
        syndication=groups,
    )
