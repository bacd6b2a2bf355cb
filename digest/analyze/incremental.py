"""Incremental event clustering: each new article joins an open event or starts one.

An article is a TF-IDF vector of its headline (weighted ``TITLE_WEIGHT`` times)
and its text, with document frequencies counted over every article seen so far
(streaming IDF). An event keeps the sum of its members' vectors (its centroid)
and the capitalised names (entities) its members mention.

A new article is compared with the *open* events only (those that received an
article in the last ``open_hours``), found through an inverted index over the
events' strongest centroid terms; the score is the cosine with the centroid,
damped by the time since the event was last seen (``exp(-gap/decay_hours)``),
plus a small bonus for shared names. The best event at or above ``threshold``
(lower for short texts such as feed summaries) gets the article, otherwise it
starts a new event. So the cost per article depends on the open window, never
on how many articles the store holds.

The whole state is plain data (:meth:`IncrementalClusterer.to_state` /
:meth:`from_state`), so the store can keep it between runs and each run only
assigns the articles it has not seen: event ids are stable as events grow.
When one article fits two open events strongly they merge (the larger keeps
its id); when an open event's two halves drift apart, the smaller half splits
off under a new id. Both are reported in order (:class:`Change`) so the store
can record them (old id -> new id) and move the articles concerned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from digest.analyze.names import extract_entities
from digest.analyze.text import content_words

UTC = dt.timezone.utc


@dataclass(frozen=True)
class Params:
    threshold: float = 0.22  # minimum score to join an open event
    title_weight: int = 3  # the headline counts this many times
    max_vocabulary: int = 400_000  # document frequencies kept in the saved state
    short_terms: int = 50  # articles with fewer distinct terms get a proportionally lower threshold
    lead_words: int = 1_000_000  # the first words of the text count fully...
    body_weight: float = 1.0  # ... the rest this much (0: lead only)
    decay_hours: float = 120.0  # score *= exp(-gap / decay_hours)
    open_hours: float = 96.0  # an event with no article for this long is closed
    entity_bonus: float = 0.03  # per shared name (capped by max_entity_bonus)
    max_entity_bonus: float = 0.09
    merge_threshold: float = 0.4  # an article scoring this with two open events merges them
    split_below: float = 0.2  # an event whose two halves' average cosine falls below this splits
    split_sizes: tuple[int, int] = (6, 40)  # events of these sizes are checked (every second article)
    query_terms: int = 14  # article terms used to find candidate events
    index_terms: int = 40  # centroid terms indexed per event
    candidates: int = 8  # candidates scored exactly
    anchor: float = 0.5  # time gap measured from: 0 = last seen, 1 = first seen, 0.5 = mid-span
    embedding_weight: float = 0.0  # >0 (the [embeddings] extra): cosine = (1-w)*tfidf + w*sentence embedding


@dataclass(frozen=True)
class Incoming:
    """What the clusterer needs of one article."""

    key: str
    title: str
    text: str
    published: dt.datetime
    embedding: tuple[float, ...] | None = None  # unit-length sentence vector (optional extra)


@dataclass(frozen=True)
class Assignment:
    key: str
    event: str
    score: float  # 0.0 when the article started the event


@dataclass(frozen=True)
class Change:
    """A merge (every article of ``old_id`` now belongs to ``new_id``) or a split (the articles
    ``keys`` left ``old_id``, which goes on, for the new event ``new_id``)."""

    reason: str  # "merge" | "split"
    old_id: str
    new_id: str
    at: dt.datetime
    keys: tuple[str, ...] = ()  # for a split: the articles that moved


@dataclass
class OpenEvent:
    id: str
    first_seen: float  # POSIX seconds
    last_seen: float
    size: int
    centroid: dict[str, float]
    entities: Counter[str] = field(default_factory=Counter)
    norm2: float = 0.0
    indexed: frozenset[str] = frozenset()
    members: dict[str, Member] = field(default_factory=dict)  # kept while the event is open
    embedding: list[float] | None = None  # sum of the members' sentence vectors (when they have them)


@dataclass(frozen=True)
class Member:
    vector: dict[str, float]
    names: tuple[str, ...]
    when: float
    embedding: tuple[float, ...] | None = None


def new_event_id(first_key: str) -> str:
    return "ev-" + hashlib.sha256(first_key.encode("utf-8")).hexdigest()[:12]


def _seconds(when: dt.datetime) -> float:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


class IncrementalClusterer:
    """Streaming clusterer over open events; feed articles in time order with :meth:`add`."""

    def __init__(self, params: Params | None = None) -> None:
        self.params = params or Params()
        self.df: Counter[str] = Counter()
        self.docs = 0
        self.events: dict[str, OpenEvent] = {}
        self.postings: dict[str, set[str]] = {}
        self.clock = 0.0  # latest publication time seen (POSIX seconds)
        self.closed: list[str] = []  # events closed since the caller last cleared this
        self.changes: list[Change] = []  # merges and splits, in the order they happened
        self._expiry: list[tuple[float, str]] = []  # (last seen, event id) heap; stale entries skipped

    # -- vectors --------------------------------------------------------------

    def _terms(self, item: Incoming) -> Counter[str]:
        counts = Counter(content_words(item.title))
        for term in counts:
            counts[term] *= self.params.title_weight
        body = content_words(item.text)
        lead = self.params.lead_words
        counts.update(body[:lead])
        if self.params.body_weight and len(body) > lead:  # the rest of the body counts a fraction
            for term, n in Counter(body[lead:]).items():
                counts[term] = counts.get(term, 0) + n * self.params.body_weight
        return counts

    def vector(self, counts: Counter[str]) -> dict[str, float]:
        n = self.docs + 1
        vec = {t: (1.0 + math.log(c) if c >= 1 else c) * (math.log((n + 1) / (self.df.get(t, 0) + 1)) + 1.0)
               for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    # -- the open window ------------------------------------------------------

    def _close_stale(self, now: float) -> None:
        horizon = now - self.params.open_hours * 3600
        expiry = self._expiry
        while expiry and expiry[0][0] < horizon:
            _, event_id = heapq.heappop(expiry)
            event = self.events.get(event_id)
            if event is not None and event.last_seen < horizon:
                self._unindex(event)
                del self.events[event_id]
                self.closed.append(event_id)

    def _unindex(self, event: OpenEvent) -> None:
        for term in event.indexed:
            posting = self.postings.get(term)
            if posting is not None:
                posting.discard(event.id)
                if not posting:
                    del self.postings[term]
        event.indexed = frozenset()

    def _reindex(self, event: OpenEvent, touched: Iterable[str] | None = None) -> None:
        """Index the event's strongest centroid terms. Only ``touched`` terms (those of the article just
        added) can have risen, so they compete with the indexed ones; None re-ranks the whole centroid."""
        centroid = event.centroid
        pool = centroid.keys() if touched is None else event.indexed.union(touched)
        wanted = frozenset(heapq.nlargest(self.params.index_terms, pool, key=centroid.__getitem__))
        postings = self.postings
        for term in event.indexed - wanted:
            posting = postings.get(term)
            if posting is not None:
                posting.discard(event.id)
                if not posting:
                    del postings[term]
        for term in wanted - event.indexed:
            postings.setdefault(term, set()).add(event.id)
        event.indexed = wanted

    # -- scoring --------------------------------------------------------------

    def _candidates(self, vec: dict[str, float]) -> list[str]:
        postings = self.postings
        known = [(t, w) for t, w in vec.items() if t in postings]  # unseen terms cannot match
        query = heapq.nlargest(self.params.query_terms, known, key=lambda kv: kv[1])
        partial: dict[str, float] = {}
        for term, weight in query:
            for event_id in postings[term]:
                partial[event_id] = partial.get(event_id, 0.0) + weight
        return heapq.nlargest(self.params.candidates, partial, key=partial.__getitem__)

    def threshold_for(self, terms: int) -> float:
        """The join threshold for an article with ``terms`` distinct terms: lower for short texts
        (a feed summary of ten words cannot share as much with an event as a full lead can)."""
        return self.params.threshold * (min(1.0, math.sqrt(terms / self.params.short_terms)) if self.params.short_terms else 1.0)

    def score(self, vec: dict[str, float], names: set[str], when: float, event: OpenEvent,
              embedding: tuple[float, ...] | None = None) -> float:
        centroid = event.centroid
        dot = sum(vec[t] * centroid[t] for t in vec.keys() & centroid.keys())
        cosine = dot / math.sqrt(event.norm2) if event.norm2 > 0 else 0.0
        weight = self.params.embedding_weight
        if weight and embedding is not None and event.embedding is not None:
            cosine = (1.0 - weight) * cosine + weight * _embedding_cosine(embedding, event.embedding)
        entities, half = event.entities, event.size / 2
        shared = sum(1 for n in names & entities.keys() if entities[n] >= half)
        bonus = min(self.params.max_entity_bonus, self.params.entity_bonus * shared)
        ref = event.last_seen + self.params.anchor * (event.first_seen - event.last_seen)
        gap_hours = abs(when - ref) / 3600
        return (cosine + bonus) * math.exp(-gap_hours / self.params.decay_hours)

    # -- assignment -----------------------------------------------------------

    def add(self, item: Incoming) -> Assignment:
        """Assign one article (the caller feeds them in publication order)."""
        when = _seconds(item.published)
        self.clock = max(self.clock, when)
        self._close_stale(self.clock)
        counts = self._terms(item)
        vec = self.vector(counts)
        names = set(extract_entities(f"{item.title}.\n{item.text}"))
        scored = sorted(((self.score(vec, names, when, self.events[e], item.embedding), e)
                         for e in self._candidates(vec)), reverse=True)
        self.docs += 1
        self.df.update(counts.keys())
        if not scored or scored[0][0] < self.threshold_for(len(vec)):
            event = OpenEvent(id=self._fresh_id(item.key), first_seen=when, last_seen=when, size=0, centroid={})
            self.events[event.id] = event
            self._absorb(event, vec, names, when, item.key, embedding=item.embedding)
            return Assignment(key=item.key, event=event.id, score=0.0)
        best_score, best_id = scored[0]
        event = self.events[best_id]
        self._absorb(event, vec, names, when, item.key, embedding=item.embedding)
        if len(scored) > 1 and scored[1][0] >= self.params.merge_threshold:
            event = self._maybe_merge(event, self.events[scored[1][1]], when)
        low, high = self.params.split_sizes
        if low <= event.size <= high and event.size % 2 == 0:
            event = self._maybe_split(event, item.key, when)
        return Assignment(key=item.key, event=event.id, score=round(best_score, 4))

    def _maybe_merge(self, a: OpenEvent, b: OpenEvent, when: float) -> OpenEvent:
        """An article that fits two open events strongly: the events were one all along; merge them
        if their centroids also agree (cosine at least ``threshold``)."""
        small, large = sorted((a, b), key=lambda e: (e.size, -e.first_seen, e.id))
        dot = sum(w * large.centroid.get(t, 0.0) for t, w in small.centroid.items())
        if dot / math.sqrt(small.norm2 * large.norm2 or 1.0) < self.params.threshold:
            return a
        self._unindex(small)
        del self.events[small.id]
        for term, weight in small.centroid.items():
            old = large.centroid.get(term, 0.0)
            large.centroid[term] = old + weight
            large.norm2 += (old + weight) ** 2 - old * old
        large.entities.update(small.entities)
        large.embedding = _add_vectors(large.embedding, small.embedding)
        large.members.update(small.members)
        large.size += small.size
        large.first_seen = min(large.first_seen, small.first_seen)
        large.last_seen = max(large.last_seen, small.last_seen)
        heapq.heappush(self._expiry, (large.last_seen, large.id))
        self._reindex(large)
        self.changes.append(Change("merge", old_id=small.id, new_id=large.id,
                                   at=dt.datetime.fromtimestamp(when, UTC)))
        return large

    def _maybe_split(self, event: OpenEvent, key: str, when: float) -> OpenEvent:
        """Two stories glued together by articles that fit both: split off the smaller one.
        Returns the event that now holds ``key``."""
        parts, cross = two_way_split(event.members)
        if cross >= self.params.split_below or min(len(p) for p in parts) < 2:
            return event
        keep, leave = sorted(parts, key=lambda p: (-len(p), min(event.members[k].when for k in p)))
        first = min(leave, key=lambda k: (event.members[k].when, k))
        other = OpenEvent(id=self._fresh_id(first), first_seen=when, last_seen=when, size=0, centroid={})
        self.events[other.id] = other
        moving = {k: event.members.pop(k) for k in leave}
        self._rebuild(event)
        for k, member in sorted(moving.items(), key=lambda kv: (kv[1].when, kv[0])):
            self._absorb(other, member.vector, set(member.names), member.when, k, member.names, member.embedding)
        self.changes.append(Change("split", old_id=event.id, new_id=other.id, keys=tuple(sorted(leave)),
                                   at=dt.datetime.fromtimestamp(when, UTC)))
        return other if key in moving else event

    def _rebuild(self, event: OpenEvent) -> None:
        """Centroid, names and times recomputed from the event's members."""
        self._unindex(event)
        members = list(event.members.values())
        event.centroid = {}
        for m in members:
            for term, weight in m.vector.items():
                event.centroid[term] = event.centroid.get(term, 0.0) + weight
        event.norm2 = sum(v * v for v in event.centroid.values())
        event.entities = Counter(n for m in members for n in sorted(set(m.names)))
        event.embedding = None
        for m in members:
            event.embedding = _add_vectors(event.embedding, m.embedding)
        event.size = len(members)
        event.first_seen = min(m.when for m in members)
        event.last_seen = max(m.when for m in members)
        heapq.heappush(self._expiry, (event.last_seen, event.id))
        self._reindex(event)

    def seed(self, item: Incoming, event_id: str) -> None:
        """Put an article into a known event (rebuilding the open window from stored assignments)."""
        when = _seconds(item.published)
        self.clock = max(self.clock, when)
        counts = self._terms(item)
        vec = self.vector(counts)
        self.docs += 1
        self.df.update(counts.keys())
        event = self.events.get(event_id)
        if event is None:
            event = self.events[event_id] = OpenEvent(id=event_id, first_seen=when, last_seen=when, size=0,
                                                      centroid={})
        names = extract_entities(f"{item.title}.\n{item.text}")
        self._absorb(event, vec, set(names), when, item.key, tuple(sorted(set(names))), item.embedding)

    def _fresh_id(self, key: str) -> str:
        event_id = new_event_id(key)
        while event_id in self.events:
            event_id = new_event_id(event_id)
        return event_id

    def _absorb(self, event: OpenEvent, vec: dict[str, float], names: set[str], when: float, key: str,
                kept_names: tuple[str, ...] | None = None, embedding: tuple[float, ...] | None = None) -> None:
        centroid, norm2 = event.centroid, event.norm2
        for term, weight in vec.items():
            old = centroid.get(term, 0.0)
            new = old + weight
            centroid[term] = new
            norm2 += new * new - old * old
        event.norm2 = norm2
        event.entities.update(names)
        event.embedding = _add_vectors(event.embedding, embedding)
        event.size += 1
        event.first_seen = min(event.first_seen, when)
        event.last_seen = max(event.last_seen, when)
        heapq.heappush(self._expiry, (event.last_seen, event.id))
        event.members[key] = Member(vector=vec, names=kept_names if kept_names is not None else tuple(sorted(names)),
                                    when=when, embedding=embedding)
        self._reindex(event, vec.keys())

    # -- persistence ----------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Plain JSON-able data from which :meth:`from_state` rebuilds this clusterer."""
        return {
            "docs": self.docs, "clock": self.clock, "df": self._kept_df(),
            "events": [{"id": e.id, "first_seen": e.first_seen, "last_seen": e.last_seen, "size": e.size,
                        "centroid": e.centroid, "entities": dict(e.entities),
                        "members": {k: [m.vector, list(m.names), m.when] + ([list(m.embedding)] if m.embedding else [])
                                    for k, m in e.members.items()},
                        **({"embedding": e.embedding} if e.embedding is not None else {})}
                       for e in self.events.values()],
        }

    def _kept_df(self) -> dict[str, int]:
        """Document frequencies to keep: all of them up to ``max_vocabulary`` terms, else the most
        frequent (a term seen once long ago weighs as a new one), so the saved state stays bounded."""
        if len(self.df) <= self.params.max_vocabulary:
            return dict(self.df)
        return dict(self.df.most_common(self.params.max_vocabulary))

    @classmethod
    def from_state(cls, state: dict[str, Any], params: Params | None = None) -> IncrementalClusterer:
        self = cls(params)
        self.docs = int(state.get("docs", 0))
        self.clock = float(state.get("clock", 0.0))
        self.df = Counter(state.get("df", {}))
        for e in state.get("events", []):
            event = OpenEvent(id=e["id"], first_seen=e["first_seen"], last_seen=e["last_seen"], size=e["size"],
                              centroid=dict(e["centroid"]), entities=Counter(e["entities"]),
                              members={k: Member(vector=dict(m[0]), names=tuple(m[1]), when=m[2],
                                                 embedding=tuple(m[3]) if len(m) > 3 else None)
                                       for k, m in e.get("members", {}).items()},
                              embedding=list(e["embedding"]) if e.get("embedding") else None)
            event.norm2 = sum(v * v for v in event.centroid.values())
            self.events[event.id] = event
            heapq.heappush(self._expiry, (event.last_seen, event.id))
            self._reindex(event)
        return self


def _add_vectors(total: list[float] | None, vector: Sequence[float] | None) -> list[float] | None:
    """``total + vector`` (sentence-vector sums; None stands for "no vectors yet")."""
    if vector is None:
        return total
    if total is None:
        return list(vector)
    return [a + b for a, b in zip(total, vector)]


def _embedding_cosine(vector: Sequence[float], total: Sequence[float]) -> float:
    """Cosine of a unit vector with an event's vector sum (the direction of its mean)."""
    norm = math.sqrt(sum(x * x for x in total))
    return sum(a * b for a, b in zip(vector, total)) / norm if norm > 0 else 0.0


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def two_way_split(members: dict[str, Member]) -> tuple[list[list[str]], float]:
    """Average-linkage agglomeration of an event's members down to two groups, and the average
    cosine between the two (1.0 when there are fewer than two members)."""
    keys = sorted(members)
    if len(keys) < 2:
        return [keys], 1.0
    sim = {(a, b): _dot(members[a].vector, members[b].vector) for i, a in enumerate(keys) for b in keys[i + 1:]}
    groups = [[k] for k in keys]

    def link(g: list[str], h: list[str]) -> float:
        return sum(sim[(a, b) if a < b else (b, a)] for a in g for b in h) / (len(g) * len(h))

    while len(groups) > 2:
        _, i, j = max((link(groups[i], groups[j]), i, j) for i in range(len(groups))
                      for j in range(i + 1, len(groups)))
        groups[i] = groups[i] + groups.pop(j)
    return groups, link(groups[0], groups[1])


def resolve(changes: list[Change], assignments: dict[str, str]) -> dict[str, str]:
    """Article key -> its event after ``changes`` (in order) applied to ``assignments`` (key -> event)."""
    where = dict(assignments)
    members: dict[str, set[str]] = {}
    for key, event in where.items():
        members.setdefault(event, set()).add(key)
    for change in changes:
        moving = set(change.keys) if change.reason == "split" else members.pop(change.old_id, set())
        for key in moving:
            if key in where:
                members.get(where[key], set()).discard(key)
                where[key] = change.new_id
                members.setdefault(change.new_id, set()).add(key)
    return where


def replay(items: list[Incoming], params: Params | None = None) -> list[Assignment]:
    """Cluster ``items`` from scratch in publication order (ties by key); merges and splits applied."""
    clusterer = IncrementalClusterer(params)
    ordered = sorted(items, key=lambda i: (_seconds(i.published), i.key))
    assignments = [clusterer.add(item) for item in ordered]
    final = resolve(clusterer.changes, {a.key: a.event for a in assignments})
    return [Assignment(a.key, final[a.key], a.score) for a in assignments]
