"""Local sources: a saved feed file, or a folder of saved articles.

A folder holds ``.txt``, ``.html``/``.htm`` and ``.eml`` files. What a file
cannot say about itself (its outlet, date, address) may be given in a
manifest beside it: ``manifest.yaml`` (``{file: {outlet, published, url,
title}}``) or a Markdown table in ``README.md`` whose header has ``file`` and
``outlet`` columns (and optionally ``published``/``date``, ``url``, ``title``).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from digest.errors import SourceError
from digest.fetch.parse import FeedParseError, parse_feed

UTC = dt.timezone.utc
ARTICLE_SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".eml": "eml"}


@dataclass(frozen=True)
class ManifestEntry:
    outlet: str | None = None
    published: dt.datetime | None = None
    url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class LocalItem:
    """One saved article or feed entry found on disk, before extraction."""

    key: str
    body: str
    is_html: bool
    path: str
    url: str | None = None
    title: str | None = None
    published: dt.datetime | None = None
    byline: str | None = None
    outlet: str | None = None
    summary: str | None = None
    modified: dt.datetime | None = None


def parse_date(value: object) -> dt.datetime | None:
    """A manifest date (YYYY-MM-DD or ISO 8601) as aware UTC; a bare date means noon UTC."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, 12, tzinfo=UTC)
    text = str(value or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = dt.date.fromisoformat(text)
        return dt.datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _clean_outlet(cell: str) -> str | None:
    """'Global Security Wire (republishing AP)' -> 'Global Security Wire'."""
    text = re.sub(r"\s*\([^)]*\)\s*$", "", cell.strip()).strip()
    return text or None


def _markdown_table_manifest(text: str) -> dict[str, ManifestEntry]:
    rows = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    for index, row in enumerate(rows):
        header = [c.strip().lower() for c in row.strip("|").split("|")]
        file_col = next((i for i, h in enumerate(header) if h == "file" or h.startswith("file ")), None)
        outlet_col = next((i for i, h in enumerate(header) if h.startswith("outlet")), None)
        if file_col is None or outlet_col is None:
            continue
        date_col = next((i for i, h in enumerate(header) if h in ("published", "date")), None)
        url_col = next((i for i, h in enumerate(header) if h in ("url", "link")), None)
        title_col = next((i for i, h in enumerate(header) if h in ("title", "headline")), None)
        entries: dict[str, ManifestEntry] = {}
        for body_row in rows[index + 1:]:
            cells = [c.strip() for c in body_row.strip("|").split("|")]
            if len(cells) < len(header) or set(cells[file_col]) <= set("-: "):
                continue

            def cell(col: int | None) -> str | None:
                return cells[col].strip("` ") or None if col is not None else None

            entries[cell(file_col) or ""] = ManifestEntry(
                outlet=_clean_outlet(cells[outlet_col]),
                published=parse_date(cell(date_col)),
                url=cell(url_col),
                title=cell(title_col),
            )
        return entries
    return {}


def read_manifest(folder: Path) -> dict[str, ManifestEntry]:
    """The folder's manifest: manifest.yaml if present, else a table in README.md."""
    manifest = folder / "manifest.yaml"
    if manifest.is_file():
        try:
            data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as err:
            raise SourceError(f"{manifest}: not valid YAML ({str(err).splitlines()[0]}); "
                              "fix it or remove the file") from None
        if not isinstance(data, dict):
            raise SourceError(f"{manifest}: expected 'filename: {{outlet: ..., published: ...}}' entries")
        return {
            str(name): ManifestEntry(
                outlet=(meta or {}).get("outlet"), published=parse_date((meta or {}).get("published")),
                url=(meta or {}).get("url"), title=(meta or {}).get("title"))
            for name, meta in data.items()
        }
    readme = folder / "README.md"
    if readme.is_file():
        return _markdown_table_manifest(readme.read_text(encoding="utf-8", errors="replace"))
    return {}


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")  # pragma: no cover - latin-1 always decodes


def _read_eml(path: Path, key: str) -> LocalItem:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = message.get_body(preferencelist=("html", "plain"))
    body = part.get_content() if part is not None else ""
    is_html = part is not None and part.get_content_type() == "text/html"
    published = None
    if message["date"]:
        try:
            published = email.utils.parsedate_to_datetime(str(message["date"]))
        except (TypeError, ValueError):
            published = None
    sender = message["from"]
    byline = sender.addresses[0].display_name if sender and sender.addresses else None
    return LocalItem(key=key, body=body, is_html=is_html, path=str(path),
                     title=str(message["subject"]) if message["subject"] else None,
                     published=published.astimezone(UTC) if published and published.tzinfo else published,
                     byline=byline or None)


def read_folder(folder: Path, source_name: str) -> list[LocalItem]:
    """Every saved article in ``folder`` (not recursive), in file-name order."""
    if not folder.is_dir():
        raise SourceError(f"{folder}: folder not found; fix the feed's path: in feeds.yaml")
    manifest = read_manifest(folder)
    items = []
    for path in sorted(folder.iterdir()):
        kind = ARTICLE_SUFFIXES.get(path.suffix.lower())
        if kind is None or not path.is_file() or path.name.lower().startswith("readme"):
            continue
        key = f"file:{source_name}/{path.name}"
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        if kind == "eml":
            item = _read_eml(path, key)
        else:
            item = LocalItem(key=key, body=_read_text(path), is_html=kind == "html", path=str(path))
        meta = manifest.get(path.name, ManifestEntry())
        items.append(LocalItem(
            key=item.key, body=item.body, is_html=item.is_html, path=item.path,
            url=meta.url or item.url, title=meta.title or item.title,
            published=meta.published or item.published, byline=item.byline,
            outlet=meta.outlet, modified=modified,
        ))
    return items


def read_feed_file(path: Path) -> tuple[str | None, list[LocalItem]]:
    """Entries of a saved RSS/Atom file; returns (feed title, items)."""
    try:
        parsed = parse_feed(path.read_bytes(), {}, None)
    except FeedParseError as err:
        raise SourceError(f"{path}: {err}; check that the file is an RSS or Atom feed") from None
    items = []
    for entry in parsed.entries:
        body = entry.content or entry.summary or ""
        items.append(LocalItem(
            key=entry.key, body=body, is_html=entry.content_is_html if entry.content else True,
            path=str(path), url=entry.link, title=entry.title, published=entry.published,
            byline=entry.author, summary=entry.summary,
        ))
    return parsed.title, items
