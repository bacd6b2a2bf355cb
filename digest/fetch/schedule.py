"""When to poll a feed next: pure functions of its state and the time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from digest.model import FeedState

MAX_BACKOFF = dt.timedelta(hours=24)


def is_due(state: FeedState, now: dt.datetime, *, force: bool = False) -> bool:
    """Whether to poll now. ``force`` skips the schedule but never a 410 or a live Retry-After."""
    if state.status in ("retired", "removed"):
        return False
    if state.retry_after is not None and state.retry_after > now:
        return False
    if force or state.next_poll is None:
        return True
    return state.next_poll <= now


def backoff(failures: int, every: dt.timedelta, rng: random.Random | None = None) -> dt.timedelta:
    """Exponential backoff with ±20% jitter, capped at a day."""
    rng = rng or random.Random()
    base = min(every * (2 ** max(failures - 1, 0)), MAX_BACKOFF)
    return base * rng.uniform(0.8, 1.2)


def after_success(state: FeedState, now: dt.datetime, every: dt.timedelta, **changes: object) -> FeedState:
    return dataclasses.replace(state, status="ok", error=None, failures=0, last_attempt=now,
                               last_success=now, next_poll=now + every, retry_after=None, **changes)


def after_failure(state: FeedState, now: dt.datetime, every: dt.timedelta, error: str,
                  rng: random.Random | None = None, **changes: object) -> FeedState:
    failures = state.failures + 1
    return dataclasses.replace(state, status="failing", error=error, failures=failures, last_attempt=now,
                               next_poll=now + backoff(failures, every, rng), **changes)
