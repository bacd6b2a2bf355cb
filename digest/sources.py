"""Read a local source (a folder of saved articles or a saved feed file) into Documents.

Each feed yields a :class:`FeedOutcome` — its documents and its new polling
state — and a failing feed yields its error as a value, never an exception.
Web feeds are polled by :mod:`digest.fetch.poller`, which turns their entries
into Documents with :func:`_entry_document`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from digest.config import FeedConfig
from digest.errors import SourceError
from digest.fetch.local import LocalItem, read_feed_file, read_folder
from digest.fetch.parse import Entry, plain_text
from digest.fetch.schedule import after_failure, after_success
from digest.model import Document, FeedState


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
