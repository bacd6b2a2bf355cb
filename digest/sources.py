"""Read every configured source into Documents, one feed at a time.

Each feed yields a :class:`FeedOutcome` — its documents and its new polling
state — and a failing feed yields its error as a value, never an exception.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from digest.config import FeedConfig, PollConfig
from digest.errors import SourceError
from digest.extract import extract
from digest.fetch.http import fetch
from digest.fetch.local import LocalItem, read_feed_file, read_folder
from digest.fetch.parse import Entry, FeedParseError, parse_feed, plain_text
from digest.fetch.schedule import after_failure, after_success
from digest.model import Document, FeedState

log = logging.getLogger("digest.sources")
FULL_TEXT_MIN_WORDS = 150  # entries with less text than this get their page fetched


@dataclass(frozen=True)
class FeedOutcome:
    name: str
    documents: tuple[Document, ...]
    state: FeedState
    note: str = ""  # what happened, for the log

    @property
    def failed(self) -> bool:
        return self.state.status == "failing" and self.state.error is not None


def _item_document(item: LocalItem, feed: FeedConfig, feed_title: str | None, now: dt.datetime) -> Document:
    return Document(
        feed=feed.name, outlet=item.outlet or feed.outlet or feed_title or feed.name, key=item.key,
        body=item.body, is_html=item.is_html, url=item.url, path=item.path, title=item.title,
        published=item.published, byline=item.byline, summary=item.summary, fetched=now,
    )


def read_local(feed: FeedConfig, state: FeedState, now: dt.datetime, every: dt.timedelta) -> FeedOutcome:
    """A local folder of saved articles or a saved feed file."""
    assert feed.path is not None
    try:
        if feed.path.is_dir():
            items, feed_title = read_folder(feed.path, feed.name), None
        else:
            feed_title, items = read_feed_file(feed.path)
    except (SourceError, OSError) as err:
        message = str(err) if isinstance(err, SourceError) else f"{feed.path}: {err.strerror}"
        return FeedOutcome(feed.name, (), after_failure(state, now, every, message), "failed")
    documents = tuple(_item_document(i, feed, feed_title, now) for i in items)
    kind = "folder" if feed.path.is_dir() else "feed file"
    new_state = after_success(state, now, every, entries=len(documents))
    return FeedOutcome(feed.name, documents, new_state, f"{len(documents)} items from local {kind}")


def _entry_document(entry: Entry, feed: FeedConfig, feed_title: str | None, now: dt.datetime) -> Document:
    body = entry.content or entry.summary or ""
    return Document(
        feed=feed.name, outlet=feed.outlet or feed_title or feed.name, key=entry.key, body=body,
        is_html=True, url=entry.link, title=entry.title, published=entry.published, byline=entry.author,
        summary=plain_text(entry.summary), fetched=now,
    )


def _needs_page(document: Document) -> bool:
    if not document.url or not document.url.startswith(("http://", "https://")):
        return False
    text = plain_text(document.body) or ""
    return len(text.split()) < FULL_TEXT_MIN_WORDS


def _with_page(client: httpx.Client, document: Document, poll: PollConfig) -> Document:
    """Replace a summary-only entry's body by its article page when that page has more text."""
    assert document.url is not None
    result = fetch(client, document.url, max_bytes=poll.max_bytes, accept="text/html,*/*;q=0.5")
    if not result.ok or not result.body:
        log.info("feed %r: article page %s not used (%s)", document.feed, document.url,
                 result.error or "empty")
        return document
    page = result.body.decode(_charset(result.headers), errors="replace")
    if len(extract(page, is_html=True, url=result.url).text.split()) <= len((plain_text(document.body) or "").split()):
        return document
    return dataclasses.replace(document, body=page, is_html=True)


def _charset(headers: Mapping[str, str]) -> str:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    for part in content_type.split(";"):
        if part.strip().lower().startswith("charset="):
            return part.split("=", 1)[1].strip().strip('"') or "utf-8"
    return "utf-8"


def read_http(feed: FeedConfig, state: FeedState, client: httpx.Client, poll: PollConfig,
              now: dt.datetime) -> FeedOutcome:
    """Fetch and parse a web feed; fetch article pages for summary-only entries."""
    assert feed.url is not None
    url = state.url or feed.url
    result = fetch(client, url, etag=state.etag, last_modified=state.last_modified, max_bytes=poll.max_bytes,
                   accept="application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5")
    if result.not_modified:
        return FeedOutcome(feed.name, (), after_success(state, now, poll.every), "not modified (304)")
    if result.error or not result.ok:
        return FeedOutcome(feed.name, (), after_failure(state, now, poll.every, result.error or "no response"),
                           "failed")
    body_hash = hashlib.sha256(result.body).hexdigest()
    validators = {"etag": result.headers.get("etag"), "last_modified": result.headers.get("last-modified"),
                  "body_hash": body_hash, "latency_ms": result.elapsed_ms}
    if body_hash == state.body_hash:
        return FeedOutcome(feed.name, (), after_success(state, now, poll.every, **validators), "unchanged")
    try:
        parsed = parse_feed(result.body, result.headers, result.url)
    except FeedParseError as err:
        return FeedOutcome(feed.name, (), after_failure(state, now, poll.every, str(err)), "failed")
    documents = [_entry_document(e, feed, parsed.title, now) for e in parsed.entries]
    documents = [_with_page(client, d, poll) if _needs_page(d) else d for d in documents]
    new_state = after_success(state, now, poll.every, entries=len(documents), **validators)
    return FeedOutcome(feed.name, tuple(documents), new_state, f"{len(documents)} entries")
