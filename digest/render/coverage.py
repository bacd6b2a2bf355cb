"""Geometry for an event's small coverage chart: articles per outlet over time.

Pure functions from the edition's data to a frozen ``CoverageChart`` that
``templates/coverage_chart.html`` draws as inline SVG (no scripts, no external
assets; it prints in the PDF and shows in email clients that allow SVG).
One row per outlet, time along the x axis in equal buckets; each bucket with
articles gets a dot whose area grows with the count.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from digest.model import Event, SourceRef

UTC = dt.timezone.utc
WIDTH = 480
LABEL_WIDTH = 130
ROW_HEIGHT = 18
TOP = 6
AXIS_HEIGHT = 22
MAX_BUCKETS = 12
MAX_ROWS = 8
MIN_BUCKET = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    count: int
    when: str  # bucket start, for the tooltip


@dataclass(frozen=True)
class Row:
    outlet: str
    label: str  # outlet, shortened to fit
    y: float
    total: int
    dots: tuple[Dot, ...]


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str  # SVG text-anchor


@dataclass(frozen=True)
class CoverageChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    axis_y: float
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    description: str  # the chart's content in words, for screen readers
    more_outlets: int = 0  # outlets beyond MAX_ROWS, not drawn but counted under the rows
    more_y: float = 0.0  # baseline row of the "+N more outlets" note


def _short(text: str, limit: int = 17) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _label(moment: dt.datetime, tz: dt.tzinfo, with_day: bool) -> str:
    local = moment.astimezone(tz)
    return f"{local:%d %b %H:%M}" if with_day else f"{local:%H:%M}"


def _buckets(start: dt.datetime, end: dt.datetime) -> tuple[dt.timedelta, int]:
    """Whole-hour bucket size giving at most ~MAX_BUCKETS buckets, and how many cover start..end."""
    span = end - start
    hours = max(1, math.ceil(span / MIN_BUCKET / MAX_BUCKETS))
    size = MIN_BUCKET * hours
    return size, int(span // size) + 1


def coverage_chart(event: Event, sources: Mapping[str, SourceRef],
                   tz: dt.tzinfo = UTC) -> CoverageChart | None:
    """The chart for ``event``; None when it has fewer than two articles (nothing to plot)."""
    cited = [sources[sid] for sid in event.sources if sid in sources]
    refs = cited + [copy for r in cited for copy in r.appearances]  # every masthead that ran it (issue 5)
    if len(refs) < 2:
        return None
    times = [_aware(r.published) for r in refs]
    start, end = min(times), max(times)
    size, count = _buckets(start, end)
    per_outlet = Counter(r.outlet for r in refs)
    outlets = [o for o, _ in sorted(per_outlet.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_ROWS]
    plot_left, plot_right = LABEL_WIDTH, WIDTH - 12
    step = (plot_right - plot_left) / count
    cells: Counter[tuple[str, int]] = Counter()
    for ref, moment in zip(refs, times):
        cells[(ref.outlet, min(count - 1, int((moment - start) / size)))] += 1
    rows = []
    for index, outlet in enumerate(outlets):
        y = TOP + ROW_HEIGHT * index + ROW_HEIGHT / 2
        dots = tuple(
            Dot(x=round(plot_left + step * (b + 0.5), 1), y=y, r=round(min(8.0, 3 + 2.2 * math.sqrt(n - 1)), 1),
                count=n, when=_label(start + size * b, tz, with_day=True))
            for (o, b), n in sorted(cells.items()) if o == outlet
        )
        rows.append(Row(outlet, _short(outlet), y, per_outlet[outlet], dots))
    more = len(per_outlet) - len(outlets)
    more_y = TOP + ROW_HEIGHT * len(rows) + ROW_HEIGHT / 2
    axis_y = TOP + ROW_HEIGHT * (len(rows) + (1 if more else 0)) + 4
    multi_day = start.astimezone(tz).date() != end.astimezone(tz).date()
    ticks = (Tick(plot_left, _label(start, tz, multi_day), "start"),  # first and last article, not bucket edges
             Tick(plot_right, _label(end, tz, multi_day), "end"))
    description = "; ".join(f"{row.outlet}: {row.total} article{'s' if row.total != 1 else ''}"
                            for row in rows)
    if more:
        hidden = sum(n for o, n in per_outlet.items() if o not in outlets)
        description += (f"; and {more} more outlet{'s' if more != 1 else ''}"
                        f" ({hidden} article{'s' if hidden != 1 else ''})")
    description += f", between {_label(start, tz, True)} and {_label(end, tz, True)}."
    return CoverageChart(WIDTH, int(axis_y + AXIS_HEIGHT), plot_left, plot_right, axis_y,
                         tuple(rows), ticks, description, more, more_y)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def coverage_charts(events: tuple[Event, ...], sources: tuple[SourceRef, ...],
                    tz: dt.tzinfo = UTC) -> dict[str, CoverageChart | None]:
    """Event id -> its chart (or None) for every event of an edition."""
    by_id = {s.id: s for s in sources}
    return {event.id: coverage_chart(event, by_id, tz) for event in events}


__all__ = ["CoverageChart", "coverage_chart", "coverage_charts"]
