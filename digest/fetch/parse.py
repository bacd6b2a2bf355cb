"""Feed bytes + response headers -> feed metadata and entries (feedparser).

Pure: it is handed what was fetched and never fetches. Titles that arrive as
escaped HTML are turned into plain text; dates become aware UTC datetimes;
relative links are resolved against the feed's address.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import make_safe_absolute_uri

from digest.asciitext import CONTROL, ascii_free_of

UTC = dt.timezone.utc
_TAG = re.compile(r"<[^>]+>")
# feedparser's dicts translate key aliases on every lookup and raise inside get() for a missing key;
# the keys read here have no alias, so the plain dict lookup gives the same answer
_get = dict.get
_NOT_PLAIN_TEXT = CONTROL + b"<&"  # control characters (so any whitespace but a space), tags, entities
_MISSING = object()


class FeedParseError(Exception):
    """The bytes are not a feed we can read; the message says why in one line."""


@dataclass(frozen=True)
class Entry:
    """One feed entry, as plain data."""

    key: str  # stable identity: guid/id, else link, else hash of title + date
    title: str | None
    link: str | None
    published: dt.datetime | None
    updated: dt.datetime | None
    author: str | None
    summary: str | None  # HTML or text, as the feed had it
    content: str | None  # full content (HTML) when the feed carries it
    content_is_html: bool = True


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    language: str | None
    entries: tuple[Entry, ...]
    malformed: str | None = None  # feedparser's complaint when it read the feed anyway


def plain_text(value: str | None) -> str | None:
    """Strip tags and unescape entities (feed titles often arrive as escaped HTML)."""
    if value is None:
        return None
    if _already_plain(value):
        return value or None
    if "<" in value:
        value = _TAG.sub(" ", value)
    text = " ".join(html.unescape(value).split())  # split() and re's \s agree on what is whitespace
    return text or None


def _already_plain(value: str) -> bool:
    """What plain_text gives back unchanged, by C-speed tests: printable ASCII (no control characters,
    so no whitespace but spaces), single spaces between words, nothing to unescape or strip."""
    return (ascii_free_of(value, _NOT_PLAIN_TEXT) and "  " not in value
            and value[:1] != " " and value[-1:] != " ")


def _when(parsed: object) -> dt.datetime | None:
    if not parsed:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)  # type: ignore[arg-type]
    except (OverflowError, ValueError, TypeError):
        return None


def _times(entry: Mapping) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(published, updated): published falls back to updated; ``updated_parsed`` is read as feedparser
    answers it (its published_parsed when the entry has no updated_parsed), without its warning."""
    published_parsed = _get(entry, "published_parsed")
    has_updated = dict.__contains__(entry, "updated_parsed")
    updated_parsed = _get(entry, "updated_parsed") if has_updated else published_parsed
    updated = _when(updated_parsed)
    published = updated if updated_parsed is published_parsed else _when(published_parsed)
    return published or updated, updated


def _content(entry: Mapping) -> tuple[str | None, bool]:
    best, best_html = None, True
    for part in _get(entry, "content") or ():
        value = _get(part, "value") or ""
        if best is None or len(value) > len(best):
            best, best_html = value, "html" in (_get(part, "type") or "text/html")
    return best, best_html


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _entry_key(entry: Mapping, link: str | None, title: str | None, published: dt.datetime | None,
               scope: str | None) -> str:
    """guid/id, else link, else a hash of title + date (+ text when both are missing).

    A guid that is not a URI ("1234", "post-5") is only unique within its feed,
    so it is scoped by the feed's site link (stable when the feed URL moves);
    so is the hash, so two feeds' untitled, undated items never collide.
    """
    guid = (_get(entry, "id") or "").strip()
    if guid:
        return guid if _SCHEME.match(guid) or not scope else f"{scope}#{guid}"
    if link:
        return link
    material = [scope or "", title or "", published.isoformat() if published else ""]
    if not title and not published:
        material.append(_get(entry, "summary") or "")
        material.extend(_get(part, "value") or "" for part in _get(entry, "content") or ())
    return "sha256:" + hashlib.sha256("\x00".join(material).encode()).hexdigest()[:32]


_HTML_TYPES = {"text/html", "application/xhtml+xml"}


def _clean(value: object, content_type: object, encoding: str) -> object:
    """feedparser's own sanitiser, as ``sanitize_html=True`` runs it, skipped where it cannot change
    more than whitespace (no markup, no entities): most plain-text feeds, for about 10% of the parse."""
    if not isinstance(value, str) or not value or str(content_type or "text/html").lower() not in _HTML_TYPES:
        return value
    if "<" not in value and "&" not in value:
        return value.strip().replace("\r\n", "\n")
    return _sanitize_html(value, encoding, content_type)


def _sanitize_detail(holder: Mapping, key: str, encoding: str) -> None:
    detail = _get(holder, f"{key}_detail")
    content_type = _get(detail, "type") if detail else None
    original = _get(holder, key, _MISSING)
    if original is not _MISSING:
        cleaned = _clean(original, content_type, encoding)
        holder[key] = cleaned  # type: ignore[index]
    value = _get(detail, "value") if detail else None
    if value is not None:  # mostly the same text as holder[key]: cleaned once
        same = original is not _MISSING and value == original
        detail["value"] = cleaned if same else _clean(value, content_type, encoding)


def _sanitize(parsed: Mapping) -> None:
    """Scripts, styles, event handlers and unsafe links out of the fields we read (titles, summaries, content)."""
    encoding = parsed.get("encoding") or "utf-8"
    _sanitize_detail(parsed["feed"], "title", encoding)
    for entry in parsed["entries"]:
        _sanitize_detail(entry, "title", encoding)
        _sanitize_detail(entry, "summary", encoding)
        for part in _get(entry, "content") or ():
            part["value"] = _clean(_get(part, "value"), _get(part, "type"), encoding)


def _absolute(base: str | None, link: str | None) -> str | None:
    """``link`` resolved against ``base``; "" for a scheme that is not safe to link to (javascript: ...)."""
    if not link or not base:
        return link
    return make_safe_absolute_uri(base, link)


def _entry_link(raw: Mapping, base: str | None) -> str | None:
    link = _get(raw, "link")
    if link and base and _get(raw, "guidislink") and link == _get(raw, "id"):
        return urljoin(base, link)  # a guid standing in for the link ("urn:..." too) is joined as is
    return _absolute(base, link)


def parse_feed(body: bytes, headers: Mapping[str, str] | None, url: str | None) -> ParsedFeed:
    """Parse feed bytes. Raises FeedParseError when nothing feed-like is found."""
    # No content-location and no resolve_relative_uris: feedparser would then join every element
    # against the feed's address (a third of its time); the links we keep are resolved below
    # with the same safe join, and the entries' HTML is only ever turned into text.
    response_headers = {k.lower(): v for k, v in (headers or {}).items() if k.lower() != "content-location"}
    # a stream, never the bytes themselves: feedparser first tries bytes as a file name to open (a
    # server answering "/etc/passwd" would have a local file read), a system call for every feed
    parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers, sanitize_html=False,
                              resolve_relative_uris=False)
    _sanitize(parsed)
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = f" ({str(reason).splitlines()[0]})" if reason else ""
        raise FeedParseError(f"not an RSS or Atom feed{detail}")
    feed_link = _absolute(url, parsed.feed.get("link"))
    base = url or feed_link
    scope = feed_link or url
    entries = []
    for raw in parsed.entries:
        link = _entry_link(raw, base)
        title = plain_text(_get(raw, "title"))
        published, updated = _times(raw)
        content, content_is_html = _content(raw)
        entries.append(Entry(
            key=_entry_key(raw, link, title, published, scope),
            title=title,
            link=link,
            published=published,
            updated=updated,
            author=plain_text(_get(raw, "author")),
            summary=_get(raw, "summary"),
            content=content,
            content_is_html=content_is_html,
        ))
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    return ParsedFeed(
        title=plain_text(parsed.feed.get("title")),
        link=feed_link,
        language=parsed.feed.get("language"),
        entries=tuple(entries),
        malformed=str(bozo).splitlines()[0] if bozo else None,
    )
