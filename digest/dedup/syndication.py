"""Syndication groups: which articles carry the same copy, and who wrote it first.

Articles are taken credited wire copy first, then in publication order.
Each one joins an existing origin or founds its own:

1. exact duplicate (same normalised text, or the same canonical URL) -> the
   origin of its first copy;
2. credited to a wire service -> that wire service;
3. mostly copy: at least ``COPY_SHARE`` of its own words (text outside
   quotation marks) sit in sentences found in an origin's earlier copy ->
   that origin (the wire when credited, else the earliest publisher);
4. otherwise its own outlet is its origin. Copied passages below the share
   (at least ``QUOTED_MIN_WORDS`` words) and blocks the article attributes to
   another report ("An AP report said:") are recorded as ``quoted_from``.

Sentences are matched on word 5-shingles of the text outside quotation marks:
independent reporters transcribe the same speech or tweet word for word, and
that is not syndication. Candidates come from the passage LSH index
(:mod:`digest.dedup.minhash`); verification is exact on the shingles.

A copy needs both a share (``COPY_SHARE``, a quarter of the article's own
words) and at least ``COPY_MIN_SENTENCES`` copied sentences. On the labelled
pairs in ``tests/data/neardup/pairs.jsonl`` (hand-checked real articles)
no independent pair shares more than one sentence of prose, although in
short excerpts that single sentence reaches a share of 0.27 -- hence the
sentence count; the full-length articles labelled as copies share 0.35 of
their prose or more, while one that quotes a few wire passages (Countercurrents) has 0.08.
A quarter sits in that gap: a republication may add its own intro, context
and headline, but when a quarter of its prose is another origin's copy,
sentence by sentence, it is that origin's story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from digest.dedup.attribution import attributed_origins
from digest.dedup.minhash import PassageIndex, shingle_ids, words
from digest.dedup.urls import url_key
from digest.model import Article

COPY_SHARE = 0.25  # share of the article's own words in copied sentences: a copy
COPY_MIN_SENTENCES = 3  # and at least this many copied sentences (one shared line proves little)
QUOTED_MIN_SENTENCES = 2  # copied passages below the share: recorded as quoted_from
QUOTED_MIN_WORDS = 30
SENTENCE_SHINGLE = 4  # word shingles for sentence matching (rewording one word breaks at most 4)
SENTENCE_MATCH = 0.5  # share of a sentence's shingles found in the other copy
EXACT_LIMIT = 64  # up to this many origins every one is compared; beyond, candidates are looked up
MIN_SHARED = 6  # shared sentence shingles that make an origin a candidate (about one copied clause)
COMMON_SHINGLE = 50  # a shingle carried by more origins than this is a stock phrase
# A quotation runs from an opening mark to the next closing mark, or to the end of its
# paragraph when the closing mark was lost (excerpts cut off with "...").
_QUOTED = re.compile(r"[“\"][^“”\"\n]*(?:[”\"]|$)|‘[^’\n]{12,}’(?!\w)", re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|\n+")
_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Adm|Sen|Rep|Gov|Lt|Col|Capt|Sgt|St|Jr|Sr|Prof|Rev|Jan|Feb|Mar|Apr"
                           r"|Aug|Sept?|Oct|Nov|Dec|No|Nos|Inc|Corp|Co|vs|U\.S|U\.N|U\.K)|\b[A-Z])\.$")


@dataclass(frozen=True)
class Group:
    """Articles that carry one origin's copy. ``members`` in the order they were seen."""

    origin: str
    members: tuple[str, ...]
    credited: bool  # the origin is a credited wire service


@dataclass(frozen=True)
class Syndication:
    origin: dict[str, str]  # article key -> origin
    groups: tuple[Group, ...]  # every origin carried under two or more mastheads, or credited
    quoted_from: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> origins it quotes
    copy_share: dict[str, float] = field(default_factory=dict)  # key -> share of its words copied


def own_text(text: str) -> str:
    """The text with quotations removed: what the writer wrote, not what someone said."""
    return _QUOTED.sub(" ", text)


def split_sentences(text: str) -> list[str]:
    """Sentences, not broken after abbreviations such as "Gen." or "Oct."."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if out and _ABBREVIATION.search(out[-1]) and "\n" not in out[-1][-2:]:
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


def sentence_shingles(text: str) -> list[tuple[int, np.ndarray]]:
    """(word count, shingle ids) for each sentence of the writer's own text."""
    out = []
    for para in text.split("\n"):
        for sentence in split_sentences(own_text(para)):
            tokens = words(sentence)
            if len(tokens) >= SENTENCE_SHINGLE + 1:
                out.append((len(tokens), shingle_ids(tokens, SENTENCE_SHINGLE)))
    return out


def text_pool(text: str) -> np.ndarray:
    """Sorted unique shingle ids of a whole text, quotations included."""
    return np.unique(shingle_ids(words(text), SENTENCE_SHINGLE))


@dataclass(frozen=True)
class Overlap:
    """How much of an article's own prose is found in another copy."""

    words: int  # words in copied sentences
    sentences: int  # copied sentences
    total: int  # the article's own words

    @property
    def share(self) -> float:
        return self.words / self.total if self.total else 0.0

    @property
    def is_copy(self) -> bool:
        return self.share >= COPY_SHARE and self.sentences >= COPY_MIN_SENTENCES

    @property
    def is_quote(self) -> bool:
        return self.sentences >= QUOTED_MIN_SENTENCES and self.words >= QUOTED_MIN_WORDS


def overlap(sentences: Sequence[tuple[int, np.ndarray]], pool: np.ndarray) -> Overlap:
    """Which of one article's sentences are found in ``pool`` (sorted unique shingle ids)."""
    total = hit = count = 0
    for size, ids in sentences:
        total += size
        if len(pool) and np.isin(ids, pool, assume_unique=False).mean() >= SENTENCE_MATCH:
            hit += size
            count += 1
    return Overlap(words=hit, sentences=count, total=total)


def compare(article_text: str, other_text: str) -> Overlap:
    """How much of ``article_text``'s own prose is copied from ``other_text``."""
    return overlap(sentence_shingles(article_text), text_pool(other_text))


def copy_share(article_text: str, other_text: str) -> float:
    return compare(article_text, other_text).share


def shares_copy(a: str, b: str) -> bool:
    """The near-duplicate decision for a pair: either carries the other's copy (whole or in part)."""
    return any(o.is_copy or o.is_quote for o in (compare(a, b), compare(b, a)))


def _order(articles: Iterable[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (not a.credits, a.published, a.key))


class _Builder:
    def __init__(self) -> None:
        self.index = PassageIndex()
        self.origin: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}
        self.outlets: dict[str, set[str]] = {}
        self.credited: set[str] = set()
        self.pools: dict[str, list[np.ndarray]] = {}  # origin -> shingle ids of its copy
        self.by_hash: dict[str, str] = {}  # content hash or URL key -> first article
        self.postings: dict[int, set[str]] = {}  # shingle id -> origins carrying it
        self.doc_origin: list[str] = []
        self.quoted: dict[str, tuple[str, ...]] = {}
        self.share: dict[str, float] = {}

    def _candidates(self, sigs: np.ndarray, sentences: list[tuple[int, np.ndarray]], own: str | None) -> list[str]:
        """Origins to compare with: all of them while few (exact), else those sharing passages or shingles.

        Beyond ``EXACT_LIMIT`` origins, candidates are the LSH index's passage
        matches plus the origins sharing at least ``MIN_SHARED`` of the
        article's sentence shingles (postings of shingles carried by more than
        ``COMMON_SHINGLE`` origins are not read: stock phrases, not copy).
        """
        if len(self.pools) <= EXACT_LIMIT:
            return [o for o in self.pools if o != own]
        docs = self.index.query(sigs)
        found = dict.fromkeys(self.doc_origin[d] for d in docs)
        counts: dict[str, int] = {}
        ids = np.unique(np.concatenate([i for _, i in sentences])) if sentences else ()
        for shingle in ids.tolist() if len(ids) else ():
            holders = self.postings.get(shingle)
            if holders and len(holders) <= COMMON_SHINGLE:
                for origin in holders:
                    counts[origin] = counts.get(origin, 0) + 1
        found.update(dict.fromkeys(o for o, n in counts.items() if n >= MIN_SHARED))
        return [o for o in found if o != own]

    def _pool(self, name: str) -> np.ndarray:
        """Sorted unique shingle ids of everything carried under one origin (merged lazily)."""
        parts = self.pools[name]
        if len(parts) > 1:
            parts[:] = [np.unique(np.concatenate(parts))]
        return parts[0]

    def _measure(self, sentences: list[tuple[int, np.ndarray]], origins: list[str]) -> list[tuple[Overlap, str]]:
        found = []
        for name in origins:
            found.append((overlap(sentences, self._pool(name)), name))
        return sorted(found, key=lambda item: (-item[0].share, item[1]))

    def add(self, article: Article) -> None:
        sigs = self.index.hasher.signatures(article.text)
        same = self.by_hash.get(article.content_hash) or self.by_hash.get(url_key(article.url) or "")
        if same:
            origin = self.origin[same]
        elif article.credits:
            origin = article.credits[0]
            self.credited.add(origin)
        else:
            origin = None
        sentences = sentence_shingles(article.text)
        measured = self._measure(sentences, self._candidates(sigs, sentences, origin))
        if origin is None:
            best = measured[0] if measured else None
            self.share[article.key] = round(best[0].share, 3) if best else 0.0
            origin = best[1] if best and best[0].is_copy else article.outlet
        quoted = tuple(dict.fromkeys([name for found, name in measured if name != origin and found.is_quote]
                                     + [name for name in attributed_origins(article.text) if name != origin]))
        if quoted:
            self.quoted[article.key] = quoted
        self.origin[article.key] = origin
        self.members.setdefault(origin, []).append(article.key)
        self.outlets.setdefault(origin, set()).add(article.outlet)
        pool = text_pool(article.text)
        self.pools.setdefault(origin, []).append(pool)
        for shingle in pool.tolist():
            holders = self.postings.setdefault(shingle, set())
            if len(holders) <= COMMON_SHINGLE:
                holders.add(origin)
        self.by_hash.setdefault(article.content_hash, article.key)
        if url_key(article.url):
            self.by_hash.setdefault(url_key(article.url) or "", article.key)
        self.index.add(len(self.doc_origin), sigs)
        self.doc_origin.append(origin)

    def result(self) -> Syndication:
        groups = tuple(Group(origin=o, members=tuple(m), credited=o in self.credited)
                       for o, m in self.members.items() if o in self.credited or len(self.outlets[o]) > 1)
        return Syndication(origin=self.origin, groups=groups, quoted_from=self.quoted, copy_share=self.share)


def syndicate(articles: Sequence[Article]) -> Syndication:
    """Group the articles by the origin of their copy (see the module docstring)."""
    builder = _Builder()
    for article in _order(articles):
        builder.add(article)
    return builder.result()
