"""Leases and the run log, for processes that share one database.

A *lease* is a row in ``locks``: (name, owner, acquired, expires). It is taken
with a plain INSERT (the primary key refuses a second holder) or, when the row
exists, a conditional UPDATE that succeeds only if the lease expired or its
holder is a dead process on this host. Both statements behave the same on
SQLite and PostgreSQL, so ``digest run`` and any number of ``digest serve``
processes never build the same edition at the same time. A holder renews its
lease while it works (:func:`hold_lease` runs a heartbeat thread).

The ``runs`` table records every poll, edition build and delivery step with
its outcome; ``digest status`` reads it and a restarted ``serve`` uses it to
know what was already done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from digest.errors import DigestError
from digest.store import schema as t

log = logging.getLogger("digest.locks")
UTC = dt.timezone.utc
DEFAULT_TTL = dt.timedelta(minutes=5)
_TOKEN = uuid.uuid4().hex[:8]


class LeaseBusy(DigestError):
    """Another process holds the lease."""


class Stopping(Exception):
    """Raised inside a job when the process was asked to stop."""


@dataclass(frozen=True)
class Lease:
    name: str
    owner: str
    acquired: dt.datetime
    expires: dt.datetime


@dataclass(frozen=True)
class Run:
    id: int
    kind: str  # poll | edition | deliver
    name: str | None
    slot: dt.datetime | None
    edition_date: str | None
    trigger: str | None
    owner: str
    started: dt.datetime
    finished: dt.datetime | None
    status: str  # running | ok | failed | interrupted | skipped
    detail: str | None

    def details(self) -> dict[str, Any]:
        try:
            value = json.loads(self.detail) if self.detail else {}
        except ValueError:
            value = {"message": self.detail}
        return value if isinstance(value, dict) else {"message": value}


def process_owner() -> str:
    """``host:pid:token`` naming this process (the token tells a reused pid apart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_TOKEN}"


def owner_alive(owner: str) -> bool:
    """False only when ``owner`` is certainly a process on this host that is gone."""
    parts = owner.split(":")
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return True
    pid = int(parts[1])
    if pid == os.getpid():
        return parts[2] == _TOKEN  # same pid, other token: an earlier process whose pid was reused
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(UTC)


class LocksMixin:
    """Lease and run-log methods for :class:`~digest.store.sql.SQLStore`."""

    engine: sa.engine.Engine

    # -- leases ----------------------------------------------------------------

    def acquire_lease(self, name: str, owner: str, ttl: dt.timedelta = DEFAULT_TTL,
                      now: dt.datetime | None = None) -> bool:
        now = _now(now)
        values = {"owner": owner, "acquired": now, "expires": now + ttl}
        holder = None
        for _ in range(3):  # the row may vanish between the INSERT and the SELECT
            try:
                with self.engine.begin() as conn:
                    conn.execute(t.locks.insert().values(name=name, **values))
                return True
            except sa.exc.IntegrityError:
                holder = self.lease(name)
            if holder is not None:
                break
        if holder is None:
            return False
        if holder.expires > now and owner_alive(holder.owner):
            return False
        with self.engine.begin() as conn:  # take over exactly the stale row we saw
            taken = conn.execute(t.locks.update().where(
                t.locks.c.name == name, t.locks.c.owner == holder.owner,
                t.locks.c.expires == holder.expires).values(**values)).rowcount
        if taken:
            log.info("took over lease %s from %s (%s)", name, holder.owner,
                     "expired" if holder.expires <= now else "process gone")
        return bool(taken)

    def renew_lease(self, name: str, owner: str, ttl: dt.timedelta = DEFAULT_TTL,
                    now: dt.datetime | None = None) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(t.locks.update().where(t.locks.c.name == name, t.locks.c.owner == owner)
                                     .values(expires=_now(now) + ttl)).rowcount)

    def release_lease(self, name: str, owner: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(t.locks.delete().where(t.locks.c.name == name, t.locks.c.owner == owner))

    def lease(self, name: str) -> Lease | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.locks).where(t.locks.c.name == name)).first()
        return Lease(row.name, row.owner, row.acquired, row.expires) if row else None

    def leases(self, prefix: str = "", now: dt.datetime | None = None) -> list[Lease]:
        """Live leases whose name starts with ``prefix``."""
        now = _now(now)
        query = sa.select(t.locks).where(t.locks.c.name.startswith(prefix, autoescape=True),
                                         t.locks.c.expires > now).order_by(t.locks.c.name)
        with self.engine.connect() as conn:
            rows = list(conn.execute(query))
        return [Lease(r.name, r.owner, r.acquired, r.expires) for r in rows if owner_alive(r.owner)]

    # -- run log ---------------------------------------------------------------

    def start_run(self, kind: str, owner: str, *, name: str | None = None, slot: dt.datetime | None = None,
                  edition_date: dt.date | None = None, trigger: str | None = None,
                  now: dt.datetime | None = None) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(t.runs.insert().values(
                kind=kind, name=name, slot=slot, trigger=trigger, owner=owner, started=_now(now),
                edition_date=edition_date.isoformat() if edition_date else None, status="running"))
            return int(result.inserted_primary_key[0])

    def finish_run(self, run_id: int, status: str, detail: dict[str, Any] | str | None = None,
                   now: dt.datetime | None = None) -> None:
        text = json.dumps(detail, ensure_ascii=False, default=str) if isinstance(detail, dict) else detail
        with self.engine.begin() as conn:
            conn.execute(t.runs.update().where(t.runs.c.id == run_id)
                         .values(status=status, detail=text, finished=_now(now)))

    def runs(self, kind: str | None = None, *, name: str | None = None, limit: int = 20) -> list[Run]:
        query = sa.select(t.runs).order_by(t.runs.c.id.desc()).limit(limit)
        if kind:
            query = query.where(t.runs.c.kind == kind)
        if name:
            query = query.where(t.runs.c.name == name)
        with self.engine.connect() as conn:
            return [Run(**r._asdict()) for r in conn.execute(query)]

    def edition_built_since(self, date: dt.date, since: dt.datetime) -> bool:
        """Whether the edition for ``date`` was built successfully by a run started at or after ``since``."""
        query = sa.select(sa.func.count()).select_from(t.runs).where(
            t.runs.c.kind == "edition", t.runs.c.edition_date == date.isoformat(),
            t.runs.c.status == "ok", t.runs.c.started >= since)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one() > 0

    def delivery_done(self, slot: dt.datetime, name: str) -> bool:
        query = sa.select(sa.func.count()).select_from(t.runs).where(
            t.runs.c.kind == "deliver", t.runs.c.slot == slot, t.runs.c.name == name, t.runs.c.status == "ok")
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one() > 0

    def prune_runs(self, before: dt.datetime) -> int:
        """Forget finished runs started before ``before``."""
        with self.engine.begin() as conn:
            return conn.execute(t.runs.delete().where(t.runs.c.started < before,
                                                      t.runs.c.status != "running")).rowcount

    def mark_interrupted(self, now: dt.datetime | None = None) -> int:
        """Runs left 'running' by a process that is gone become 'interrupted'."""
        with self.engine.connect() as conn:
            rows = list(conn.execute(sa.select(t.runs.c.id, t.runs.c.owner).where(t.runs.c.status == "running")))
        dead = [r.id for r in rows if not owner_alive(r.owner)]
        if dead:
            with self.engine.begin() as conn:
                conn.execute(t.runs.update().where(t.runs.c.id.in_(dead), t.runs.c.status == "running")
                             .values(status="interrupted", finished=_now(now),
                                     detail=json.dumps({"message": "the process stopped before it finished"})))
        return len(dead)


@contextlib.contextmanager
def hold_lease(store: LocksMixin, name: str, *, owner: str | None = None, ttl: dt.timedelta = DEFAULT_TTL,
               wait: float = 0.0, stop: threading.Event | None = None,
               what: str = "this") -> Iterator[str]:
    """Hold lease ``name`` for the block, renewing it; raise :class:`LeaseBusy` when another
    process still holds it after ``wait`` seconds (or :class:`Stopping` when ``stop`` is set)."""
    owner = owner or process_owner()
    deadline = time.monotonic() + wait
    while not store.acquire_lease(name, owner, ttl):
        if stop is not None and stop.is_set():
            raise Stopping(name)
        if time.monotonic() >= deadline:
            holder = store.lease(name)
            who = holder.owner if holder else "another process"
            raise LeaseBusy(f"{what} is in progress in another digest process ({who}); "
                            "wait for it to finish, then try again")
        time.sleep(0.25)
    done = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(store, name, owner, ttl, done), daemon=True,
                            name=f"lease {name}")
    beat.start()
    try:
        yield owner
    finally:
        done.set()
        beat.join()
        store.release_lease(name, owner)


def _heartbeat(store: LocksMixin, name: str, owner: str, ttl: dt.timedelta, done: threading.Event) -> None:
    while not done.wait(max(ttl.total_seconds() / 3, 0.05)):
        try:
            if not store.renew_lease(name, owner, ttl):
                log.warning("lease %s was taken over by another process", name)
                return
        except sa.exc.SQLAlchemyError as err:  # a busy database: try again on the next beat
            log.warning("could not renew lease %s: %s", name, err)


@contextlib.contextmanager
def recorded(store: LocksMixin, kind: str, *, owner: str | None = None, **fields: Any) -> Iterator[dict[str, Any]]:
    """Record the block as a run: 'ok' with the dict it filled in, 'failed' with the error,
    'interrupted' when stopped."""
    detail: dict[str, Any] = {}
    run_id = store.start_run(kind, owner or process_owner(), **fields)
    try:
        yield detail
    except (Stopping, KeyboardInterrupt):
        store.finish_run(run_id, "interrupted", {**detail, "message": "stopped before it finished"})
        raise
    except BaseException as err:
        store.finish_run(run_id, "failed", {**detail, "message": str(err) or type(err).__name__})
        raise
    store.finish_run(run_id, "ok", detail)


__all__ = ["LocksMixin", "Lease", "Run", "LeaseBusy", "Stopping", "hold_lease", "recorded",
           "process_owner", "owner_alive", "DEFAULT_TTL"]
