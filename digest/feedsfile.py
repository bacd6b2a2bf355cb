"""Add feeds to the user's feeds.yaml without reformatting it.

The file is the user's: comments, ordering, quoting and blank lines stay as
they are. New feeds are appended as list items under ``feeds:`` in the style
(indentation, line endings) the file already uses; the result is validated by
the config loader and only then replaces the file atomically.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

from digest.config import Config, FeedConfig, parse_config
from digest.errors import ConfigError

NEW_FILE = "# Feeds for digest; `digest feeds add URL` appends to this list.\nfeeds:\n"
_FEEDS_KEY = re.compile(r"^feeds[ \t]*:(?P<rest>.*)$")
_ITEM = re.compile(r"^(?P<dash>[ \t]*)-(?P<gap>[ \t]+)\S")


@dataclass(frozen=True)
class NewFeed:
    name: str
    url: str
    outlet: str | None = None


def scalar(value: str) -> str:
    """A YAML scalar for ``value``: plain when that reads back the same, quoted otherwise."""
    if any(ord(c) < 32 or c in "\x7f\u2028\u2029\ufeff" for c in value):
        return json.dumps(value)  # a JSON string is a YAML double-quoted scalar, on one line
    dumped = yaml.safe_dump(value, default_flow_style=True, width=1_000_000, allow_unicode=True)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _item_lines(feed: NewFeed, dash: str, gap: str) -> list[str]:
    key = " " * (len(dash) + 1 + len(gap))
    lines = [f"{dash}-{gap}name: {scalar(feed.name)}", f"{key}url: {scalar(feed.url)}"]
    if feed.outlet:
        lines.append(f"{key}outlet: {scalar(feed.outlet)}")
    return lines


def _strip_comment(rest: str) -> str:
    return re.sub(r"(^|\s)#.*$", "", rest).strip()


def append_feeds(text: str, feeds: Sequence[NewFeed], file_name: str = "feeds.yaml") -> str:
    """``text`` with ``feeds`` appended to its ``feeds:`` list (created at the end when absent)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _FEEDS_KEY.match(line)), None)
    if start is None:
        block = ["", "feeds:"] if lines and lines[-1].strip() else ["feeds:"]
        for feed in feeds:
            block += _item_lines(feed, "  ", " ")
        return newline.join(lines + block) + newline
    rest = _strip_comment(_FEEDS_KEY.match(lines[start]).group("rest"))  # type: ignore[union-attr]
    if rest in ("[]", "~", "null"):
        lines[start] = lines[start].replace(rest, "", 1).rstrip() if "#" in lines[start] else "feeds:"
    elif rest:
        raise ConfigError(f"{file_name}:{start + 1}: feeds: is written on one line, so digest cannot add to it; "
                          "write each feed as a '- name: ...' item on its own lines under feeds:")
    end, last, dash, gap = start + 1, start, "  ", " "
    found_item = False
    while end < len(lines):
        line = lines[end]
        at_col0 = line[:1] not in ("", " ", "\t")
        if (at_col0 and not line.startswith(("-", "#"))) or line.rstrip() in ("---", "..."):
            break  # the next top-level key (or a document marker)
        if line.strip() and not (at_col0 and line.startswith("#")):
            last = end
            match = _ITEM.match(line)
            if match and not found_item:
                found_item = True
                dash = match.group("dash")
                gap = match.group("gap")
        end += 1
    new_lines: list[str] = []
    for feed in feeds:
        new_lines += _item_lines(feed, dash, gap)
    lines[last + 1:last + 1] = new_lines
    return newline.join(lines) + newline


def normal_url(url: str) -> str:
    """For duplicate checks: lower-case scheme and host, no default port, fragment or trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/") or "/", parts.query, ""))


def url_index(config: Config | None) -> dict[str, FeedConfig]:
    """Configured web feeds by normalised address."""
    return {normal_url(f.url): f for f in (config.feeds if config else ()) if f.url}


def configured_as(config: Config | None, url: str) -> FeedConfig | None:
    """The configured feed with this address, if any."""
    return url_index(config).get(normal_url(url))


def unique_name(base: str, taken: Iterable[str]) -> str:
    used = set(taken)
    if base not in used:
        return base
    n = 2
    while f"{base} ({n})" in used:
        n += 1
    return f"{base} ({n})"


def read_config_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8") if path.exists() else NEW_FILE
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot be read ({err}); save it as UTF-8 text") from None


def add_to_config(path: Path, feeds: Sequence[NewFeed]) -> Config:
    """Append ``feeds`` to the config file at ``path`` (created when missing); returns the new config.

    Nothing is written unless the edited file loads cleanly and has every new
    feed with its address.
    """
    new_text = append_feeds(read_config_text(path), feeds, path.name)
    config = parse_config(new_text, path)
    for feed in feeds:
        stored = config.feed(feed.name)
        if stored is None or stored.url != feed.url:
            raise ConfigError(f"{path.name}: adding '{feed.name}' did not give the expected entry; "
                              "the file was left unchanged; add it by hand")
    try:
        atomic_write(path, new_text)
    except OSError as err:
        raise ConfigError(f"{path}: cannot be written ({err.strerror}); check the folder's permissions") from None
    return config


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    target = path.resolve() if path.is_symlink() else path
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
