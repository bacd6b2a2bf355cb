"""Every feed format the product promises parses from bytes + headers into entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from digest.fetch.parse import parse_feed

UTC = dt.timezone.utc
RSS_091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old &amp; Gold</title><link>http://old.example/</link>
<description>d</description><language>en</language>
<item><title>Caf\xe9 opens &lt;b&gt;today&lt;/b&gt;</title><link>/news/1</link><description>First.</description></item>
</channel></rss>"""


def test_rss_091_latin1_relative_link_and_escaped_title() -> None:
    feed = parse_feed(RSS_091, {"Content-Type": "application/rss+xml"}, "http://old.example/feed.rss")
    assert feed.title == "Old & Gold"
    [entry] = feed.entries
    assert entry.title == "Café opens today"  # escaped HTML in a title becomes plain text
    assert entry.link == "http://old.example/news/1" and entry.key == "http://old.example/news/1"
    assert entry.published is None


def test_rss_10_rdf(shared: Path) -> None:
    feed = parse_feed((shared / "eval/feeds/rssparser_rss-1.rss").read_bytes(), {}, "https://www.science.org/rss")
    assert len(feed.entries) == 69 and feed.entries[0].title == "Food for fungi"
    assert all(e.link and e.key for e in feed.entries)


def test_atom(shared: Path) -> None:
    feed = parse_feed((shared / "eval/feeds/rssparser_heise.atom").read_bytes(), {}, "https://www.heise.de/atom")
    assert len(feed.entries) == 15
    first = feed.entries[0]
    assert first.title == "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei"
    assert first.published == dt.datetime(2016, 2, 1, 16, 22, tzinfo=UTC)


def test_rss_20_with_iso_8859_1(shared: Path) -> None:
    feed = parse_feed((shared / "eval/feeds/rssparser_encoding.rss").read_bytes(), {}, None)
    assert len(feed.entries) == 40 and feed.entries[0].title == "Mãe de utente é a nova presidente da Raríssimas"
