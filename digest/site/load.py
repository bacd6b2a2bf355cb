"""Read the published editions (``<output>/YYYY-MM-DD/briefing.json``) for the site."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from digest.model import Briefing, Event, SourceRef
from digest.render.edition_json import briefing_from_json

log = logging.getLogger("digest.site")
_DATE_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Edition:
    briefing: Briefing
    folder: Path
    json_hash: str  # sha256 of briefing.json: the edition's content identity

    @property
    def date(self) -> dt.date:
        return self.briefing.date


@dataclass(frozen=True)
class Appearance:
    """An event as one edition reported it."""

    edition: Edition
    event: Event
    sources: tuple[SourceRef, ...]  # the sources it cites, in citation order


def load_editions(output: Path) -> list[Edition]:
    """Every readable edition under ``output``, oldest first; unreadable ones are skipped with a warning."""
    editions = []
    for folder in sorted(p for p in output.iterdir() if p.is_dir() and _DATE_DIR.match(p.name)) \
            if output.is_dir() else []:
        path = folder / "briefing.json"
        if not path.is_file():
            continue
        raw = path.read_bytes()
        try:
            briefing = briefing_from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("skipping %s: not a readable edition (%s)", path, exc)
            continue
        editions.append(Edition(briefing, folder, hashlib.sha256(raw).hexdigest()))
    return editions


def event_histories(editions: list[Edition]) -> dict[str, list[Appearance]]:
    """Event id -> its appearances, oldest edition first."""
    histories: dict[str, list[Appearance]] = {}
    for edition in editions:
        by_id = {s.id: s for s in edition.briefing.sources}
        for event in edition.briefing.events:
            cited = tuple(by_id[sid] for sid in event.sources if sid in by_id)
            histories.setdefault(event.id, []).append(Appearance(edition, event, cited))
    return histories


__all__ = ["Appearance", "Edition", "event_histories", "load_editions"]
