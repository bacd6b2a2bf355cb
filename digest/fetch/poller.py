"""Poll many web feeds at once: fetch on the event loop, parse and extract in worker processes.

Each feed is an independent task that ends in a :class:`PollOutcome` (its new
state, the articles it brought, a note); nothing one feed does (stall, reset,
garbage, HTML instead of XML, an entity bomb) raises out of its task or holds
up the others beyond its own deadline. Outcomes are handed to ``sink`` in
batches from a single writer thread, so storage writes overlap the fetching.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
from concurrent.futures.process import BrokenProcessPool
import dataclasses
import datetime as dt
import hashlib
import logging
import multiprocessing
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from digest.asciitext import CONTROL, ascii_free_of
from digest.config import FeedConfig, PollConfig
from digest.fetch import policy
from digest.fetch.aio import PAGE_ACCEPT, AsyncFetcher, Fetched
from digest.fetch.parse import FeedParseError, parse_feed, plain_text
from digest.fetch.safety import decode_text, xml_refusal
from digest.ingest import article_from_document
from digest.model import Article, Document, FeedState

log = logging.getLogger("digest.poll")
POOL_THRESHOLD = 8  # fewer feeds than this to parse: a thread is cheaper than starting processes
WRITE_BATCH = 64  # outcomes per storage transaction at most
WRITE_LINGER = 0.15  # seconds the writer waits for more outcomes before a transaction (fewer, larger ones)
PAGES_PER_FEED = 4  # article pages fetched at once for one feed (the per-host limit still applies)


@dataclass(frozen=True)
class FeedJob:
    feed: FeedConfig
    state: FeedState


@dataclass(frozen=True)
class PollOutcome:
    name: str
    state: FeedState
    note: str
    articles: tuple[Article, ...] = ()
    empty: int = 0  # entries that had no text at all
    error: str | None = None


@dataclass(frozen=True)
class _Parsed:
    title: str | None
    articles: tuple[Article, ...]
    pending: tuple[Document, ...]  # summary-only entries whose page should be fetched
    empty: int
    error: str | None = None


# -- worker side (runs in a process pool; top-level functions only) ----------

FULL_TEXT_MIN_WORDS = 150


def _needs_page(document: Document, article: Article | None) -> bool:
    """A web link and too little text from the feed itself (counted on the extracted text)."""
    if not document.url or not document.url.startswith(("http://", "https://")):
        return False
    return article is None or word_count(article.text) < FULL_TEXT_MIN_WORDS


def word_count(text: str) -> int:
    """``len(text.split())``; extracted text (printable ASCII words, one space apart, paragraphs one
    blank line apart) is counted by its spaces instead of being split into 150+ strings."""
    spaced = text.replace("\n\n", " ")
    if ascii_free_of(spaced, CONTROL) and "  " not in spaced and spaced[:1] not in ("", " ") and spaced[-1:] != " ":
        return spaced.count(" ") + 1
    return len(text.split())


def parse_and_extract(body: bytes, headers: dict[str, str], url: str, feed: FeedConfig,
                      now: dt.datetime) -> _Parsed:
    """Feed bytes -> articles ready to store, plus entries whose page must be fetched first."""
    from digest.sources import _entry_document  # entry -> Document, shared with the sync path

    try:
        parsed = parse_feed(body, headers, url)
    except FeedParseError as err:
        return _Parsed(None, (), (), 0, error=str(err))
    except Exception as err:  # noqa: BLE001 - a parser bug must stay this feed's problem
        return _Parsed(None, (), (), 0, error=f"feed could not be parsed: {type(err).__name__}: {err}")
    articles, pending, empty = [], [], 0
    for entry in parsed.entries:
        document = _entry_document(entry, feed, parsed.title, now)
        article = article_from_document(document, now)  # extraction runs once per entry
        if _needs_page(document, article):
            pending.append(document)
            continue
        if article is None:
            empty += 1
        else:
            articles.append(article)
    return _Parsed(parsed.title, tuple(articles), tuple(pending), empty)


def extract_with_pages(items: Sequence[tuple[Document, str | None, str | None]],
                       now: dt.datetime) -> tuple[tuple[Article, ...], int]:
    """(entry document, fetched page HTML or None, page URL) -> articles; a page is used when it says more."""
    articles, empty = [], 0
    for document, page, page_url in items:
        article = None
        if page:
            with_page = dataclasses.replace(document, body=page, is_html=True)
            article = article_from_document(with_page, now)
            summary_words = len((plain_text(document.body) or "").split())
            if article is not None and len(article.text.split()) <= summary_words:
                article = None
        article = article or article_from_document(document, now)
        if article is None:
            empty += 1
        else:
            articles.append(article)
    return tuple(articles), empty


def _warm(_: object = None) -> int:
    return os.getpid()


# -- event-loop side -----------------------------------------------------------

class Workers:
    """Where parsing and extraction run: a process pool for many feeds, a thread for a few."""

    def __init__(self, feeds_to_parse: int) -> None:
        self.processes = feeds_to_parse >= POOL_THRESHOLD and (os.cpu_count() or 1) > 1
        self._executor: cf.Executor | None = None  # started on first use: an all-304 poll never forks

    @property
    def executor(self) -> cf.Executor:
        if self._executor is None:
            self._executor = self._start()
        return self._executor

    def _start(self) -> cf.Executor:
        if self.processes:
            try:
                context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
                return cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 2, mp_context=context)
            except (OSError, ValueError) as err:
                log.warning("no worker processes (%s); parsing in a thread instead", err)
                self.processes = False
        return cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="digest-parse")

    async def run(self, fn: Callable[..., object], *args: object) -> object:
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
        except BrokenProcessPool:
            # a worker died (out of memory on a monstrous feed?): this feed fails, the next get a new pool
            self.executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start()
            raise RuntimeError("the parser process died while reading this feed") from None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


class Poller:
    """Polls the given jobs; see :func:`poll_feeds`."""

    def __init__(self, poll: PollConfig, now: dt.datetime, workers: Workers, fetcher: AsyncFetcher,
                 rng: random.Random | None = None) -> None:
        self.poll, self.now, self.workers, self.fetcher = poll, now, workers, fetcher
        self.rng = rng or random.Random()

    async def one(self, job: FeedJob) -> PollOutcome:
        try:
            return await self._one(job)
        except Exception as err:  # noqa: BLE001 - isolation: one feed's bug is that feed's error
            log.exception("feed %r: unexpected failure", job.feed.name)
            error = f"internal error while polling: {type(err).__name__}: {err}"
            return PollOutcome(job.feed.name, policy.failed(job.state, error, self.now, self.poll.every, self.rng),
                               "failed", error=error)

    async def _one(self, job: FeedJob) -> PollOutcome:
        feed, state, every = job.feed, job.state, self.poll.every
        assert feed.url is not None
        url = state.moved_to or feed.url
        got = await self.fetcher.fetch(url, etag=state.etag, last_modified=state.last_modified)
        answer = policy.Answer(got.status, got.error, got.headers, got.moved_to, got.elapsed_ms)
        new_state, note = policy.after_answer(state, answer, self.now, every, self.rng)
        if got.moved_to:
            log.warning("feed %r moved permanently (301/308) to %s; polling that address from now on "
                        "(update its url in feeds.yaml)", feed.name, got.moved_to)
        if note is not None:
            return PollOutcome(feed.name, new_state, note, error=new_state.error if note != "not modified (304)"
                               else None)
        body_hash = hashlib.sha256(got.body).hexdigest()
        if body_hash == state.body_hash:
            unchanged = policy.succeeded(state, answer, self.now, every, body_hash=body_hash, entries=None)
            return PollOutcome(feed.name, unchanged, "unchanged (same bytes)")
        refusal = xml_refusal(got.body)
        if refusal:
            return self._failed(job, refusal)
        parsed = await self.workers.run(parse_and_extract, got.body, dict(got.headers), got.url, feed, self.now)
        assert isinstance(parsed, _Parsed)
        if parsed.error:
            return self._failed(job, parsed.error)
        articles, empty = list(parsed.articles), parsed.empty
        if parsed.pending:
            more, more_empty = await self._with_pages(feed, parsed.pending)
            articles.extend(more)
            empty += more_empty
        count = len(articles) + empty
        done = policy.succeeded(state, answer, self.now, every, body_hash=body_hash, entries=count)
        return PollOutcome(feed.name, done, f"{count} entries", tuple(articles), empty)

    def _failed(self, job: FeedJob, error: str) -> PollOutcome:
        state = policy.failed(job.state, error, self.now, self.poll.every, self.rng)
        return PollOutcome(job.feed.name, state, "failed", error=error)

    async def _with_pages(self, feed: FeedConfig, pending: Sequence[Document]) -> tuple[tuple[Article, ...], int]:
        gate = asyncio.Semaphore(PAGES_PER_FEED)

        async def page(document: Document) -> tuple[Document, str | None, str | None]:
            assert document.url is not None
            async with gate:
                got = await self.fetcher.fetch(document.url, accept=PAGE_ACCEPT, guard_private=True)
            if not got.ok or not got.body:
                log.debug("feed %r: article page %s not used (%s)", feed.name, document.url, got.error or "empty")
                unused.append(got.error or "empty")
                return document, None, None
            return document, decode_text(got.body, got.headers)[0], got.url

        unused: list[str] = []
        items = await asyncio.gather(*(page(d) for d in pending))
        if unused:  # one line per feed, not one per page (-v shows each page)
            log.info("feed %r: %d of %d article pages not used (the entry's summary stands in); first: %s",
                     feed.name, len(unused), len(pending), unused[0])
        result = await self.workers.run(extract_with_pages, items, self.now)
        return result  # type: ignore[return-value]


async def poll_feeds(jobs: Sequence[FeedJob], poll: PollConfig, now: dt.datetime,
                     sink: Callable[[list[PollOutcome]], object], *, rng: random.Random | None = None) -> int:
    """Poll ``jobs`` concurrently; hand outcomes to ``sink`` in batches (in one writer thread).

    Returns the number of feeds polled. ``sink`` is called from a thread of its
    own, never two batches at once.
    """
    if not jobs:
        return 0
    workers = Workers(len(jobs))
    writer = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="digest-store")
    queue: asyncio.Queue[PollOutcome | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def write() -> None:
        finished = False
        while not finished:
            item = await queue.get()
            if item is None:
                break
            batch = [item]
            # outcomes trickle in one by one: gather more for up to WRITE_LINGER (one larger
            # transaction), but stop at once when the last one has arrived
            deadline = loop.time() + WRITE_LINGER
            while len(batch) < WRITE_BATCH:
                try:
                    extra = queue.get_nowait() if not queue.empty() else \
                        await asyncio.wait_for(queue.get(), max(0.0, deadline - loop.time()))
                except asyncio.TimeoutError:
                    break
                if extra is None:
                    finished = True
                    break
                batch.append(extra)
            await loop.run_in_executor(writer, sink, batch)

    try:
        async with AsyncFetcher(poll) as fetcher:
            poller = Poller(poll, now, workers, fetcher, rng)
            writing = asyncio.create_task(write())

            async def run(job: FeedJob) -> None:
                await queue.put(await poller.one(job))

            await asyncio.gather(*(run(job) for job in jobs))
            await queue.put(None)
            await writing
    finally:
        workers.close()
        writer.shutdown(wait=True)
    return len(jobs)


__all__ = ["FeedJob", "PollOutcome", "poll_feeds", "parse_and_extract", "extract_with_pages", "Fetched"]
