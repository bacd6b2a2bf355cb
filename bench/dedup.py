"""Benchmark: passage MinHash/LSH dedup of 100,000 articles.

    python bench/dedup.py [--articles 100000] [--out bench/results/dedup.txt]

Articles are synthetic but made of real prose: paragraphs of the BASIL and
AllSides articles in ../shared/eval/framing (or the bundled seeds when that is
absent), each original re-worded at random (a third of its words replaced
from the corpus vocabulary) so that originals do not share copy by accident.
One article in five is a syndicated copy of an earlier one: a random subset of
its paragraphs (trimmed), shuffled (re-ordered), a new first line
(re-headlined) and 2% of words changed (edits).

Measured: signature time, index insertion (build) and query throughput, recall
of copies (the index finds the article they copy) and false matches among
originals, peak RSS, and the per-article cost (query + insert) of 1,000
articles when the index holds 10k articles versus 100k.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.dedup.minhash import PassageIndex, words  # noqa: E402


def corpus_paragraphs(shared: Path) -> list[list[str]]:
    paras: list[list[str]] = []
    for name in ("framing/basil-2010-2014.jsonl", "framing/allsides-2021-framing.jsonl"):
        path = shared / "eval" / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            for article in json.loads(line)["articles"]:
                for para in article["text"].split("\n"):
                    tokens = words(para)
                    if len(tokens) >= 25:
                        paras.append(tokens)
    if not paras:
        for path in sorted((ROOT / "digest" / "sample" / "seeds").glob("0*.txt")):
            paras += [words(p) for p in path.read_text(encoding="utf-8").split("\n") if len(words(p)) >= 25]
    return paras


class Generator:
    def __init__(self, paras: list[list[str]], seed: int = 7):
        self.rng = random.Random(seed)
        self.paras = paras
        self.vocab = sorted({w for p in paras for w in p})
        self.made: list[list[list[str]]] = []
        self.family: list[int] = []  # the original each article's copy descends from

    def _reword(self, tokens: list[str], rate: float) -> list[str]:
        rng, vocab = self.rng, self.vocab
        return [rng.choice(vocab) if rng.random() < rate else w for w in tokens]

    def original(self) -> list[list[str]]:
        count = self.rng.randint(4, 8)
        return [self._reword(self.rng.choice(self.paras), 0.33) for _ in range(count)]

    def copy_of(self, source: list[list[str]]) -> list[list[str]]:
        keep = max(2, int(len(source) * self.rng.uniform(0.5, 1.0)))
        picked = self.rng.sample(source, min(keep, len(source)))
        self.rng.shuffle(picked)
        headline = self._reword(self.rng.choice(self.paras)[:12], 0.5)
        return [headline] + [self._reword(p, 0.02) for p in picked]

    def next(self) -> tuple[str, int | None]:
        """(text, index of the article it copies or None)."""
        if self.made and self.rng.random() < 0.2:
            source = self.rng.randrange(max(0, len(self.made) - 20000), len(self.made))
            doc = self.copy_of(self.made[source])
        else:
            source, doc = None, self.original()
        self.made.append(doc)
        self.family.append(self.family[source] if source is not None else len(self.family))
        if len(self.made) > 20000:  # keep memory of the generator bounded; copies come from recent ones
            self.made[len(self.made) - 20001] = []
        return "\n".join(" ".join(p) for p in doc), source


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _probe(index: PassageIndex, probes: list) -> float:
    """Query cost per article (us) of the same 1,000 unseen articles: best of three passes."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for sigs in probes:
            index.query(sigs)
        best = min(best, (time.perf_counter() - start) / len(probes) * 1e6)
    return best


def run(total: int, shared: Path) -> dict:
    gen = Generator(corpus_paragraphs(shared))
    index = PassageIndex()
    hasher = index.hasher
    base_rss = rss_mb()
    t_sig = t_query = t_add = 0.0
    copies = found = false_matches = originals = 0
    checkpoints: dict[int, float] = {}
    window_cost = window_index = 0.0
    index_cost: dict[int, float] = {}
    probe_gen = Generator(corpus_paragraphs(shared), seed=99)
    probes = [hasher.signatures(probe_gen.next()[0]) for _ in range(1000)]
    probe_cost: dict[int, float] = {}
    for number in range(total):
        text, source = gen.next()
        while source is not None and not gen.made[source]:
            gen.made.pop()
            gen.family.pop()
            text, source = gen.next()
        start = time.perf_counter()
        sigs = hasher.signatures(text)
        t1 = time.perf_counter()
        hits = index.query(sigs)
        t2 = time.perf_counter()
        index.add(number, sigs)
        t3 = time.perf_counter()
        t_sig, t_query, t_add = t_sig + t1 - start, t_query + t2 - t1, t_add + t3 - t2
        if source is None:
            originals += 1
            false_matches += bool(hits)
        else:
            copies += 1
            family = gen.family[number]
            found += any(gen.family[doc] == family for doc in hits)
        size = number + 1
        for mark in (10_000, 100_000):
            if mark - 1000 < size <= mark:
                window_cost += t3 - start
                window_index += t3 - t1
                if size == mark:
                    checkpoints[mark] = window_cost / 1000 * 1e6
                    index_cost[mark] = window_index / 1000 * 1e6
                    window_cost = window_index = 0.0
                    probe_cost[mark] = _probe(index, probes)
        if size % 10_000 == 0:
            print(f"  {size:,} articles, {index.passages:,} passages, rss {rss_mb():.0f} MB", file=sys.stderr)
    n = total
    return {
        "articles": n, "passages": index.passages, "num_perm": hasher.num_perm, "bands": index.bands,
        "signature_per_s": n / t_sig, "insert_per_s": n / t_add, "query_per_s": n / t_query,
        "total_s": t_sig + t_query + t_add, "copy_recall": found / copies if copies else 0.0,
        "copies": copies, "false_match_rate": false_matches / originals if originals else 0.0,
        "peak_rss_mb": rss_mb(), "rss_before_mb": base_rss, "per_article_us": checkpoints,
        "index_us": index_cost, "probe_us": probe_cost,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "dedup.txt"))
    args = parser.parse_args()
    r = run(args.articles, Path(args.shared))
    ratio = (r["per_article_us"].get(100_000, 0) / r["per_article_us"][10_000]
             if 10_000 in r["per_article_us"] and 100_000 in r["per_article_us"] else float("nan"))
    index_ratio = (r["index_us"].get(100_000, 0) / r["index_us"][10_000]
                   if 10_000 in r["index_us"] and 100_000 in r["index_us"] else float("nan"))
    probe_ratio = (r["probe_us"].get(100_000, 0) / r["probe_us"][10_000]
                   if 10_000 in r["probe_us"] and 100_000 in r["probe_us"] else float("nan"))
    lines = [
        f"dedup benchmark ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, python {sys.version.split()[0]})",
        f"articles {r['articles']:,}  passages {r['passages']:,}  MinHash {r['num_perm']} perms, "
        f"{r['bands']} bands x {r['num_perm'] // r['bands']} rows, word 5-shingles",
        f"signatures  {r['signature_per_s']:,.0f} articles/s",
        f"index build (insert) {r['insert_per_s']:,.0f} articles/s",
        f"query       {r['query_per_s']:,.0f} articles/s",
        f"total       {r['total_s']:.1f} s",
        f"copies matched to their family {r['copy_recall']:.3f} of {r['copies']:,} (trimmed, re-ordered, re-headlined, 2% edits); "
        f"originals with a false match {r['false_match_rate']:.4f}",
        f"peak RSS {r['peak_rss_mb']:.0f} MB (before indexing {r['rss_before_mb']:.0f} MB; includes the generator's"
        " last 20,000 articles)",
        "per-article cost, mean of the 1,000 articles before each mark (signature + query + insert; index part):",
        *(f"  at {k:>7,} articles: {v:.0f} us; index {r['index_us'][k]:.0f} us"
          for k, v in sorted(r["per_article_us"].items())),
        f"  ratio 100k/10k: {ratio:.2f} overall, {index_ratio:.2f} index only (shared 2-core machine: noisy)",
        "query cost of the same 1,000 unseen articles (best of 3 passes):",
        *(f"  at {k:>7,} articles: {v:.0f} us" for k, v in sorted(r["probe_us"].items())),
        f"  ratio 100k/10k: {probe_ratio:.2f}",
    ]
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text, end="")


if __name__ == "__main__":
    main()
