"""Passages an article explicitly attributes to another report.

Aggregators introduce borrowed blocks with a line of their own: "An AP report
said:", "A report by The Washington Post said:". The paragraphs after such a
line, up to the next one, are that origin's copy. Vague introductions ("Media
reports said:", "Earlier reports said:") close the previous block without
naming anyone.
"""

from __future__ import annotations

import re

from digest.extract.text import agency_name

INTRO = re.compile(
    r"^(?:an?|the|another|earlier|in an?)?\s*(?:(?P<who>[\w .&'’-]{1,60}?)\s+)?reports?"
    r"(?:\s+(?:by|from)\s+(?P<by>[\w .&'’-]{2,60}?))?\s+(?:said|says|stated|states|reads?|added)\s*:$", re.I)
_VAGUE = {"media", "earlier", "other", "later", "news", "press", "latest", "new", "recent", "another"}


def _name(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = raw.strip()
    if raw.lower() in _VAGUE or not raw[:1].isupper():
        return None
    return agency_name(raw) or re.sub(r"^The\s+", "", raw)


def attributed_blocks(text: str) -> list[tuple[str, str | None]]:
    """(paragraph, origin it is attributed to or None) for every paragraph of ``text``."""
    out: list[tuple[str, str | None]] = []
    current = None
    for para in re.split(r"\n\s*\n|\n", text):
        para = para.strip()
        if not para:
            continue
        intro = INTRO.match(para) if len(para.split()) <= 12 else None
        if intro:
            current = _name(intro.group("by")) or _name(intro.group("who"))
            continue
        out.append((para, current))
    return out


def attributed_origins(text: str) -> tuple[str, ...]:
    """The origins an article says it quotes, in order of first mention."""
    return tuple(dict.fromkeys(origin for _, origin in attributed_blocks(text) if origin))
