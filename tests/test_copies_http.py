"""Two feeds on a real HTTP server (127.0.0.1) carry the same real article: one source, two appearances.

The page is a real saved Reuters markets report from ../shared/eval/extraction
(read in place). The Reuters feed links it at its own address; a partner's feed
("Yahoo Finance") links the same page republished at another address, without
the rel=canonical that would give it away, so the text alone identifies it. A
third feed carries an unrelated real page (CTV News, AP copy).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import sqlite3
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from digest.config import load_config
from digest.pipeline import run

UTC = dt.timezone.utc
MARKETS, ASTRONAUTS = "57d46c9d", "b37be353"


def _page(shared: Path, prefix: str) -> bytes:
    return gzip.decompress(next((shared / "eval" / "extraction" / "html").glob(f"{prefix}*.html.gz")).read_bytes())


def _rss(title: str, items: list[tuple[str, str, dt.datetime]]) -> bytes:
    body = "".join(f"<item><title>{escape(t)}</title><link>{link}</link><guid>{link}</guid>"
                   f"<pubDate>{format_datetime(when)}</pubDate><description>{escape(t)}.</description></item>"
                   for t, link, when in items)
    return (f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>{escape(title)}</title>"
            f"<link>http://127.0.0.1/</link><description>test</description>{body}</channel></rss>").encode("utf-8")


@pytest.fixture
def served(server, shared: Path):
    html = {"Content-Type": "text/html; charset=utf-8"}
    markets = _page(shared, MARKETS)
    server.route("/reuters/markets.html", markets, headers=html)
    republished = re.sub(rb"<link[^>]*rel=[\"']?canonical[^>]*>", b"", markets, flags=re.I)
    assert republished != markets
    server.route("/partner/stocks-fall.html", republished, headers=html)
    server.route("/ctv/astronauts.html", _page(shared, ASTRONAUTS), headers=html)
    first = dt.datetime(2019, 11, 19, 21, tzinfo=UTC)
    server.route("/reuters.xml", _rss("Reuters", [
        ("Stocks slip on trade worries", server.url("/reuters/markets.html"), first),
    ]), headers={"Content-Type": "application/rss+xml"})
    server.route("/ctv.xml", _rss("CTV", [
        ("Study sees a future for hibernating astronauts", server.url("/ctv/astronauts.html"), first),
    ]), headers={"Content-Type": "application/rss+xml"})
    server.route("/partner.xml", _rss("Partner", [
        ("Wall Street falls as trade deal doubts grow", server.url("/partner/stocks-fall.html"),
         first + dt.timedelta(hours=2)),
    ]), headers={"Content-Type": "application/rss+xml"})
    return server


def test_two_feeds_carrying_one_article_give_one_source(served, write_config, tmp_path: Path) -> None:
    config = load_config(write_config(
        "briefing: {title: Copies, timezone: UTC, window: 72h}\n"
        "poll: {timeout: 10s, allow_private: [127.0.0.1]}\n"
        f"feeds:\n  - name: Reuters wire\n    url: {served.url('/reuters.xml')}\n    outlet: Reuters\n"
        f"  - name: Partner markets\n    url: {served.url('/partner.xml')}\n    outlet: Yahoo Finance\n"
        f"  - name: CTV\n    url: {served.url('/ctv.xml')}\n    outlet: CTV News\n"))
    result = run(config, date=dt.date(2019, 11, 20), now=dt.datetime(2019, 11, 21, 7, tzinfo=UTC))
    assert {f.name: f.status for f in result.feeds} == {"Reuters wire": "ok", "Partner markets": "ok", "CTV": "ok"}
    data = json.loads((result.edition_dir / "briefing.json").read_text(encoding="utf-8"))

    # both copies are stored (each masthead's own row) ...
    with sqlite3.connect(next(tmp_path.rglob("*.db"))) as conn:
        rows = conn.execute("SELECT key, outlet, content_hash, journalists FROM articles").fetchall()
    stored = {key.rsplit("/", 1)[1]: (outlet, digest, json.loads(names or "[]")) for key, outlet, digest, names in rows}
    assert set(stored) == {"markets.html", "stocks-fall.html", "astronauts.html"}
    assert stored["markets.html"][0:2] == ("Reuters", stored["stocks-fall.html"][1])  # same text
    assert stored["stocks-fall.html"][0] == "Yahoo Finance"
    assert "Stephanie Kelly" in stored["markets.html"][2]  # "Additional reporting by ..." stored

    # ... but the edition cites the article once, listing where else it ran
    markets = [s for s in data["sources"] if s["outlet"] in ("Reuters", "Yahoo Finance")]
    assert len(markets) == 1
    [source] = markets
    assert source["outlet"] == "Reuters"
    assert source["url"] == "https://www.reuters.com/article/us-global-markets-idUSKBN1XT00W"  # its rel=canonical
    assert [(a["outlet"], a["url"]) for a in source["appearances"]] == [
        ("Yahoo Finance", served.url("/partner/stocks-fall.html"))]
    assert source["appearances"][0]["published"] == "2019-11-19T23:00:00+00:00"
    assert {"Rodrigo Campos", "Stephanie Kelly"} <= set(source["journalists"]) and source["credits"] == ["Reuters"]
    [event] = [e for e in data["events"] if source["id"] in e["sources"]]
    assert event["sources"].count(source["id"]) == 1
    assert (event["outlet_count"], event["independent_sources"]) == (2, 1)
    assert len(event["sources"]) == 1
    for fact in event["facts"]:
        assert fact["sources"] == [source["id"]] and fact["support"] == 1

    html = (result.edition_dir / "briefing.html").read_text(encoding="utf-8")
    assert "2 outlets, 1 independent source" in html
    entry = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.split(f'id="src-{source["id"]}"')[1].split("</li>")[0]))
    assert "Also published by Yahoo Finance (19 Nov 2019, 23:00 UTC)." in entry
    assert f'<a href="{served.url("/partner/stocks-fall.html")}">Yahoo Finance</a>' in html
    assert "Reporting: " in entry and "Stephanie Kelly" in entry
