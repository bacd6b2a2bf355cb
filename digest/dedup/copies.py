"""Exact copies: one article, several appearances.

Two stored articles are the same article when their normalised text is the
same (``content_hash``: case, spacing and punctuation ignored) or when they
have the same canonical URL (:func:`digest.dedup.urls.url_key`). The store
keeps every copy as its own row -- each outlet may later revise its copy, and
each masthead that ran it still counts towards an event's outlet count -- but
an edition cites the article once: one numbered source whose entry lists
every other outlet and address that carried it (``SourceRef.appearances``).
Counting sources this way never counts the same words twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from digest.dedup.syndication import Syndication
from digest.dedup.urls import url_key
from digest.model import Appearance, Article, EventCluster, SourceRef


def exact_copies(articles: Sequence[Article]) -> dict[str, str]:
    """Article key -> key of the first article (in the order given) with the same text or canonical URL."""
    first: dict[str, str] = {}  # content hash / URL key -> first article's key
    out: dict[str, str] = {}
    for article in articles:
        marks = [f"text:{article.content_hash}"]
        if url_key(article.url):
            marks.append(f"url:{url_key(article.url)}")
        primary = next((first[m] for m in marks if m in first), article.key)
        out[article.key] = primary
        for mark in marks:
            first.setdefault(mark, primary)
    return out


def appearance(article: Article) -> Appearance:
    return Appearance(outlet=article.outlet, url=article.url, published=article.published, feed=article.feed)


@dataclass(frozen=True)
class NumberedSources:
    sources: tuple[SourceRef, ...]
    ids: dict[str, str]  # every article key (copies included) -> its source id
    cited: dict[str, Article]  # source id -> the article the source entry describes


def number_sources(clusters: Sequence[EventCluster], by_key: Mapping[str, Article],
                   syndication: Syndication) -> NumberedSources:
    """Sources "s1", "s2", ... in the order the clusters cite them; exact copies share one id.

    The entry describes the earliest copy (published, then stored first); the
    other copies become its ``appearances``, earliest first.
    """
    order = [by_key[k] for c in clusters for k in c.article_keys]
    primary = exact_copies(sorted(order, key=lambda a: (a.published, a.id if a.id is not None else 0, a.key)))
    ids: dict[str, str] = {}
    cited: dict[str, Article] = {}
    copies: dict[str, list[Article]] = {}
    for article in order:
        lead = primary[article.key]
        if lead not in ids:
            ids[lead] = f"s{len(cited) + 1}"
            cited[ids[lead]] = by_key[lead]
            copies[ids[lead]] = []
        ids[article.key] = ids[lead]
        if article.key != lead:
            copies[ids[lead]].append(article)
    sources = []
    for sid, a in cited.items():
        origin = syndication.origin.get(a.key, a.outlet)
        sources.append(SourceRef(
            id=sid, outlet=a.outlet, title=a.title, published=a.published, url=a.url, byline=a.byline, feed=a.feed,
            origin=origin if origin != a.outlet else None, quoted_from=syndication.quoted_from.get(a.key, ()),
            credits=a.credits, journalists=a.journalists,
            appearances=tuple(appearance(c) for c in sorted(copies[sid], key=lambda c: (c.published, c.key))),
        ))
    return NumberedSources(sources=tuple(sources), ids=ids, cited=cited)


def distinct_members(keys: Sequence[str], ids: Mapping[str, str], cited: Mapping[str, Article]) -> list[Article]:
    """The articles an event's analysis reads: one per source id (copies read once)."""
    return [cited[sid] for sid in dict.fromkeys(ids[k] for k in keys)]


def edition_outlets(sources: Sequence[SourceRef]) -> set[str]:
    """Every masthead in the edition, those carrying a copy included."""
    return {s.outlet for s in sources} | {a.outlet for s in sources for a in s.appearances}
