"""Scoring a clustering against labelled events: B-cubed and pairwise precision/recall/F1.

B-cubed (Bagga & Baldwin 1998): for each article, precision is the share of
its predicted cluster that shares its gold event, recall the share of its gold
event that landed in its predicted cluster; both are averaged over articles.
Pairwise: over all pairs of articles, a pair is positive when both are in one
cluster; precision/recall of predicted positive pairs against gold ones.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest.analyze.incremental import Assignment, Incoming, Params, replay
from digest.errors import DigestError


@dataclass(frozen=True)
class Scores:
    bcubed_p: float
    bcubed_r: float
    bcubed_f1: float
    pairwise_p: float
    pairwise_r: float
    pairwise_f1: float
    articles: int
    predicted_events: int
    gold_events: int


@dataclass(frozen=True)
class LabelledArticle:
    id: str
    event_id: str
    outlet: str
    title: str
    text: str
    published: dt.datetime


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def score(gold: Mapping[str, str], predicted: Mapping[str, str]) -> Scores:
    """Scores for the articles in ``gold`` (article id -> gold event); ``predicted`` maps id -> event."""
    missing = [k for k in gold if k not in predicted]
    if missing:
        raise ValueError(f"{len(missing)} labelled articles have no predicted event, e.g. {missing[0]}")
    ids = list(gold)
    gold_size = Counter(gold[i] for i in ids)
    pred_size = Counter(predicted[i] for i in ids)
    both = Counter((gold[i], predicted[i]) for i in ids)
    n = len(ids) or 1
    p = sum(both[(gold[i], predicted[i])] / pred_size[predicted[i]] for i in ids) / n
    r = sum(both[(gold[i], predicted[i])] / gold_size[gold[i]] for i in ids) / n
    true_pairs, pred_pairs, gold_pairs = _pairs(both), _pairs(pred_size), _pairs(gold_size)
    pp = true_pairs / pred_pairs if pred_pairs else 1.0
    pr = true_pairs / gold_pairs if gold_pairs else 1.0
    return Scores(bcubed_p=p, bcubed_r=r, bcubed_f1=_f1(p, r), pairwise_p=pp, pairwise_r=pr,
                  pairwise_f1=_f1(pp, pr), articles=len(ids), predicted_events=len(pred_size),
                  gold_events=len(gold_size))


def _parse_time(value: object, where: str) -> dt.datetime:
    if not isinstance(value, str):
        raise DigestError(f"{where}: 'published' must be an ISO 8601 date-time string")
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise DigestError(f"{where}: 'published' is not an ISO 8601 date-time: {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def load_labelled(path: Path) -> list[LabelledArticle]:
    """Read ``{"id","event_id","outlet","title","text","published"}`` lines; one clear error per problem."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise DigestError(f"cannot read {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise DigestError(f"{path} is not UTF-8 text; give a JSON-lines file") from None
    out, seen = [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise DigestError(f"{where}: not valid JSON ({err.msg}); one JSON object per line expected") from None
        if not isinstance(row, dict):
            raise DigestError(f"{where}: expected a JSON object per line")
        absent = [k for k in ("id", "event_id", "title", "published") if not row.get(k)]
        if absent:
            raise DigestError(f"{where}: missing {', '.join(absent)}; each line needs "
                              '{"id","event_id","outlet","title","text","published"}')
        article_id = str(row["id"])
        if article_id in seen:
            raise DigestError(f"{where}: duplicate id {article_id!r}")
        seen.add(article_id)
        out.append(LabelledArticle(id=article_id, event_id=str(row["event_id"]), outlet=str(row.get("outlet") or ""),
                                   title=str(row["title"]), text=str(row.get("text") or ""),
                                   published=_parse_time(row["published"], where)))
    if not out:
        raise DigestError(f"{path} holds no labelled articles")
    return out


@dataclass(frozen=True)
class EvalResult:
    scores: Scores
    assignments: tuple[Assignment, ...]
    seconds: float  # clustering, plus embedding when on
    embed_seconds: float = 0.0  # of which computing sentence vectors (the [embeddings] extra)

    @property
    def articles_per_second(self) -> float:
        return self.scores.articles / self.seconds if self.seconds > 0 else float("inf")


def evaluate(articles: list[LabelledArticle], params: Params | None = None, embedder: Any = None) -> EvalResult:
    """Replay ``articles`` in time order through the incremental clusterer and score it.

    With an ``embedder`` (:class:`digest.analyze.embeddings.Embedder`) each article also carries its
    sentence vector, and ``params`` default to the embedding settings."""
    vectors: list[Any] = [None] * len(articles)
    embed_seconds = 0.0
    if embedder is not None:
        from digest.analyze.embeddings import clustering_params

        params = params or clustering_params()
        start = time.perf_counter()
        vectors = embedder.embed_articles([(a.title, a.text) for a in articles])
        embed_seconds = time.perf_counter() - start
    items = [Incoming(key=a.id, title=a.title, text=a.text, published=a.published, embedding=v)
             for a, v in zip(articles, vectors)]
    start = time.perf_counter()
    assignments = replay(items, params)
    seconds = time.perf_counter() - start + embed_seconds
    predicted = {a.key: a.event for a in assignments}
    return EvalResult(scores=score({a.id: a.event_id for a in articles}, predicted),
                      assignments=tuple(assignments), seconds=seconds, embed_seconds=embed_seconds)
