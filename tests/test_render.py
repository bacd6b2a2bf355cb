"""Tests of digest.render with real parts: Jinja2, WeasyPrint, pypdf, pdftotext, the filesystem."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from digest.errors import RenderError
from digest.model import Briefing, Event, Fact, FeedHealth, SourceRef
from digest.render import (
    SafeURLFetcher,
    URLRefused,
    briefing_from_json,
    briefing_to_json,
    default_templates_dir,
    publish_edition,
    render_html,
    render_pdf,
)
from digest.render.publish import _renameat2_exchange, _replace_by_renames, staged_directory

UTC = dt.timezone.utc
HOSTILE_TITLE = "Markets & <script>alert(1)</script> rally"


def _t(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2023, 9, day, hour, minute, tzinfo=UTC)


# fmt: off
# One row per source: id, outlet, title, published, url, byline, origin (wire), feed.
SOURCES = [
    ("s1", "Morning Star", "Talks end without a deal", _t(14, 8),
     "https://morningstar.example/talks", "Jane Roe", None, "Morning Star RSS"),
    ("s2", "Daily Courier", "Summit closes after four hours", _t(14, 9, 30),
     "https://www.courier.example/a?b=1&c=2", None, "Associated Press", "Courier"),
    ("s3", "Evening Post", "Summit closes after four hours", _t(14, 10),
     "javascript:alert(1)", "AP Staff", "Associated Press", "Post"),
    ("s4", "Harbour News", "Port strike enters second week", _t(14, 12),
     None, "Ana Lima", None, None),
    ("s5", "Le Monde diplomatique", "Grève au port: «aucune issue»", _t(15, 5),
     "https://lmd.example/greve", None, None, "LMD"),
]


def make_briefing(number: int = 12, overview: str = "Three stories led the day.") -> Briefing:
    """A small complete edition: 3 events, 5 sources, single-source facts, one failing feed."""
    talks = Event(
        "ev-a1", "new", HOSTILE_TITLE, "Leaders met for talks that ended without an agreement.",
        _t(14, 8), _t(14, 10), ("s1", "s2", "s3"), 3, 2,
        (Fact("The talks lasted about four hours.", ("s1", "s2", "s3"), 2),
         Fact("No joint statement was issued.", ("s1", "s2"), 2)),
    )
    strike = Event(
        "ev-b2", "developing", "Port strike enters second week",
        "Dock workers extended their strike.", _t(13, 7), _t(15, 5), ("s4", "s5"), 2, 2,
        (Fact("Around 2,000 workers are on strike.", ("s4", "s5"), 2),
         Fact("The union rejected a 3% pay offer.", ("s5",), 1)),
    )
    rail = Event(
        "ev-c3", "quiet", "Rail timetable consultation",
        "A consultation on new timetables continues.", _t(12, 9), _t(14, 9), ("s1",), 1, 1,
        (Fact("Responses close on 30 September.", ("s1",), 1),),
    )
    health = (
        FeedHealth("Morning Star RSS", "ok", None, _t(15, 6)),
        FeedHealth("Wire Desk", "failing", "HTTP 503 Service Unavailable <retry later>", _t(13, 6)),
    )
    return Briefing(
        title="Morning Briefing", date=dt.date(2023, 9, 15), number=number,
        generated_at=_t(15, 6, 0), window_start=_t(14, 6), window_end=_t(15, 6),
        timezone="Europe/London", overview=overview,
        sources=tuple(SourceRef(*row) for row in SOURCES), events=(talks, strike, rail),
        feed_health=health, syndication=(("Associated Press", ("s2", "s3")),),
    )
# fmt: on


class _Collector(HTMLParser):
    """The start tags (with attributes) and element ids of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(attributes["id"] or "")


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


@pytest.fixture(scope="module")
def briefing() -> Briefing:
    return make_briefing()


@pytest.fixture(scope="module")
def html(briefing: Briefing) -> str:
    return render_html(briefing)


@pytest.fixture(scope="module")
def pdf_bytes(html: str) -> bytes:
    return render_pdf(html, default_templates_dir())


def test_autoescape(html: str) -> None:
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Markets &amp; &lt;script&gt;" in html
    assert "HTTP 503 Service Unavailable &lt;retry later&gt;" in html


def test_self_contained(html: str) -> None:
    doc = _parse(html)
    source_urls = {
        "https://morningstar.example/talks",
        "https://www.courier.example/a?b=1&c=2",
        "https://lmd.example/greve",
    }
    hrefs = {
        a.get("href")
        for tag, a in doc.tags
        if tag == "a" and (a.get("href") or "").startswith("http")
    }
    assert hrefs == source_urls
    assert not any(tag == "link" for tag, _ in doc.tags)
    assert not any(tag in ("script", "img", "iframe", "object") for tag, _ in doc.tags)
    stripped = html
    for url in source_urls:
        stripped = stripped.replace(f'href="{url.replace("&", "&amp;")}"', "")
    assert not re.search(r"https?://", stripped), "only source links may reference the web"
    assert "javascript:" not in html  # unsafe source URL shown as text, not as a link


def test_structure(html: str, briefing: Briefing) -> None:
    doc = _parse(html)
    tags = [tag for tag, _ in doc.tags]
    assert doc.tags[0][0] == "html" and doc.tags[0][1].get("lang") == "en"
    for required in ("header", "main", "nav", "footer", "style"):
        assert required in tags
    headings = [int(t[1]) for t in tags if re.fullmatch(r"h[1-6]", t)]
    assert headings[0] == 1 and tags.count("h1") == 1
    assert all(b - a <= 1 for a, b in zip(headings, headings[1:])), "heading levels must not skip"
    sections = [a for tag, a in doc.tags if tag == "section"]
    assert all(a.get("aria-labelledby") in doc.ids for a in sections)
    assert {e.id for e in briefing.events} <= {a.get("id") for a in sections}
    assert "Friday 15 September 2023" in html
    assert "3 outlets, 2 independent sources" in html
    assert "1 outlet, 1 independent source<" in html
    assert html.count('class="single-source"') == 2  # support 1 in ev-b2 and ev-c3
    assert 'id="feed-health"' in html and "Wire Desk" in html
    assert "via Associated Press" in html


def test_citations_resolve(html: str) -> None:
    doc = _parse(html)
    cites = [a["href"] for tag, a in doc.tags if tag == "a" and "cite" in (a.get("class") or "")]
    assert len(cites) == 9
    for href in cites:
        assert href is not None and href.startswith("#src-") and href[1:] in doc.ids
    assert '<a class="cite" href="#src-s1" aria-label="source 1">[1]</a>' in html
    for href in (
        a["href"] for tag, a in doc.tags if tag == "a" and (a.get("href") or "").startswith("#")
    ):
        assert href is not None and href[1:] in doc.ids


def test_feed_health_hidden_when_all_ok(briefing: Briefing) -> None:
    healthy = Briefing(**{**briefing.__dict__, "feed_health": (FeedHealth("A", "ok"),)})
    out = render_html(healthy, page_size="Letter")
    assert 'id="feed-health"' not in out and "@page { size: letter; }" in out


def test_unknown_citation_and_page_size_rejected(briefing: Briefing) -> None:
    bad_event = Event(
        "ev-x", "new", "X", "Y", _t(14, 1), _t(14, 2), ("s1",), 1, 1, (Fact("Z", ("s99",), 1),)
    )
    with pytest.raises(ValueError, match="s99"):
        render_html(Briefing(**{**briefing.__dict__, "events": (bad_event,)}))
    with pytest.raises(ValueError, match="page size"):
        render_html(briefing, page_size="B5; } body { display: none")


def test_pdf(pdf_bytes: bytes, briefing: Briefing, tmp_path: Path) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Morning Briefing" in text and "Friday 15 September 2023" in text
    assert re.search(r"Page 2 of \d+", text)
    assert reader.metadata is not None and reader.metadata.title is not None
    assert reader.metadata.title.startswith("Morning Briefing")
    assert reader.metadata.creation_date == briefing.generated_at
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf_bytes)
    plain = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Morning Briefing" in plain and "Friday 15 September 2023" in plain
    assert "<script>alert(1)</script>" in plain  # the hostile title is printed as text


def test_pdf_outline_and_fonts(pdf_bytes: bytes, briefing: Briefing) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    for event in briefing.events:
        assert titles.count(event.title) == 1
    assert titles == [e.title for e in briefing.events] + ["Feed health", "Sources"]
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is None:  # Type0 fonts keep it on the descendant
                descendant = font.get_object()["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"]
            fonts.append(descriptor.get_object())
    assert fonts and all({"/FontFile", "/FontFile2", "/FontFile3"} & set(d) for d in fonts)


def test_url_fetcher(tmp_path: Path) -> None:
    root = tmp_path / "templates"
    (root / "img").mkdir(parents=True)
    (root / "img" / "logo.png").write_bytes(b"\x89PNG fake")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    fetcher = SafeURLFetcher([root])
    refused = [
        "http://example.org/x.png",
        "https://example.org/x.css",
        "ftp://example.org/x",
        "file:///etc/passwd",
        f"{root.as_uri()}/img/../../secret.txt",
        f"{root.as_uri()}/link.txt",
        "file://evil.example/share/x.png",
        f"{root.as_uri()}/img/%2e%2e/%2E%2E/secret.txt",
    ]
    for url in refused:
        with pytest.raises(URLRefused):
            fetcher.fetch(url)
    response = fetcher.fetch(f"{root.as_uri()}/img/logo.png")
    assert response.read() == b"\x89PNG fake" and response.content_type == "image/png"
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"


def test_hostile_resources_skipped_in_pdf(briefing: Briefing, tmp_path: Path) -> None:
    root = tmp_path / "t"
    root.mkdir()
    html = (
        '<html><head><style>@import url("http://127.0.0.1:9/x.css"); '
        "body { background: url(file:///etc/passwd) }</style></head><body>"
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><p>ok</p></body></html>'
    )
    pdf = render_pdf(html, root)
    assert PdfReader(io.BytesIO(pdf)).pages[0].extract_text().strip() == "ok"


def test_user_template_override(briefing: Briefing, tmp_path: Path) -> None:
    user = tmp_path / "mine"
    user.mkdir()
    (user / "briefing.html").write_text(
        "<h1>{{ b.title }} — custom</h1><p>{{ b.events[0].title }}</p>"
    )
    out = render_html(briefing, templates_dir=user)
    assert out.startswith("<h1>Morning Briefing — custom</h1>")
    assert "&lt;script&gt;" in out  # user templates are autoescaped too
    (user / "briefing.html").unlink()
    (user / "briefing.css").write_text("body { color: rebeccapurple; }")
    out = render_html(briefing, templates_dir=user)
    assert "rebeccapurple" in out and "Contents" in out  # default template, user stylesheet


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_publish_edition(briefing: Briefing, tmp_path: Path) -> None:
    out = tmp_path / "output"
    (out / ".2023-09-15.tmp-dead").mkdir(parents=True)  # debris of a killed run
    first = publish_edition(out, briefing)
    assert first == out / "2023-09-15"
    files = ["briefing.html", "briefing.json", "briefing.pdf"]
    assert sorted(p.name for p in first.iterdir()) == files
    text = (first / "briefing.json").read_text(encoding="utf-8")
    assert "«aucune issue»" in text  # ensure_ascii=False
    data = json.loads(text)
    assert data["events"][1]["sources"] == ["s4", "s5"]
    assert briefing_from_json(data) == briefing
    assert (first / "briefing.pdf").read_bytes().startswith(b"%PDF")
    assert not list(out.glob(".*.tmp-*"))

    second = publish_edition(out, make_briefing(number=13, overview="A second take."))
    assert second == first
    after = _snapshot(second)
    assert b"A second take." in after["briefing.html"]
    assert b"Three stories" not in after["briefing.html"]
    assert json.loads(after["briefing.json"])["edition"]["number"] == 13
    assert sorted(p.name for p in out.iterdir() if p.name != ".publish.lock") == ["2023-09-15"]

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "briefing.html").write_text("<p>{{ b.title }}</p>{{ no_such_variable }}")
    with pytest.raises(
        RenderError, match=r"broken/briefing.html:1: 'no_such_variable' is undefined"
    ):
        publish_edition(out, make_briefing(number=14), templates_dir=broken)
    assert _snapshot(second) == after
    assert sorted(p.name for p in out.iterdir() if p.name != ".publish.lock") == ["2023-09-15"]


def test_json_round_trip(briefing: Briefing) -> None:
    data = briefing_to_json(briefing)
    keys = ["schema", "edition", "overview", "sources", "syndication", "events", "feed_health", "quiet_events"]
    assert list(data) == keys
    assert data["edition"]["date"] == "2023-09-15"
    assert data["edition"]["window"] == {
        "start": "2023-09-14T06:00:00+00:00",
        "end": "2023-09-15T06:00:00+00:00",
    }
    assert data["syndication"] == [{"origin": "Associated Press", "sources": ["s2", "s3"]}]
    assert data["feed_health"][1] == {
        "feed": "Wire Desk",
        "status": "failing",
        "error": "HTTP 503 Service Unavailable <retry later>",
        "last_success": "2023-09-13T06:00:00+00:00",
    }
    text = json.dumps(data, ensure_ascii=False, indent=2)
    assert text == json.dumps(briefing_to_json(make_briefing()), ensure_ascii=False, indent=2)
    assert briefing_from_json(json.loads(text)) == briefing
    naive = Briefing(**{**briefing.__dict__, "generated_at": dt.datetime(2023, 9, 15, 6)})
    with pytest.raises(ValueError, match="naive"):
        briefing_to_json(naive)


def _tree(directory: Path, name: str, content: str) -> Path:
    directory.mkdir(parents=True)
    (directory / name).write_text(content)
    return directory


def test_directory_swaps(tmp_path: Path) -> None:
    a, b = _tree(tmp_path / "a", "x", "new"), _tree(tmp_path / "b", "y", "old")
    if _renameat2_exchange(a, b):  # Linux with a filesystem that supports RENAME_EXCHANGE
        assert (b / "x").read_text() == "new" and (a / "y").read_text() == "old"
    c, d = _tree(tmp_path / "c", "x", "new"), _tree(tmp_path / "d", "y", "old")
    _replace_by_renames(c, d)  # the fallback, exercised directly
    assert not c.exists()
    assert (d / "x").read_text() == "new" and not (d / "y").exists()
    assert not list(tmp_path.glob("*.old"))


def test_staged_directory_recovers_debris(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _tree(out / ".2023-09-14.tmp-abc.old", "briefing.json", "kept")  # killed mid-fallback
    _tree(out / ".2023-09-15.tmp-def", "briefing.json", "half")  # killed mid-render
    with staged_directory(out, "2023-09-16") as staged:
        (staged / "f").write_text("done")
    assert (out / "2023-09-14" / "briefing.json").read_text() == "kept"
    assert (out / "2023-09-16" / "f").read_text() == "done"
    assert sorted(p.name for p in out.iterdir()) == [".publish.lock", "2023-09-14", "2023-09-16"]


def test_template_errors_name_file_and_line(briefing: Briefing, tmp_path: Path) -> None:
    (tmp_path / "briefing.html").write_text("<p>ok</p>\n{% for x in %}\n")
    with pytest.raises(RenderError, match=r"briefing.html:2: "):
        render_html(briefing, templates_dir=tmp_path)
