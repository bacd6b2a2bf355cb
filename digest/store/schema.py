"""Tables (SQLAlchemy Core) and the schema version.

The same metadata serves SQLite and PostgreSQL. Times are stored as naive UTC
and come back as aware UTC datetimes (:class:`UTCDateTime`). Bump
``SCHEMA_VERSION`` and append to ``MIGRATIONS`` only for a change that is not
additive; new tables, indexes and columns (nullable or with a server_default)
are added on open by :func:`add_missing`. The store refuses a newer database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

UTC = dt.timezone.utc
SCHEMA_VERSION = 1


class UTCDateTime(sa.types.TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):  # type: ignore[override]
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class JSONList(sa.types.TypeDecorator):
    """A short list of strings kept as JSON text (portable across backends)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):  # type: ignore[override]
        if not value:
            return "[]"  # json.dumps([]): most lists are empty
        return json.dumps(list(value), ensure_ascii=False)

    def process_result_value(self, value, dialect):  # type: ignore[override]
        return tuple(json.loads(value)) if value else ()


metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, nullable=False),
)

feeds = sa.Table(
    "feeds", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("url", sa.Text),
    sa.Column("path", sa.Text),
    sa.Column("outlet", sa.Text),
    sa.Column("status", sa.Text, nullable=False, default="new"),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("body_hash", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("last_attempt", UTCDateTime),
    sa.Column("last_success", UTCDateTime),
    sa.Column("next_poll", UTCDateTime),
    sa.Column("retry_after", UTCDateTime),
    sa.Column("entries", sa.Integer, nullable=False, default=0),
    sa.Column("latency_ms", sa.Integer),
    sa.Column("moved_to", sa.Text),  # permanent redirect target (nullable: added on open)
)

articles = sa.Table(
    "articles", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("feed", sa.Text, nullable=False),
    sa.Column("outlet", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("title_derived", sa.Boolean, nullable=False, default=False),
    sa.Column("url", sa.Text),
    sa.Column("canonical_url", sa.Text),
    sa.Column("path", sa.Text),
    sa.Column("byline", sa.Text),
    sa.Column("published", UTCDateTime, nullable=False),
    sa.Column("fetched", UTCDateTime, nullable=False),
    sa.Column("updated", UTCDateTime, nullable=False),
    sa.Column("summary", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("language", sa.Text),
    sa.Column("credits", JSONList, nullable=False, default=()),
    sa.Column("captions", JSONList, nullable=False, default=()),
    sa.Column("revision", sa.Integer, nullable=False, default=1),
    sa.Column("journalists", JSONList, nullable=True),  # credited reporters (issue 5; added on open)
    sa.Index("ix_articles_published", "published"),
    sa.Index("ix_articles_content_hash", "content_hash"),
)

article_revisions = sa.Table(
    "article_revisions", metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("fetched", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("article_id", "revision"),
)

events = sa.Table(
    "events", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("last_seen", UTCDateTime, nullable=False),
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("updated", UTCDateTime, nullable=False),
)

event_articles = sa.Table(
    "event_articles", metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("event_id", sa.Text, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("assigned", UTCDateTime, nullable=False),
    sa.Index("ix_event_articles_event", "event_id"),
)

editions = sa.Table(
    "editions", metadata,
    sa.Column("date", sa.Text, primary_key=True),  # YYYY-MM-DD
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("generated_at", UTCDateTime, nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("event_ids", JSONList, nullable=False, default=()),
)

def add_missing(conn: Connection) -> None:
    """Additive upgrades need no version bump: create tables and indexes that
    are new in ``metadata`` and add new columns (each must be nullable or have
    a ``server_default``) to tables that already exist."""
    inspector = sa.inspect(conn)
    metadata.create_all(conn, checkfirst=True)
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable and column.server_default is None:
                raise RuntimeError(f"new column {table.name}.{column.name} needs nullable=True "
                                   "or a server_default to be added to an existing database")
            ddl = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {ddl}")


# A new database is created from ``metadata`` at SCHEMA_VERSION. An older one is
# brought up by the steps here: MIGRATIONS[n] takes version n-1 to version n.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}
assert all(2 <= n <= SCHEMA_VERSION for n in MIGRATIONS)

# One row per (edition, recipient) mailed: how ``digest send`` sends each edition
# exactly once per recipient across retries and restarts (issue 8).
deliveries = sa.Table(
    "deliveries", metadata,
    sa.Column("edition_date", sa.Text, nullable=False),  # YYYY-MM-DD
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # "sending" | "sent" | "failed"
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("updated", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("error", sa.Text),
    sa.PrimaryKeyConstraint("edition_date", "recipient"),
)

# -- leases and the run log (digest serve; see digest/store/locks.py) ----------

locks = sa.Table(
    "locks", metadata,
    sa.Column("name", sa.Text, primary_key=True),  # e.g. "edition:2026-12-02", "poll", "serve:<owner>"
    sa.Column("owner", sa.Text, nullable=False),  # host:pid:token
    sa.Column("acquired", UTCDateTime, nullable=False),
    sa.Column("expires", UTCDateTime, nullable=False),
)

runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),  # poll | edition | deliver
    sa.Column("name", sa.Text),  # the delivery step
    sa.Column("slot", UTCDateTime),  # the schedule slot an edition or delivery belongs to
    sa.Column("edition_date", sa.Text),  # YYYY-MM-DD
    sa.Column("trigger", sa.Text),  # schedule | catch-up | run
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("started", UTCDateTime, nullable=False),
    sa.Column("finished", UTCDateTime),
    sa.Column("status", sa.Text, nullable=False),  # running | ok | failed | interrupted | skipped
    sa.Column("detail", sa.Text),  # JSON
    sa.Index("ix_runs_kind_id", "kind", "id"),
)

# -- incremental event clustering (digest/store/clustering.py) -----------------

cluster_state = sa.Table(  # the clusterer's open window between runs: one JSON document per name
    "cluster_state", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("updated", UTCDateTime, nullable=False),
)

event_records = sa.Table(  # what an edition or the site shows about an event, across runs
    "event_records", metadata,
    sa.Column("event_id", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("last_seen", UTCDateTime, nullable=False),
    sa.Column("articles", sa.Integer, nullable=False),
    sa.Column("outlets", sa.Integer, nullable=False),
    sa.Column("independent_sources", sa.Integer, nullable=False),
    sa.Column("entities", JSONList, nullable=False, default=()),
    sa.Column("open", sa.Boolean, nullable=False, default=True),
    sa.Column("updated", UTCDateTime, nullable=False),
)

event_history = sa.Table(  # merges and splits: old_id stopped being used in favour of new_id
    "event_history", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("old_id", sa.Text, nullable=False),
    sa.Column("new_id", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_event_history_old", "old_id"),
    sa.Index("ix_event_history_new", "new_id"),
)
