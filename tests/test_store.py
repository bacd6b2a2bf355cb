"""The SQLite store: schema, WAL, idempotent upserts, revisions, events, editions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from digest.errors import StoreError
from digest.ingest import content_hash
from digest.model import Article, EditionRecord, FeedState
from digest.store import open_store
from digest.store.schema import SCHEMA_VERSION

UTC = dt.timezone.utc
NOW = dt.datetime(2023, 9, 15, 7, 0, tzinfo=UTC)


def article(key: str, text: str = "Body text of the article.", **kw) -> Article:
    defaults = dict(key=key, feed="F", outlet="Outlet", title=f"Title {key}", text=text,
                    published=dt.datetime(2023, 9, 14, 12, tzinfo=UTC), fetched=NOW, content_hash=content_hash(text))
    defaults.update(kw)
    return Article(**defaults)


@pytest.fixture
def store(tmp_path: Path):
    with open_store(f"sqlite:///{tmp_path / 'sub' / 'digest.db'}") as s:
        yield s


def test_new_database_has_schema_version_and_wal(store, tmp_path: Path) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(tmp_path / "sub" / "digest.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"schema_version", "feeds", "articles", "article_revisions", "events", "event_articles",
            "editions"} <= tables
    assert store.integrity_ok()


def test_rerunning_adds_nothing_twice(store) -> None:
    batch = [article("a"), article("b")]
    first = store.upsert_articles(batch, NOW)
    second = store.upsert_articles(batch, NOW)
    assert (first.added, first.unchanged) == (2, 0)
    assert (second.added, second.revised, second.unchanged) == (0, 0, 2)
    assert store.article_count() == 2


def test_changed_text_is_a_revision_not_a_duplicate(store) -> None:
    store.upsert_articles([article("a", "First version of the story.")], NOW)
    later = NOW + dt.timedelta(hours=1)
    result = store.upsert_articles([article("a", "Second, corrected version.", fetched=later,
                                            published=later)], later)
    assert result.revised == 1 and store.article_count() == 1
    assert store.revisions("a") == 2
    [stored] = store.articles_published_between(NOW - dt.timedelta(days=2), NOW + dt.timedelta(days=1))
    assert stored.text == "Second, corrected version."
    assert stored.published == dt.datetime(2023, 9, 14, 12, tzinfo=UTC)  # an edit does not move the story


def test_times_round_trip_as_aware_utc(store) -> None:
    local = dt.datetime(2023, 9, 14, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    store.upsert_articles([article("a", published=local)], NOW)
    [stored] = store.articles_published_between(NOW - dt.timedelta(days=2), NOW)
    assert stored.published == local and stored.published.tzinfo == UTC


def test_naive_datetimes_are_refused(store) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        store.upsert_articles([article("a", published=dt.datetime(2023, 9, 14))], NOW)


def test_feeds_follow_the_config(store) -> None:
    store.sync_feeds([("A", "https://a.example/rss", None, None), ("B", None, "/tmp/x", "Bee")])
    state = store.feed_state("A")
    store.save_feed_states([dataclasses.replace(state, status="ok", etag='"v1"', last_success=NOW)])
    store.sync_feeds([("A", "https://a.example/rss", None, None)])  # B removed from the config
    assert [s.name for s in store.feed_states()] == ["A"]
    assert store.feed_state("A").etag == '"v1"'  # unchanged address keeps its validators
    store.sync_feeds([("A", "https://moved.example/rss", None, None)])
    moved = store.feed_state("A")
    assert moved.url == "https://moved.example/rss" and moved.etag is None and moved.status == "new"
    assert isinstance(moved, FeedState)


def test_events_and_editions(store) -> None:
    store.upsert_articles([article("a"), article("b")], NOW)
    ids = {a.key: a.id for a in store.articles_published_between(NOW - dt.timedelta(days=2), NOW)}
    store.save_events([("ev-1", "An event", NOW, NOW, [ids["a"], ids["b"]])], NOW)
    assert store.event_assignments(ids.values()) == {ids["a"]: "ev-1", ids["b"]: "ev-1"}
    day = dt.date(2023, 9, 15)
    assert store.edition_number_for(day) == 1
    store.save_edition(EditionRecord(date=day, number=1, generated_at=NOW, path="/x", event_ids=("ev-1",)))
    assert store.edition_number_for(day) == 1  # rebuilding a date keeps its number
    assert store.edition_number_for(day + dt.timedelta(days=1)) == 2
    assert store.previous_edition(day + dt.timedelta(days=1)).event_ids == ("ev-1",)


def test_newer_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.db'}"
    open_store(url).close()
    with sqlite3.connect(tmp_path / "d.db") as conn:
        conn.execute("UPDATE schema_version SET version = 999")
    with pytest.raises(StoreError, match="from a newer digest"):
        open_store(url)


def test_unwritable_location_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        open_store(f"sqlite:///{blocker / 'sub' / 'd.db'}")


def test_additive_columns_and_tables_are_added_to_an_existing_database(tmp_path):
    import sqlalchemy as sa

    from digest.store import schema as t
    from digest.store.sql import SQLStore

    url = f"sqlite:///{tmp_path / 'old.db'}"
    SQLStore(url).close()
    extra_col = sa.Column("added_later", sa.Text, nullable=True)
    t.feeds.append_column(extra_col)
    extra = sa.Table("added_table", t.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        with SQLStore(url) as store:
            inspector = sa.inspect(store.engine)
            assert "added_later" in {c["name"] for c in inspector.get_columns("feeds")}
            assert inspector.has_table("added_table")
            assert store.integrity_ok()
    finally:
        t.feeds._columns.remove(extra_col)
        t.metadata.remove(extra)
