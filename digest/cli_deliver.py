"""``digest send``: mail a published edition to the configured recipients (once each)."""

from __future__ import annotations

import json

import click

from digest.cli import config_option, fail_cleanly, json_option, main, parse_date_option, quiet_option, \
    resolve_config, setup_logging


@main.command()
@config_option
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Edition to send (default the newest published).")
@quiet_option
@json_option
@fail_cleanly
def send(config_path: str | None, date_text: str | None, quiet: bool, as_json: bool) -> None:
    """Email an edition (HTML + text, PDF attached); recipients already sent are skipped."""
    from digest.deliver.email import EmailError, send_edition
    from digest.store import open_store
    from digest.store.locks import recorded

    setup_logging(quiet or as_json, False)
    date = parse_date_option(date_text)
    if date == "latest":
        date = None
    config = resolve_config(config_path, False, None)
    with open_store(config.storage) as store:  # recorded in the run log, so `digest status` shows it
        with recorded(store, "deliver", name="email", edition_date=date, trigger="send") as detail:
            report = send_edition(config, store, date)  # type: ignore[arg-type]
            detail.update(sent=len(report.sent), already_sent=len(report.skipped), failed=len(report.failed))
    if as_json:
        click.echo(json.dumps({"date": report.date.isoformat(), "sent": list(report.sent),
                               "skipped": list(report.skipped),
                               "failed": [{"to": r, "error": e} for r, e in report.failed]}, indent=2))
    elif not quiet:
        click.echo(f"edition {report.date}: sent {len(report.sent)}, already sent {len(report.skipped)}"
                   + (f", failed {len(report.failed)}" if report.failed else ""), err=True)
    if report.failed:
        recipient, error = report.failed[0]
        raise EmailError(f"{len(report.failed)} recipient(s) not sent, e.g. {recipient}: {error}; "
                         "run 'digest send' again to retry them")
