"""ROUGE of event summaries against AllSides' neutral reference summaries.

Protocol (../shared/eval/README.md): ROUGE-1/2/L F1 with stemming; the
summary is the product's key facts in its own order, cut to the reference's
word count; sentences ending in "..." (truncated excerpts) are never used.
Baseline run on the same events: the lead sentences of the centre outlet's
article (falling back to the first article).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from digest.analyze.summary import summarize_event
from digest.analyze.text import sentences
from digest.evaluate.common import eval_article, parse_when, read_jsonl
from digest.model import Article

LEANS_CENTRE = ("center",)


@dataclass(frozen=True)
class RougeScores:
    events: int
    rouge1: float
    rouge2: float
    rougeL: float

    def line(self, name: str) -> str:
        return f"{name:<10} R1 {self.rouge1:.4f}  R2 {self.rouge2:.4f}  RL {self.rougeL:.4f}  ({self.events} events)"


def truncated(sentence: str) -> bool:
    return sentence.rstrip().endswith(("...", "…"))


def cut_to_words(texts: Sequence[str], budget: int) -> str:
    words: list[str] = []
    for text in texts:
        words.extend(text.split())
        if len(words) >= budget:
            break
    return " ".join(words[:budget])


def event_articles(event: dict) -> list[Article]:
    published = parse_when(event.get("date"))
    return [eval_article(event["event_id"], i, a, published + dt.timedelta(minutes=i))
            for i, a in enumerate(event["articles"])]


def product_summary(event: dict) -> list[str]:
    articles = event_articles(event)
    ids = {a.key: f"s{i + 1}" for i, a in enumerate(articles)}
    origins = {a.key: a.outlet for a in articles}
    summary = summarize_event(articles, ids, origins, max_facts=12, skip=truncated)
    return [f.text for f in summary.facts]


def lead_summary(event: dict) -> list[str]:
    articles = event["articles"]
    centre = next((a for a in articles if a.get("lean") in LEANS_CENTRE), articles[0])
    return [s.text for s in sentences(centre.get("text") or "") if not truncated(s.text)]


def score(path: Path, summarizer: Callable[[dict], list[str]], limit: int | None = None) -> RougeScores:
    from rouge_score import rouge_scorer  # evaluation-only dependency

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals = [0.0, 0.0, 0.0]
    n = 0
    for event in read_jsonl(path):
        reference = event.get("reference_summary") or ""
        if not reference.strip() or not event.get("articles"):
            continue
        candidate = cut_to_words(summarizer(event), len(reference.split()))
        result = scorer.score(reference, candidate)
        for i, key in enumerate(("rouge1", "rouge2", "rougeL")):
            totals[i] += result[key].fmeasure
        n += 1
        if limit and n >= limit:
            break
    n = max(n, 1)
    return RougeScores(n, totals[0] / n, totals[1] / n, totals[2] / n)
