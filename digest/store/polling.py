"""Batched writes for the poller: many feeds' articles and states in one transaction.

A mixin of :class:`digest.store.sql.SQLStore`. Articles whose key is not yet
stored are inserted with one ``executemany``; known keys go through
``upsert_articles`` (revisions) so there is one rule for edits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from digest.model import Article, FeedState, UpsertResult
from digest.store import schema as t

_INSERT_COLUMNS = ("key", "feed", "outlet", "title", "title_derived", "url", "path", "byline",
                   "published", "fetched", "summary", "text", "content_hash", "language",
                   "credits", "captions", "journalists")
_CHUNK = 500  # keys per IN (...) query (SQLite's variable limit is far above this)


class PollWritesMixin:
    """``store_poll_batch`` for :mod:`digest.fetch.poller`'s writer thread."""

    engine: sa.engine.Engine

    def _known_keys(self, conn: sa.engine.Connection, keys: Sequence[str]) -> set[str]:
        known: set[str] = set()
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            known.update(conn.execute(sa.select(t.articles.c.key).where(t.articles.c.key.in_(chunk))).scalars())
        return known

    def store_poll_batch(self, feeds: Sequence[tuple[FeedState, Sequence[Article]]],
                         now: dt.datetime) -> list[UpsertResult]:
        """Store each feed's new state and articles; one result per feed, in order."""
        all_keys = [a.key for _, articles in feeds for a in articles]
        fresh_rows, later, counts = [], [], []
        with self.engine.begin() as conn:
            known = self._known_keys(conn, all_keys) if all_keys else set()
            for _, articles in feeds:
                added, rest = 0, []
                for article in articles:
                    if article.key in known:
                        rest.append(article)
                        continue
                    known.add(article.key)
                    row = {c: getattr(article, c) for c in _INSERT_COLUMNS}
                    fresh_rows.append({**row, "updated": now, "revision": 1})
                    added += 1
                later.append(rest)
                counts.append(added)
            if fresh_rows:
                conn.execute(t.articles.insert(), fresh_rows)
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
