"""``digest poll``: poll the due feeds once and store what they brought (no edition)."""

from __future__ import annotations

import datetime as dt
import json

import click
from rich.table import Table

from digest.cli import _progress, config_option, fail_cleanly, json_option, main, quiet_option, resolve_config
from digest.cli import setup_logging, stderr, stdout


@main.command("poll")
@config_option
@click.option("--force", is_flag=True,
              help="Poll every active feed now, ignoring the schedule (never a 410 or an unexpired Retry-After).")
@quiet_option
@json_option
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
@fail_cleanly
def poll_command(config_path: str | None, force: bool, quiet: bool, as_json: bool, verbose: bool) -> None:
    """Poll the feeds that are due (conditional GET, backoff, Retry-After) and store new articles."""
    from digest.polling import poll_all
    from digest.store import open_store

    setup_logging(quiet or as_json, verbose)
    config = resolve_config(config_path, False, None)
    started = dt.datetime.now(dt.timezone.utc)
    with open_store(config.storage) as store, _progress(enabled=not (quiet or as_json)) as report:
        reports = poll_all(config, store, started, force=force, progress=report)
        states = {s.name: s for s in store.feed_states()}
    elapsed = (dt.datetime.now(dt.timezone.utc) - started).total_seconds()
    rows = []
    for r in reports:
        state = states.get(r.name)
        rows.append({"name": r.name, "status": r.status, "note": r.note, "added": r.added, "revised": r.revised,
                     "error": r.error,
                     "next_poll": state.next_poll.isoformat() if state and state.next_poll else None,
                     "url": (state.moved_to or state.url) if state else None})
    if as_json:
        click.echo(json.dumps({"seconds": round(elapsed, 2), "feeds": rows}, indent=2))
        return
    failing = sum(r.status == "failing" for r in reports)
    if not quiet:
        table = Table("feed", "status", "new", "revised", "note / error", "next poll")
        for row in rows:
            table.add_row(row["name"], row["status"], str(row["added"]), str(row["revised"]),
                          row["error"] or row["note"], (row["next_poll"] or "")[:16].replace("T", " "))
        stdout.print(table)
        stderr.print(f"Polled {sum(r.status not in ('skipped', 'retired') for r in reports)} of {len(reports)} "
                     f"feeds in {elapsed:.1f}s: {sum(r.added for r in reports)} new articles"
                     + (f"; {failing} feed(s) failing" if failing else ""))
