"""Hostile feed content -> a briefing that is safe, readable and fetches nothing.

End to end: three local feeds whose titles and bodies carry <script>,
javascript: links, <img src=file:///etc/passwd>, CSS url() pointing at a real
HTTP server on 127.0.0.1, 10,000-character words and RTL text with bidi
override controls go through the real pipeline (extract, store, cluster,
render HTML and PDF). The server must see no request at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
from html import unescape
from pathlib import Path

from pypdf import PdfReader
from test_render import make_briefing

from digest.config import load_config
from digest.model import Fact
from digest.pipeline import run
from digest.render import default_templates_dir, render_html, render_pdf
from digest.render.readable import ZWSP, finalize, readable, sanitize_html

UTC = dt.timezone.utc
LONG = "A" * 10_000
RTL = "\u05e9\u05dc\u05d5\u05dd \u202eevil\u202c \u0645\u0631\u062d\u0628\u0627"


def _item(i: int, base: str) -> str:
    body = (
        f"<p>Harbour officials said the port strike entered its second week on Monday, with 2,000 dock "
        f"workers walking out over pay. {LONG} The union rejected a 3% offer. {RTL}</p>"
        f"<script>fetch('{base}/steal')</script><img src=\"file:///etc/passwd\"><img src=\"{base}/pixel.png\">"
        f"<style>@import url({base}/evil.css);</style>"
        f"<p style=\"background:url({base}/bg.png)\">Negotiators for the port authority said talks would "
        f"resume on Thursday with a mediator present. The strike has halted container traffic.</p>"
        f"<a href=\"javascript:alert(1)\">click</a>"
    )
    escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (f"<item><title>Port strike &lt;script&gt;alert({i})&lt;/script&gt; enters second week {RTL}</title>"
            f"<link>javascript:alert({i})</link><guid>h{i}</guid>"
            f"<pubDate>Thu, 14 Sep 2023 0{8 + i}:00:00 GMT</pubDate><description>{escaped}</description></item>")


def test_hostile_feeds_render_safely_and_fetch_nothing(tmp_path: Path, server) -> None:
    base = server.url("").rstrip("/")
    for i, outlet in enumerate(["Alpha", "Beta", "Gamma"]):
        (tmp_path / f"f{i}.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>{outlet}</title>'
            f"<link>http://x.example/</link><description>d</description>{_item(i, base)}</channel></rss>")
    (tmp_path / "feeds.yaml").write_text(
        "briefing: {title: Hostile, timezone: UTC}\noutput: out\nfeeds:\n"
        "  - {name: a, path: f0.xml, outlet: Alpha}\n  - {name: b, path: f1.xml, outlet: Beta}\n"
        "  - {name: c, path: f2.xml, outlet: Gamma}\n")
    result = run(load_config(tmp_path / "feeds.yaml"), date=dt.date(2023, 9, 14),
                 now=dt.datetime(2023, 9, 14, 23, tzinfo=UTC))
    assert result.briefing.events, "the hostile articles still make an event"
    html = (result.edition_dir / "briefing.html").read_text()
    lowered = html.lower()
    for bad in ("<script", "javascript:", "file://", "/etc/passwd", "<img", "@import", base.lower()):
        assert bad not in lowered, bad
    assert "\u202e" not in html and "\u202c" not in html
    assert "\u05e9\u05dc\u05d5\u05dd" in html  # the RTL text itself is kept
    pdf = (result.edition_dir / "briefing.pdf").read_bytes()
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    assert server.requests == [], "rendering must not fetch anything"


def test_long_words_bidi_and_markup_in_model_text(tmp_path: Path, server) -> None:
    base = server.url("").rstrip("/")
    b = make_briefing()
    ev = b.events[1]
    hostile = dataclasses.replace(
        ev, title=f"Strike {LONG[:5000]} {RTL}",
        summary=f"<img src=\"{base}/x.png\"> {LONG} <a href=\"javascript:alert(1)\">x</a>",
        facts=(Fact(f"url({base}/bg.png) {LONG}", ev.facts[0].sources, 2),) + ev.facts[1:])
    briefing = dataclasses.replace(b, events=(b.events[0], hostile, b.events[2]))
    html = render_html(briefing)
    shown = unescape(re.sub(r"<[^>]*>", " ", html.split("<body>", 1)[1])).replace(base, "")
    assert not re.search(r"[^\s\u200b]{41,}", shown), "no unbroken run over 40 characters reaches the reader"
    assert ("A" * 20 + ZWSP + "A" * 20) in html
    assert "<img" not in html and 'href="javascript' not in html and "\u202e" not in html
    pdf = render_pdf(html, default_templates_dir())
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert 3 <= pages <= 30
    path = tmp_path / "h.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert max(len(line) for line in text.splitlines()) < 200, "long words wrap inside the page"
    assert text.count("A") >= 15_000  # nothing was lost, only wrapped
    assert server.requests == []


def test_readable_and_sanitize_units() -> None:
    assert readable("a\u202eb\u2066c\u2069") == "abc"
    assert readable("short words stay") == "short words stay"
    broken = readable("x" * 100)
    assert broken.replace(ZWSP, "") == "x" * 100 and readable(broken) == broken  # idempotent
    assert finalize("https://example.org/" + "a" * 80) == "https://example.org/" + "a" * 80
    assert finalize(7) == 7
    dirty = ('<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">j</a>'
             '<a href="https://ok.example/">ok</a><img src="file:///etc/passwd">'
             '<span style="background:url(http://evil.example/x)">s</span></p>')
    clean = str(sanitize_html(dirty))
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean
    assert "<img" not in clean and "style" not in clean and "evil.example" not in clean
    assert 'href="https://ok.example/"' in clean and 'rel="nofollow noopener noreferrer"' in clean


def test_no_template_marks_values_safe() -> None:
    """Feed text must never bypass escaping: shipped templates use no |safe."""
    for path in default_templates_dir().glob("**/*"):
        if path.is_file() and path.suffix in (".html", ".txt", ".xml"):
            assert "|safe" not in path.read_text().replace(" ", ""), path.name
