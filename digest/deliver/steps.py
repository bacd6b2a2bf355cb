"""The delivery steps `digest serve` runs after each edition: update the static site, mail the PDF.

Each step is ``step(config, store, date, now) -> dict`` (the dict is kept in the run log) and
raises when it failed, so the scheduler retries it; a step with nothing configured says so in
its result instead of failing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.config import Config
from digest.store import SQLStore

if TYPE_CHECKING:
    from digest.site.build import SiteReport


def site_dir(config: Config) -> Path:
    """Where the static site goes: ``site.dir`` from the config, else ``<output>/site``."""
    return config.site.dir if config.site is not None else config.output / "site"


def build_configured_site(config: Config, folder: Path | None = None) -> SiteReport:
    """Build or update the site for ``config`` in ``folder`` (default :func:`site_dir`)."""
    from digest.site import build_site

    return build_site(config.output, folder or site_dir(config), title=config.briefing.title,
                      templates_dir=config.templates, base_url=config.site.base_url if config.site else None)


def update_site(config: Config, store: SQLStore, date: dt.date, now: dt.datetime) -> dict[str, Any]:
    """Bring the static site up to date with the published editions (only changed pages are written)."""
    report = build_configured_site(config)
    return {"site": str(report.site_dir), "written": len(report.written), "unchanged": len(report.unchanged)}


def send_email(config: Config, store: SQLStore, date: dt.date, now: dt.datetime) -> dict[str, Any]:
    """Mail the edition of ``date`` to every recipient not yet sent it; raise if any send failed."""
    from digest.deliver.email import EmailError, send_edition

    if config.email is None:
        return {"skipped": "no email: block in the config"}
    report = send_edition(config, store, date, now=now)
    if report.failed:
        raise EmailError("; ".join(f"{to}: {why}" for to, why in report.failed))
    return {"sent": list(report.sent), "already_sent": list(report.skipped)}


update_site.step_name = "site"  # type: ignore[attr-defined]
send_email.step_name = "email"  # type: ignore[attr-defined]

__all__ = ["build_configured_site", "send_email", "site_dir", "update_site"]
