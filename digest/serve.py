"""``digest serve``: poll on an interval, build and deliver editions on a schedule, for months.

* APScheduler 3.11 ``BackgroundScheduler`` with a ``SQLAlchemyJobStore`` in the
  project's database; jobs are module-level functions taking the config path
  (so they pickle) and reload the config each time. ``coalesce=True``,
  ``max_instances=1`` and a misfire grace time on every job.
* **Polling**: the poll job wakes every :func:`poll_tick` (a tenth of ``poll.every``,
  1-60 s, with jitter) and polls the feeds whose own next-poll time has come, so each
  feed is polled every ``poll.every`` (later when failing), and an idle tick costs one
  query and writes nothing.
* **Catch-up**: on start-up the poll runs at once, and the edition of the
  latest slot is built once if it was missed (one build however many slots
  were missed); a slot is "built" when the runs log has a successful build of
  its date started at or after the slot.
* **One at a time**: building an edition holds the database lease
  ``edition:YYYY-MM-DD`` (``digest run`` takes the same lease), polling holds
  ``poll``; a second process waits for the lease, then finds the work done. Within
  one process the poll tick and an edition's own poll (both due at start-up) share a
  lock: the tick leaves the feeds to a poll already running, an edition waits for it,
  so start-up polls once.
* **Clean stop**: SIGTERM/SIGINT set a flag; running jobs stop at the next
  safe point (between feeds, before rendering; a built edition is still delivered), no new
  job starts, and the process exits. Editions are published atomically, so
  nothing half-written is ever visible; a second signal exits at once.
* **Delivery**: after a build, each callable in :data:`DELIVERY_STEPS` runs once
  per slot (recorded in the runs log, so a restart does not repeat a step that
  succeeded). ``$DIGEST_DELIVERY_HOOKS`` (``module:function,...``) adds more.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from digest.config import Config, load_config
from digest.deliver.steps import send_email, update_site
from digest.fetch.schedule import is_due
from digest.model import FeedState
from digest.pipeline import FeedReport, build, poll
from digest.store import SQLStore, open_store
from digest.store.locks import LeaseBusy, Stopping, hold_lease, process_owner, recorded
from digest.timing import Schedule, schedule_for

log = logging.getLogger("digest.serve")
UTC = dt.timezone.utc

DeliveryStep = Callable[[Config, SQLStore, dt.date, dt.datetime], Any]
#: Run in order after each edition build, once per slot: ``step(config, store, date, now)``.
#: A step may return a dict, which is stored as its result. Name: ``step.step_name`` or ``__name__``.
DELIVERY_STEPS: list[DeliveryStep] = [update_site, send_email]
ENV_HOOKS = "DIGEST_DELIVERY_HOOKS"

EDITION_GRACE = 12 * 3600  # seconds late (suspend, stall) an edition job may still run; then catch-up on start-up
LEASE_WAIT = 600.0  # seconds a job waits for another process's lease before giving up
SERVE_HEARTBEAT = 10.0
SERVE_TTL = dt.timedelta(seconds=60)

_STOP = threading.Event()
_POLLING = threading.Lock()  # one poll at a time in this process: the poll tick's and an edition's own
_SCHEDULER: Any = None  # the running scheduler, for retries
MAX_RETRIES = 3
RETRY_DELAY = dt.timedelta(minutes=5)
RUNS_KEPT = dt.timedelta(days=180)  # the run log is trimmed to this after each edition


def _clock() -> dt.datetime:
    return dt.datetime.now(UTC)


def step_name(step: DeliveryStep) -> str:
    return str(getattr(step, "step_name", None) or getattr(step, "__name__", type(step).__name__))


def delivery_steps(environ: dict[str, str] | None = None) -> list[DeliveryStep]:
    """:data:`DELIVERY_STEPS` plus the ``module:function`` hooks named in ``$DIGEST_DELIVERY_HOOKS``."""
    env = os.environ if environ is None else environ
    steps = list(DELIVERY_STEPS)
    for ref in filter(None, (r.strip() for r in env.get(ENV_HOOKS, "").split(","))):
        module, _, attr = ref.partition(":")
        try:
            steps.append(getattr(importlib.import_module(module), attr))
        except (ImportError, AttributeError) as err:
            from digest.errors import ConfigError
            raise ConfigError(f"${ENV_HOOKS}: cannot load {ref!r} ({err}); write module:function") from None
    return steps


def _stopper(stop: threading.Event) -> Callable[[str, int, int], None]:
    """A progress callback that ends the job at the next safe point once stop is set."""
    def progress(what: str, done: int, total: int) -> None:
        if stop.is_set():
            raise Stopping(what)
    return progress


def _poll_summary(reports: list[FeedReport]) -> dict[str, Any]:
    polled = [r for r in reports if r.status != "skipped"]
    return {"feeds": len(reports), "polled": len(polled), "added": sum(r.added for r in reports),
            "revised": sum(r.revised for r in reports),
            "failing": {r.name: r.error for r in reports if r.status == "failing"}}


def poll_now(config: Config, store: SQLStore, *, trigger: str, stop: threading.Event,
             wait: float = 0.0, clock: Callable[[], dt.datetime] = _clock) -> dict[str, Any] | None:
    """Poll the due feeds once under the ``poll`` lease; None if none is due or another
    poll is running. Within this process polls queue behind each other (``wait`` seconds at
    most) and the later one finds the feeds the earlier one polled no longer due."""
    if not feeds_due(config, store, clock()):
        log.debug("poll: no feed is due")
        return None
    if not (_POLLING.acquire(timeout=wait) if wait > 0 else _POLLING.acquire(blocking=False)):
        log.debug("poll: this process is already polling; the due feeds are left to that poll")
        return None
    try:
        if not feeds_due(config, store, clock()):  # the poll this one waited for polled them
            log.debug("poll: no feed is due any more")
            return None
        return _poll_leased(config, store, trigger=trigger, stop=stop, wait=wait, clock=clock)
    finally:
        _POLLING.release()


def _poll_leased(config: Config, store: SQLStore, *, trigger: str, stop: threading.Event, wait: float,
                 clock: Callable[[], dt.datetime]) -> dict[str, Any] | None:
    try:
        with hold_lease(store, "poll", wait=wait, stop=stop, what="a poll"):
            with recorded(store, "poll", trigger=trigger, now=clock()) as detail:
                detail.update(_poll_summary(poll(config, store, clock(), progress=_stopper(stop))))
    except LeaseBusy:
        log.info("poll skipped: another digest process is polling")
        return None
    log.info("poll: %d of %d feeds fetched, %d new and %d revised articles%s", detail["polled"],
             detail["feeds"], detail["added"], detail["revised"],
             f"; failing: {', '.join(detail['failing'])}" if detail["failing"] else "")
    return detail


def feeds_due(config: Config, store: SQLStore, now: dt.datetime) -> list[str]:
    """The configured feeds whose next poll time has come (new feeds are due)."""
    states = {s.name: s for s in store.feed_states()}
    return [f.name for f in config.feeds if is_due(states.get(f.name) or FeedState(name=f.name), now)]


def poll_tick(every: dt.timedelta) -> int:
    """How often the poll job wakes: a tenth of the poll interval, 1 s to 60 s. Each feed is
    polled when its own next-poll time has come (``poll.every`` after the last poll, backed
    off when failing), so a feed waits at most one tick past its time."""
    return int(min(max(every.total_seconds() / 10, 1), 60))


def run_slot(config: Config, store: SQLStore, schedule: Schedule, slot: dt.datetime, *, trigger: str,
             stop: threading.Event, clock: Callable[[], dt.datetime] = _clock, wait: float = LEASE_WAIT,
             steps: list[DeliveryStep] | None = None) -> str:
    """Build the slot's edition unless it is built, then run the delivery steps not yet done.

    Returns "built", "delivered" (already built), "incomplete" (a delivery step failed) or
    "busy" (another process kept the lease).
    """
    day = schedule.edition_date(slot)
    try:
        with hold_lease(store, f"edition:{day}", wait=wait, stop=stop, what=f"building the edition for {day}"):
            outcome = "delivered"
            if not store.edition_built_since(day, slot):
                poll_now(config, store, trigger=trigger, stop=stop, wait=wait, clock=clock)
                now = clock()
                with recorded(store, "edition", slot=slot, edition_date=day, trigger=trigger, now=now) as detail:
                    result = build(config, store, day, now, progress=_stopper(stop))
                    detail.update(path=str(result.edition_dir), number=result.briefing.number,
                                  events=len(result.briefing.events), sources=len(result.briefing.sources))
                outcome = "built"
            if _deliver(config, store, slot, day, clock, delivery_steps() if steps is None else steps):
                outcome = "incomplete"
    except LeaseBusy as busy:
        log.warning("edition %s not built here: %s", day, busy)
        return "busy"
    return outcome


def _deliver(config: Config, store: SQLStore, slot: dt.datetime, day: dt.date,
             clock: Callable[[], dt.datetime], steps: list[DeliveryStep]) -> list[str]:
    """Run the steps not yet done for this slot; return the names of those that failed."""
    failed = []
    for step in steps:
        name = step_name(step)
        if store.delivery_done(slot, name):
            continue
        try:  # runs even when stopping: the edition is built, it should go out
            with recorded(store, "deliver", name=name, slot=slot, edition_date=day, now=clock()) as detail:
                result = step(config, store, day, clock())
                if isinstance(result, dict):
                    detail.update(result)
        except Stopping:
            raise
        except Exception as err:  # one failing step must not stop the others; it is retried later
            log.error("delivery step %s for the edition of %s failed: %s", name, day, err)
            failed.append(name)
        else:
            log.info("delivery step %s for the edition of %s done", name, day)
    return failed


# -- scheduled jobs (module-level, referenced by name, so the job store can persist them) ----------

def poll_job(config_path: str) -> None:
    """Poll the due feeds (the interval job)."""
    _guarded("poll", lambda config, store: poll_now(config, store, trigger="schedule", stop=_STOP,
                                                    clock=_clock), config_path)


def edition_job(config_path: str, trigger: str = "schedule") -> None:
    """Build and deliver the edition of the latest slot (the cron job, and the catch-up on start-up)."""
    def job(config: Config, store: SQLStore) -> None:
        schedule = schedule_for(config)
        slot = schedule.latest(_clock())
        if slot is None:
            return
        try:
            outcome = run_slot(config, store, schedule, slot, trigger=trigger, stop=_STOP, clock=_clock)
        except Stopping:
            raise
        except Exception:
            _retry_later(config_path, store, slot)
            raise
        if outcome == "incomplete":
            _retry_later(config_path, store, slot)
        store.prune_runs(_clock() - RUNS_KEPT)
        if outcome == "delivered" and trigger == "catch-up":
            log.info("edition for %s (slot %s) was already built; nothing to catch up",
                     schedule.edition_date(slot), slot.isoformat())
    _guarded("edition", job, config_path)


def _retry_later(config_path: str, store: SQLStore, slot: dt.datetime) -> None:
    """After a failed build or delivery, try the slot again later (5, 10, 15 min), then give up
    until the next start-up (whose catch-up retries the latest slot)."""
    failures = sum(1 for r in store.runs(limit=100) if r.slot == slot and r.status == "failed")
    if _SCHEDULER is None or failures > MAX_RETRIES or _STOP.is_set():
        log.error("edition slot %s: giving up after %d failure(s); it is retried on the next start",
                  slot.isoformat(), failures)
        return
    when = _clock() + RETRY_DELAY * failures
    _SCHEDULER.add_job("digest.serve:edition_job", "date", run_date=when, args=[config_path, "retry"],
                       id="edition-retry", name="retry the edition", jobstore="startup",
                       replace_existing=True, misfire_grace_time=None)
    log.warning("edition slot %s: trying again at %s", slot.isoformat(), when.isoformat(timespec="seconds"))


def _guarded(what: str, job: Callable[[Config, SQLStore], Any], config_path: str) -> None:
    from digest.errors import DigestError

    try:
        config = load_config(Path(config_path))
        with open_store(config.storage) as store:
            job(config, store)
    except Stopping:
        log.info("%s job stopped before it finished (asked to stop); it resumes on the next start", what)
    except DigestError as err:
        log.error("%s job failed: %s", what, err)
    except Exception:  # a bug: keep the scheduler alive, keep the traceback
        log.exception("%s job failed", what)


# -- the process --------------------------------------------------------------------------------

def make_scheduler(config_path: Path, config: Config, schedule: Schedule, engine: Any,
                   now: dt.datetime) -> Any:
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    tick = poll_tick(config.poll.every)
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs"),
                   "startup": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1}, timezone=schedule.tz)
    path = str(config_path.resolve())
    scheduler.add_job("digest.serve:poll_job", IntervalTrigger(seconds=tick, jitter=tick // 2 or None),
                      args=[path], id="poll", name="poll feeds", replace_existing=True,
                      misfire_grace_time=max(tick, 30), next_run_time=now)
    scheduler.add_job("digest.serve:edition_job", schedule.trigger(), args=[path], id="edition",
                      name="build and deliver the edition", replace_existing=True,
                      misfire_grace_time=EDITION_GRACE)
    scheduler.add_job("digest.serve:edition_job", "date", run_date=now, args=[path, "catch-up"],
                      id="edition-catch-up", name="catch up a missed edition", jobstore="startup",
                      misfire_grace_time=None)
    return scheduler


def _on_signal(signum: int, frame: Any) -> None:
    name = signal.Signals(signum).name
    if _STOP.is_set():
        log.warning("%s again: exiting now (published editions are never half-written)", name)
        os._exit(128 + signum)
    log.info("%s: finishing the current step, then stopping", name)
    _STOP.set()


def serve(config_path: Path) -> None:
    """Run until SIGTERM/SIGINT."""
    _STOP.clear()
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        _serve(config_path)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("stopped")


def _serve(config_path: Path) -> None:
    global _SCHEDULER
    config = load_config(config_path)
    schedule = schedule_for(config)
    owner = process_owner()
    with open_store(config.storage) as store:
        if (stale := store.mark_interrupted()):
            log.warning("%d run(s) of an earlier process were interrupted; catching up", stale)
        store.acquire_lease(f"serve:{owner}", owner, SERVE_TTL)
        now = _clock()
        scheduler = make_scheduler(config_path, config, schedule, store.engine, now)
        _SCHEDULER = scheduler
        try:
            if _STOP.is_set():  # a signal arrived while starting: stop before the first job
                return
            scheduler.start()
            log.info("serving %s: polling every %s, editions %s; next slot %s", config_path,
                     config.poll.every, schedule.describe(), schedule.next_after(now).isoformat())
            while not _STOP.wait(SERVE_HEARTBEAT):
                _renew(store, owner)
            scheduler.shutdown(wait=True)
        finally:
            _SCHEDULER = None
            store.release_lease(f"serve:{owner}", owner)


def _renew(store: SQLStore, owner: str) -> None:
    import sqlalchemy as sa

    try:
        store.renew_lease(f"serve:{owner}", owner, SERVE_TTL)
    except sa.exc.SQLAlchemyError as err:
        log.warning("could not record that serve is alive: %s", err)


__all__ = ["serve", "run_slot", "poll_now", "poll_job", "edition_job", "DELIVERY_STEPS", "delivery_steps",
           "make_scheduler", "step_name"]
