"""``build_site``: the static site of every published edition, rebuilt incrementally.

Layout (all links relative, so it works from ``file://`` and under a sub-path)::

    index.html                        the newest edition
    archive.html                      every edition by date
    editions/YYYY-MM-DD/index.html    one edition (+ briefing.pdf, briefing.html copies)
    events/<event-id>.html            one story and its history across editions
    assets/site.css                   briefing.css + site.css (both overridable)
    feed.atom                         Atom feed of editions (feedgen)
    sitemap.xml                       only when site.base_url is set (sitemaps need absolute URLs)

Each output has an *input key*: a hash of everything it is made from (the
edition JSON hashes involved, the template files, digest's version). The keys
and output hashes are kept in a manifest; a page whose key is unchanged and whose
file is intact is not rendered again. Files are written atomically (temp file +
rename); files of pages that no longer exist are removed.

The manifest and the lock that keeps two builds of one site apart live beside the
editions (``<output>/.digest-site-<hash of the site folder>.json`` / ``.lock``), not
in the site folder, so copying or rsyncing the site publishes only the site. A
manifest left inside the site folder by an older digest is read once and removed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError

from digest import __version__
from digest.errors import RenderError
from digest.render.html import briefing_context, default_templates_dir, describe_template_error, make_environment
from digest.render.publish import file_lock

from .feeds import atom_feed, sitemap
from .load import Appearance, Edition, event_histories, load_editions

MANIFEST = ".digest-site.json"  # the name inside the site folder before it moved beside the editions
LEGACY_LOCK = ".site.lock"


@dataclass(frozen=True)
class SiteReport:
    site_dir: Path
    editions: int
    events: int
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class Job:
    path: str  # relative to the site root, with forward slashes
    key: str
    produce: Callable[[], bytes]


def _sha(*parts: Any) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else json.dumps(part, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def templates_key(templates_dir: Path | None) -> str:
    """A hash of every template file that could be used, and of digest's version."""
    parts: list[Any] = [__version__]
    for folder in ([templates_dir] if templates_dir else []) + [default_templates_dir()]:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            parts += [str(path.relative_to(folder)), path.read_bytes()]
    return _sha(*parts)


def edition_path(date: dt.date) -> str:
    return f"editions/{date.isoformat()}/index.html"


def event_path(event_id: str) -> str:
    """``events/<id>.html``; an id that is not a plain slug is replaced by its hash."""
    safe = event_id if re.fullmatch(r"[A-Za-z0-9_-]{1,80}", event_id) else "ev-" + _sha(event_id)[:16]
    return f"events/{safe}.html"


class _Renderer:
    def __init__(self, env: Environment, site_title: str) -> None:
        self.env, self.site_title = env, site_title

    def page(self, template: str, root: str, **context: Any) -> Callable[[], bytes]:
        def produce() -> bytes:
            try:
                html = self.env.get_template(template).render(site_title=self.site_title, root=root, **context)
            except TemplateError as exc:
                raise RenderError(f"cannot render the site: {describe_template_error(exc)}") from exc
            return html.encode("utf-8")
        return produce

    def stylesheet(self) -> bytes:
        return (str(self.env.globals["stylesheet"]("briefing.css")).replace("<\\/", "</") + "\n"  # type: ignore
                + str(self.env.globals["stylesheet"]("site.css")).replace("<\\/", "</")).encode()  # type: ignore


def _edition_jobs(r: _Renderer, editions: list[Edition], tkey: str, event_paths: dict[str, str]) -> list[Job]:
    jobs = []
    for i, edition in enumerate(editions):
        b = edition.briefing
        prev_path = edition_path(editions[i - 1].date) if i > 0 else None
        next_path = edition_path(editions[i + 1].date) if i + 1 < len(editions) else None
        folder = f"editions/{b.date.isoformat()}/"
        ctx = {**briefing_context(b), "event_paths": event_paths, "prev_path": prev_path, "next_path": next_path}
        key = _sha(tkey, r.site_title, edition.json_hash, prev_path, next_path)
        jobs.append(Job(edition_path(b.date), key, r.page("site_edition.html", "../../", edition_root="", **ctx)))
        if i == len(editions) - 1:
            jobs.append(Job("index.html", _sha(key, "index"),
                            r.page("site_edition.html", "", edition_root=folder, **ctx)))
        for name in ("briefing.pdf", "briefing.html"):
            source = edition.folder / name
            if source.is_file():
                jobs.append(Job(folder + name, _sha(source.read_bytes()), source.read_bytes))
    return jobs


def _event_jobs(r: _Renderer, histories: dict[str, list[Appearance]], tkey: str,
                edition_paths: dict[dt.date, str]) -> list[Job]:
    jobs = []
    for event_id, appearances in sorted(histories.items()):
        latest = appearances[-1]
        key = _sha(tkey, r.site_title, event_id, [a.edition.json_hash for a in appearances])
        jobs.append(Job(event_path(event_id), key, r.page(
            "site_event.html", "../", appearances=appearances, latest=latest, edition_paths=edition_paths,
            first_seen=min(a.event.first_seen for a in appearances),
            tz=latest.edition.briefing.timezone,
            status_labels=briefing_context(latest.edition.briefing)["status_labels"])))
    return jobs


def plan(editions: list[Edition], env: Environment, *, title: str, tkey: str,
         base_url: str | None) -> list[Job]:
    """Every output of the site, each with its input key and a way to produce its bytes."""
    r = _Renderer(env, title)
    histories = event_histories(editions)
    edition_paths = {e.date: edition_path(e.date) for e in editions}
    event_paths = {event_id: event_path(event_id) for event_id in histories}
    newest_first = sorted(editions, key=lambda e: e.date, reverse=True)
    months = [(m, list(items)) for m, items in groupby(newest_first, key=lambda e: e.date.strftime("%Y-%m"))]
    all_key = _sha(tkey, title, [(e.date, e.json_hash) for e in editions], base_url)
    jobs = [Job("assets/site.css", _sha(tkey), r.stylesheet),
            Job("archive.html", all_key, r.page("site_archive.html", "", editions=editions, months=months,
                                                edition_paths=edition_paths)),
            Job("feed.atom", all_key, lambda: atom_feed(editions, title, base_url, edition_paths))]
    jobs += _edition_jobs(r, editions, tkey, event_paths)
    jobs += _event_jobs(r, histories, tkey, edition_paths)
    if base_url:
        pages = [("index.html", editions[-1].date if editions else None), ("archive.html", None)]
        pages += [(edition_paths[e.date], e.date) for e in editions]
        pages += [(event_paths[i], h[-1].edition.date) for i, h in sorted(histories.items())]
        jobs.append(Job("sitemap.xml", all_key, lambda: sitemap(base_url, pages)))
    return jobs


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _intact(path: Path, expected: str | None) -> bool:
    return expected is not None and path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == expected


def bookkeeping(output: Path, site_dir: Path) -> tuple[Path, Path]:
    """(manifest, lock file) of the site in ``site_dir``: beside the editions, one pair per site folder."""
    stem = f".digest-site-{_sha(str(site_dir.resolve()))[:16]}"
    return output / f"{stem}.json", output / f"{stem}.lock"


def _read_manifest(manifest: Path, site_dir: Path) -> dict[str, dict[str, str]]:
    for path in (manifest, site_dir / MANIFEST):  # the second: written into the site by an older digest
        try:
            value = json.loads(path.read_text())
        except (FileNotFoundError, ValueError):
            continue
        if isinstance(value, dict):
            return value
    return {}


def build_site(output: Path, site_dir: Path, *, title: str, templates_dir: Path | None = None,
               base_url: str | None = None) -> SiteReport:
    """Build (or bring up to date) the site in ``site_dir`` from the editions under ``output``."""
    site_dir.mkdir(parents=True, exist_ok=True)
    output.mkdir(parents=True, exist_ok=True)
    manifest_path, lock_path = bookkeeping(output, site_dir)
    with file_lock(lock_path):
        old = _read_manifest(manifest_path, site_dir)
        editions = load_editions(output)
        jobs = plan(editions, make_environment(templates_dir), title=title,
                    tkey=templates_key(templates_dir), base_url=base_url)
        new: dict[str, dict[str, str]] = {}
        written, unchanged = [], []
        for job in jobs:
            target = site_dir / job.path
            before = old.get(job.path, {})
            if before.get("key") == job.key and _intact(target, before.get("out")):
                new[job.path] = before
                unchanged.append(job.path)
                continue
            data = job.produce()
            out = hashlib.sha256(data).hexdigest()
            if not _intact(target, out):
                write_atomic(target, data)
                written.append(job.path)
            else:
                unchanged.append(job.path)
            new[job.path] = {"key": job.key, "out": out}
        removed = sorted(set(old) - set(new))
        _remove(site_dir, removed)
        write_atomic(manifest_path, json.dumps(new, indent=1, sort_keys=True).encode())
        _remove(site_dir, [MANIFEST, LEGACY_LOCK])  # an older digest's bookkeeping, now beside the editions
    return SiteReport(site_dir, len(editions), len(event_histories(editions)), tuple(written),
                      tuple(unchanged), tuple(removed))


def _remove(site_dir: Path, paths: list[str]) -> None:
    """Unlink files of the site that are no longer produced (never anything outside it)."""
    root = site_dir.resolve()
    for path in paths:
        target = (site_dir / path).resolve()
        if target.is_relative_to(root) and target != root:
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                target.unlink()


__all__ = ["SiteReport", "bookkeeping", "build_site", "edition_path", "event_path", "plan", "templates_key"]
