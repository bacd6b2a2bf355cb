"""The printed briefing page by page: paper sizes, TOC page numbers, running header,
links, bookmarks pointing at the right pages, and every page rendering to a non-blank PNG."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from test_render import make_briefing

from digest.render import default_templates_dir, render_html, render_pdf

SIZES = {"A4": (595, 842), "Letter": (612, 792)}  # points


@pytest.fixture(scope="module", params=["A4", "Letter"])
def printed(request) -> tuple[str, bytes]:
    html = render_html(make_briefing(), page_size=request.param)
    return request.param, render_pdf(html, default_templates_dir())


def _texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def test_paper_size_header_and_page_numbers(printed) -> None:
    size, pdf = printed
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == SIZES[size]
    texts = _texts(reader)
    total = len(texts)
    assert "Page" not in texts[0]  # the title page has no running header or folio
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {total}" in text
        assert "Morning Briefing" in text and "Friday 15 September 2023" in text  # running header


def test_toc_page_numbers_and_bookmarks_point_at_the_events(printed) -> None:
    _, pdf = printed
    reader = PdfReader(io.BytesIO(pdf))
    texts = _texts(reader)
    briefing = make_briefing()
    toc_page = next(i for i, t in enumerate(texts) if "CONTENTS" in t.upper())
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline
               if not isinstance(item, list)}
    for event in briefing.events:
        title = event.title
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", texts[toc_page], flags=re.M)
        assert match, f"{title!r} not in the table of contents"
        printed_page = int(match.group(1))
        assert title in texts[printed_page - 1], f"TOC says page {printed_page} for {title!r}"
        assert outline[title] == printed_page - 1  # the bookmark opens that page


def test_links_are_clickable(printed) -> None:
    _, pdf = printed
    reader = PdfReader(io.BytesIO(pdf))
    uris, internal = set(), 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if action is not None and "/URI" in action:
                uris.add(str(action["/URI"]))
            elif annot.get("/Dest") is not None or (action is not None and "/D" in action):
                internal += 1
    assert "https://morningstar.example/talks" in uris and "https://lmd.example/greve" in uris
    assert not any(u.startswith("javascript") for u in uris)
    assert internal >= 3 + 7  # TOC entries and citation numbers jump inside the document


def test_every_page_renders_non_blank(printed, tmp_path: Path) -> None:
    _, pdf = printed
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "p")], check=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == len(PdfReader(io.BytesIO(pdf)).pages)
    for png in pngs:
        image = Image.open(png).convert("L")
        dark = sum(image.histogram()[:160])
        assert dark > 0.002 * image.width * image.height, f"{png.name} is blank"
