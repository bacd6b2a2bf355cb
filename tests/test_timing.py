"""Edition slots: one edition per local day across DST changes, with an injected clock."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from types import SimpleNamespace

import pytest

from digest.errors import ConfigError
from digest.timing import Schedule, crontab_weekdays, schedule_for

UTC = dt.timezone.utc
LONDON = zoneinfo.ZoneInfo("Europe/London")
# the October 2026 and March 2027 changes in Europe/London
OCTOBER = (dt.datetime(2026, 10, 21, tzinfo=UTC), dt.datetime(2026, 10, 30, tzinfo=UTC))
MARCH = (dt.datetime(2027, 3, 24, tzinfo=UTC), dt.datetime(2027, 4, 2, tzinfo=UTC))


def _simulate(schedule: Schedule, start: dt.datetime, end: dt.datetime, ticks: list[dt.datetime]) -> Counter:
    """What `digest serve` does at each wake-up (a tick of the injected clock): build the
    edition of the latest slot unless that slot was already built. Returns builds per date."""
    built_slots: set[dt.datetime] = set()
    builds: Counter = Counter()
    for now in ticks:
        slot = schedule.latest(now)
        if slot is not None and slot > start and slot not in built_slots:
            built_slots.add(slot)
            builds[schedule.edition_date(slot)] += 1
    return builds


@pytest.mark.parametrize("span", [OCTOBER, MARCH], ids=["october", "march"])
def test_london_0700_is_one_slot_per_local_day_at_seven(span) -> None:
    schedule = Schedule("Europe/London", "0 7 * * *")
    slots = schedule.slots(*span)
    local = [s.astimezone(LONDON) for s in slots]
    assert [t.time() for t in local] == [dt.time(7)] * len(slots)
    dates = [t.date() for t in local]
    assert dates == [dates[0] + dt.timedelta(days=i) for i in range(len(dates))] and len(dates) == 9
    gaps = {b - a for a, b in zip(slots, slots[1:])}
    assert gaps == {dt.timedelta(hours=24), dt.timedelta(hours=25 if span is OCTOBER else 23)}


@pytest.mark.parametrize("span", [OCTOBER, MARCH], ids=["october", "march"])
@pytest.mark.parametrize("cron", ["0 7 * * *", "30 1 * * *", "0 1 * * *"])
def test_injected_clock_every_few_minutes_builds_exactly_one_edition_per_day(span, cron) -> None:
    """01:30 happens twice in October and not at all in March; 07:00 is unaffected."""
    schedule = Schedule("Europe/London", cron)
    start, end = span
    ticks = [start + dt.timedelta(minutes=7 * i) for i in range(int((end - start) / dt.timedelta(minutes=7)))]
    builds = _simulate(schedule, start, end, ticks)
    assert set(builds.values()) == {1}
    days = sorted(builds)
    assert days == [days[0] + dt.timedelta(days=i) for i in range(len(days))] and len(days) >= 8


@pytest.mark.parametrize("cron", ["0 7 * * *", "30 1 * * *"])
def test_the_triggers_own_fire_times_also_give_one_edition_per_day(cron) -> None:
    """APScheduler's CronTrigger fires an ambiguous 01:30 twice; the job absorbs the repeat."""
    schedule = Schedule("Europe/London", cron)
    trigger, start, end = schedule.trigger(), *OCTOBER
    fires, previous, probe = [], None, start
    while len(fires) < 40:
        fire = trigger.get_next_fire_time(previous, probe)
        if fire is None or fire >= end:
            break
        fires.append(fire.astimezone(UTC))
        previous, probe = fire, fire.astimezone(UTC) + dt.timedelta(seconds=1)  # real time, not wall time
    builds = _simulate(schedule, start, end, fires)
    assert set(builds.values()) == {1} and len(builds) == 9


def test_after_downtime_only_the_latest_slot_is_built() -> None:
    schedule = Schedule("Europe/London", "0 7 * * *")
    down, up = dt.datetime(2026, 10, 23, 12, tzinfo=UTC), dt.datetime(2026, 10, 27, 9, tzinfo=UTC)
    assert len(schedule.slots(down, up)) == 4  # four slots missed ...
    builds = _simulate(schedule, down, up, [up, up + dt.timedelta(minutes=1)])
    assert builds == Counter({dt.date(2026, 10, 27): 1})  # ... one edition on start-up
    assert schedule.latest(dt.datetime(2026, 10, 25, 6, 59, tzinfo=UTC)) == dt.datetime(2026, 10, 24, 6, tzinfo=UTC)


def test_cron_weekday_numbers_follow_cron_not_apscheduler() -> None:
    assert crontab_weekdays("0 7 * * 1-5") == "0 7 * * mon-fri"
    assert crontab_weekdays("0 7 * * 0") == "0 7 * * sun"
    monday = Schedule("UTC", "0 7 * * 1").latest(dt.datetime(2026, 12, 2, tzinfo=UTC))  # a Wednesday
    assert monday == dt.datetime(2026, 11, 30, 7, tzinfo=UTC) and monday.weekday() == 0


def test_seconds_schedule_for_tests_and_its_bad_value() -> None:
    config = SimpleNamespace(briefing=SimpleNamespace(timezone="UTC", schedule="0 7 * * *"))
    assert schedule_for(config, {}).cron == "0 7 * * *"
    fast = schedule_for(config, {"DIGEST_SCHEDULE_SECONDS": "5"})
    assert fast.latest(dt.datetime(2026, 1, 1, 0, 0, 7, tzinfo=UTC)) == dt.datetime(2026, 1, 1, 0, 0, 5, tzinfo=UTC)
    with pytest.raises(ConfigError, match="DIGEST_SCHEDULE_SECONDS"):
        schedule_for(config, {"DIGEST_SCHEDULE_SECONDS": "soon"})
    with pytest.raises(ValueError, match="naive"):
        fast.latest(dt.datetime(2026, 1, 1))


def test_poll_job_wakes_often_enough_for_each_feed() -> None:
    from digest.serve import poll_tick

    assert [poll_tick(dt.timedelta(seconds=s)) for s in (1, 30, 600, 1800, 86400)] == [1, 3, 60, 60, 60]
