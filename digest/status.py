"""What ``digest status`` reports, as data: read-only, and never creates a database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from digest.config import Config
from digest.store import open_store
from digest.store.locks import Run
from digest.store.sql import _sqlite_path, create_engine
from digest.timing import schedule_for

UTC = dt.timezone.utc


def database_exists(url: str) -> bool:
    """Whether the store at ``url`` was ever created (without creating it)."""
    path = _sqlite_path(url)
    if url.startswith("sqlite") and (path is None or not Path(path).is_file()):
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sa.inspect(conn).has_table("schema_version")
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _run(run: Run | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {"status": run.status, "trigger": run.trigger, "edition_date": run.edition_date,
            "slot": _iso(run.slot), "started": _iso(run.started), "finished": _iso(run.finished),
            "detail": run.details()}


def _scheduled(conn: sa.Connection) -> dict[str, str | None]:
    """next_run_time of the jobs ``digest serve`` keeps in the database."""
    if not sa.inspect(conn).has_table("apscheduler_jobs"):
        return {}
    rows = conn.exec_driver_sql("SELECT id, next_run_time FROM apscheduler_jobs ORDER BY id")
    return {row[0]: _iso(dt.datetime.fromtimestamp(row[1], UTC)) if row[1] is not None else None
            for row in rows}


def status_report(config: Config, now: dt.datetime) -> dict[str, Any] | None:
    """Next runs, last results and failing feeds; None when there is no database yet."""
    if not database_exists(config.storage):
        return None
    schedule = schedule_for(config)
    with open_store(config.storage) as store:
        with store.engine.connect() as conn:
            jobs = _scheduled(conn)
        slot = schedule.next_after(now)
        next_runs = {"poll": jobs.get("poll"), "edition": jobs.get("edition"),
                     "edition slot (by the schedule)": f"{_iso(slot)} (edition of {schedule.edition_date(slot)})"}
        deliveries: dict[str, Any] = {}
        for run in store.runs("deliver", limit=50):
            deliveries.setdefault(f"deliver {run.name}", _run(run))
        last = {"poll": _run(next(iter(store.runs("poll", limit=1)), None)),
                "edition": _run(next(iter(store.runs("edition", limit=1)), None)), **deliveries}
        failing = [{"name": s.name, "error": s.error, "failures": s.failures,
                    "last_success": _iso(s.last_success), "next_poll": _iso(s.next_poll)}
                   for s in store.feed_states() if s.status == "failing"]
        servers = [{"owner": lease.owner, "since": _iso(lease.acquired)} for lease in store.leases("serve:", now)]
        busy = [{"lease": lease.name, "owner": lease.owner} for lease in store.leases("edition:", now)]
    return {"config": str(config.path), "database": config.storage, "schedule": schedule.describe(),
            "servers": servers, "building": busy, "next": next_runs, "last": last, "failing_feeds": failing}


__all__ = ["status_report", "database_exists"]
