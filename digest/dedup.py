"""Who originally reported what: independent origins of articles (v1).

An article's origin is the wire service it credits, else its own outlet.
Counting origins instead of mastheads is what keeps wire copy republished
under several mastheads from counting as several sources.
"""

from __future__ import annotations

from collections.abc import Sequence

from digest.model import Article


def origin_of(article: Article) -> str:
    """The independent origin of one article: its credited wire service, else its outlet."""
    return article.credits[0] if article.credits else article.outlet


def independent_origins(articles: Sequence[Article]) -> dict[str, str]:
    """Article key -> origin, for every article given."""
    return {a.key: origin_of(a) for a in articles}
