"""Store mixin for incremental clustering: the clusterer's state, event records, merge/split history."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from digest.event_records import EventRecord, HistoryEntry
from digest.model import Article
from digest.store import schema as t

log = logging.getLogger("digest.store")
STATE_NAME = "clusterer"


class ClusteringStoreMixin:
    """Mixed into :class:`digest.store.sql.SQLStore` (which provides ``engine``)."""

    engine: Engine

    def load_cluster_state(self) -> dict[str, Any] | None:
        """The clusterer's saved open window, or None (never saved, or unreadable: it is rebuilt)."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(t.cluster_state.c.value)
                                 .where(t.cluster_state.c.name == STATE_NAME)).scalar()
        if value is None:
            return None
        try:
            state = json.loads(value)
        except json.JSONDecodeError:
            log.warning("the saved clustering state is unreadable; rebuilding it from stored assignments")
            return None
        return state if isinstance(state, dict) else None

    def commit_clustering(self, state: Mapping[str, Any], assignments: Sequence[tuple[int, str]],
                          history: Sequence[HistoryEntry], records: Sequence[EventRecord],
                          closed: Iterable[str], now: dt.datetime) -> None:
        """Store one run's clustering in one transaction: new assignments (article id, event id),
        merges (articles of the old event move to the new one, and the move is recorded), event
        records, events that left the open window, and the clusterer's state."""
        with self.engine.begin() as conn:
            for record in records:
                _upsert_event(conn, record, now)
            for entry in history:  # in the order they happened
                moving = t.event_articles.c.event_id == entry.old_id
                if entry.reason == "split":
                    moving = sa.and_(moving, t.event_articles.c.article_id.in_(
                        sa.select(t.articles.c.id).where(t.articles.c.key.in_(entry.keys))))
                conn.execute(t.event_articles.update().where(moving).values(event_id=entry.new_id))
                conn.execute(t.event_history.insert().values(old_id=entry.old_id, new_id=entry.new_id,
                                                             reason=entry.reason, at=entry.at))
            for article_id, event_id in assignments:
                conn.execute(t.event_articles.delete().where(t.event_articles.c.article_id == article_id))
                conn.execute(t.event_articles.insert().values(article_id=article_id, event_id=event_id,
                                                              assigned=now))
            for chunk in _chunks(list(closed)):
                conn.execute(t.event_records.update().where(t.event_records.c.event_id.in_(chunk))
                             .values(open=False, updated=now))
            _put_state(conn, json.dumps(state, separators=(",", ":")), now)

    def event_members(self, event_ids: Iterable[str]) -> dict[str, list[Article]]:
        """Every stored article of each event, in publication order."""
        from digest.store.sql import _article

        ids = list(event_ids)
        out: dict[str, list[Article]] = {i: [] for i in ids}
        if not ids:
            return out
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                query = (sa.select(t.articles, t.event_articles.c.event_id.label("event_id_"))
                         .join(t.event_articles, t.event_articles.c.article_id == t.articles.c.id)
                         .where(t.event_articles.c.event_id.in_(chunk))
                         .order_by(t.articles.c.published, t.articles.c.id))
                for row in conn.execute(query):
                    out[row.event_id_].append(_article(row))
        return out

    def event_records(self, event_ids: Iterable[str]) -> dict[str, EventRecord]:
        ids = list(event_ids)
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = [r for chunk in _chunks(ids)
                    for r in conn.execute(sa.select(t.event_records).where(t.event_records.c.event_id.in_(chunk)))]
            return {r.event_id: EventRecord(id=r.event_id, title=r.title, first_seen=r.first_seen,
                                            last_seen=r.last_seen, articles=r.articles, outlets=r.outlets,
                                            independent_sources=r.independent_sources,
                                            entities=tuple(r.entities), open=bool(r.open)) for r in rows}

    def event_history(self, event_id: str | None = None) -> list[HistoryEntry]:
        """Merges and splits (all, or those an event took part in), oldest first."""
        query = sa.select(t.event_history).order_by(t.event_history.c.at, t.event_history.c.id)
        if event_id is not None:
            query = query.where(sa.or_(t.event_history.c.old_id == event_id, t.event_history.c.new_id == event_id))
        with self.engine.connect() as conn:
            return [HistoryEntry(old_id=r.old_id, new_id=r.new_id, reason=r.reason, at=r.at)
                    for r in conn.execute(query)]

    def articles_assigned_since(self, event_ids: Iterable[str], since: dt.datetime) -> dict[str, int]:
        """How many articles each event received after ``since`` (e.g. the previous edition)."""
        ids = list(event_ids)
        if not ids:
            return {}
        counts: dict[str, int] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(ids):
                query = (sa.select(t.event_articles.c.event_id, sa.func.count())
                         .where(t.event_articles.c.event_id.in_(chunk), t.event_articles.c.assigned > since)
                         .group_by(t.event_articles.c.event_id))
                counts.update({event_id: n for event_id, n in conn.execute(query)})
        return {i: counts.get(i, 0) for i in ids}

    def set_event_titles(self, titles: Mapping[str, str], now: dt.datetime) -> None:
        """The edition's readable titles for events already stored (assignments untouched)."""
        with self.engine.begin() as conn:
            for event_id, title in titles.items():
                conn.execute(t.events.update().where(t.events.c.id == event_id).values(title=title, updated=now))


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    """IN lists of bounded length (SQLite limits bound parameters per statement)."""
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _upsert_event(conn: Connection, record: EventRecord, now: dt.datetime) -> None:
    values = {"title": record.title, "first_seen": record.first_seen, "last_seen": record.last_seen}
    if conn.execute(sa.select(t.events.c.id).where(t.events.c.id == record.id)).first():
        conn.execute(t.events.update().where(t.events.c.id == record.id).values(**values, updated=now))
    else:
        conn.execute(t.events.insert().values(id=record.id, **values, created=now, updated=now))
    full = {**values, "articles": record.articles, "outlets": record.outlets,
            "independent_sources": record.independent_sources, "entities": record.entities,
            "open": record.open, "updated": now}
    if conn.execute(sa.select(t.event_records.c.event_id).where(t.event_records.c.event_id == record.id)).first():
        conn.execute(t.event_records.update().where(t.event_records.c.event_id == record.id).values(**full))
    else:
        conn.execute(t.event_records.insert().values(event_id=record.id, **full))


def _put_state(conn: Connection, value: str, now: dt.datetime) -> None:
    if conn.execute(sa.select(t.cluster_state.c.name).where(t.cluster_state.c.name == STATE_NAME)).first():
        conn.execute(t.cluster_state.update().where(t.cluster_state.c.name == STATE_NAME)
                     .values(value=value, updated=now))
    else:
        conn.execute(t.cluster_state.insert().values(name=STATE_NAME, value=value, updated=now))
