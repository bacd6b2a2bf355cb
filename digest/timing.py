"""When editions are due: pure functions of the schedule and an injected clock.

An edition *slot* is one instant at which the configured cron fires in the
configured time zone. Each slot is identified by its UTC instant; the edition
it builds is the one for the slot's local date. Daylight-saving changes are
handled here rather than trusted to the trigger:

* a wall-clock time that happens twice (the autumn change, e.g. 01:30 in
  Europe/London on the last Sunday of October) is one slot, the first one;
* a wall-clock time that does not exist (the spring change) is one slot, at
  the same distance from midnight as the clocks show before the change;
* 07:00 is never affected, so "0 7 * * *" gives exactly one slot per local day.

For tests a seconds-level schedule (``every_seconds``) replaces the cron: slots
are the multiples of that many seconds since the Unix epoch.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_TINY = dt.timedelta(microseconds=1)
_LOOKBACK = (dt.timedelta(hours=2), dt.timedelta(hours=26), dt.timedelta(days=8),
             dt.timedelta(days=32), dt.timedelta(days=367))
ENV_SECONDS = "DIGEST_SCHEDULE_SECONDS"


@dataclass(frozen=True)
class Schedule:
    """The edition schedule: a 5-field cron in a time zone, or (tests) every N seconds."""

    timezone: str = "UTC"
    cron: str | None = "0 7 * * *"
    every_seconds: int | None = None

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def describe(self) -> str:
        if self.every_seconds:
            return f"every {self.every_seconds}s (test schedule from ${ENV_SECONDS})"
        return f"cron '{self.cron}' in {self.timezone}"

    def trigger(self) -> Any:
        """The APScheduler trigger that wakes the edition job (it may fire twice at an
        ambiguous time; the job itself works from :meth:`latest`, so that is harmless)."""
        if self.every_seconds:
            from apscheduler.triggers.interval import IntervalTrigger
            return IntervalTrigger(seconds=self.every_seconds, start_date=EPOCH, timezone=UTC)
        from apscheduler.triggers.cron import CronTrigger
        return CronTrigger.from_crontab(crontab_weekdays(self.cron or ""), timezone=self.tz)

    def next_after(self, after: dt.datetime) -> dt.datetime:
        """The first slot strictly after ``after`` (aware), in UTC."""
        _check_aware(after)
        if self.every_seconds:
            step = self.every_seconds
            elapsed = (after - EPOCH) // dt.timedelta(seconds=step)
            return EPOCH + dt.timedelta(seconds=step * (elapsed + 1))
        return _next_cron_slot(self.trigger(), self.tz, after)

    def latest(self, now: dt.datetime) -> dt.datetime | None:
        """The last slot at or before ``now`` (None if none in the past year)."""
        _check_aware(now)
        if self.every_seconds:
            step = dt.timedelta(seconds=self.every_seconds)
            return EPOCH + step * ((now - EPOCH) // step)
        for lookback in _LOOKBACK:
            found, probe = None, now - lookback
            while (slot := self.next_after(probe)) <= now:
                found, probe = slot, slot
            if found is not None:
                return found
        return None

    def slots(self, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """Every slot in ``(start, end]``."""
        found, probe = [], start
        while (slot := self.next_after(probe)) <= end:
            found.append(slot)
            probe = slot
        return found

    def edition_date(self, slot: dt.datetime) -> dt.date:
        """The date of the edition a slot builds: the slot's local date."""
        return slot.astimezone(self.tz).date()


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def crontab_weekdays(cron: str) -> str:
    """Standard cron numbers weekdays 0-7 from Sunday; APScheduler 3 numbers them from
    Monday. Rewrite numeric weekdays as names so "0 7 * * 1" means Monday, as in cron."""
    fields = cron.split()
    if len(fields) != 5 or not re.search(r"\d", fields[4]):
        return cron
    parts = []
    for part in fields[4].split(","):
        step = ""
        if "/" in part:
            part, step = part.split("/", 1)
            step = "/" + step
        named = re.sub(r"\d+", lambda m: _DAY_NAMES[int(m.group())] if int(m.group()) < 8 else m.group(), part)
        if named.startswith("sun-"):  # Sunday is last for APScheduler: "sun-wed" -> "mon-wed,sun"
            last = named[4:]
            parts.append("*" if last in ("sat", "sun") else f"mon-{last}{step},sun")
        else:
            parts.append(named + step)
    return " ".join(fields[:4] + [",".join(parts)])


def _check_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}; pass an aware datetime")


def _canonical(fire: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The one instant we use for a local wall-clock time: its first occurrence (fold=0)."""
    wall = fire.astimezone(tz).replace(tzinfo=None, fold=0)
    return wall.replace(tzinfo=tz).astimezone(UTC)


def _next_cron_slot(trigger: Any, tz: zoneinfo.ZoneInfo, after: dt.datetime) -> dt.datetime:
    probe = after + _TINY
    for _ in range(8):
        fire = trigger.get_next_fire_time(None, probe.astimezone(tz))
        if fire is None:
            raise ValueError("the schedule never fires again")
        at = fire.astimezone(UTC)
        slot = _canonical(fire, tz)
        if slot == at and at > after:
            return at
        # the repeat of an ambiguous wall time, or a trigger that went backwards: step past it
        probe = max(at, probe) + dt.timedelta(seconds=1)
    raise RuntimeError(f"cannot find the next slot after {after.isoformat()}")


def schedule_for(config: Any, environ: dict[str, str] | None = None) -> Schedule:
    """The schedule of a loaded config; ``$DIGEST_SCHEDULE_SECONDS`` overrides it (tests)."""
    env = os.environ if environ is None else environ
    seconds = env.get(ENV_SECONDS, "").strip()
    if seconds:
        if not seconds.isdigit() or int(seconds) < 1:
            from digest.errors import ConfigError
            raise ConfigError(f"${ENV_SECONDS}={seconds!r} is not a whole number of seconds; "
                              "unset it or write e.g. 5")
        return Schedule(timezone=config.briefing.timezone, cron=None, every_seconds=int(seconds))
    return Schedule(timezone=config.briefing.timezone, cron=config.briefing.schedule)


__all__ = ["Schedule", "schedule_for", "ENV_SECONDS"]
