"""Batched writes for the poller: many feeds' articles and states in one transaction.

A mixin of :class:`digest.store.sql.SQLStore`. Articles whose key is not yet
stored are inserted with one ``executemany`` on the driver, their values
converted by the columns' own bind processors (the same values SQLAlchemy
would send, without its per-row bookkeeping); known keys go through
``upsert_articles`` (revisions) so there is one rule for edits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from digest.model import Article, FeedState, UpsertResult
from digest.store import schema as t

_INSERT_COLUMNS = ("key", "feed", "outlet", "title", "title_derived", "url", "path", "byline",
                   "published", "fetched", "summary", "text", "content_hash", "language",
                   "credits", "captions", "journalists")
_PER_BATCH = ("updated", "revision")  # the same for every new article of a batch: now, 1
_TIME_COLUMNS = frozenset({"published", "fetched", "updated"})
_CHUNK = 500  # keys per IN (...) query (SQLite's variable limit is far above this)


@dataclasses.dataclass(frozen=True)
class _BulkInsert:
    """``INSERT INTO articles`` compiled for one dialect, with each bound column's converter."""

    sql: str
    names: tuple[str, ...]  # bound parameter names in the order the driver expects them
    positional: bool  # tuples (qmark, format) or dicts (pyformat, named)
    converters: tuple[tuple[int, Callable[[Any], Any], bool], ...]  # (position, converter, is a time)

    @classmethod
    def for_dialect(cls, dialect: sa.engine.Dialect) -> _BulkInsert:
        columns = (*_INSERT_COLUMNS, *_PER_BATCH)
        compiled = t.articles.insert().compile(dialect=dialect, column_keys=list(columns))
        names = tuple(compiled.positiontup) if compiled.positional else columns
        converters = []
        for position, name in enumerate(names):
            convert = t.articles.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:  # called for None too, as SQLAlchemy does (JSONList: None -> "[]")
                converters.append((position, convert, name in _TIME_COLUMNS))
        return cls(compiled.string, names, bool(compiled.positional), tuple(converters))

    def rows(self, articles: Sequence[Article], now: dt.datetime) -> list[Any]:
        """Driver parameters for new ``articles`` (revision 1, updated ``now``); a time is converted once."""
        per_batch = {"updated": now, "revision": 1}
        read = operator.attrgetter(*(n for n in self.names if n not in per_batch))
        inserts = [(i, per_batch[n]) for i, n in enumerate(self.names) if n in per_batch]  # ascending
        converted_times: dict[object, object] = {}
        out: list[Any] = []
        for article in articles:
            values = list(read(article))
            for position, value in inserts:
                values.insert(position, value)
            for position, convert, is_time in self.converters:
                value = values[position]
                values[position] = _convert_time(converted_times, convert, value) if is_time else convert(value)
            out.append(tuple(values) if self.positional else dict(zip(self.names, values)))
        return out


def _convert_time(seen: dict[object, object], convert: Callable[[Any], Any], value: dt.datetime) -> object:
    # equal aware times are the same instant and convert alike (to naive UTC); a naive time is never
    # equal to an aware one, so it still reaches the converter, which refuses it
    if value not in seen:
        seen[value] = convert(value)
    return seen[value]


class PollWritesMixin:
    """``store_poll_batch`` for :mod:`digest.fetch.poller`'s writer thread."""

    engine: sa.engine.Engine
    _bulk_insert: _BulkInsert | None = None

    def _known_keys(self, conn: sa.engine.Connection, keys: Sequence[str]) -> set[str]:
        known: set[str] = set()
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            known.update(conn.execute(sa.select(t.articles.c.key).where(t.articles.c.key.in_(chunk))).scalars())
        return known

    def _insert_articles(self, conn: sa.engine.Connection, articles: Sequence[Article], now: dt.datetime) -> None:
        if self._bulk_insert is None:
            self._bulk_insert = _BulkInsert.for_dialect(conn.dialect)
        insert = self._bulk_insert
        conn.exec_driver_sql(insert.sql, insert.rows(articles, now))

    def store_poll_batch(self, feeds: Sequence[tuple[FeedState, Sequence[Article]]],
                         now: dt.datetime) -> list[UpsertResult]:
        """Store each feed's new state and articles; one result per feed, in order."""
        all_keys = [a.key for _, articles in feeds for a in articles]
        fresh, later, counts = [], [], []
        with self.engine.begin() as conn:
            known = self._known_keys(conn, all_keys) if all_keys else set()
            for _, articles in feeds:
                added, rest = 0, []
                for article in articles:
                    if article.key in known:
                        rest.append(article)
                        continue
                    known.add(article.key)
                    fresh.append(article)
                    added += 1
                later.append(rest)
                counts.append(added)
            if fresh:
                self._insert_articles(conn, fresh, now)
            states = [dataclasses.asdict(state) for state, _ in feeds]
            if states:  # one statement for the batch (executemany)
                columns = [c for c in states[0] if c != "name"]
                update = (t.feeds.update().where(t.feeds.c.name == sa.bindparam("_name"))
                          .values({c: sa.bindparam(c) for c in columns}))
                conn.execute(update, [{**row, "_name": row["name"]} for row in states])
        results = []
        for added, rest in zip(counts, later):
            again = self.upsert_articles(rest, now) if rest else UpsertResult()  # type: ignore[attr-defined]
            results.append(UpsertResult(added=added + again.added, revised=again.revised,
                                        unchanged=again.unchanged))
        return results
