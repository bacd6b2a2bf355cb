"""The event stage: assign the window's articles to events and remember it.

Reads earlier assignments from the store so event ids stay stable across
runs, calls the pure clusterer, and stores the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from digest.analyze.cluster import cluster_events
from digest.model import Article, EventCluster
from digest.store import SQLStore


def assign_events(store: SQLStore, articles: Sequence[Article], now: dt.datetime) -> list[EventCluster]:
    """Group ``articles`` into events with stable ids and store the assignment."""
    by_id = {a.id: a for a in articles if a.id is not None}
    stored = store.event_assignments(by_id)
    existing = {by_id[article_id].key: event_id for article_id, event_id in stored.items()}
    clusters = cluster_events(articles, existing)
    save_events(store, clusters, {a.key: a for a in articles}, {}, now)
    return clusters


def save_events(store: SQLStore, clusters: Sequence[EventCluster], by_key: Mapping[str, Article],
                titles: Mapping[str, str], now: dt.datetime) -> None:
    """Store events (titles default to the earliest headline) and their articles."""
    rows = []
    for cluster in clusters:
        members = [by_key[k] for k in cluster.article_keys]
        rows.append((cluster.id, titles.get(cluster.id, members[0].title),
                     min(a.published for a in members), max(a.published for a in members),
                     [a.id for a in members if a.id is not None]))
    store.save_events(rows, now)
