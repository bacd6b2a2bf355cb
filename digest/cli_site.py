"""``digest site build``: the static site of all published editions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from digest.cli import config_option, fail_cleanly, json_option, main, quiet_option, resolve_config, setup_logging


@main.group()
def site() -> None:
    """The static HTML site of all editions."""


@site.command("build")
@config_option
@click.option("--out", "site_out", metavar="DIR", help="Site folder (default site.dir from the config).")
@quiet_option
@json_option
@fail_cleanly
def site_build(config_path: str | None, site_out: str | None, quiet: bool, as_json: bool) -> None:
    """Build or update the site from the published editions; only changed pages are rewritten."""
    from digest.render.html import plural
    from digest.deliver.steps import build_configured_site

    setup_logging(quiet or as_json, False)
    config = resolve_config(config_path, False, None)
    report = build_configured_site(config, Path(site_out).resolve() if site_out else None)
    if as_json:
        click.echo(json.dumps({"site": str(report.site_dir), "editions": report.editions,
                               "events": report.events, "written": list(report.written),
                               "unchanged": len(report.unchanged), "removed": list(report.removed)}, indent=2))
        return
    if not quiet:
        click.echo(f"site: {plural(report.editions, 'edition')}, {plural(report.events, 'story', 'stories')}; "
                   f"{plural(len(report.written), 'file')} written, {len(report.unchanged)} unchanged, "
                   f"{len(report.removed)} removed", err=True)
    click.echo(str(report.site_dir / "index.html"))
