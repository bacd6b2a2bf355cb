"""Fact support counted in origins, sentence by sentence.

An article's origin says whose story it mostly is; an aggregator that is its
own origin may still carry a fact only in a passage it quoted from a wire
(Countercurrents quoting AP). Such a sentence confirms nothing new: for that
fact the article counts as the origin it quoted. A supporting article counts as
the quoted origin when its sentence closest to the fact is found in that
origin's copy within the same event, or when that sentence sits in a block
the article itself attributes to another report ("An AP report said:").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from digest.dedup.attribution import attributed_blocks
from digest.dedup.minhash import shingle_ids, words
from digest.dedup.syndication import SENTENCE_MATCH, SENTENCE_SHINGLE, Syndication, split_sentences, text_pool
from digest.model import Article, Fact


ATTRIBUTED_MATCH = 0.25  # overlap enough to say which sentence of an article a fact came from


def _sentence_ids(text: str) -> list[tuple[np.ndarray, str | None]]:
    """(shingle ids, origin the paragraph is attributed to) per sentence."""
    out = []
    for para, attributed in attributed_blocks(text):
        for sentence in split_sentences(para):
            tokens = words(sentence)
            if len(tokens) > SENTENCE_SHINGLE:
                out.append((shingle_ids(tokens, SENTENCE_SHINGLE), attributed))
    return out


def _carrying_sentence(article: Article, fact_ids: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """The article's sentence that says the fact (shingle overlap both ways) and its attribution."""
    best, best_score = (None, None), 0.0
    for ids, attributed in _sentence_ids(article.text):
        score = min(np.isin(ids, fact_ids).mean(), np.isin(fact_ids, ids).mean())
        if score > best_score:
            best, best_score = (ids, attributed), score
    if best_score >= SENTENCE_MATCH:
        return best
    # A paraphrase grouped with the fact: its attribution still tells whose words these are.
    return (None, best[1]) if best_score >= ATTRIBUTED_MATCH else (None, None)


def fact_origins(fact_text: str, supporting: Sequence[Article], syndication: Syndication,
                 pools: Mapping[str, np.ndarray]) -> set[str]:
    """The independent origins behind one fact."""
    fact_ids = np.unique(shingle_ids(words(fact_text), SENTENCE_SHINGLE))
    found = set()
    for article in supporting:
        origin = syndication.origin.get(article.key, article.outlet)
        quoted_from = syndication.quoted_from.get(article.key, ())
        if quoted_from and len(fact_ids):
            sentence, attributed = _carrying_sentence(article, fact_ids)
            if attributed:
                origin = attributed  # inside a block the article attributes to another report
            elif sentence is not None:
                origin = next((q for q in quoted_from if q in pools
                               and np.isin(sentence, pools[q]).mean() >= SENTENCE_MATCH), origin)
        found.add(origin)
    return found


def recount_support(facts: Sequence[Fact], members: Sequence[Article], source_ids: Mapping[str, str],
                    syndication: Syndication) -> tuple[Fact, ...]:
    """The facts with ``support`` = origins behind each, quoted wire passages counted as the wire."""
    by_source = {source_ids[a.key]: a for a in members if a.key in source_ids}
    quoted = {o for a in members for o in syndication.quoted_from.get(a.key, ())}
    pools = {}
    for origin in quoted:
        texts = [text_pool(a.text) for a in members if syndication.origin.get(a.key) == origin]
        if texts:
            pools[origin] = np.unique(np.concatenate(texts))
    out = []
    for fact in facts:
        supporting = [by_source[s] for s in fact.sources if s in by_source]
        found = fact_origins(fact.text, supporting, syndication, pools) if supporting else set(fact.origins)
        support = len(found) if supporting else fact.support
        out.append(dataclasses.replace(fact, support=max(1, support), origins=tuple(sorted(found))))
    return tuple(out)
