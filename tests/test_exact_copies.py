"""Exact copies are one source with several appearances; journalists and wire credits reach the reader (issue 5)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import SAMPLE_SEEDS
from test_render import make_briefing

from digest.config import load_config
from digest.dedup import syndicate
from digest.dedup.copies import exact_copies, number_sources
from digest.ingest import content_hash
from digest.model import Appearance, Article, EventCluster
from digest.pipeline import run
from digest.render import briefing_from_json, briefing_to_json, render_html
from digest.store import SQLStore

UTC = dt.timezone.utc
JAPAN_TODAY = "004_f1e603e65cfa6128.txt"  # the AP story as Japan Today ran it


def _article(key: str, outlet: str, text: str, url: str | None = None, hour: int = 8) -> Article:
    when = dt.datetime(2023, 9, 12, hour, tzinfo=UTC)
    return Article(key=key, feed=outlet, outlet=outlet, title=f"{outlet} story", text=text, published=when,
                   fetched=when, content_hash=content_hash(text), url=url)


def _entry(html: str, sid: str) -> str:
    """The text of one entry of the source list."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.split(f'id="src-{sid}"')[1].split("</li>")[0]))


def _text(topic: str) -> str:
    return " ".join(f"The {topic} sentence number {i} says something different about {topic}." for i in range(12))


def test_same_text_or_same_canonical_url_is_one_article() -> None:
    a = _article("a", "Wire Daily", _text("harbour"), "https://wire.example/story?utm_source=x")
    b = _article("b", "Copy Post", _text("harbour").upper() + " ", "https://copy.example/1")  # same normalised text
    c = _article("c", "Mirror", _text("bridge"), "http://www.wire.example/story/")  # same page, other text
    d = _article("d", "Other", _text("tunnel"), "https://other.example/d")
    assert exact_copies([a, b, c, d]) == {"a": "a", "b": "a", "c": "a", "d": "d"}
    assert exact_copies([d, c]) == {"d": "d", "c": "c"}


def test_copies_share_a_source_id_and_list_their_appearances() -> None:
    a = _article("a", "Wire Daily", _text("harbour"), "https://wire.example/a", hour=8)
    b = _article("b", "Copy Post", _text("harbour"), "https://copy.example/b", hour=9)
    d = _article("d", "Other", _text("tunnel"), "https://other.example/d", hour=10)
    by_key = {x.key: x for x in (a, b, d)}
    numbered = number_sources([EventCluster("ev-1", ("a", "b", "d"))], by_key, syndicate([a, b, d]))
    assert numbered.ids == {"a": "s1", "b": "s1", "d": "s2"}
    [first, second] = numbered.sources
    assert first.outlet == "Wire Daily" and second.appearances == ()
    assert first.appearances == (Appearance("Copy Post", "https://copy.example/b", b.published, "Copy Post"),)


def test_briefing_json_round_trips_appearances_credits_and_journalists() -> None:
    briefing = make_briefing()
    copy = Appearance("Coast Gazette", "https://gazette.example/strike", dt.datetime(2023, 9, 14, 13, tzinfo=UTC),
                      "Gazette")
    s4 = dataclasses.replace(briefing.sources[3], appearances=(copy,), credits=("Reuters",),
                             journalists=("Ana Lima", "Tom Reed"))
    briefing = dataclasses.replace(briefing, sources=(*briefing.sources[:3], s4, *briefing.sources[4:]))
    data = briefing_to_json(briefing)
    assert data["sources"][3]["appearances"] == [{"outlet": "Coast Gazette", "url": "https://gazette.example/strike",
                                                  "published": "2023-09-14T13:00:00+00:00", "feed": "Gazette"}]
    assert data["sources"][3]["journalists"] == ["Ana Lima", "Tom Reed"]
    assert briefing_from_json(json.loads(json.dumps(data))) == briefing

    html = render_html(briefing)
    entry = _entry(html, "s4")
    assert entry.startswith(' value="4"> Harbour News (Reuters). Port strike')  # the wire credit beside the outlet
    assert "Reporting: Tom Reed." in entry  # Ana Lima is the byline already
    assert "Also published by Coast Gazette (14 Sep 2023, 14:00 BST)." in entry
    assert '<a href="https://gazette.example/strike">Coast Gazette</a>' in html
    assert "6 outlets" in html  # the cover counts the masthead that carried the copy


@pytest.fixture(scope="module")
def seeds_with_a_copy(tmp_path_factory) -> Path:
    """The five seeds plus the Japan Today AP story as a second masthead ran it, word for word."""
    root = tmp_path_factory.mktemp("seeds-copy")
    copies = root / "copies"
    copies.mkdir()
    shutil.copy(SAMPLE_SEEDS / JAPAN_TODAY, copies / "jt-copy.txt")
    (root / "feeds.yaml").write_text(
        "briefing: {title: Seeds Briefing, timezone: Europe/London, window: 7d}\n"
        f"feeds:\n  - name: Saved articles\n    path: {SAMPLE_SEEDS}\n"
        f"  - name: Kyodo Mirror\n    path: {copies}\n    outlet: Kyodo Mirror\n", encoding="utf-8")
    return run(load_config(root / "feeds.yaml"), date=dt.date(2023, 9, 15),
               now=dt.datetime(2023, 9, 16, 6, tzinfo=UTC)).edition_dir


def test_seed_copy_is_one_source_and_counts_one_more_outlet(seeds_with_a_copy: Path) -> None:
    data = json.loads((seeds_with_a_copy / "briefing.json").read_text(encoding="utf-8"))
    [event] = data["events"]
    assert len(data["sources"]) == len(event["sources"]) == 5  # not 6: the copy is not a new source
    assert (event["outlet_count"], event["independent_sources"]) == (6, 3)
    [carried] = [s for s in data["sources"] if s["appearances"]]
    assert carried["outlet"] in ("Japan Today", "Kyodo Mirror")
    [other] = carried["appearances"]
    assert {carried["outlet"], other["outlet"]} == {"Japan Today", "Kyodo Mirror"}
    assert carried["origin"] == "Associated Press" and "Associated Press" in carried["credits"]
    assert {"Jim Heintz", "Aamer Madhani"} <= set(carried["journalists"])
    for fact in event["facts"]:
        assert 1 <= fact["support"] <= 3 and len(set(fact["sources"])) == len(fact["sources"])

    html = (seeds_with_a_copy / "briefing.html").read_text(encoding="utf-8")
    assert "6 outlets, 3 independent sources" in html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "Japan Today / Kyodo Mirror [" in text or "Kyodo Mirror / Japan Today [" in text  # the grouping names both
    entry = _entry(html, carried["id"])
    assert f"{carried['outlet']} (Associated Press)." in entry  # the wire credit beside the outlet
    assert "via Associated Press" not in entry  # "via" is for copy found by comparison, not credited
    assert f"Also published by {other['outlet']}" in entry
    assert "Reporting: Jim Heintz" in entry
    [star] = [s for s in data["sources"] if s["outlet"] == "Morning Star"]  # AP copy without an AP credit
    assert star["credits"] == [] and star["origin"] == "Associated Press"
    assert _entry(html, star["id"]).startswith(' value="') and "via Associated Press" in _entry(html, star["id"])


def test_journalists_are_stored_and_added_to_an_older_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    with SQLStore(url):
        pass
    with sqlite3.connect(tmp_path / "digest.db") as conn:  # a database from before the column existed
        conn.execute("ALTER TABLE articles DROP COLUMN journalists")
        conn.execute("INSERT INTO articles (key, feed, outlet, title, title_derived, published, fetched, updated,"
                     " text, content_hash, credits, captions, revision) VALUES ('old', 'f', 'o', 't', 0,"
                     " '2023-09-12 08:00:00', '2023-09-12 08:00:00', '2023-09-12 08:00:00', 'x', 'h', '[]', '[]', 1)")
    now = dt.datetime(2023, 9, 13, tzinfo=UTC)
    with SQLStore(url) as store:
        new = dataclasses.replace(_article("new", "Wire Daily", _text("harbour")), journalists=("Ana Lima",))
        store.upsert_articles([new], now)
        found = {a.key: a.journalists for a in store.articles_published_between(now - dt.timedelta(days=2), now)}
    assert found == {"old": (), "new": ("Ana Lima",)}
