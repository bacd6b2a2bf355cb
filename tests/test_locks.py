"""Database leases and the run log (SQLite file shared by threads and processes)."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.store import open_store
from digest.store.locks import LeaseBusy, Stopping, hold_lease, owner_alive, process_owner, recorded

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 10, 25, 7, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'digest.db'}"


def _dead_owner() -> str:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return f"{socket.gethostname()}:{int(proc.stdout)}:deadbeef"


def _six_contenders(url: str) -> list[bool]:
    """Six threads, each with its own store, race for the same lease at once; who got it."""
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def contender(i: int) -> None:
        with open_store(url) as store:
            barrier.wait()
            results.append(store.acquire_lease("edition:2026-12-02", f"other-host:{i}:x", MINUTE))

    threads = [threading.Thread(target=contender, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_holder_until_release_or_expiry(url: str) -> None:
    with open_store(url) as store:
        assert store.acquire_lease("edition:2026-10-25", "other-host:1:a", MINUTE, now=T0)
        assert not store.acquire_lease("edition:2026-10-25", "other-host:2:b", MINUTE, now=T0 + MINUTE / 2)
        assert store.renew_lease("edition:2026-10-25", "other-host:1:a", MINUTE, now=T0 + MINUTE / 2)
        assert not store.acquire_lease("edition:2026-10-25", "other-host:2:b", MINUTE, now=T0 + MINUTE)
        # expired: the conditional UPDATE hands it over
        assert store.acquire_lease("edition:2026-10-25", "other-host:2:b", MINUTE, now=T0 + 2 * MINUTE)
        assert store.lease("edition:2026-10-25").owner == "other-host:2:b"
        assert not store.renew_lease("edition:2026-10-25", "other-host:1:a", MINUTE)  # the old holder lost it
        store.release_lease("edition:2026-10-25", "other-host:1:a")  # not its lease: no effect
        assert store.lease("edition:2026-10-25") is not None
        store.release_lease("edition:2026-10-25", "other-host:2:b")
        assert store.lease("edition:2026-10-25") is None


def test_a_dead_local_process_loses_its_lease_at_once(url: str) -> None:
    dead = _dead_owner()
    assert not owner_alive(dead) and owner_alive(process_owner())
    with open_store(url) as store:
        assert store.acquire_lease("poll", dead, dt.timedelta(hours=1))
        assert store.acquire_lease("poll", process_owner(), MINUTE)
        assert not store.acquire_lease("poll", _dead_owner(), MINUTE)  # we are alive


def test_concurrent_acquirers_get_one_lease(url: str) -> None:
    open_store(url).close()
    results = _six_contenders(url)
    assert sorted(results) == [False] * 5 + [True]


def test_hold_lease_waits_renews_and_refuses_clearly(url: str) -> None:
    with open_store(url) as store:
        with hold_lease(store, "edition:2026-12-02", ttl=dt.timedelta(seconds=0.3)) as owner:
            first = store.lease("edition:2026-12-02").expires
            threading.Event().wait(0.5)
            assert store.lease("edition:2026-12-02").expires > first  # the heartbeat renewed it
            with pytest.raises(LeaseBusy, match="in progress in another digest process"):
                with hold_lease(store, "edition:2026-12-02", owner="x:1:y", wait=0.3, what="building"):
                    pass
            stop = threading.Event()
            stop.set()
            with pytest.raises(Stopping):
                with hold_lease(store, "edition:2026-12-02", owner="x:1:y", wait=5, stop=stop):
                    pass
            assert store.lease("edition:2026-12-02").owner == owner
        assert store.lease("edition:2026-12-02") is None


def test_run_log_records_outcomes_and_interruptions(url: str) -> None:
    with open_store(url) as store:
        with recorded(store, "edition", edition_date=dt.date(2026, 12, 2), slot=T0, trigger="schedule") as detail:
            detail["events"] = 3
        with pytest.raises(RuntimeError):
            with recorded(store, "deliver", name="email", slot=T0):
                raise RuntimeError("SMTP refused")
        store.start_run("edition", _dead_owner(), edition_date=dt.date(2026, 12, 3))
        assert store.mark_interrupted() == 1
        runs = store.runs()
        assert [(r.kind, r.status) for r in runs] == [("edition", "interrupted"), ("deliver", "failed"),
                                                     ("edition", "ok")]
        assert runs[1].details()["message"] == "SMTP refused" and runs[2].details() == {"events": 3}
        assert store.edition_built_since(dt.date(2026, 12, 2), T0)
        assert not store.edition_built_since(dt.date(2026, 12, 2), dt.datetime.now(UTC) + MINUTE)
        assert not store.delivery_done(T0, "email")
        assert store.integrity_ok()


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    from pg import postgres_url

    with postgres_url() as url:
        yield url


def test_leases_and_run_log_on_postgresql(pg_url: str) -> None:
    """The same INSERT / conditional UPDATE protocol on PostgreSQL."""
    with open_store(pg_url) as store:
        assert store.acquire_lease("edition:2026-10-25", "other-host:1:a", MINUTE, now=T0)
        assert not store.acquire_lease("edition:2026-10-25", "other-host:2:b", MINUTE, now=T0 + MINUTE / 2)
        assert store.acquire_lease("edition:2026-10-25", "other-host:2:b", MINUTE, now=T0 + 2 * MINUTE)
        assert store.acquire_lease("poll", _dead_owner(), dt.timedelta(hours=1))
        assert store.acquire_lease("poll", process_owner(), MINUTE)  # a dead local holder is replaced
        with recorded(store, "edition", edition_date=dt.date(2026, 12, 2), slot=T0) as detail:
            detail["events"] = 2
        assert store.edition_built_since(dt.date(2026, 12, 2), T0)
    results = _six_contenders(pg_url)
    assert sorted(results) == [False] * 5 + [True]


def test_old_runs_are_pruned(url: str) -> None:
    with open_store(url) as store:
        old = store.start_run("poll", process_owner(), now=T0 - dt.timedelta(days=200))
        store.finish_run(old, "ok", now=T0 - dt.timedelta(days=200))
        store.start_run("edition", process_owner(), now=T0 - dt.timedelta(days=200))  # still running: kept
        recent = store.start_run("poll", process_owner(), now=T0)
        store.finish_run(recent, "ok", now=T0)
        assert store.prune_runs(T0 - dt.timedelta(days=180)) == 1
        assert [(r.kind, r.status) for r in store.runs()] == [("poll", "ok"), ("edition", "running")]
