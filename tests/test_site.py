"""``digest site build``: layout, relative links, event history, Atom, sitemap, incremental rebuilds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from click.testing import CliRunner
from test_render import make_briefing

from digest.cli import main
from digest.model import Briefing
from digest.render import publish_edition
from digest.site import build_site

BASE = "https://news.example.org/briefing/"


def two_editions(out: Path) -> list[Briefing]:
    """Editions for 14 and 15 September 2023 sharing their events (so each has a history)."""
    first = make_briefing(number=1, overview="Day one.")
    first = dataclasses.replace(first, date=dt.date(2023, 9, 14), events=first.events[:2])
    second = make_briefing(number=2, overview="Day two.")
    for b in (first, second):
        publish_edition(out, b)
    return [first, second]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("href", "src"):
            if a.get(name):
                self.links.append(a[name] or "")
        if a.get("id"):
            self.ids.add(a["id"] or "")


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, list[Briefing]]:
    root = tmp_path_factory.mktemp("site")
    editions = two_editions(root / "out")
    build_site(root / "out", root / "site", title="Morning Briefing", base_url=BASE)
    return root / "out", root / "site", editions


def test_layout_and_relative_links_resolve(built) -> None:
    _, site, editions = built
    for name in ("index.html", "archive.html", "feed.atom", "sitemap.xml", "assets/site.css",
                 "editions/2023-09-14/index.html", "editions/2023-09-15/briefing.pdf",
                 "editions/2023-09-15/briefing.html", "events/ev-a1.html", "events/ev-c3.html"):
        assert (site / name).is_file(), name
    pages = [p for p in site.rglob("*.html") if p.name != "briefing.html"]
    assert len(pages) == 2 + 2 + 3  # index, archive, 2 editions, 3 events
    for page in pages:
        doc = _parse(page)
        for link in doc.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "data", "mailto"):
                assert parts.scheme != "http" or "127.0.0.1" not in link
                continue
            assert not link.startswith("/"), f"{page}: absolute path {link} breaks sub-path hosting"
            target = (page.parent / parts.path).resolve() if parts.path else page
            assert target.is_file(), f"{page.relative_to(site)} links to missing {link}"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in _parse(target).ids, f"{page}: no #{parts.fragment} in {target}"
    index = (site / "index.html").read_text()
    assert "Day two." in index and "Edition No.&nbsp;2" in index
    assert 'href="editions/2023-09-15/briefing.pdf"' in index
    assert "<script" not in index.lower() and "&lt;script&gt;" in index


def test_event_history_and_archive(built) -> None:
    _, site, _ = built
    page = (site / "events" / "ev-a1.html").read_text()
    assert "In 2 editions" in page
    assert page.index("Friday 15 September 2023") < page.index("Thursday 14 September 2023")  # newest first
    assert 'href="../editions/2023-09-14/index.html#ev-a1"' in page
    assert "In 1 edition" in (site / "events" / "ev-c3.html").read_text()
    archive = (site / "archive.html").read_text()
    assert "September 2023" in archive and archive.index("2023-09-15") < archive.index("2023-09-14")


def test_atom_and_sitemap(built) -> None:
    _, site, _ = built
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert not feed.bozo and feed.feed.title == "Morning Briefing"
    assert [e.link for e in feed.entries] == [BASE + "editions/2023-09-15/index.html",
                                              BASE + "editions/2023-09-14/index.html"]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.parse(site / "sitemap.xml").getroot().findall("s:url/s:loc", ns)]
    assert BASE + "index.html" in locs and BASE + "events/ev-b2.html" in locs
    assert all(loc.startswith(BASE) for loc in locs)


def test_rebuild_only_what_changed(tmp_path: Path) -> None:
    out, site = tmp_path / "out", tmp_path / "site"
    first, second = two_editions(out)
    build_site(out, site, title="T")
    noop = build_site(out, site, title="T")
    assert noop.written == () and noop.removed == ()
    untouched = (site / "editions/2023-09-14/index.html").stat().st_mtime_ns
    rail = dataclasses.replace(second.events[2], summary="The consultation was extended.",
                               summary_sources=second.events[2].sources[:1])  # a cited summary is shown
    publish_edition(out, dataclasses.replace(second, overview="Day two, revised.",
                                             events=second.events[:2] + (rail,)))
    again = build_site(out, site, title="T")
    assert "editions/2023-09-15/index.html" in again.written and "index.html" in again.written
    assert "events/ev-c3.html" in again.written  # its story changed
    assert "events/ev-a1.html" not in again.written  # same story in both editions: same page
    assert "editions/2023-09-14/index.html" not in again.written
    assert "assets/site.css" not in again.written
    assert (site / "editions/2023-09-14/index.html").stat().st_mtime_ns == untouched
    assert "Day two, revised." in (site / "index.html").read_text()
    (site / "archive.html").unlink()  # a damaged site is repaired
    assert build_site(out, site, title="T").written == ("archive.html",)
    templates = tmp_path / "mine"
    templates.mkdir()
    (templates / "site.css").write_text(".site-name { color: rebeccapurple; }\n")
    custom = build_site(out, site, title="T", templates_dir=templates)
    assert "assets/site.css" in custom.written and "rebeccapurple" in (site / "assets/site.css").read_text()
    assert not (site / "sitemap.xml").exists()  # no base_url: no sitemap (it needs absolute URLs)


def test_the_site_folder_holds_only_the_site(tmp_path: Path) -> None:
    """The manifest and the lock live beside the editions: a copied or rsynced site publishes no bookkeeping."""
    from digest.site.build import bookkeeping

    out, site = tmp_path / "out", tmp_path / "site"
    two_editions(out)
    build_site(out, site, title="T")
    assert [p.name for p in site.rglob(".*")] == []
    manifest, lock = bookkeeping(out, site)
    assert manifest.parent == lock.parent == out and manifest.is_file() and lock.is_file()
    assert "index.html" in manifest.read_text() and bookkeeping(out, tmp_path / "other")[0] != manifest
    # a site built by an older digest (bookkeeping inside it): read once, still incremental, then removed
    (site / ".digest-site.json").write_bytes(manifest.read_bytes())
    (site / ".site.lock").touch()
    manifest.unlink()
    again = build_site(out, site, title="T")
    assert again.written == () and again.removed == ()
    assert [p.name for p in site.rglob(".*")] == [] and manifest.is_file()


def test_cli_site_build(tmp_path: Path) -> None:
    two_editions(tmp_path / "out")
    (tmp_path / "feeds.yaml").write_text(f"output: out\nsite: {{dir: public, base_url: '{BASE}'}}\n")
    result = CliRunner().invoke(main, ["site", "build", "--config", str(tmp_path / "feeds.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    assert re.search(r'"editions": 2', result.output)
    assert (tmp_path / "public" / "index.html").is_file() and (tmp_path / "public" / "sitemap.xml").is_file()
    again = CliRunner().invoke(main, ["site", "build", "--config", str(tmp_path / "feeds.yaml"), "--json"])
    assert '"written": []' in again.output
