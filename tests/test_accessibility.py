"""Accessibility of the HTML briefing and the site pages: landmarks, heading order,
text alternatives for charts, language, and WCAG contrast of the colour schemes."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_render import make_briefing
from test_site import two_editions

from digest.render import default_templates_dir, render_html
from digest.site import build_site


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if a.get("id"):
            self.ids.add(a["id"] or "")


def _check_page(html: str) -> None:
    doc = _Outline()
    doc.feed(html)
    names = [t for t, _ in doc.tags]
    assert re.search(r'<html lang="[a-z]{2}', html)
    for landmark in ("header", "main", "footer"):
        assert names.count(landmark) >= 1, landmark
    assert names.count("main") == 1 and names.count("h1") == 1
    assert doc.headings[0] == 1
    for before, after in zip(doc.headings, doc.headings[1:]):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    for tag, attrs in doc.tags:
        if tag == "svg":
            assert attrs.get("role") == "img"
            assert all(ref in doc.ids for ref in (attrs.get("aria-labelledby") or "").split()), "chart label"
            assert attrs.get("aria-labelledby")
        if tag == "img":
            assert attrs.get("alt") is not None
        if tag == "a":
            assert attrs.get("href"), "every link has a target"


def test_briefing_is_accessible() -> None:
    html = render_html(make_briefing())
    _check_page(html)
    assert html.count('role="img"') == 2  # two events have more than one article: two charts


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("a11y")
    two_editions(root / "out")
    build_site(root / "out", root / "site", title="Morning Briefing")
    return root / "site"


@pytest.mark.parametrize("page", ["index.html", "archive.html", "events/ev-a1.html",
                                  "editions/2023-09-14/index.html"])
def test_site_pages_are_accessible(site: Path, page: str) -> None:
    html = (site / page).read_text()
    _check_page(html)
    assert 'class="skip-link" href="#content"' in html and 'id="content"' in html


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_colour_contrast_meets_wcag_aa() -> None:
    css = (default_templates_dir() / "briefing.css").read_text()
    light = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css.split("@media")[0]))
    dark_block = css[css.index("prefers-color-scheme: dark"):]
    dark = {**light, **dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", dark_block.split("}")[0]))}
    for scheme in (light, dark):
        for fg in ("ink", "link", "accent"):
            assert _contrast(scheme[fg], scheme["paper"]) >= 4.5, (fg, scheme[fg], scheme["paper"])
        assert _contrast(scheme["muted"], scheme["paper"]) >= 4.5
    assert _contrast("#555555", "#ffffff") >= 4.5  # chart labels on white (and on the light dark-mode card)
