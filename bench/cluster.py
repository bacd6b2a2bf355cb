"""Benchmark: incremental event clustering at 1k / 10k / 100k articles vs brute-force all-pairs cosine.

Replays articles in time order. The corpus is the labelled AllSides 2021 set
(../shared/eval/clustering/allsides-2021.jsonl, 1,479 real articles) scaled up
synthetically: 40 respelled copies share each six-month span, staggered by
1/40 of it (wrapping within the span), and further copies fill the following
spans, so every size sees the same load: ~300 articles a day, ~1,250 articles
in the 96 h open window. In copy k three words in four (chosen per word and copy by
a hash) get a copy-specific ending, so any two copies share a quarter of their
vocabulary at random and their stories can be confused with each other. This
is harsher than real news: copy k's version of a story reappears 4.75 days
later with a quarter of its words intact, so the scores on the scaled set sit
below those on the real set (measured on the real set: `digest eval cluster`). Gold events are (copy, event); 1k and 10k are
the first articles in time order.

Each size runs in its own process so peak RSS (ru_maxrss) is per size.
The baseline compares every article with every earlier one (sparse TF-IDF
dot products, best earlier match above a cosine threshold joins its event):
it grows with the square of the count, so it runs up to 30k and is
extrapolated above.

    python bench/cluster.py            # writes bench/results/cluster.txt
    python bench/cluster.py --one 10000 --method incremental   # one measurement, JSON
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.analyze.cluster_eval import LabelledArticle, load_labelled, score  # noqa: E402

DATA = Path(os.environ.get("DIGEST_SHARED", ROOT.parent / "shared")) / "eval" / "clustering" / "allsides-2021.jsonl"
SIZES = (1_000, 10_000, 100_000)
DENSITY = 40  # copies per six-month span: ~310 articles a day, ~1,250 in the 96 h open window
BASELINE_MAX = 30_000
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def _suffix(k: int) -> str:
    out = ""
    while True:
        k, r = divmod(k, 26)
        out += "qzxjvkwy"[r % 8] + "bcdfghlmnprst"[r % 13]
        if k == 0:
            return out


def _respell(text: str, k: int) -> str:
    """Copy k's spelling: three words in four (chosen per word and copy by a hash) get an ending."""
    if k == 0:
        return text
    tail = _suffix(k)

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        digest = hashlib.blake2b(f"{word.lower()}|{k}".encode(), digest_size=2).digest()
        return word if digest[0] % 4 == 0 else word + tail

    return _WORD.sub(swap, text)


def corpus(n: int) -> list[LabelledArticle]:
    """``n`` articles: whole copies of the labelled set (respelled), in time order."""
    base = sorted(load_labelled(DATA), key=lambda a: (a.published, a.id))
    start, span = base[0].published, base[-1].published - base[0].published + dt.timedelta(hours=1)
    copies = max(DENSITY, -(-n // len(base)))
    out: list[LabelledArticle] = []
    for k in range(copies):
        # DENSITY copies share each span, staggered by span/DENSITY (wrapping within the span); further
        # copies fill the following spans: the open window holds the same load at every size
        offset = span * (k // DENSITY) + (span * (k % DENSITY) / DENSITY)
        out.extend(LabelledArticle(id=f"{a.id}#{k}", event_id=f"{a.event_id}#{k}", outlet=a.outlet,
                                   title=_respell(a.title, k), text=_respell(a.text, k),
                                   published=start + span * (k // DENSITY)
                                   + (a.published - start + offset - span * (k // DENSITY)) % span)
                   for a in base)
    return sorted(out, key=lambda a: (a.published, a.id))[:n]  # a time-ordered prefix


def run_incremental(articles: list[LabelledArticle]) -> dict:
    from digest.analyze.incremental import Incoming, IncrementalClusterer

    clusterer = IncrementalClusterer()
    items = [Incoming(a.id, a.title, a.text, a.published) for a in articles]
    start, cpu = time.perf_counter(), time.process_time()
    predicted = {i.key: clusterer.add(i).event for i in items}
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    from digest.analyze.incremental import resolve
    predicted = resolve(clusterer.changes, predicted)
    s = score({a.id: a.event_id for a in articles}, predicted)
    return {"seconds": seconds, "cpu": cpu, "bcubed_f1": s.bcubed_f1, "pairwise_f1": s.pairwise_f1,
            "open_events": len(clusterer.events)}


def run_baseline(articles: list[LabelledArticle], threshold: float = 0.3) -> dict:
    """Every article against every earlier one; joins the event of its best match above ``threshold``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from digest.analyze.text import content_words

    start, cpu = time.perf_counter(), time.process_time()
    docs = [f"{a.title}. {a.title}. {a.text}" for a in articles]
    matrix = TfidfVectorizer(tokenizer=content_words, lowercase=False, token_pattern=None,
                             sublinear_tf=True).fit_transform(docs).tocsr()
    labels: list[int] = []
    chunk = 1000
    for lo in range(0, len(articles), chunk):
        hi = min(lo + chunk, len(articles))
        sims = (matrix[lo:hi] @ matrix[:hi].T).toarray()
        for row in range(hi - lo):
            i = lo + row
            sims[row, i:] = 0.0  # only earlier articles
            best = int(sims[row].argmax()) if i else 0
            labels.append(labels[best] if i and sims[row, best] >= threshold else i)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    s = score({a.id: a.event_id for a in articles}, {a.id: str(lab) for a, lab in zip(articles, labels)})
    return {"seconds": seconds, "cpu": cpu, "bcubed_f1": s.bcubed_f1, "pairwise_f1": s.pairwise_f1}


def one(n: int, method: str) -> dict:
    articles = corpus(n)
    result = run_incremental(articles) if method == "incremental" else run_baseline(articles)
    result.update(n=n, method=method, rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  per_second=n / result["seconds"])
    return result


def measure(n: int, method: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--one", str(n), "--method", method],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", type=int)
    parser.add_argument("--method", choices=("incremental", "baseline"), default="incremental")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "cluster.txt")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.method)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [f"# bench/cluster.py — {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, "
             f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores (shared)",
             "# corpus: AllSides 2021 (1,479 real articles) scaled up by respelled copies; replay in time order",
             "# seconds = wall clock for the clustering alone (corpus building excluded); cpu = process CPU",
             "# seconds (the machine is shared: wall clock exceeds CPU when other jobs run); B3/pw F1 on the",
             "# scaled corpus. Real-set quality: digest eval cluster ../shared/eval/clustering/allsides-2021.jsonl",
             f"# load average at start: {os.getloadavg()[0]:.1f}",
             f"{'n':>8} {'method':<12} {'seconds':>9} {'cpu s':>8} {'art/s':>9} {'ms/art':>7} {'peak RSS MB':>11} "
             f"{'B3 F1':>6} {'pw F1':>6}"]
    baseline_at: tuple[int, float, float] | None = None
    for n in sizes:
        for method in ("incremental", "baseline"):
            if method == "baseline" and n > BASELINE_MAX:
                probe = max(s for s in [*sizes, BASELINE_MAX] if s <= BASELINE_MAX)
                if baseline_at is None or baseline_at[0] != probe:
                    r = measure(probe, method)
                    baseline_at = (probe, r["seconds"], r["cpu"])
                    lines.append(_row(r))
                est = baseline_at[1] * (n / baseline_at[0]) ** 2
                cpu = baseline_at[2] * (n / baseline_at[0]) ** 2
                lines.append(f"{n:>8} {'baseline':<12} {est:>8.0f}* {cpu:>7.0f}* {n / est:>9.0f} {1000 * est / n:>7.2f} "
                             f"{'-':>11} {'-':>6} {'-':>6}   * extrapolated n^2 from {baseline_at[0]:,}")
                continue
            r = measure(n, method)
            if method == "baseline":
                baseline_at = (n, r["seconds"], r["cpu"])
            lines.append(_row(r))
            print(lines[-1], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def _row(r: dict) -> str:
    return (f"{r['n']:>8} {r['method']:<12} {r['seconds']:>9.2f} {r['cpu']:>8.2f} {r['per_second']:>9.0f} "
            f"{1000 * r['seconds'] / r['n']:>7.3f} {r['rss_mb']:>11.0f} {r['bcubed_f1']:>6.3f} {r['pairwise_f1']:>6.3f}")


if __name__ == "__main__":
    main()
