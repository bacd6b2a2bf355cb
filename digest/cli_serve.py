"""``digest serve`` and ``digest status``."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from digest.cli import config_option, fail_cleanly, json_option, main, setup_logging, stderr, stdout
from digest.config import load_config
from digest.errors import StoreError


@main.command()
@config_option
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
@fail_cleanly
def serve(config_path: str | None, verbose: bool) -> None:
    """Poll and publish on the configured schedule until stopped (SIGTERM/SIGINT)."""
    from digest.serve import serve as run_serve

    setup_logging(False, verbose)
    _timestamps()
    if not verbose:  # its per-job lines repeat ours; keep its warnings (misfires) and errors
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    run_serve(Path(config_path or "feeds.yaml"))


def _timestamps() -> None:
    """A long-running process logs with the time, unless journald (or a terminal) adds it."""
    if stderr.is_terminal or os.environ.get("JOURNAL_STREAM"):
        return
    for handler in logging.getLogger().handlers:
        formatter = handler.formatter
        if formatter is not None:
            handler.setFormatter(_Timed(formatter))


class _Timed(logging.Formatter):
    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="seconds")
        return f"{when} {self.inner.format(record)}"


@main.command()
@config_option
@json_option
@fail_cleanly
def status(config_path: str | None, as_json: bool) -> None:
    """Next runs, the last poll, edition and delivery results, and failing feeds."""
    from digest.status import status_report

    config = load_config(Path(config_path or "feeds.yaml"))
    report = status_report(config, dt.datetime.now(dt.timezone.utc))
    if report is None:
        raise StoreError(f"no database yet at {config.storage}; run `digest run` or `digest serve` first")
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    servers = report["servers"]
    stdout.print(f"[bold]{report['config']}[/bold]  schedule: {report['schedule']}")
    stdout.print("serve: " + (", ".join(f"running ({s['owner']})" for s in servers) if servers
                              else "not running"))
    for busy in report["building"]:
        stdout.print(f"in progress: {busy['lease']} ({busy['owner']})")
    title = "next runs" if servers else "next runs (as planned by the last serve; it is not running)"
    table = Table("job", "next run", title=title)
    for job, when in report["next"].items():
        table.add_row(job, when or "-")
    stdout.print(table)
    table = Table("what", "status", "started", "finished", "result", title="last runs")
    for what, run in report["last"].items():
        if run:
            table.add_row(what, run["status"], run["started"], run["finished"] or "", _brief(run["detail"]))
        else:
            table.add_row(what, "never", "", "", "")
    stdout.print(table)
    if report["failing_feeds"]:
        table = Table("feed", "failures", "last success", "error", title="failing feeds")
        for feed in report["failing_feeds"]:
            table.add_row(feed["name"], str(feed["failures"]), feed["last_success"] or "never", feed["error"] or "")
        stdout.print(table)
    else:
        stdout.print("failing feeds: none")


def _brief(detail: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in detail.items() if v not in (None, {}, []))[:120]
