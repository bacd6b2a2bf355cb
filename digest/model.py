"""The data the pipeline passes between stages: frozen dataclasses, no behaviour.

Stages import from here; nothing here imports a stage. Times are aware
datetimes in UTC unless a field says otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

UTC = dt.timezone.utc


@dataclass(frozen=True)
class Document:
    """An article as a source delivered it, before extraction.

    ``body`` is either HTML (``is_html``) or plain text. Values the source
    already knows (feed entry title, date, link) ride along as hints; the
    extractor prefers what the page itself says where it is more precise.
    """

    feed: str
    outlet: str
    key: str  # stable identity: entry id / canonical link / file path
    body: str
    is_html: bool
    url: str | None = None
    path: str | None = None
    title: str | None = None
    published: dt.datetime | None = None
    byline: str | None = None
    summary: str | None = None
    fetched: dt.datetime | None = None


@dataclass(frozen=True)
class Extracted:
    """What extraction found in one document: clean text plus metadata."""

    text: str
    title: str | None = None
    title_derived: bool = False  # True when no headline existed and one was made from the lead
    byline: str | None = None
    published: dt.datetime | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    language: str | None = None
    credits: tuple[str, ...] = ()  # wire / agency credits, e.g. "AP News"
    captions: tuple[str, ...] = ()  # photo captions kept out of the body
    removed: tuple[str, ...] = ()  # what was stripped, by kind, for logs and tests
    updated: dt.datetime | None = None  # last modified, when the page says (issue 5)
    journalists: tuple[str, ...] = ()  # reporters credited in the text ("Reporting by ...", "... contributed")


@dataclass(frozen=True)
class Article:
    """A clean article as stored."""

    key: str
    feed: str
    outlet: str
    title: str
    text: str
    published: dt.datetime
    fetched: dt.datetime
    content_hash: str
    url: str | None = None
    path: str | None = None
    byline: str | None = None
    summary: str | None = None
    language: str | None = None
    credits: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    title_derived: bool = False
    id: int | None = None  # store row id once stored
    journalists: tuple[str, ...] = ()  # reporters credited in the text (issue 5)


@dataclass(frozen=True)
class EventCluster:
    """A group of articles judged to report one real-world event."""

    id: str  # stable across runs, "ev-" + hex
    article_keys: tuple[str, ...]


@dataclass(frozen=True)
class Fact:
    text: str
    sources: tuple[str, ...]  # source ids ("s1", ...) in the edition
    support: int  # independent sources (origins) behind it
    origins: tuple[str, ...] = ()  # those origins by name ("Associated Press"), sorted; () when unknown


@dataclass(frozen=True)
class Claim:
    """A sentence, verbatim from a source, with the sources that carry it."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Version:
    """One side of a disagreement: how some sources report the disputed point."""

    text: str  # the sentence as the source wrote it
    sources: tuple[str, ...]
    value: str = ""  # the disputed value in it, e.g. "over four hours"
    published: dt.datetime | None = None  # earliest publication of the sources giving this version


@dataclass(frozen=True)
class Disagreement:
    about: str  # what the versions disagree on, in neutral words, e.g. "length of the talks"
    versions: tuple[Version, ...]
    kind: str = "count"  # duration | count | toll | date | speaker | actor
    # False: the figures differ but each may have been right when published (a lower bound, an
    # estimate, a later count): shown as differing figures, not as a contradiction
    contradiction: bool = True


@dataclass(frozen=True)
class Quote:
    speaker: str  # resolved name, e.g. "Kim Jong Un"
    text: str  # the quoted words, without quotation marks
    sources: tuple[str, ...]
    role: str | None = None  # e.g. "North Korean leader"


@dataclass(frozen=True)
class Framing:
    """What one outlet stresses that the others covering the event do not."""

    outlet: str
    headline: str
    sources: tuple[str, ...]
    distinctive_terms: tuple[str, ...] = ()
    loaded_terms: tuple[str, ...] = ()
    unique_claims: tuple[Claim, ...] = ()
    context_added: tuple[Claim, ...] = ()
    quoted: tuple[str, ...] = ()  # speakers this outlet quotes


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Event:
    id: str
    status: str  # "new" | "developing" | "quiet"
    title: str
    summary: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    sources: tuple[str, ...]
    outlet_count: int
    independent_sources: int
    facts: tuple[Fact, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    quotes: tuple[Quote, ...] = ()
    framings: tuple[Framing, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    open_questions: tuple[Claim, ...] = ()
    entities: tuple[str, ...] = ()  # the people, places and organisations it is most about
    new_articles: int = 0  # since the previous edition
    new_facts: int = 0  # facts not in the previous edition
    summary_sources: tuple[str, ...] = ()  # source ids carrying the summary sentence (shown only when cited)


@dataclass(frozen=True)
class QuietEvent:
    """An event in the previous edition with nothing new in this one."""

    id: str
    title: str
    last_seen: dt.datetime


@dataclass(frozen=True)
class Appearance:
    """Another outlet or address that carried the same article word for word (issue 5)."""

    outlet: str
    url: str | None
    published: dt.datetime
    feed: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """An article as cited in an edition: ``id`` is "s1", "s2", ..."""

    id: str
    outlet: str
    title: str
    published: dt.datetime
    url: str | None = None
    byline: str | None = None
    origin: str | None = None  # wire service / original publisher when syndicated
    feed: str | None = None
    quoted_from: tuple[str, ...] = ()  # origins whose copy it quotes in part (issue 5)
    credits: tuple[str, ...] = ()  # wire / agency credits the article carries, e.g. "Associated Press"
    journalists: tuple[str, ...] = ()  # reporters credited in the text ("Reporting by ...")
    appearances: tuple[Appearance, ...] = ()  # the same text elsewhere: one source, several places


@dataclass(frozen=True)
class FeedHealth:
    feed: str
    status: str  # "ok" | "failing" | "stale" | "retired" | "new"
    error: str | None = None
    last_success: dt.datetime | None = None


@dataclass(frozen=True)
class Briefing:
    """One dated edition: everything the renderers need, nothing more."""

    title: str
    date: dt.date
    number: int
    generated_at: dt.datetime
    window_start: dt.datetime
    window_end: dt.datetime
    timezone: str
    overview: str
    sources: tuple[SourceRef, ...]
    events: tuple[Event, ...]
    feed_health: tuple[FeedHealth, ...] = ()
    syndication: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())  # (origin, source ids)
    quiet_events: tuple[QuietEvent, ...] = ()


@dataclass(frozen=True)
class FeedState:
    """What the store knows about one feed's polling."""

    name: str
    url: str | None = None
    path: str | None = None
    outlet: str | None = None
    status: str = "new"  # "new" | "ok" | "failing" | "retired" | "removed"
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    error: str | None = None
    failures: int = 0
    last_attempt: dt.datetime | None = None
    last_success: dt.datetime | None = None
    next_poll: dt.datetime | None = None
    retry_after: dt.datetime | None = None
    entries: int = 0
    latency_ms: int | None = None
    moved_to: str | None = None  # where a 301/308 sent the feed; polled instead of url


@dataclass(frozen=True)
class UpsertResult:
    added: int = 0
    revised: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class EditionRecord:
    date: dt.date
    number: int
    generated_at: dt.datetime
    path: str
    event_ids: tuple[str, ...] = ()
