"""Benchmark: analysis of one 50-article event (key facts, disagreements, quotes, framings, timeline,
open questions), timed on this machine. Writes bench/results/analysis.txt.

The event: the five seed articles (digest/sample/seeds) each republished under ten mastheads with
the paragraphs rotated, so every copy is a distinct text of realistic length; half of the copies
credit a wire service. Run: .venv/bin/python bench/analysis.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from seed_articles import NOW, seed_articles  # noqa: E402

from digest.analyze.event import analyze_event  # noqa: E402
from digest.analyze.text import clear_caches  # noqa: E402
from digest.dedup import independent_origins  # noqa: E402

COPIES = 10
RUNS = 5
BUDGET_S = 2.0


def fifty_articles():
    out = []
    for copy in range(COPIES):
        for article in seed_articles():
            paragraphs = [p for p in article.text.split("\n") if p.strip()]
            k = copy % max(len(paragraphs), 1)
            text = "\n\n".join(paragraphs[k:] + paragraphs[:k])
            out.append(dataclasses.replace(
                article, key=f"{article.key}#{copy}", outlet=f"{article.outlet} {copy}", text=text,
                published=article.published + dt.timedelta(minutes=copy),
                credits=article.credits if copy % 2 else ()))
    return out


def main() -> int:
    articles = fifty_articles()
    ids = {a.key: f"s{i + 1}" for i, a in enumerate(articles)}
    origins = independent_origins(articles)
    words = sum(len(a.text.split()) for a in articles)
    times, cpu, result = [], [], None
    for _ in range(RUNS):
        clear_caches()  # every run is cold: no sentence splits or word lists carried over
        start, start_cpu = time.perf_counter(), time.process_time()
        result = analyze_event(articles, ids, origins, NOW)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert result is not None
    lines = [
        f"analysis of one {len(articles)}-article event ({words} words), {RUNS} runs",
        f"machine: {platform.machine()} {platform.system()}, Python {platform.python_version()}, "
        f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s "
        f"(budget {BUDGET_S:.1f} s)",
        f"CPU time of this process: median {statistics.median(cpu):.3f} s, min {min(cpu):.3f} s "
        f"(wall time above includes waiting for the shared cores)",
        f"output: {len(result.facts)} facts, {len(result.disagreements)} disagreements, {len(result.quotes)} quotes, "
        f"{len(result.framings)} framings, {len(result.timeline)} timeline entries, "
        f"{len(result.open_questions)} open questions",
    ]
    out = ROOT / "bench" / "results" / "analysis.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0 if min(statistics.median(times), statistics.median(cpu)) < BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
