"""Rendering speed: edition HTML and PDF (1 and 12 events), static-site build and no-op rebuild.

    .venv/bin/python bench/render.py            # writes bench/results/render.txt

Synthetic editions shaped like real ones: each event has 8 sources from 6
outlets over a day and 6 key facts; the 12-event edition cites 96 sources.
Timings are the median of several runs on this machine (wall clock).
"""

from __future__ import annotations

import dataclasses
import io
import os
import datetime as dt
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import weasyprint
from pypdf import PdfReader

from digest.model import Briefing, Event, Fact, FeedHealth, SourceRef
from digest.render import default_templates_dir, publish_edition, render_html, render_pdf
from digest.site import build_site

UTC = dt.timezone.utc
OUTLETS = ["Morning Star", "Daily Courier", "Evening Post", "Harbour News", "Le Monde diplomatique", "Japan Today"]
SENTENCE = ("Officials said on Tuesday that negotiations over the {n} agreement would continue next week, "
            "after a session that lasted more than four hours and ended without a joint statement.")


def make_edition(events: int, date: dt.date = dt.date(2023, 9, 15), number: int = 1) -> Briefing:
    start = dt.datetime.combine(date, dt.time(6), UTC) - dt.timedelta(days=1)
    sources, evs = [], []
    for e in range(events):
        ids = []
        for k in range(8):
            sid = f"s{len(sources) + 1}"
            ids.append(sid)
            sources.append(SourceRef(sid, OUTLETS[k % 6], f"Story {e + 1}: report {k + 1} on the talks",
                                     start + dt.timedelta(hours=k * 3, minutes=e), f"https://news.example/{e}/{k}",
                                     "A. Reporter" if k % 2 else None))
        facts = tuple(Fact(SENTENCE.format(n=f"{e}-{f}"), tuple(ids[f % 4: f % 4 + 3]), 1 + f % 3)
                      for f in range(6))
        evs.append(Event(f"ev-{e:04x}{number:04x}"[:12], ("new", "developing", "quiet")[e % 3],
                         f"Event {e + 1}: talks on the regional agreement continue",
                         "Negotiators met again and agreed to continue talks next week.", start,
                         start + dt.timedelta(hours=21), tuple(ids), 6, 5, facts))
    return Briefing("Morning Briefing", date, number, start + dt.timedelta(days=1), start,
                    start + dt.timedelta(days=1), "Europe/London", "Twelve stories led the day.",
                    tuple(sources), tuple(evs), (FeedHealth("Wire", "failing", "HTTP 503", start),))


def timed(func, runs: int) -> tuple[float, object]:
    """Median wall-clock seconds of ``runs`` calls, and the last result."""
    return timed_cpu(func, runs)[0], timed_cpu.last  # type: ignore[attr-defined]


def timed_cpu(func, runs: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of ``runs`` calls. CPU time is what this process used: on a
    shared, overloaded machine it is the fairer figure; wall time is what a user waits."""
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        timed_cpu.last = func()  # type: ignore[attr-defined]
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    lines = [f"# digest render benchmark — {dt.datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
             f"# python {platform.python_version()}, weasyprint {weasyprint.__version__}, "
             f"{platform.machine()}, {os.cpu_count()} cores, load average at start "
             f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (shared machine)",
             "# medians; cpu = CPU seconds used by this process (fair under contention), wall = elapsed", ""]
    templates = default_templates_dir()
    render_pdf(render_html(make_edition(1)), templates)  # warm fonts and caches
    for n in (1, 12):
        briefing = make_edition(n)
        t_html, html = timed(lambda: render_html(briefing), 5)
        w_pdf, c_pdf = timed_cpu(lambda: render_pdf(html, templates), 5)
        pdf = timed_cpu.last  # type: ignore[attr-defined]
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        lines.append(f"edition {n:>2} events: html {t_html * 1000:6.1f} ms   pdf wall {w_pdf:5.2f} s, "
                     f"cpu {c_pdf:5.2f} s   ({len(html) // 1024} KiB html, {len(pdf) // 1024} KiB pdf, "
                     f"{pages} pages)")
    with tempfile.TemporaryDirectory() as tmp:
        out, site = Path(tmp) / "out", Path(tmp) / "site"
        editions = 14
        for i in range(editions):
            publish_edition(out, dataclasses.replace(make_edition(12, dt.date(2023, 9, 1) + dt.timedelta(days=i),
                                                                  i + 1)))
        t_full, report = timed(lambda: build_site(out, site, title="Morning Briefing",
                                                  base_url="https://example.org/"), 1)
        t_noop, noop = timed(lambda: build_site(out, site, title="Morning Briefing",
                                                base_url="https://example.org/"), 3)
        lines.append(f"site build, {editions} editions x 12 events ({len(report.written)} files): "
                     f"full {t_full:5.2f} s   no-op rebuild {t_noop:5.2f} s ({len(noop.written)} files written)")
    text = "\n".join(lines) + "\n"
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "render.txt").write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
