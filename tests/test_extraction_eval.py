"""Extraction measured: the real-page benchmark (floor), labelled seeds and real pages, metadata."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, TESTS

from digest.cli import main
from digest.evaluate.extraction import (evaluate_html_labelled, evaluate_labelled, load_labelled, load_pages,
                                        score_page)
from digest.extract import extract

LABELLED = TESTS / "data" / "extraction"


def test_benchmark_f1_floor_via_cli(shared: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "extract", "--data", str(shared / "eval" / "extraction"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    print(f"extraction benchmark: P {report['precision']} R {report['recall']} F1 {report['f1']}")
    assert report["pages"] == 62
    assert report["f1"] >= 0.975 and report["precision"] >= 0.975 and report["recall"] >= 0.965


def test_eval_extract_bad_folder_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "extract", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "ground-truth.json not found" in result.output and "Traceback" not in result.output


def test_metric_is_the_benchmarks() -> None:
    assert score_page("x", "a b c d e", "a b c d e") == score_page("x", "a b c d e", "a b c d e")
    same = score_page("x", "one two three four five", "one two three four five")
    assert (same.precision, same.recall) == (1.0, 1.0)
    half = score_page("x", "one two three four five six seven", "one two three four five")
    assert half.recall == 1.0 and half.precision == pytest.approx(2 / 4)
    assert score_page("x", "", "").precision == 1.0


def test_seeds_labelled_keep_and_gone() -> None:
    scores = evaluate_labelled(LABELLED, ROOT)
    assert len(scores) == 5
    for score in scores:
        assert score.leaked == () and score.missing == (), score.id
        assert score.precision >= 0.99 and score.recall >= 0.99, score


def test_seeds_labelled_metadata() -> None:
    for case in load_labelled(LABELLED, ROOT):
        got = extract(case["text"], is_html=False)
        meta = case["meta"]
        if meta["title"]:
            assert got.title == meta["title"] and not got.title_derived
        else:
            assert got.title_derived
        assert got.byline == meta["byline"], case["id"]
        day = got.published.date().isoformat() if got.published else None
        assert day == meta["published"], case["id"]
        assert list(got.credits) == meta["credits"], case["id"]


def test_photo_captions_are_kept_apart_from_facts() -> None:
    case = next(c for c in load_labelled(LABELLED, ROOT) if c["id"] == "seed-001-gsw")
    got = extract(case["text"], is_html=False)
    assert len(got.captions) == 2 and all("photo provided by the North Korean government" in c for c in got.captions)
    assert "photo provided" not in got.text


def test_twenty_real_pages_labelled(shared: Path) -> None:
    scores = evaluate_html_labelled(LABELLED / "html" / "pages.json", shared / "eval" / "extraction")
    assert len(scores) == 20
    precision = sum(s.precision for s in scores) / len(scores)
    recall = sum(s.recall for s in scores) / len(scores)
    leaks = sum(len(s.leaked) for s in scores)
    print(f"20 labelled pages: kept-text P {precision:.3f} R {recall:.3f}, {leaks} must-go blocks leaked")
    assert precision >= 0.99 and recall >= 0.93 and leaks <= 2


def test_page_metadata_kept_apart(shared: Path) -> None:
    pages = list(load_pages(shared / "eval" / "extraction"))
    found = [extract(html, is_html=True, url=url) for _, url, html, _ in pages]
    assert all(e.title and e.site_name and e.canonical_url and e.published for e in found)
    assert sum(bool(e.language) for e in found) >= 0.9 * len(found)
    assert sum(bool(e.byline) for e in found) >= 0.85 * len(found)
    assert sum(bool(e.captions) for e in found) >= 0.25 * len(found)
    for e in found:
        assert e.canonical_url.startswith("http") and "utm_" not in e.canonical_url
        assert not any(c and c in e.text for c in e.captions[:1])
    wire = [e for e in found if e.byline and "Associated Press" in e.byline]
    assert wire and all("Associated Press" in e.credits for e in wire)


def test_html_page_metadata_unit() -> None:
    html = """<!doctype html><html lang="en-GB"><head><title>Storm hits coast - Daily Example</title>
    <link rel="canonical" href="/news/storm-hits-coast?utm_source=x">
    <meta property="og:site_name" content="Daily Example">
    <meta name="author" content="Jane Roe, Reuters">
    <meta property="article:published_time" content="2024-03-02T08:00:00Z"></head>
    <body><nav>Home News Sport Weather Contact us today for more</nav><article><h1>Storm hits coast</h1>
    <figure><img src="a.jpg"><figcaption>Waves break over the harbour wall on Saturday.</figcaption></figure>
    """ + "".join(f"<p>Paragraph {i} of the report says the storm brought winds of {60 + i} miles an hour "
                  "to the coast and closed several roads overnight.</p>" for i in range(8)) + """
    </article><footer>Copyright Daily Example. All rights reserved. Terms and privacy policy here.</footer></body></html>"""
    got = extract(html, is_html=True, url="https://www.example.com/news/storm-hits-coast/?utm_medium=rss")
    assert got.canonical_url == "https://www.example.com/news/storm-hits-coast"
    assert got.language == "en" and got.site_name == "Daily Example"
    assert got.published == dt.datetime(2024, 3, 2, 8, tzinfo=dt.timezone.utc)
    assert "Reuters" in got.credits and got.byline and "Jane Roe" in got.byline
    assert got.captions[0] == "Waves break over the harbour wall on Saturday."
    assert "Waves break" not in got.text and "Paragraph 7" in got.text
    assert "All rights reserved" not in got.text and "Home News Sport" not in got.text


def test_wire_credits_and_journalists() -> None:
    cases = {c["id"]: c for c in load_labelled(LABELLED, ROOT)}
    gsw = extract(cases["seed-001-gsw"]["text"], is_html=False)
    assert gsw.credits == ("Associated Press",) and gsw.journalists == ("Kim Tong-Hyung", "Dasha Litvinova")
    japan = extract(cases["seed-004-japan-today"]["text"], is_html=False)
    assert {"Jim Heintz", "Aamer Madhani", "Matthew Lee"} <= set(japan.journalists)
    assert not any("Tallinn" in name or "Washington" in name for name in japan.journalists)
    reuters = extract("Talks resume\n\nGENEVA (Reuters) - Negotiators met again on Monday to resume the talks "
                      "that stalled last month over the border question.\n\nBoth sides said progress was made "
                      "and they would meet again next week in the same place.\n\n"
                      "(Reporting by Jane Roe and John Doe; Editing by Ann Poe)\n\n"
                      "© Copyright 2023 Thomson Reuters", is_html=False)
    assert "Reuters" in reuters.credits and reuters.journalists == ("Jane Roe", "John Doe")
    assert "Reporting by" not in reuters.text and "Copyright" not in reuters.text
