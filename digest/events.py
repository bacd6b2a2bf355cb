"""The event stage: assign the window's new articles to events and remember it.

The incremental clusterer's open window is kept in the store between runs, so
each run assigns only the articles it has not seen before: they join an open
event or start a new one, and events keep their ids as they grow. Articles
assigned in earlier runs stay where they are unless two events merge; a merge
moves them to the surviving id and is recorded (``store.event_history``).
Each touched event's record (readable title, first/last seen, article,
outlet and independent-source counts, top names) is updated in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from digest.analyze.incremental import Incoming, IncrementalClusterer, Params, resolve
from digest.event_records import HistoryEntry, build_record
from digest.model import Article, EventCluster
from digest.store import SQLStore


def _incoming(article: Article, embedding: tuple[float, ...] | None = None) -> Incoming:
    return Incoming(key=article.key, title=article.title, text=article.text, published=article.published,
                    embedding=embedding)


def _clusterer(store: SQLStore, articles: Sequence[Article], stored: Mapping[int, str],
               params: Params | None) -> IncrementalClusterer:
    """The saved clusterer, or one rebuilt from the window's stored assignments (older databases)."""
    state = store.load_cluster_state()
    if state is not None:
        return IncrementalClusterer.from_state(state, params)
    clusterer = IncrementalClusterer(params)
    for article in sorted(articles, key=lambda a: (a.published, a.key)):
        if article.id in stored:
            clusterer.seed(_incoming(article), stored[article.id])
    return clusterer


def assign_events(store: SQLStore, articles: Sequence[Article], now: dt.datetime,
                  params: Params | None = None, embedder: Any = None) -> list[EventCluster]:
    """Group ``articles`` into events with stable ids; store new assignments, merges and records.

    ``articles`` come from the store (they carry row ids); one without an id is clustered but its
    assignment cannot be remembered, so a later run would see it as new again. With an ``embedder``
    (the ``[embeddings]`` extra, see :func:`digest.analyze.embeddings.embedder_for`) the new articles
    also carry sentence vectors and ``params`` default to the embedding settings.
    """
    stored = store.event_assignments(a.id for a in articles if a.id is not None)
    clusterer = _clusterer(store, articles, stored, params)
    fresh = sorted((a for a in articles if a.id not in stored), key=lambda a: (a.published, a.key))
    before = {a.key: stored[a.id] for a in articles if a.id in stored}
    vectors: list[Any] = [None] * len(fresh)
    if embedder is not None:
        from digest.analyze.embeddings import clustering_params

        clusterer.params = params or clustering_params()
        vectors = embedder.embed_articles([(a.title, a.text) for a in fresh])
    placed = {a.key: clusterer.add(_incoming(a, v)).event for a, v in zip(fresh, vectors)}
    final = resolve(clusterer.changes, {**before, **placed})
    history = [HistoryEntry(old_id=c.old_id, new_id=c.new_id, reason=c.reason, at=now, keys=c.keys)
               for c in clusterer.changes]

    touched = set(placed.values()) | {c.old_id for c in clusterer.changes} | {c.new_id for c in clusterer.changes}
    members = store.event_members(touched)  # as stored before this run
    where = {a.key: event for event, group in members.items() for a in group}
    by_key = {a.key: a for group in members.values() for a in group} | {a.key: a for a in articles}
    moved = resolve(clusterer.changes, where)
    groups: dict[str, list[Article]] = {}
    for key, event in {**moved, **{k: final[k] for k in placed}}.items():
        groups.setdefault(event, []).append(by_key[key])
    records = [build_record(event_id, group, open_=event_id in clusterer.events)
               for event_id, group in sorted(groups.items())]
    merged_away = [c.old_id for c in clusterer.changes if c.reason == "merge"]
    store.commit_clustering(clusterer.to_state(), [(a.id, final[a.key]) for a in fresh if a.id is not None],
                            history, records, [*clusterer.closed, *merged_away], now)
    return _clusters(articles, final)


def _clusters(articles: Sequence[Article], final: Mapping[str, str]) -> list[EventCluster]:
    groups: dict[str, list[Article]] = {}
    for a in articles:
        groups.setdefault(final[a.key], []).append(a)
    return [EventCluster(id=event_id, article_keys=tuple(a.key for a in sorted(group, key=lambda a: (a.published, a.key))))
            for event_id, group in sorted(groups.items(), key=lambda kv: (min(a.published for a in kv[1]), kv[0]))]


def save_events(store: SQLStore, clusters: Sequence[EventCluster], by_key: Mapping[str, Article],
                titles: Mapping[str, str], now: dt.datetime) -> None:
    """Keep the edition's readable titles for events already stored by :func:`assign_events`."""
    store.set_event_titles({c.id: titles[c.id] for c in clusters if c.id in titles}, now)


def event_context(store: SQLStore, event_ids: Sequence[str],
                  since: dt.datetime | None) -> dict[str, tuple[dt.datetime | None, tuple[str, ...], int]]:
    """For the edition, per event: first seen (across runs), top names, and how many articles it
    received since ``since`` (the previous edition; all of them when there is none)."""
    records = store.event_records(event_ids)
    new = store.articles_assigned_since(event_ids, since or dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
    return {i: (records[i].first_seen if i in records else None, records[i].entities if i in records else (),
                new.get(i, 0)) for i in event_ids}
