"""`digest feeds add | import | export | check`: manage the feed list like an RSS reader.

Registered on the ``feeds`` group of :mod:`digest.cli`. Edits to feeds.yaml go
through :mod:`digest.feedsfile` (append only, validated, atomic).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import click
from rich.table import Table
from rich.text import Text

from digest._configparse import Invalid, parse_url
from digest.cli import config_option, fail_cleanly, feeds, json_option, stdout
from digest.config import Config, PollConfig, load_config
from digest.errors import DigestError
from digest.feedsfile import NewFeed, add_to_config, atomic_write, configured_as, normal_url, unique_name, url_index
from digest.model import FeedState

UTC = dt.timezone.utc


class DuplicateFeed(DigestError):
    """The feed is already configured."""


def _config_path(config_path: str | None) -> Path:
    return Path(config_path or "feeds.yaml")


def _existing(path: Path) -> Config | None:
    """The current config, or None when the file does not exist yet (it will be created)."""
    return load_config(path) if path.exists() else None


def _check_url(url: str) -> str:
    try:
        return parse_url(url)
    except Invalid as err:
        raise DigestError(f"{err.problem}; {err.fix}") from None


def _refuse_duplicate(config: Config | None, url: str, path: Path) -> None:
    feed = configured_as(config, url)
    if feed is not None:
        raise DuplicateFeed(f"{url} is already in {path.name} as '{feed.name}' (line {feed.line}); nothing added")


@feeds.command("add")
@click.argument("url")
@click.option("--name", help="Name for the feed (default: the feed's title).")
@click.option("--outlet", help="Outlet to credit its articles to (default: the feed's title).")
@config_option
@fail_cleanly
def feeds_add(url: str, name: str | None, outlet: str | None, config_path: str | None) -> None:
    """Add a feed by its address or by a site page that links to it."""
    from digest.fetch.discover import discover

    path = _config_path(config_path)
    config = _existing(path)
    url = _check_url(url)
    _refuse_duplicate(config, url, path)
    poll = config.poll if config else PollConfig()
    found = discover(url, timeout_s=poll.timeout.total_seconds(), max_bytes=poll.max_bytes)
    if found.url != url:
        _refuse_duplicate(config, found.url, path)
    taken = [f.name for f in config.feeds] if config else []
    if name and name in taken:
        raise DuplicateFeed(f"a feed named '{name}' is already in {path.name}; pick another with --name")
    name = name or unique_name(found.title or urlsplit(found.url).hostname or found.url, taken)
    add_to_config(path, [NewFeed(name=name, url=found.url, outlet=outlet)])
    via = f"; found on {found.page}" if found.page else ""
    click.echo(f"added '{name}' {found.url} ({found.entries} entries{via}) to {path}")


@dataclass(frozen=True)
class ImportCounts:
    added: tuple[NewFeed, ...]
    configured: int  # already in the config
    repeated: int  # listed more than once in the file
    invalid: int  # no http(s) address


def plan_import(config: Config | None, outlines: Sequence) -> ImportCounts:
    """Which outlines become new feeds; pure."""
    added: list[NewFeed] = []
    seen: set[str] = set()
    taken = [f.name for f in config.feeds] if config else []
    configured = repeated = invalid = 0
    known = url_index(config)
    for outline in outlines:
        try:
            url = parse_url(outline.url)
        except Invalid:
            invalid += 1
            continue
        if normal_url(url) in known:
            configured += 1
        elif normal_url(url) in seen:
            repeated += 1
        else:
            seen.add(normal_url(url))
            name = unique_name(outline.name, taken)
            taken.append(name)
            added.append(NewFeed(name=name, url=url, outlet=outline.outlet))
    return ImportCounts(tuple(added), configured, repeated, invalid)


@feeds.command("import")
@click.argument("opml_file", metavar="FILE.opml", type=click.Path(dir_okay=False, path_type=Path))
@config_option
@fail_cleanly
def feeds_import(opml_file: Path, config_path: str | None) -> None:
    """Add the feeds of an OPML subscription list (folders included); skips ones already there."""
    from digest.opml import read_opml

    path = _config_path(config_path)
    config = _existing(path)
    counts = plan_import(config, read_opml(opml_file))
    if counts.added:
        add_to_config(path, counts.added)
    skipped = [f"{n} {what}" for n, what in ((counts.configured, "already configured"),
                                              (counts.repeated, "repeated in the file"),
                                              (counts.invalid, "without an http(s) address")) if n]
    click.echo(f"imported {len(counts.added)} feed(s) from {opml_file} into {path}"
               + (f"; skipped {', '.join(skipped)}" if skipped else ""))


@feeds.command("export")
@click.argument("opml_file", metavar="FILE.opml")
@config_option
@fail_cleanly
def feeds_export(opml_file: str, config_path: str | None) -> None:
    """Write every web feed as an OPML 2.0 subscription list ('-' for stdout)."""
    from digest.opml import render_opml

    config = load_config(_config_path(config_path))
    data = render_opml(config.feeds, config.briefing.title, dt.datetime.now(UTC))
    web = sum(1 for f in config.feeds if f.url)
    if opml_file == "-":
        sys.stdout.buffer.write(data)
        return
    try:
        atomic_write(Path(opml_file), data.decode("utf-8"))
    except OSError as err:
        raise DigestError(f"{opml_file}: cannot be written ({err.strerror}); choose another path") from None
    local = len(config.feeds) - web
    click.echo(f"exported {web} feed(s) to {opml_file}"
               + (f"; {local} local file/folder source(s) have no URL and are not in it" if local else ""))


@dataclass(frozen=True)
class FeedHealth:
    name: str
    source: str
    status: str
    last_success: dt.datetime | None
    error: str | None
    articles: int
    entries: int  # in the last fetch that was parsed
    latency_ms: int | None
    next_poll: dt.datetime | None  # None: at the next run
    next_note: str  # human wording of next_poll


def _when_next(state: FeedState | None, is_local: bool, now: dt.datetime) -> tuple[dt.datetime | None, str]:
    if is_local:
        return None, "every run"
    if state is None or state.status == "new":
        return None, "next run"
    if state.status == "retired":
        return None, "never (retired)"
    if state.retry_after and state.retry_after > now:
        return state.retry_after, f"{_in(state.retry_after - now)} (Retry-After)"
    if state.next_poll is None or state.next_poll <= now:
        return state.next_poll, "due now"
    return state.next_poll, _in(state.next_poll - now)


def _in(delta: dt.timedelta) -> str:
    return f"in {_span(delta)}"


def _span(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def feed_health(config: Config, states: Mapping[str, FeedState], counts: Mapping[str, int],
                now: dt.datetime) -> list[FeedHealth]:
    """One row per configured feed, from the stored polling state; pure."""
    rows = []
    for feed in config.feeds:
        state = states.get(feed.name)
        when, note = _when_next(state, feed.path is not None, now)
        rows.append(FeedHealth(
            name=feed.name, source=feed.url or str(feed.path), status=state.status if state else "new",
            last_success=state.last_success if state else None, error=state.error if state else None,
            articles=counts.get(feed.name, 0), entries=state.entries if state else 0,
            latency_ms=state.latency_ms if state else None, next_poll=when, next_note=note))
    return rows


_STYLE = {"ok": "green", "failing": "red", "retired": "dim", "new": "yellow"}


@feeds.command("check")
@config_option
@json_option
@fail_cleanly
def feeds_check(config_path: str | None, as_json: bool) -> None:
    """Each feed's health: status, last success, last error, articles, latency, next poll."""
    from digest.store import open_store

    config = load_config(_config_path(config_path))
    now = dt.datetime.now(UTC)
    with open_store(config.storage) as store:
        rows = feed_health(config, {s.name: s for s in store.feed_states()}, store.article_counts(), now)
    failing = sum(1 for r in rows if r.status == "failing")
    if as_json:
        click.echo(json.dumps([{k: v.isoformat() if isinstance(v, dt.datetime) else v
                                for k, v in asdict(r).items()} for r in rows], indent=2))
    else:
        stdout.print(_table(rows, config, now))
    if failing:
        click.echo(f"{failing} feed(s) failing", err=True)


def _table(rows: Sequence[FeedHealth], config: Config, now: dt.datetime) -> Table:
    table = Table("feed", "status", "last success", "last error", "articles", "latency", "next poll",
                  title=Text(f"{len(rows)} feeds in {config.path}"))
    for r in rows:
        table.add_row(Text(r.name), Text(r.status, style=_STYLE.get(r.status, "")),
                      f"{_span(now - r.last_success)} ago" if r.last_success else "never",
                      Text(r.error or "", style="red"), str(r.articles),
                      f"{r.latency_ms} ms" if r.latency_ms is not None else "", r.next_note)
    return table
