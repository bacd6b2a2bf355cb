"""Low-level helpers for config loading: YAML with line numbers, value parsers.

Every parser raises :class:`Invalid` with what is wrong and what to write
instead; :mod:`digest.config` adds the file, line and key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Iterable
from typing import Any

import yaml

Path_ = tuple[Any, ...]  # a key path into the YAML document, e.g. ("feeds", 2, "url")


class Invalid(Exception):
    """A value is wrong. ``problem`` says what, ``fix`` what to write instead."""

    def __init__(self, problem: str, fix: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


def load_yaml_with_lines(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML; return the data and the 1-based line of every key and item.

    Raises ``yaml.YAMLError`` for syntax errors and :class:`Invalid` (with a
    ``line`` attribute) for a key written twice in one mapping.
    """
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    data = yaml.safe_load(text)
    return data, lines


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                err = Invalid(
                    f"'{key}' is written twice in the same block (first on line {seen[key]})",
                    "keep one of them",
                )
                err.line = line  # type: ignore[attr-defined]
                err.path = path + (key,)  # type: ignore[attr-defined]
                raise err
            seen[key] = line
            lines[path + (key,)] = line
            _walk(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = item.start_mark.line + 1
            _walk(item, path + (index,), lines)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> dt.timedelta:
    """'30m', '24h', '7d', '1h30m', '90s' (a bare number is seconds)."""
    fix = "write a duration such as 90s, 30m, 24h or 7d"
    if isinstance(value, bool):
        raise Invalid(f"{value!r} is not a duration", fix)
    if isinstance(value, (int, float)):
        if value <= 0:
            raise Invalid(f"{value!r} is not a positive duration", fix)
        return dt.timedelta(seconds=value)
    if not isinstance(value, str):
        raise Invalid(f"{value!r} is not a duration", fix)
    text = value.strip().lower().replace(" ", "")
    pos, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text or total <= 0:
        raise Invalid(f"'{value}' is not a duration", fix)
    return dt.timedelta(seconds=total)


_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$")
_SIZE_UNITS = {None: 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2,
               "gb": 1000**3, "gib": 1024**3}


def parse_size(value: Any) -> int:
    """'10MB', '512KiB', 1048576."""
    fix = "write a size such as 512KB or 10MB"
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(str(value).strip().lower()) if isinstance(value, str) else None
    if not match:
        raise Invalid(f"{value!r} is not a size", fix)
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])


def parse_timezone(value: Any) -> str:
    fix = "write an IANA time zone name such as Europe/London, America/New_York or UTC"
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{value!r} is not a time zone", fix)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(value, zoneinfo.available_timezones())
        raise Invalid(f"'{value}' is not a known time zone", f"{fix}{'; ' + hint if hint else ''}")
    return value


def parse_cron(value: Any) -> str:
    fix = "write five cron fields: minute hour day month weekday, e.g. \"0 7 * * *\" for 07:00 daily"
    if not isinstance(value, str):
        raise Invalid(f"{value!r} is not a cron expression", fix)
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError as err:
        raise Invalid(f"'{value}' is not a valid cron expression ({err})", fix) from None
    return value


def parse_str(value: Any, what: str = "text") -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{value!r} is not {what}", f"write {what} in quotes")
    return value.strip()


def parse_int(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{value!r} is not a whole number from {low} to {high}",
                      f"write a number between {low} and {high}")
    return value


def parse_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"{value!r} is not true or false", "write true or false")
    return value


def parse_url(value: Any) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not re.match(r"^https?://[^\s/]+", text, re.IGNORECASE):
        raise Invalid(f"{value!r} is not an http(s) URL",
                      "write the feed address starting with https:// (or use path: for a local file)")
    scheme, rest = text.split("://", 1)
    return f"{scheme.lower()}://{rest}"  # schemes are case-insensitive (RFC 3986)


def parse_str_list(value: Any, what: str, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not (value or allow_empty) or not all(isinstance(v, str) and v for v in value):
        raise Invalid(f"{value!r} is not a list of {what}", f"write a list, e.g. [{what.rstrip('s')}]")
    return tuple(v.strip() for v in value)
