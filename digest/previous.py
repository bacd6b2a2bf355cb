"""The previous edition as published (its briefing.json), for "what's new" comparisons."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from digest.model import Briefing, EditionRecord
from digest.render.edition_json import briefing_from_json

log = logging.getLogger("digest.previous")


def load_previous_briefing(record: EditionRecord | None) -> Briefing | None:
    """The briefing the record points at; None (and a warning) when it is missing or unreadable."""
    if record is None:
        return None
    path = Path(record.path) / "briefing.json"
    try:
        return briefing_from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        log.warning("previous edition %s has no briefing.json at %s; treating every event as new",
                    record.date, path)
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.warning("previous edition %s: cannot read %s (%s); treating every event as new",
                    record.date, path, err)
    return None
