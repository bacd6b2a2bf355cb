"""`digest run` against a real HTTP server on 127.0.0.1 serving an RSS feed and real article pages.

The pages are real saved news pages from ../shared/eval/extraction (read in
place). Eight of them report three events: a man's "feather duvet lung"
(Gizmodo, MSN, Live Science), bubonic plague cases in China (New York Post,
Express, Smithsonian) and hibernating astronauts (CTV News, Phys.org). The
feed carries only headlines and one-line summaries, so digest must fetch and
extract each page.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from email.utils import format_datetime
from pathlib import Path

import pytest

from digest.config import load_config
from digest.pipeline import run
from feedserver import rss_channel, rss_item

UTC = dt.timezone.utc
PAGES = {  # eval page id prefix -> (event, outlet, published)
    "7bb1ca90": ("duvet", "Gizmodo", "2019-11-19T15:00"),
    "9eef8162": ("duvet", "MSN", "2019-11-20T09:00"),
    "bd673bd7": ("duvet", "Live Science", "2019-11-19T18:00"),
    "432362af": ("plague", "New York Post", "2019-11-18T14:00"),
    "ba4dfe2d": ("plague", "Express", "2019-11-19T10:00"),
    "ea25dd7e": ("plague", "Smithsonian", "2019-11-19T20:00"),
    "b37be353": ("hibernation", "CTV News", "2019-11-19T12:00"),
    "e1c7023e": ("hibernation", "Phys.org", "2019-11-20T08:00"),
}


def _page_files(shared: Path) -> dict[str, Path]:
    folder = shared / "eval" / "extraction" / "html"
    return {prefix: next(folder.glob(f"{prefix}*.html.gz")) for prefix in PAGES}


def _titles(shared: Path) -> dict[str, str]:
    """Page prefix -> a headline for its feed entry (the first words of the marked article body)."""
    truth = json.loads((shared / "eval" / "extraction" / "ground-truth.json").read_text(encoding="utf-8"))
    return {prefix: " ".join(truth[path.name.split(".")[0]]["articleBody"].split()[:8])
            for prefix, path in _page_files(shared).items()}


def _feed(server, shared: Path) -> bytes:
    truth = json.loads((shared / "eval" / "extraction" / "ground-truth.json").read_text(encoding="utf-8"))
    items = []
    titles = _titles(shared)
    for prefix, path in _page_files(shared).items():
        body = truth[path.name.split(".")[0]]["articleBody"]
        first_sentence = body.split(". ")[0][:200] + "."
        title = titles[prefix]
        when = format_datetime(dt.datetime.fromisoformat(PAGES[prefix][2]).replace(tzinfo=UTC))
        items.append(rss_item(title, server.url(f"/articles/{prefix}.html"), when, first_sentence))
    return rss_channel("Test Wire", server.url("/"), items, "pages")


@pytest.fixture
def served(server, shared: Path):
    for prefix, path in _page_files(shared).items():
        server.route(f"/articles/{prefix}.html", gzip.decompress(path.read_bytes()),
                     headers={"Content-Type": "text/html; charset=utf-8"})
    server.route("/feed.xml", _feed(server, shared), headers={"Content-Type": "application/rss+xml",
                                                             "ETag": '"feed-v1"'})
    return server


def test_run_fetches_pages_and_groups_them_into_events(served, shared, write_config, tmp_path: Path) -> None:
    config = load_config(write_config(
        "briefing: {title: Loopback Briefing, timezone: UTC, window: 72h}\n"
        "poll: {timeout: 10s, allow_private: [127.0.0.1]}\n"
        f"feeds:\n  - name: Test Wire\n    url: {served.url('/feed.xml')}\n"))
    now = dt.datetime(2019, 11, 21, 7, tzinfo=UTC)
    result = run(config, date=dt.date(2019, 11, 20), now=now)
    edition = json.loads((result.edition_dir / "briefing.json").read_text(encoding="utf-8"))

    assert result.edition_dir == tmp_path / "output" / "2019-11-20"
    assert {f.name: f.status for f in result.feeds} == {"Test Wire": "ok"}
    assert len(served.hits("/feed.xml")) == 1
    assert all(len(served.hits(f"/articles/{p}.html")) == 1 for p in PAGES)  # each page fetched once
    assert len(edition["sources"]) == 8
    title_to_event = {title: PAGES[prefix][0] for prefix, title in _titles(shared).items()}
    event_of = {s["id"]: title_to_event[s["title"]] for s in edition["sources"]}
    # an aggregator feed without a configured outlet: each article's outlet is its page's site name
    assert {"Gizmodo", "New York Post", "Phys.org"} <= {s["outlet"] for s in edition["sources"]}
    groups = sorted(sorted({event_of[sid] for sid in e["sources"]}) for e in edition["events"])
    assert groups == [["duvet"], ["hibernation"], ["plague"]]
    assert sorted(len(e["sources"]) for e in edition["events"]) == [2, 3, 3]
    for event in edition["events"]:
        assert event["facts"], event["title"]
        for fact in event["facts"]:
            assert set(fact["sources"]) <= set(event["sources"])
    duvet = next(e for e in edition["events"] if event_of[e["sources"][0]] == "duvet")
    assert any("duvet" in f["text"].lower() or "feather" in f["text"].lower() for f in duvet["facts"])
    # the page body, not the one-line summary, is what the facts come from
    assert sum(len(f["text"]) for e in edition["events"] for f in e["facts"]) > 1500


def test_second_run_sends_the_stored_etag(served, write_config) -> None:
    config = load_config(write_config(
        "briefing: {timezone: UTC, window: 72h}\npoll: {every: 1m, timeout: 10s, allow_private: [127.0.0.1]}\n"
        f"feeds:\n  - name: Test Wire\n    url: {served.url('/feed.xml')}\n"))
    now = dt.datetime(2019, 11, 21, 7, tzinfo=UTC)
    run(config, date=dt.date(2019, 11, 20), now=now)
    run(config, date=dt.date(2019, 11, 20), now=now + dt.timedelta(minutes=5))
    hits = served.hits("/feed.xml")
    assert len(hits) == 2 and hits[1].headers.get("if-none-match") == '"feed-v1"'
