"""Dated developments of one event, in order.

Dates come from the text, resolved against the article's own publication
date: "on Wednesday" is the latest Wednesday on or before it (the next one
when the sentence speaks of the future: "will", "is expected to"), "today"
and "yesterday" count from it, "Sept. 12, 2023" / "12 September" are taken
as written. Each article's lead is also placed at its publication date. The
same development reported by several sources is shown once with all of them.
Pure: articles in, entries out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from digest.analyze.text import content_words, is_statement, sentences
from digest.model import Article, TimelineEntry

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {m: i + 1 for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                          "august", "september", "october", "november", "december"])}
MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
               "oct": 10, "nov": 11, "dec": 12})
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_EXPLICIT = [re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{{4}}))?\b"),
             re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}(?:\s+(?P<year>\d{{4}}))?\b")]
_WEEKDAY = re.compile(r"\b(?:on\s+|last\s+|this\s+|next\s+)?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                      r"Sunday)(?:’s|'s)?\b")
_RELATIVE = re.compile(r"\b(today|yesterday|tomorrow|tonight)\b", re.IGNORECASE)
_FUTURE = re.compile(r"\b(will|is expected to|are expected to|is to|are to|plans? to|is due to|"
                     r"scheduled|upcoming)\b[^.;,]{0,60}$", re.IGNORECASE)
MAX_PER_DAY = 4
SAME_ENTRY = 0.5  # share of content words at which two dated sentences are one development


def _weekday(published: dt.date, name: str, future: bool, prefix: str) -> dt.date:
    target = WEEKDAYS.index(name.lower())
    delta = (published.weekday() - target) % 7
    if prefix == "next" or (future and prefix != "last"):
        ahead = (target - published.weekday()) % 7
        return published + dt.timedelta(days=ahead)
    if prefix == "last" and delta == 0:
        delta = 7
    return published - dt.timedelta(days=delta)


@dataclass(frozen=True)
class DateMention:
    """A date a sentence speaks of: resolved, as written, and how it is written."""

    date: dt.date
    phrase: str  # as written: "Sept. 12", "on Wednesday", "yesterday"
    form: str  # explicit | weekday | relative


def find_date(sentence: str, published: dt.date) -> DateMention | None:
    """The first date a sentence speaks of, resolved against its article's publication date; None if none."""
    for pattern in _EXPLICIT:
        if m := pattern.search(sentence):
            month = MONTHS[m.group("month").lower().rstrip(".")]
            year = int(m.group("year")) if m.group("year") else published.year
            try:
                found = dt.date(year, month, int(m.group("day")))
            except ValueError:
                continue
            if not m.group("year") and found > published + dt.timedelta(days=31):
                found = found.replace(year=year - 1)
            return DateMention(found, m.group(0), "explicit")
    if m := _WEEKDAY.search(sentence):
        future = bool(_FUTURE.search(sentence[:m.start()]))  # "will meet on Friday", not "said on Monday"
        prefix = m.group(0).split()[0].lower() if " " in m.group(0).strip() else ""
        return DateMention(_weekday(published, m.group(1), future, prefix), m.group(0), "weekday")
    if m := _RELATIVE.search(sentence):
        word = m.group(1).lower()
        days = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[word]
        return DateMention(published + dt.timedelta(days=days), m.group(0), "relative")
    return None


def resolve_date(sentence: str, published: dt.date) -> dt.date | None:
    """The date a sentence is about, resolved against its article's publication date; None if none."""
    found = find_date(sentence, published)
    return found.date if found else None


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= SAME_ENTRY


def build_timeline(articles: Sequence[Article], source_ids: Mapping[str, str],
                   limit: int = 12) -> tuple[TimelineEntry, ...]:
    """Dated developments across the event's articles, oldest first."""
    found: list[tuple[dt.date, int, str, set[str], list[str]]] = []  # date, rank, text, words, sources
    for article in articles:
        published = article.published.date()
        for s in sentences(article.text):
            if not is_statement(s.text):
                continue
            date = resolve_date(s.text, published)
            if date is None and s.position == 0:
                date = published
            if date is None or abs((date - published).days) > 14:
                continue  # background history is context, not this event's timeline
            bag = set(content_words(s.text))
            for entry in found:
                if entry[0] == date and _similar(entry[3], bag):
                    if source_ids[article.key] not in entry[4]:
                        entry[4].append(source_ids[article.key])
                    break
            else:
                found.append((date, s.position, s.text, bag, [source_ids[article.key]]))
    per_day: dict[dt.date, list] = {}
    for entry in sorted(found, key=lambda e: (e[0], -len(e[4]), e[1])):
        per_day.setdefault(entry[0], []).append(entry)
    kept = [e for day in sorted(per_day) for e in per_day[day][:MAX_PER_DAY]]
    if len(kept) > limit:  # keep the best-supported entries, still in date order
        best = sorted(kept, key=lambda e: (-len(e[4]), e[1]))[:limit]
        kept = [e for e in kept if e in best]
    return tuple(TimelineEntry(date=e[0], text=e[2], sources=tuple(e[4])) for e in kept)
