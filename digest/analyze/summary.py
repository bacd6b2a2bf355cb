"""One event's articles -> headline and key facts, each fact citing its sources (v1).

Extractive and attributable: candidate sentences from every article are
grouped when they say the same thing (TF-IDF cosine), each group is scored by
how many independent origins carry it and how central it is to the event,
and the top groups are picked with maximal marginal relevance so the list
does not repeat itself. A fact is shown in one member's exact words and cites
every article of its group.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from digest.analyze.framing import loaded_hits
from digest.analyze.text import content_words, is_statement, pronoun_subject, sentences
from digest.model import Article, Fact

SAME_CLAIM = 0.4  # cosine at which two sentences count as the same claim
MMR_LAMBDA = 0.7
LEAD_BONUS = 0.1  # claims in an article's first sentences (news leads carry the core facts)
LEAD_SENTENCES = 2
SUPPORT_WEIGHT = 0.5  # each further independent origin adds this share of the centrality
RECENCY_HALF_LIFE_H = 48.0  # a claim last reported this long before ``now`` gets half the recency bonus
_BARE_QUOTE = re.compile(r"^[“\"‘][^“”\"]*[”\"’]?[.!?]?[”\"’]?$")  # a quotation with no speaker in the sentence
HEADLINE_LOADED_PENALTY = 0.1  # per loaded term: prefer the most neutral of the central headlines
_OUTLET_SUFFIX = re.compile(r"\s+[-|–—:]\s+[A-Z][\w .&']{1,40}$")


@dataclass(frozen=True)
class Candidate:
    text: str
    article: int  # index into the event's articles
    position: int


@dataclass(frozen=True)
class EventSummary:
    title: str
    summary: str
    facts: tuple[Fact, ...]
    summary_sources: tuple[str, ...] = ()  # the source ids that carry the summary sentence


def clean_headline(title: str) -> str:
    """Drop a trailing ' - Outlet' / ' | Outlet' from a headline."""
    return _OUTLET_SUFFIX.sub("", title).strip()


def _bare_quote(sentence: str) -> bool:
    """Quoted words without their speaker: shown in the quotes section, never as an unattributed fact."""
    return bool(_BARE_QUOTE.match(sentence.strip()))


_UNCLEAR_START = re.compile(r"^(?:He|She|They|It|This|That|These|Those|But|And|Also)\b")


def _clearest(group: Sequence[int], candidates: Sequence[Candidate], centrality: np.ndarray) -> int:
    """The member to show: central, but not opening with a pronoun or connective that needs context."""
    def clarity(i: int) -> float:
        text = candidates[i].text
        return float(centrality[i]) - (0.1 if _UNCLEAR_START.match(text) else 0.0) - (0.1 if "?" in text else 0.0)
    return max(group, key=lambda i: (clarity(i), -i))


def _candidates(articles: Sequence[Article], skip: Callable[[str], bool] | None = None) -> list[Candidate]:
    out = []
    for index, article in enumerate(articles):
        for s in sentences(article.text):
            if is_statement(s.text) and not _bare_quote(s.text) and not pronoun_subject(s.text) \
                    and not (skip and skip(s.text)):
                out.append(Candidate(text=s.text, article=index, position=s.position))
    return out


def _normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def _groups(sim: np.ndarray, order: Sequence[int]) -> list[list[int]]:
    """Greedy grouping: each sentence joins the first group whose head it matches."""
    groups: list[list[int]] = []
    for i in order:
        for group in groups:
            if sim[i, group[0]] >= SAME_CLAIM:
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def _mmr(scores: np.ndarray, sim: np.ndarray, k: int) -> list[int]:
    chosen: list[int] = []
    remaining = list(range(len(scores)))
    while remaining and len(chosen) < k:
        def value(i: int) -> float:
            redundancy = max((sim[i, j] for j in chosen), default=0.0)
            return MMR_LAMBDA * scores[i] - (1 - MMR_LAMBDA) * redundancy
        best = max(remaining, key=value)
        chosen.append(best)
        remaining.remove(best)
    return chosen


def _recency(newest: dt.datetime, reference: dt.datetime) -> float:
    """A small bonus that halves every RECENCY_HALF_LIFE_H hours before ``reference``."""
    age_h = max((reference - newest).total_seconds() / 3600.0, 0.0)
    return 0.03 * math.pow(0.5, age_h / RECENCY_HALF_LIFE_H)


def summarize_event(articles: Sequence[Article], source_ids: Mapping[str, str],
                    origin_of: Mapping[str, str], max_facts: int = 6, *, now: dt.datetime | None = None,
                    skip: Callable[[str], bool] | None = None) -> EventSummary:
    """Headline, one-line summary and key facts for one event's articles.

    The summary line is the next pick after the key facts (central, not redundant with them), so it never
    repeats a fact; it is empty when the articles hold no further claim.

    A fact's score grows with its independent support (origins, not mastheads),
    its centrality to the event, an early position in an article and how
    recently it was reported (relative to ``now``; default: the newest article).
    ``skip`` drops sentences that must never be shown (e.g. truncated ones).
    """
    titled = [a for a in articles if not a.title_derived] or list(articles)
    candidates = _candidates(articles, skip)
    if not candidates:
        title = clean_headline(titled[0].title)
        return EventSummary(title=title, summary=(articles[0].summary or "").strip()[:300], facts=())
    vectorizer = TfidfVectorizer(tokenizer=content_words, lowercase=False, token_pattern=None,
                                 sublinear_tf=True)
    texts = [c.text for c in candidates] + [f"{a.title}. {a.text}" for a in articles]
    matrix = _normalised(vectorizer.fit_transform(texts).toarray())
    sent, docs = matrix[:len(candidates)], matrix[len(candidates):]
    by_origin: dict[str, list[int]] = {}
    for index, article in enumerate(articles):
        by_origin.setdefault(origin_of.get(article.key, article.outlet), []).append(index)
    centroid = _normalised(np.mean([docs[idx].mean(axis=0) for idx in by_origin.values()],
                                   axis=0, keepdims=True))[0]
    centrality = sent @ centroid
    sim = sent @ sent.T
    groups = _groups(sim, sorted(range(len(candidates)), key=lambda i: -centrality[i]))

    article_origin = [origin_of.get(a.key, a.outlet) for a in articles]

    def origins(group: list[int]) -> set[str]:
        return {article_origin[candidates[i].article] for i in group}

    heads = [g[0] for g in groups]
    reference = now or max(a.published for a in articles)

    def recency(group: list[int]) -> float:
        return _recency(max(articles[candidates[i].article].published for i in group), reference)

    scores = np.array([centrality[g[0]] * (1 + SUPPORT_WEIGHT * (len(origins(g)) - 1))
                       + (LEAD_BONUS if min(candidates[i].position for i in g) < LEAD_SENTENCES else 0.0) + recency(g)
                       for g in groups])
    # one pick beyond the facts: the summary line says something the facts do not (greedy, so the
    # first ``max_facts`` picks are the same as without it)
    picked = _mmr(scores, sim[np.ix_(heads, heads)], max_facts + 1)
    extra = picked[max_facts:]
    picked = picked[:max_facts]
    facts = []
    for gi in picked:
        group = groups[gi]
        keys = {articles[candidates[i].article].key for i in group}
        facts.append(Fact(
            text=candidates[_clearest(group, candidates, centrality)].text,
            sources=tuple(sorted((source_ids[k] for k in keys), key=lambda s: int(s[1:]))),
            support=len(origins(group)),
            origins=tuple(sorted(origins(group))),
        ))
    summary, summary_sources = "", ()
    if extra:
        group = groups[extra[0]]
        summary = candidates[_clearest(group, candidates, centrality)].text
        keys = {articles[candidates[i].article].key for i in group}
        summary_sources = tuple(sorted((source_ids[k] for k in keys), key=lambda s: int(s[1:])))
    return EventSummary(title=_headline(articles, docs, centroid), summary=summary, facts=tuple(facts),
                        summary_sources=summary_sources)


def _headline(articles: Sequence[Article], docs: np.ndarray, centroid: np.ndarray) -> str:
    """The most central real headline, the most neutral one among near-equals."""
    central = max(range(len(articles)), key=lambda i: (
        not articles[i].title_derived,
        float(docs[i] @ centroid) - HEADLINE_LOADED_PENALTY * sum(loaded_hits(articles[i].title).values())))
    return clean_headline(articles[central].title) or next(
        (clean_headline(a.title) for a in articles if a.title.strip()), "Untitled")
