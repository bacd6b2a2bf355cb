"""``digest poll`` / the poll stage of ``digest run``: which feeds are due, poll them, store the results.

Web feeds go through :mod:`digest.fetch.poller` (async, many at once); local
feed files and folders are read in place. Whether a feed is due is decided by
the pure :func:`digest.fetch.policy.should_poll`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random

from digest.config import Config
from digest.fetch.policy import should_poll
from digest.fetch.poller import FeedJob, PollOutcome, poll_feeds
from digest.model import FeedState, UpsertResult
from digest.pipeline import FeedReport, Progress, _no_progress, _store_outcome, sync_feeds
from digest.sources import read_local
from digest.store import SQLStore

log = logging.getLogger("digest.poll")


def _report(outcome: PollOutcome, result: UpsertResult) -> FeedReport:
    state = outcome.state
    if state.status == "retired":
        log.warning("feed %r retired: %s", outcome.name, state.error)
        return FeedReport(outcome.name, "retired", outcome.note, error=state.error)
    if outcome.error:
        log.warning("feed %r failed: %s", outcome.name, outcome.error)
        return FeedReport(outcome.name, "failing", outcome.note, error=outcome.error)
    log.info("feed %r: %s; %d new, %d revised, %d unchanged%s", outcome.name, outcome.note, result.added,
             result.revised, result.unchanged, f", {outcome.empty} without text" if outcome.empty else "")
    return FeedReport(outcome.name, "ok", outcome.note, result.added, result.revised, result.unchanged,
                      outcome.empty)


def poll_web(config: Config, store: SQLStore, jobs: list[FeedJob], now: dt.datetime,
             progress: Progress = _no_progress, rng: random.Random | None = None) -> list[FeedReport]:
    """Poll web feeds concurrently and store what they brought (in batches)."""
    reports: list[FeedReport] = []
    total = len(jobs)

    def sink(batch: list[PollOutcome]) -> None:
        results = store.store_poll_batch([(o.state, o.articles) for o in batch], now)
        reports.extend(_report(o, r) for o, r in zip(batch, results))
        progress(f"polled {batch[-1].name}", len(reports), total)

    asyncio.run(poll_feeds(jobs, config.poll, now, sink, rng=rng))
    return reports


def poll_all(config: Config, store: SQLStore, now: dt.datetime, *, force: bool = False,
             progress: Progress = _no_progress, rng: random.Random | None = None) -> list[FeedReport]:
    """Poll every due feed once; reports come back in config order. Never raises for one feed."""
    sync_feeds(config, store)
    states = {s.name: s for s in store.feed_states()}
    reports: dict[str, FeedReport] = {}
    jobs: list[FeedJob] = []
    for feed in config.feeds:
        state = states.get(feed.name) or FeedState(name=feed.name)
        if feed.path:
            outcome = read_local(feed, state, now, config.poll.every)
            reports[feed.name] = _store_outcome(store, outcome, now)
        elif should_poll(state, now, force=force):
            jobs.append(FeedJob(feed, state))
        else:
            reports[feed.name] = FeedReport(feed.name, "retired" if state.status == "retired" else "skipped",
                                            _why_not(state, now), error=state.error)
    for report in poll_web(config, store, jobs, now, progress, rng):
        reports[report.name] = report
    progress("polled", len(config.feeds), len(config.feeds))
    return [reports[f.name] for f in config.feeds if f.name in reports]


def _why_not(state: FeedState, now: dt.datetime) -> str:
    if state.status == "retired":
        return "retired (the server said 410 Gone)"
    if state.retry_after and state.retry_after > now:
        return f"the server asked to wait until {state.retry_after:%Y-%m-%d %H:%M} UTC"
    return f"not due until {state.next_poll:%Y-%m-%d %H:%M} UTC" if state.next_poll else "not due"


__all__ = ["poll_all", "poll_web"]
