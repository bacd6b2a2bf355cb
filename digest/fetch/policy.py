"""What one HTTP answer means for a feed's polling state. Pure: ``now`` and the rng are given.

* 304 -> success, nothing to parse;
* 301/308 (every hop permanent) -> the feed's new address is remembered (``moved_to``);
* 410 -> the feed is retired and never polled again until its address changes;
* 429/503 -> ``Retry-After`` (seconds or an HTTP date) is honoured: no poll before it;
* 404, other 4xx/5xx, timeouts, resets -> exponential backoff with jitter, capped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import random
from collections.abc import Mapping

from digest.fetch.schedule import after_failure, after_success, backoff, is_due
from digest.model import FeedState

MAX_RETRY_AFTER = dt.timedelta(days=7)  # a server asking for more than a week gets a week


@dataclasses.dataclass(frozen=True)
class Answer:
    """The parts of an HTTP exchange that decide the next state (no body)."""

    status: int | None  # None: no response (timeout, reset, refused, too large...)
    error: str | None = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    moved_to: str | None = None  # final URL when every redirect hop was 301/308
    latency_ms: int | None = None


def header(headers: Mapping[str, str], name: str) -> str | None:
    name = name.lower()
    return next((v for k, v in headers.items() if k.lower() == name), None)


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.datetime | None:
    """``Retry-After: 120`` or ``Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`` -> an aware time."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        wait = dt.timedelta(seconds=int(value))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        wait = when - now
    if wait <= dt.timedelta(0):
        return None
    return now + min(wait, MAX_RETRY_AFTER)


def should_poll(state: FeedState, now: dt.datetime, *, force: bool = False) -> bool:
    """Poll now? ``force`` ignores the schedule but never a 410 or an unexpired Retry-After."""
    return is_due(state, now, force=force)


def after_answer(state: FeedState, answer: Answer, now: dt.datetime, every: dt.timedelta,
                 rng: random.Random | None = None) -> tuple[FeedState, str | None]:
    """The state after a failed or not-modified answer, and a note for the log.

    Returns ``(state, None)`` for answers that carry a body to look at (2xx):
    the caller decides after parsing (see :func:`succeeded`).
    """
    moved = {"moved_to": answer.moved_to} if answer.moved_to else {}
    status = answer.status
    if status == 304:
        new = after_success(state, now, every, latency_ms=answer.latency_ms, **moved)
        return new, "not modified (304)"
    if status == 410:
        error = "HTTP 410 Gone: the publisher removed this feed; it is retired (change its url to poll again)"
        new = dataclasses.replace(state, status="retired", error=error, last_attempt=now, next_poll=None,
                                  failures=state.failures + 1, **moved)
        return new, "retired (410)"
    if answer.error is None and status is not None and 200 <= status < 300:
        return state, None
    error = answer.error or (f"HTTP {status}" if status else "no response")
    if status in (429, 503):
        retry = parse_retry_after(header(answer.headers, "retry-after"), now)
        if retry is not None:
            new = after_failure(state, now, every, error + f"; asked to wait until {retry:%Y-%m-%d %H:%M} UTC",
                                rng, retry_after=retry, **moved)
            return dataclasses.replace(new, next_poll=max(new.next_poll or retry, retry)), "told to wait"
    return after_failure(state, now, every, error, rng, **moved), "failed"


def succeeded(state: FeedState, answer: Answer, now: dt.datetime, every: dt.timedelta, *,
              body_hash: str, entries: int | None) -> FeedState:
    """State after a 2xx whose body was read (``entries`` None: unchanged, not parsed)."""
    changes: dict[str, object] = {
        "etag": header(answer.headers, "etag"), "last_modified": header(answer.headers, "last-modified"),
        "body_hash": body_hash, "latency_ms": answer.latency_ms,
    }
    if answer.moved_to:
        changes["moved_to"] = answer.moved_to
    if entries is not None:
        changes["entries"] = entries
    return after_success(state, now, every, **changes)


def failed(state: FeedState, error: str, now: dt.datetime, every: dt.timedelta,
           rng: random.Random | None = None) -> FeedState:
    return after_failure(state, now, every, error, rng)


__all__ = ["Answer", "after_answer", "backoff", "failed", "header", "parse_retry_after", "should_poll",
           "succeeded"]
