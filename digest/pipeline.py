"""poll -> extract -> store -> cluster -> summarise -> render, for one edition.

The library entry points behind the CLI. Each stage reads what the previous
one stored, so a run that dies part-way is simply run again.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digest.config import Config
from digest.edition import build_briefing, edition_window
from digest.errors import UsageError
from digest.ingest import article_from_document
from digest.model import Briefing, EditionRecord, UpsertResult
from digest.render import publish_edition
from digest.sources import FeedOutcome
from digest.store import SQLStore, open_store

log = logging.getLogger("digest.pipeline")
UTC = dt.timezone.utc
Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass(frozen=True)
class FeedReport:
    name: str
    status: str  # "ok" | "failing" | "skipped" | "retired"
    note: str
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    skipped_empty: int = 0
    error: str | None = None


@dataclass(frozen=True)
class RunResult:
    edition_dir: Path
    briefing: Briefing
    feeds: tuple[FeedReport, ...]


def _no_progress(what: str, done: int, total: int) -> None:
    return None


def sync_feeds(config: Config, store: SQLStore) -> None:
    store.sync_feeds([(f.name, f.url, str(f.path) if f.path else None, f.outlet) for f in config.feeds])


def poll(config: Config, store: SQLStore, now: dt.datetime, *, force: bool = False,
         progress: Progress = _no_progress) -> list[FeedReport]:
    """Poll every due feed once and store what it brought. Never raises for one feed."""
    from digest.polling import poll_all  # async poller (digest/polling.py)

    return poll_all(config, store, now, force=force, progress=progress)


def _store_outcome(store: SQLStore, outcome: FeedOutcome, now: dt.datetime) -> FeedReport:
    articles, empty = [], 0
    for document in outcome.documents:
        article = article_from_document(document, now)
        if article is None:
            empty += 1
        else:
            articles.append(article)
    result = store.upsert_articles(articles, now) if articles else UpsertResult()
    store.save_feed_states([outcome.state])
    if outcome.failed:
        log.warning("feed %r failed: %s", outcome.name, outcome.state.error)
        return FeedReport(outcome.name, "failing", outcome.note, error=outcome.state.error)
    log.info("feed %r: %s; %d new, %d revised, %d unchanged%s", outcome.name, outcome.note, result.added,
             result.revised, result.unchanged, f", {empty} without text" if empty else "")
    return FeedReport(outcome.name, "ok", outcome.note, result.added, result.revised, result.unchanged, empty)


def resolve_date(config: Config, store: SQLStore, date: dt.date | str | None, now: dt.datetime) -> dt.date:
    """The edition date: given, 'latest' (the newest article's day), or today."""
    tz = zoneinfo.ZoneInfo(config.briefing.timezone)
    if date == "latest":
        newest = store.latest_published()
        return (newest or now).astimezone(tz).date()
    today = now.astimezone(tz).date()
    if isinstance(date, dt.date):
        if date > today:
            raise UsageError(f"--date {date.isoformat()} is in the future (today is {today.isoformat()} in "
                             f"{config.briefing.timezone}); an edition covers articles already published")
        return date
    return today


def build(config: Config, store: SQLStore, date: dt.date, now: dt.datetime,
          progress: Progress = _no_progress) -> RunResult:
    """Cluster and summarise the window's articles and publish the edition."""
    progress("clustering and summarising", 0, 2)
    briefing = build_briefing(config, store, date, now)
    progress("rendering HTML and PDF", 1, 2)
    edition_dir = publish_edition(config.output, briefing, templates_dir=config.templates,
                                  page_size=config.briefing.page_size)
    store.save_edition(EditionRecord(date=briefing.date, number=briefing.number,
                                     generated_at=briefing.generated_at, path=str(edition_dir),
                                     event_ids=tuple(e.id for e in briefing.events)))
    progress("published", 2, 2)
    log.info("edition %s no. %d: %d events, %d sources -> %s", briefing.date, briefing.number,
             len(briefing.events), len(briefing.sources), edition_dir)
    return RunResult(edition_dir=edition_dir, briefing=briefing, feeds=())


def run(config: Config, *, date: dt.date | str | None = None, now: dt.datetime | None = None,
        force: bool = False, progress: Progress = _no_progress) -> RunResult:
    """Poll once, then build and publish the edition for ``date``."""
    from digest.store.locks import hold_lease, recorded

    now = now or dt.datetime.now(UTC)
    with open_store(config.storage) as store:
        with hold_lease(store, "poll", wait=120, what="a poll"), recorded(store, "poll", trigger="run"):
            reports = poll(config, store, now, force=force, progress=progress)
        day = resolve_date(config, store, date, now)
        # the edition lease: `digest run` and `digest serve` never build the same edition at once
        with hold_lease(store, f"edition:{day}", what=f"building the edition for {day}"), \
                recorded(store, "edition", edition_date=day, trigger="run") as detail:
            result = build(config, store, day, now, progress)
            detail.update(path=str(result.edition_dir), number=result.briefing.number)
    return RunResult(edition_dir=result.edition_dir, briefing=result.briefing, feeds=tuple(reports))


__all__ = ["run", "poll", "build", "resolve_date", "edition_window", "FeedReport", "RunResult"]
