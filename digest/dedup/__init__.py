"""Who originally reported what: canonical URLs, near-duplicates, syndication groups.

An article's origin is the wire service it credits, else the origin of the
copy it mostly consists of, else its own outlet. Counting origins instead of
mastheads is what keeps wire copy republished under several mastheads from
counting as several sources.
"""

from __future__ import annotations

from collections.abc import Sequence

from digest.dedup.syndication import Group, Syndication, copy_share, syndicate
from digest.dedup.urls import canonical_url, clean_url, normalize_url, url_key
from digest.model import Article


def origin_of(article: Article) -> str:
    """The origin from the article alone: its credited wire service, else its outlet."""
    return article.credits[0] if article.credits else article.outlet


def independent_origins(articles: Sequence[Article]) -> dict[str, str]:
    """Article key -> origin, for every article given (see :func:`syndicate`)."""
    return dict(syndicate(articles).origin)


__all__ = ["Group", "Syndication", "canonical_url", "clean_url", "copy_share", "independent_origins", "normalize_url",
           "origin_of", "syndicate", "url_key"]
