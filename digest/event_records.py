"""What digest knows about one event across runs: its record and its history.

Pure functions over an event's member articles: the readable title (the most
central headline, outlet suffixes and labels stripped, headlines that shout or
ask preferred least), first/last seen, article, outlet and independent-source
counts (independent origins come from :func:`digest.dedup.independent_origins`)
and the names it is most about.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from digest.analyze.names import extract_entities
from digest.analyze.text import content_words
from digest.dedup import independent_origins
from digest.model import Article

_OUTLET_SUFFIX = re.compile(r"\s+[-|–—]\s+[A-Z][\w .&'’]{1,40}$")
_LABEL = re.compile(r"^(?:[A-Z][A-Za-z ]{1,20}|[A-Z ]{2,20}):\s+(?=\S)")  # "WATCH: ", "Opinion: "
_SPIN = re.compile(r"[?!]|[\"“”‘’']\w|\b[A-Z]{4,}\b|(?i:,\s+(?:says|say|claims|warns)\b|\b(?:slams|blasts|"
                   r"rips|destroys|shocking|outrage|disaster)\b)")  # quotes, shouting, verdicts
_LABEL_WORDS = {"watch", "opinion", "breaking", "live", "video", "analysis", "exclusive", "update",
                "editorial", "commentary", "listen", "photos", "explainer", "updated"}


@dataclass(frozen=True)
class EventRecord:
    id: str
    title: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    articles: int
    outlets: int
    independent_sources: int
    entities: tuple[str, ...]  # the names it is most about, most mentioned first
    open: bool = True


@dataclass(frozen=True)
class HistoryEntry:
    """A merge (all of ``old_id`` went into ``new_id``) or a split (some articles left ``old_id``,
    which goes on, for the new event ``new_id``)."""

    old_id: str
    new_id: str
    reason: str  # "merge" | "split"
    at: dt.datetime
    keys: tuple[str, ...] = ()  # for a split: the keys of the articles that moved


def clean_title(title: str) -> str:
    """A headline without a trailing " - Outlet" and without a leading "WATCH:"-style label."""
    title = _OUTLET_SUFFIX.sub("", title.strip()).strip()
    label = _LABEL.match(title)
    if label and label.group(0).rstrip(": ").lower() in _LABEL_WORDS:
        title = title[label.end():]
    return title.strip()


def central_title(articles: Sequence[Article]) -> str:
    """The headline whose words most of the event's articles use; spin-free headlines preferred."""
    titled = [a for a in articles if not a.title_derived and a.title.strip()] or list(articles)
    if not titled:
        return ""
    share: Counter[str] = Counter()
    for a in articles:
        share.update(set(content_words(f"{a.title} {a.text}")))

    def centrality(article: Article) -> tuple[float, int, str]:
        title = clean_title(article.title)
        words = set(content_words(title))
        score = sum(share[w] for w in words) / (len(articles) * max(len(words), 4)) if words else 0.0
        if _SPIN.search(title):
            score *= 0.8
        return (score, -abs(len(title) - 70), title)

    return max(centrality(a) for a in titled)[2]


def top_entities(articles: Sequence[Article], limit: int = 5) -> tuple[str, ...]:
    """Names mentioned by the most articles (then most often), as the text writes them most."""
    in_articles: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    for a in articles:
        names = extract_entities(f"{a.title}.\n{a.text}")
        in_articles.update(set(names))
        mentions.update(names)
    # a name inside a longer one mentioned as often adds nothing ("jong" in "kim jong un")
    ranked = sorted(in_articles, key=lambda n: (-in_articles[n], -mentions[n], n))
    chosen: list[str] = []
    for name in ranked:
        if in_articles[name] < 2 and len(articles) > 1:
            break
        if any(name in other and in_articles[other] >= in_articles[name] for other in chosen):
            continue
        chosen.append(name)
        if len(chosen) == limit:
            break
    return tuple(chosen)


def build_record(event_id: str, articles: Sequence[Article], *, open_: bool = True) -> EventRecord:
    origins = independent_origins(articles)
    return EventRecord(
        id=event_id, title=central_title(articles),
        first_seen=min(a.published for a in articles), last_seen=max(a.published for a in articles),
        articles=len(articles), outlets=len({a.outlet for a in articles}),
        independent_sources=len(set(origins.values())), entities=top_entities(articles), open=open_,
    )
