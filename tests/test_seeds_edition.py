"""The first acceptance test: the seeds become one event in a clean HTML + PDF edition."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE_SEEDS
from pypdf import PdfReader
from seed_articles import seed_edition

JUNK = ["last article you can read", "Leave a Reply", "Login to comment", "TaiwanIsNotChina", "Patreon",
        "To contact the WSWS"]


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    return seed_edition(tmp_path_factory.mktemp("seeds"))


def test_edition_files_are_written(edition: Path) -> None:
    assert edition.name == "2023-09-15"
    assert sorted(p.name for p in edition.iterdir()) == ["briefing.html", "briefing.json", "briefing.pdf"]
    assert not list(edition.parent.glob(".*tmp*"))


def test_seeds_are_one_event_with_all_five_sources(edition: Path) -> None:
    data = json.loads((edition / "briefing.json").read_text(encoding="utf-8"))
    assert data["edition"]["title"] == "Seeds Briefing" and data["edition"]["date"] == "2023-09-15"
    assert len(data["sources"]) == 5 and len(data["events"]) == 1
    [event] = data["events"]
    assert sorted(event["sources"]) == sorted(s["id"] for s in data["sources"])
    assert event["outlet_count"] == 5
    assert event["independent_sources"] < event["outlet_count"]  # AP copy counted once
    ap = next(g for g in data["syndication"] if g["origin"] == "Associated Press")
    outlets = {s["id"]: s["outlet"] for s in data["sources"]}
    assert {"Global Security Wire", "Japan Today"} <= {outlets[s] for s in ap["sources"]}
    assert {s["outlet"] for s in data["sources"]} == {"World Socialist Web Site", "Global Security Wire",
                                                      "Countercurrents", "Morning Star", "Japan Today"}
    assert len(event["facts"]) >= 3
    for fact in event["facts"]:
        assert fact["sources"] and set(fact["sources"]) <= set(event["sources"])
        assert 1 <= fact["support"] <= len(fact["sources"])


def test_every_fact_is_a_sentence_from_a_cited_source(edition: Path) -> None:
    data = json.loads((edition / "briefing.json").read_text(encoding="utf-8"))
    texts = {p.name: p.read_text(encoding="utf-8") for p in SAMPLE_SEEDS.glob("0*.txt")}
    for fact in data["events"][0]["facts"]:
        probe = " ".join(fact["text"].split()[:8]).lower()  # case: extraction fixes ALL-CAPS lead-ins
        assert any(probe in " ".join(t.split()).lower() for t in texts.values()), fact["text"]


def test_html_and_pdf_carry_no_junk(edition: Path) -> None:
    html = (edition / "briefing.html").read_text(encoding="utf-8")
    pdf_text = subprocess.run(["pdftotext", "-layout", str(edition / "briefing.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    for junk in JUNK:
        assert junk.lower() not in html.lower(), junk
        assert junk.lower() not in pdf_text.lower(), junk


def test_pdf_opens_and_shows_title_and_date(edition: Path) -> None:
    reader = PdfReader(edition / "briefing.pdf")
    assert len(reader.pages) >= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Seeds Briefing" in text
    assert "15 September 2023" in text
