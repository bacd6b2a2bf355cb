"""The ``digest`` command: parse arguments, call the library, print.

Errors the user can fix become one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from digest import __version__
from digest.config import Config, load_config
from digest.errors import DigestError, UsageError

SAMPLE_DIR = Path(__file__).parent / "sample"
stderr = Console(stderr=True)
stdout = Console()


def fail_cleanly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn DigestError into one line + exit code; keep tracebacks for real bugs."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DigestError as err:
            click.echo(f"digest: error: {err}", err=True)
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("digest: interrupted; nothing half-written was published", err=True)
            sys.exit(130)
    return wrapper


class _PlainFormatter(logging.Formatter):
    """One line per record: 'digest: feed ...' for info, 'digest: warning: ...' above."""

    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno <= logging.INFO else f"{record.levelname.lower()}: "
        return f"digest: {level}{record.getMessage()}"


def setup_logging(quiet: bool, verbose: bool) -> None:
    """Rich log lines on a terminal, plain one-liners otherwise (pipes, cron, CI)."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    handler: logging.Handler
    if stderr.is_terminal:
        handler = RichHandler(console=stderr, show_path=False, show_time=False, markup=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_PlainFormatter())
    logging.basicConfig(level=level, handlers=[handler], format="%(message)s", force=True)
    for noisy in ("httpx", "httpcore", "weasyprint", "fontTools", "trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.WARNING if not verbose else logging.INFO)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


def resolve_config(config_path: str | None, sample: bool, out: str | None) -> Config:
    """The config to use; ``--sample`` runs the bundled offline sample."""
    output = Path(out).resolve() if out else None
    if sample:
        output = output or Path("output").resolve()
        return load_config(SAMPLE_DIR / "feeds.yaml", output=output,
                           storage=f"sqlite:///{output / 'sample.db'}")
    return load_config(Path(config_path or "feeds.yaml"), output=output)


def parse_date_option(value: str | None) -> dt.date | str | None:
    if value is None or value == "latest":
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date {value!r} is not a date; write YYYY-MM-DD (e.g. 2023-09-15) or 'latest'") from None


config_option = click.option("--config", "config_path", metavar="PATH", help="Config file (default ./feeds.yaml).")
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
def main() -> None:
    """digest: an honest, attributable news briefing from your feeds."""


@main.command()
@config_option
@click.option("--date", "date_text", metavar="YYYY-MM-DD|latest", help="Edition date (default today).")
@click.option("--out", metavar="DIR", help="Output folder (default from the config).")
@click.option("--sample", is_flag=True, help="Use the bundled offline sample instead of a config.")
@click.option("--force", is_flag=True, help="Poll every active feed now, ignoring the schedule.")
@quiet_option
@json_option
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
@fail_cleanly
def run(config_path: str | None, date_text: str | None, out: str | None, sample: bool, force: bool,
        quiet: bool, as_json: bool, verbose: bool) -> None:
    """Poll the feeds once and build the edition for a date."""
    from digest.pipeline import run as run_pipeline

    setup_logging(quiet or as_json, verbose)
    date = parse_date_option(date_text if date_text or not sample else "latest")
    config = resolve_config(config_path, sample, out)
    started = dt.datetime.now(dt.timezone.utc)
    with _progress(enabled=not (quiet or as_json)) as report:
        result = run_pipeline(config, date=date, force=force, progress=report)
    elapsed = (dt.datetime.now(dt.timezone.utc) - started).total_seconds()
    briefing = result.briefing
    summary = {
        "edition": str(result.edition_dir), "date": briefing.date.isoformat(), "number": briefing.number,
        "events": len(briefing.events), "sources": len(briefing.sources),
        "pdf": str(result.edition_dir / "briefing.pdf"), "html": str(result.edition_dir / "briefing.html"),
        "json": str(result.edition_dir / "briefing.json"), "seconds": round(elapsed, 2),
        "feeds": [{"name": f.name, "status": f.status, "added": f.added, "revised": f.revised,
                   "error": f.error} for f in result.feeds],
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    failing = [f for f in result.feeds if f.status == "failing"]
    if not quiet:
        stderr.print(f"Edition {briefing.number} for {briefing.date:%A} {briefing.date.day} {briefing.date:%B %Y}: {len(briefing.events)} events "
                     f"from {len(briefing.sources)} articles in {elapsed:.1f}s"
                     + (f"; {len(failing)} feed(s) failing" if failing else ""))
    click.echo(summary["pdf"])


class _progress:
    """A rich progress bar on stderr, or nothing; yields a (what, done, total) callback."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and stderr.is_terminal
        self.bar: Progress | None = None
        self.task: Any = None

    def __enter__(self) -> Callable[[str, int, int], None]:
        if not self.enabled:
            return lambda what, done, total: None
        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                            TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(), console=stderr,
                            transient=True)
        self.bar.__enter__()
        self.task = self.bar.add_task("starting", total=1)

        def report(what: str, done: int, total: int) -> None:
            assert self.bar is not None
            self.bar.update(self.task, description=what, completed=done, total=max(total, 1))
        return report

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@main.group()
def feeds() -> None:
    """Manage and inspect feeds."""


@feeds.command("list")
@config_option
@click.option("--sample", is_flag=True, help="List the bundled sample's sources.")
@json_option
@fail_cleanly
def feeds_list(config_path: str | None, sample: bool, as_json: bool) -> None:
    """The configured feeds, with what the store knows of them."""
    from digest.status import database_exists
    from digest.store import open_store

    config = resolve_config(config_path, sample, None)
    states = {}
    if database_exists(config.storage):  # listing creates no database
        with open_store(config.storage) as store:
            states = {s.name: s for s in store.feed_states()}
    rows = []
    for feed in config.feeds:
        state = states.get(feed.name)
        rows.append({"name": feed.name, "source": feed.url or str(feed.path), "outlet": feed.outlet,
                     "status": state.status if state else "new",
                     "last_success": state.last_success.isoformat() if state and state.last_success else None,
                     "error": state.error if state else None})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("name", "source", "outlet", "status", "last success", "error", title=str(config.path))
    for r in rows:
        table.add_row(r["name"], r["source"], r["outlet"] or "", r["status"], r["last_success"] or "",
                      r["error"] or "")
    stdout.print(table)


import digest.cli_feeds  # noqa: E402,F401  (feeds add/import/export/check)
from digest import cli_deliver, cli_site  # noqa: E402,F401  (register send, site)
import digest.cli_eval_extract  # noqa: E402,F401  (digest eval extract)
import digest.cli_serve  # noqa: E402,F401  (registers `digest serve` and `digest status`)
import digest.cli_eval_cluster  # noqa: E402,F401  (registers `digest eval cluster`)
import digest.cli_poll  # noqa: E402,F401  (registers `digest poll`)
import digest.cli_eval_summary  # noqa: E402,F401  (digest eval summary|framing)

if __name__ == "__main__":  # pragma: no cover
    main()
