"""The poller's bulk insert (driver ``executemany``) stores exactly what the SQLAlchemy path stores.

``store_poll_batch`` converts each article's values with the columns' own bind
processors and hands the rows to the driver; ``upsert_articles`` goes through
SQLAlchemy per row. Both are run on the same articles, on SQLite and on
PostgreSQL, and the raw stored rows (as the database holds them) must match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from digest.ingest import content_hash
from digest.model import Article, FeedState
from digest.store import open_store

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 12, 2, 11, 30, 15, 123456, tzinfo=UTC)
EAST = dt.timezone(dt.timedelta(hours=5, minutes=30))


def articles() -> list[Article]:
    texts = ["Plain body.", "Ünïcödé body — “quoted” ✓", "Body\nwith\n\nlines & <marks>", "x" * 5000]
    out = []
    for n in range(40):
        text = texts[n % len(texts)] + f" {n}"
        out.append(Article(
            key=f"https://example.com/{n}" if n % 3 else f"scope#{n}", feed=f"feed{n % 4}", outlet="Outlet ✓",
            title=f"Title {n} — ünïcödé", text=text,
            published=[NOW, NOW - dt.timedelta(days=n), dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=EAST),
                       dt.datetime(2026, 6, 1, tzinfo=UTC)][n % 4],
            fetched=NOW if n % 5 else NOW.astimezone(EAST), content_hash=content_hash(text),
            url=None if n % 7 == 0 else f"https://example.com/{n}?a=1&b=2", path=None if n % 2 else f"/tmp/{n}.txt",
            byline=None if n % 2 else "Jane Roe", summary=None if n % 3 == 0 else text[:40],
            language=None if n % 2 else "en", credits=("Associated Press", "Reuters")[: n % 3],
            captions=("A caption “here”", "Ünïcödé caption")[: n % 3], title_derived=bool(n % 2),
            journalists=("Jim Heintz",) if n % 4 == 1 else (),
        ))
    return out


def stored_rows(url: str) -> list[tuple[object, ...]]:
    """Every article column as the database holds it (driver values, no type conversion)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            columns = [r[0] for r in conn.exec_driver_sql("SELECT * FROM articles WHERE 1 = 0").cursor.description]
            ordered = ", ".join(c for c in columns if c != "id")
            return [tuple(r) for r in conn.exec_driver_sql(f"SELECT {ordered} FROM articles ORDER BY key")]
    finally:
        engine.dispose()


def store_both_ways(url_bulk: str, url_rows: str) -> None:
    batch = articles()
    with open_store(url_bulk) as store:
        store.sync_feeds([(f"feed{n}", f"https://example.com/{n}.xml", None, None) for n in range(4)])
        states = [FeedState(name=f"feed{n}", status="ok", last_success=NOW) for n in range(4)]
        results = store.store_poll_batch([(states[n], [a for a in batch if a.feed == f"feed{n}"]) for n in range(4)],
                                         NOW)
        assert sum(r.added for r in results) == len(batch)
    with open_store(url_rows) as store:
        assert store.upsert_articles(batch, NOW).added == len(batch)
    bulk, rows = stored_rows(url_bulk), stored_rows(url_rows)
    assert len(bulk) == len(batch) and bulk == rows


def test_bulk_insert_stores_what_the_sqlalchemy_path_stores_on_sqlite(tmp_path: Path) -> None:
    store_both_ways(f"sqlite:///{tmp_path / 'bulk.db'}", f"sqlite:///{tmp_path / 'rows.db'}")


def test_bulk_insert_refuses_naive_times(tmp_path: Path) -> None:
    naive = Article(key="k", feed="f", outlet="o", title="t", text="x", published=dt.datetime(2026, 1, 1),
                    fetched=NOW, content_hash=content_hash("x"))
    with open_store(f"sqlite:///{tmp_path / 'd.db'}") as store:
        store.sync_feeds([("f", "https://example.com/f.xml", None, None)])
        with pytest.raises(Exception, match="naive datetime"):
            store.store_poll_batch([(FeedState(name="f"), [naive])], NOW)
        assert store.article_count() == 0


@pytest.fixture(scope="module")
def pg_urls() -> Iterator[tuple[str, str]]:
    from pg import postgres_url

    with postgres_url() as url:
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE bulk")
            conn.exec_driver_sql("CREATE DATABASE by_rows")
        engine.dispose()
        yield url.replace("/postgres?", "/bulk?"), url.replace("/postgres?", "/by_rows?")


def test_bulk_insert_stores_what_the_sqlalchemy_path_stores_on_postgresql(pg_urls: tuple[str, str]) -> None:
    store_both_ways(*pg_urls)
