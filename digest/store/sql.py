"""The store on SQLAlchemy Core: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from digest.errors import StoreError
from digest.model import Article, EditionRecord, FeedState, UpsertResult
from digest.store import schema as t
from digest.store.feedcheck import FeedCheckMixin
from digest.store.deliveries import DeliveriesMixin
from digest.store.locks import LocksMixin
from digest.store.clustering import ClusteringStoreMixin
from digest.store.polling import PollWritesMixin

_FEED_STATE_FIELDS = [f.name for f in dataclasses.fields(FeedState)]
_ARTICLE_COLUMNS = ("key", "feed", "outlet", "title", "title_derived", "url", "path", "byline",
                    "published", "fetched", "summary", "text", "content_hash", "language",
                    "credits", "captions", "journalists")


def _sqlite_path(url: str) -> Path | None:
    rest = url[len("sqlite:///"):] if url.startswith("sqlite:///") else None
    return Path(rest) if rest and rest != ":memory:" else None


def create_engine(url: str) -> Engine:
    """An engine with the pragmas the store relies on (WAL, foreign keys, busy wait)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    db_path = _sqlite_path(url)
    if db_path is not None:
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot create the folder for the database {db_path}: {err.strerror}; "
                             "set storage: in feeds.yaml to a writable place") from None
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")
            # 16 MB of page cache instead of 2 MB: a first poll inserts into three indexes (key,
            # published, content_hash) at random places; with the default cache their pages are
            # evicted and read back over and over (~20% of the store's CPU for 50,000 articles)
            cur.execute("PRAGMA cache_size=-16384")
            cur.close()
    return engine


class SQLStore(FeedCheckMixin, DeliveriesMixin, LocksMixin, ClusteringStoreMixin, PollWritesMixin):
    """Everything digest keeps between runs. One instance per process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        try:
            with self.engine.begin() as conn:
                self._prepare(conn)
        except sa.exc.OperationalError as err:
            raise StoreError(f"cannot open the database {url}: {err.orig}; "
                             "check storage: in feeds.yaml") from None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> SQLStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------

    def _prepare(self, conn: Connection) -> None:
        inspector = sa.inspect(conn)
        if not inspector.has_table("schema_version"):
            t.metadata.create_all(conn)
            conn.execute(t.schema_version.insert().values(version=t.SCHEMA_VERSION))
            return
        version = conn.execute(sa.select(t.schema_version.c.version)).scalar_one()
        if version > t.SCHEMA_VERSION:
            raise StoreError(f"the database {self.url} is from a newer digest (schema {version}, this "
                             f"one knows {t.SCHEMA_VERSION}); upgrade digest or point storage: elsewhere")
        for step in range(version + 1, t.SCHEMA_VERSION + 1):
            t.MIGRATIONS[step](conn)
            conn.execute(t.schema_version.update().values(version=step))
        t.add_missing(conn)

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(t.schema_version.c.version)).scalar_one()

    def integrity_ok(self) -> bool:
        """SQLite's own integrity check (always True on other backends)."""
        if self.engine.dialect.name != "sqlite":
            return True
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"

    # -- feeds ----------------------------------------------------------------

    def sync_feeds(self, configured: Sequence[tuple[str, str | None, str | None, str | None]]) -> None:
        """Make the feeds table match the config: (name, url, path, outlet) per feed.

        New feeds are added, changed addresses updated (state is kept unless the
        address changed), feeds no longer configured are marked "removed".
        """
        with self.engine.begin() as conn:
            rows = {r.name: r for r in conn.execute(sa.select(t.feeds))}
            new = [{"name": name, "url": url, "path": path, "outlet": outlet, "status": "new", "failures": 0,
                    "entries": 0} for name, url, path, outlet in configured if name not in rows]
            if new:  # one statement for all new feeds (executemany)
                conn.execute(t.feeds.insert(), new)
            for name, url, path, outlet in configured:
                row = rows.get(name)
                if row is not None and ((row.url, row.path, row.outlet) != (url, path, outlet)
                                        or row.status == "removed"):
                    moved = (row.url, row.path) != (url, path)
                    values: dict[str, object] = {"url": url, "path": path, "outlet": outlet}
                    if moved or row.status == "removed":
                        values.update(status="new", etag=None, last_modified=None, body_hash=None,
                                      error=None, failures=0, next_poll=None, retry_after=None, moved_to=None)
                    conn.execute(t.feeds.update().where(t.feeds.c.name == name).values(**values))
            names = {c[0] for c in configured}
            gone = [n for n in rows if n not in names]
            if gone:
                conn.execute(t.feeds.update().where(t.feeds.c.name.in_(gone)).values(status="removed"))

    def feed_states(self, *, include_removed: bool = False) -> list[FeedState]:
        query = sa.select(t.feeds).order_by(t.feeds.c.name)
        if not include_removed:
            query = query.where(t.feeds.c.status != "removed")
        with self.engine.connect() as conn:
            return [FeedState(**{k: getattr(r, k) for k in _FEED_STATE_FIELDS}) for r in conn.execute(query)]

    def feed_state(self, name: str) -> FeedState | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.feeds).where(t.feeds.c.name == name)).first()
        return FeedState(**{k: getattr(row, k) for k in _FEED_STATE_FIELDS}) if row else None

    def save_feed_states(self, states: Iterable[FeedState]) -> None:
        with self.engine.begin() as conn:
            for state in states:
                values = dataclasses.asdict(state)
                name = values.pop("name")
                conn.execute(t.feeds.update().where(t.feeds.c.name == name).values(**values))

    # -- articles -------------------------------------------------------------

    def upsert_articles(self, batch: Iterable[Article], now: dt.datetime) -> UpsertResult:
        """Insert new articles; a changed text or title under a known key is a new revision."""
        added = revised = unchanged = 0
        with self.engine.begin() as conn:
            for article in batch:
                row = conn.execute(sa.select(t.articles.c.id, t.articles.c.content_hash,
                                             t.articles.c.revision, t.articles.c.title,
                                             t.articles.c.text, t.articles.c.fetched)
                                   .where(t.articles.c.key == article.key)).first()
                values = {c: getattr(article, c) for c in _ARTICLE_COLUMNS}
                if row is None:
                    conn.execute(t.articles.insert().values(**values, updated=now, revision=1))
                    added += 1
                elif row.content_hash == article.content_hash and row.title == article.title:
                    unchanged += 1
                else:
                    conn.execute(t.article_revisions.insert().values(
                        article_id=row.id, revision=row.revision, title=row.title, text=row.text,
                        content_hash=row.content_hash, fetched=row.fetched))
                    values.pop("published")  # an edit does not move the story in time
                    conn.execute(t.articles.update().where(t.articles.c.id == row.id)
                                 .values(**values, updated=now, revision=row.revision + 1))
                    revised += 1
        return UpsertResult(added=added, revised=revised, unchanged=unchanged)

    def articles_published_between(self, start: dt.datetime, end: dt.datetime) -> list[Article]:
        query = (sa.select(t.articles)
                 .where(t.articles.c.published >= start, t.articles.c.published < end)
                 .order_by(t.articles.c.published, t.articles.c.id))
        with self.engine.connect() as conn:
            return [_article(r) for r in conn.execute(query)]

    def article_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(t.articles)).scalar_one()

    def latest_published(self) -> dt.datetime | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.max(t.articles.c.published))).scalar()

    def revisions(self, key: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(t.articles.c.revision).where(t.articles.c.key == key)).scalar() or 0

    # -- events ---------------------------------------------------------------

    def event_assignments(self, article_ids: Iterable[int]) -> dict[int, str]:
        ids = list(article_ids)
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.event_articles.c.article_id, t.event_articles.c.event_id)
                                .where(t.event_articles.c.article_id.in_(ids)))
            return {r.article_id: r.event_id for r in rows}

    def save_events(self, events: Sequence[tuple[str, str, dt.datetime, dt.datetime, Sequence[int]]],
                    now: dt.datetime) -> None:
        """Record events as (id, title, first_seen, last_seen, article ids).

        Articles keep the event they were first assigned to unless the caller
        moves them; the move is what the caller passes.
        """
        with self.engine.begin() as conn:
            for event_id, title, first_seen, last_seen, article_ids in events:
                exists = conn.execute(sa.select(t.events.c.id).where(t.events.c.id == event_id)).first()
                if exists:
                    conn.execute(t.events.update().where(t.events.c.id == event_id).values(
                        title=title, first_seen=first_seen, last_seen=last_seen, updated=now))
                else:
                    conn.execute(t.events.insert().values(id=event_id, title=title, first_seen=first_seen,
                                                          last_seen=last_seen, created=now, updated=now))
                for article_id in article_ids:
                    conn.execute(t.event_articles.delete().where(t.event_articles.c.article_id == article_id))
                    conn.execute(t.event_articles.insert().values(article_id=article_id, event_id=event_id,
                                                                  assigned=now))

    # -- editions -------------------------------------------------------------

    def edition(self, date: dt.date) -> EditionRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.editions).where(t.editions.c.date == date.isoformat())).first()
        return _edition(row) if row else None

    def previous_edition(self, date: dt.date) -> EditionRecord | None:
        query = (sa.select(t.editions).where(t.editions.c.date < date.isoformat())
                 .order_by(t.editions.c.date.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _edition(row) if row else None

    def edition_number_for(self, date: dt.date) -> int:
        """The edition's number: kept when rebuilding a date, else one past the highest."""
        existing = self.edition(date)
        if existing:
            return existing.number
        with self.engine.connect() as conn:
            highest = conn.execute(sa.select(sa.func.max(t.editions.c.number))).scalar()
        return (highest or 0) + 1

    def save_edition(self, record: EditionRecord) -> None:
        values = {"number": record.number, "generated_at": record.generated_at, "path": record.path,
                  "event_ids": record.event_ids}
        with self.engine.begin() as conn:
            key = record.date.isoformat()
            if conn.execute(sa.select(t.editions.c.date).where(t.editions.c.date == key)).first():
                conn.execute(t.editions.update().where(t.editions.c.date == key).values(**values))
            else:
                conn.execute(t.editions.insert().values(date=key, **values))


def _article(row: sa.Row) -> Article:
    return Article(
        id=row.id, key=row.key, feed=row.feed, outlet=row.outlet, title=row.title, text=row.text,
        published=row.published, fetched=row.fetched, content_hash=row.content_hash, url=row.url,
        path=row.path, byline=row.byline, summary=row.summary, language=row.language,
        credits=tuple(row.credits), captions=tuple(row.captions), title_derived=bool(row.title_derived),
        journalists=tuple(row.journalists or ()),
    )


def _edition(row: sa.Row) -> EditionRecord:
    return EditionRecord(date=dt.date.fromisoformat(row.date), number=row.number,
                         generated_at=row.generated_at, path=row.path, event_ids=tuple(row.event_ids))
