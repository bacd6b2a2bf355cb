"""Store queries behind `digest feeds check` (a mixin of SQLStore)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from digest.store import schema as t


class FeedCheckMixin:
    engine: Engine

    def article_counts(self) -> dict[str, int]:
        """Stored articles per feed name."""
        query = sa.select(t.articles.c.feed, sa.func.count()).group_by(t.articles.c.feed)
        with self.engine.connect() as conn:
            return {feed: count for feed, count in conn.execute(query)}
