"""The edition as data: ``Briefing`` <-> the ``briefing.json`` document.

``briefing_to_json`` produces the shape described in DESIGN.md with a fixed
key order (dicts are built in schema order, so ``json.dumps`` without
``sort_keys`` is byte-for-byte deterministic). ``briefing_from_json`` is its
exact inverse: ``briefing_from_json(briefing_to_json(b)) == b``.

Datetimes are ISO 8601 strings with a UTC offset; naive datetimes are refused
because the model promises aware ones and an offset-less timestamp in a
published file would be ambiguous. Dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from typing import Any

from digest.model import (
    Appearance,
    Briefing,
    Claim,
    Disagreement,
    Event,
    Fact,
    FeedHealth,
    Framing,
    QuietEvent,
    Quote,
    SourceRef,
    TimelineEntry,
)

SCHEMA_VERSION = 1

JSONDict = dict[str, Any]


def _iso(value: dt.datetime | None, what: str) -> str | None:
    """An aware datetime as ISO 8601 with offset; None stays None."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{what} is a naive datetime ({value!r}); the model requires aware datetimes"
        )
    return value.isoformat()


def _parse_dt(value: str | None) -> dt.datetime | None:
    """Inverse of ``_iso``."""
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} in briefing.json has no UTC offset")
    return parsed


def _required_dt(value: str) -> dt.datetime:
    """``_parse_dt`` for fields that may not be null."""
    parsed = _parse_dt(value)
    if parsed is None:
        raise ValueError("a required timestamp in briefing.json is null")
    return parsed


def _plain(value: Any, what: str) -> Any:
    """A model value as JSON: dataclasses as dicts in field order, tuples as lists."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name), f"{what}.{f.name}") for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_plain(v, what) for v in value]
    if isinstance(value, dt.datetime):
        return _iso(value, what)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _from_plain(kind: Any, value: Any) -> Any:
    """Inverse of ``_plain`` for a value of type ``kind`` (as written in model.py)."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
        return _from_plain(kind, value)
    if origin is tuple:
        return tuple(_from_plain(typing.get_args(kind)[0], v) for v in value)
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _from_plain(hints[f.name], value[f.name])
                       for f in dataclasses.fields(kind) if f.name in value})
    if kind is dt.datetime:
        return _required_dt(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    return value


_EVENT_DETAIL = {  # event fields beyond the core, serialised generically, in this order
    "disagreements": tuple[Disagreement, ...],
    "quotes": tuple[Quote, ...],
    "framings": tuple[Framing, ...],
    "timeline": tuple[TimelineEntry, ...],
    "open_questions": tuple[Claim, ...],
    "entities": tuple[str, ...],
    "new_articles": int,
    "new_facts": int,
    "summary_sources": tuple[str, ...],
}


def _source_to_json(source: SourceRef) -> JSONDict:
    return {
        "id": source.id,
        "outlet": source.outlet,
        "title": source.title,
        "url": source.url,
        "published": _iso(source.published, f"source {source.id} published"),
        "byline": source.byline,
        "origin": source.origin,
        "feed": source.feed,
        "quoted_from": list(source.quoted_from),
        "credits": list(source.credits),
        "journalists": list(source.journalists),
        "appearances": [
            {"outlet": a.outlet, "url": a.url, "published": _iso(a.published, f"source {source.id} appearance"),
             "feed": a.feed}
            for a in source.appearances
        ],
    }


def _event_to_json(event: Event) -> JSONDict:
    return {
        "id": event.id,
        "status": event.status,
        "title": event.title,
        "summary": event.summary,
        "first_seen": _iso(event.first_seen, f"event {event.id} first_seen"),
        "last_seen": _iso(event.last_seen, f"event {event.id} last_seen"),
        "sources": list(event.sources),
        "outlet_count": event.outlet_count,
        "independent_sources": event.independent_sources,
        "facts": [
            {"text": fact.text, "sources": list(fact.sources), "support": fact.support,
             "origins": list(fact.origins)}
            for fact in event.facts
        ],
        **{name: _plain(getattr(event, name), f"event {event.id} {name}") for name in _EVENT_DETAIL},
    }


def _health_to_json(health: FeedHealth) -> JSONDict:
    return {
        "feed": health.feed,
        "status": health.status,
        "error": health.error,
        "last_success": _iso(health.last_success, f"feed {health.feed} last_success"),
    }


def briefing_to_json(briefing: Briefing) -> JSONDict:
    """The JSON-ready dict of one edition (schema 1), keys in schema order."""
    return {
        "schema": SCHEMA_VERSION,
        "edition": {
            "title": briefing.title,
            "date": briefing.date.isoformat(),
            "number": briefing.number,
            "generated_at": _iso(briefing.generated_at, "generated_at"),
            "timezone": briefing.timezone,
            "window": {
                "start": _iso(briefing.window_start, "window start"),
                "end": _iso(briefing.window_end, "window end"),
            },
        },
        "overview": briefing.overview,
        "sources": [_source_to_json(s) for s in briefing.sources],
        "syndication": [
            {"origin": origin, "sources": list(ids)} for origin, ids in briefing.syndication
        ],
        "events": [_event_to_json(e) for e in briefing.events],
        "feed_health": [_health_to_json(h) for h in briefing.feed_health],
        "quiet_events": _plain(briefing.quiet_events, "quiet_events"),
    }


def _source_from_json(d: JSONDict) -> SourceRef:
    return SourceRef(
        id=d["id"],
        outlet=d["outlet"],
        title=d["title"],
        published=_required_dt(d["published"]),
        url=d.get("url"),
        byline=d.get("byline"),
        origin=d.get("origin"),
        feed=d.get("feed"),
        quoted_from=tuple(d.get("quoted_from", ())),
        credits=tuple(d.get("credits", ())),
        journalists=tuple(d.get("journalists", ())),
        appearances=tuple(Appearance(outlet=a["outlet"], url=a.get("url"), published=_required_dt(a["published"]),
                                     feed=a.get("feed")) for a in d.get("appearances", ())),
    )


def _event_from_json(d: JSONDict) -> Event:
    return Event(
        id=d["id"],
        status=d["status"],
        title=d["title"],
        summary=d["summary"],
        first_seen=_required_dt(d["first_seen"]),
        last_seen=_required_dt(d["last_seen"]),
        sources=tuple(d["sources"]),
        outlet_count=d["outlet_count"],
        independent_sources=d["independent_sources"],
        facts=tuple(
            Fact(text=f["text"], sources=tuple(f["sources"]), support=f["support"],
                 origins=tuple(f.get("origins", ())))
            for f in d.get("facts", ())
        ),
        **{name: _from_plain(kind, d[name]) for name, kind in _EVENT_DETAIL.items() if name in d},
    )


def briefing_from_json(d: JSONDict) -> Briefing:
    """Rebuild the ``Briefing`` that ``briefing_to_json`` produced ``d`` from."""
    if d.get("schema") != SCHEMA_VERSION:
        raise ValueError(
            f"briefing.json schema {d.get('schema')!r} is not supported (expected {SCHEMA_VERSION})"
        )
    edition = d["edition"]
    return Briefing(
        title=edition["title"],
        date=dt.date.fromisoformat(edition["date"]),
        number=edition["number"],
        generated_at=_required_dt(edition["generated_at"]),
        window_start=_required_dt(edition["window"]["start"]),
        window_end=_required_dt(edition["window"]["end"]),
        timezone=edition["timezone"],
        overview=d["overview"],
        sources=tuple(_source_from_json(s) for s in d["sources"]),
        events=tuple(_event_from_json(e) for e in d["events"]),
        feed_health=tuple(
            FeedHealth(
                feed=h["feed"],
                status=h["status"],
                error=h.get("error"),
                last_success=_parse_dt(h.get("last_success")),
            )
            for h in d.get("feed_health", ())
        ),
        syndication=tuple(
            (group["origin"], tuple(group["sources"])) for group in d.get("syndication", ())
        ),
        quiet_events=_from_plain(tuple[QuietEvent, ...], d.get("quiet_events", [])),
    )
