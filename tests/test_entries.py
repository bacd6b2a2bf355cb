"""Entry identity over real HTTP polls: edits are revisions, dates and links are made sane.

A real feed is served by the local HTTP server and polled twice through the
pipeline into a real SQLite store; between the polls the feed changes the way
publishers' feeds do (an entry's text or headline is edited).
"""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import sqlalchemy as sa

from digest.config import load_config
from digest.pipeline import poll
from digest.store import open_store
from digest.store import schema as t

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
BODY = ("The city council voted on Tuesday to extend the tram line to the eastern districts, "
        "ending a debate that has run for more than a decade. Supporters said the line would cut "
        "commuting times for tens of thousands of residents, while opponents warned about the cost "
        "and about years of road works on the main shopping street. The transport authority said "
        "construction would start next spring and take four years. ")


def _long(text: str) -> str:
    """An entry body long enough (> 150 words) that no article page is fetched for it."""
    return "".join(f"<p>{escape(text)}</p>" for _ in range(4))


def _item(title: str | None, *, guid: str | None = None, link: str | None = None,
          date: dt.datetime | None = None, body: str = BODY) -> str:
    parts = [f"<title>{escape(title)}</title>" if title else ""]
    if guid:
        parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>')
    if link:
        parts.append(f"<link>{escape(link)}</link>")
    if date:
        parts.append(f"<pubDate>{format_datetime(date)}</pubDate>")
    parts.append(f"<description>{escape(_long(body))}</description>")
    return "<item>" + "".join(parts) + "</item>"


def _rss(*items: str, site: str | None = "https://city.example/") -> bytes:
    link = f"<link>{site}</link>" if site else ""
    return ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>City Desk</title>"
            f"{link}<description>local news</description>{''.join(items)}</channel></rss>").encode()


@pytest.fixture
def config(server, write_config, tmp_path: Path):
    def make(*paths: str):
        feeds = "".join(f"  - name: Feed {i}\n    url: {server.url(p)}\n" for i, p in enumerate(paths))
        return load_config(write_config(
            f"poll: {{every: 1m, timeout: 5s, allow_private: [127.0.0.1]}}\nstorage: sqlite:///{tmp_path}/d.db\n"
            f"feeds:\n{feeds}"))
    return make


def _serve(server, path: str, body: bytes) -> None:
    server.route(path, body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})


def _rows(store, table: sa.Table) -> list[sa.Row]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(table)))


def test_an_edited_entry_is_a_second_revision_of_one_article(server, config) -> None:
    published = dt.datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
    _serve(server, "/feed.xml", _rss(_item("Council backs tram extension", guid="tram-1",
                                           link="https://city.example/tram", date=published)))
    cfg = config("/feed.xml")
    with open_store(cfg.storage) as store:
        first = poll(cfg, store, NOW)
        edited = BODY.replace("four years", "five years") + "Correction: an earlier version gave the wrong length."
        _serve(server, "/feed.xml", _rss(_item("Council backs tram extension, with delay", guid="tram-1",
                                               link="https://city.example/tram", date=published, body=edited)))
        second = poll(cfg, store, NOW + dt.timedelta(minutes=5))
        articles, revisions = _rows(store, t.articles), _rows(store, t.article_revisions)
    assert (first[0].added, second[0].added, second[0].revised) == (1, 0, 1)
    assert len(articles) == 1 and len(server.hits("/feed.xml")) == 2
    [article] = articles
    assert article.revision == 2 and article.key == "https://city.example/#tram-1"
    assert "five years" in article.text and article.title == "Council backs tram extension, with delay"
    assert article.published == published  # an edit does not move the story in time
    assert [(r.revision, r.title) for r in revisions] == [(1, "Council backs tram extension")]
    assert "four years" in revisions[0].text and "five years" not in revisions[0].text


def test_a_headline_only_edit_is_a_revision_too(server, config) -> None:
    _serve(server, "/feed.xml", _rss(_item("Tram vote today", link="https://city.example/t")))
    cfg = config("/feed.xml")
    with open_store(cfg.storage) as store:
        poll(cfg, store, NOW)
        _serve(server, "/feed.xml", _rss(_item("Tram vote passes", link="https://city.example/t")))
        [report] = poll(cfg, store, NOW + dt.timedelta(minutes=5))
        [article] = _rows(store, t.articles)
    assert report.revised == 1 and article.revision == 2 and article.title == "Tram vote passes"


def test_entries_without_guid_or_link_keep_their_identity(server, config) -> None:
    date = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    items = (_item("Water main bursts on Quay Street", date=date),
             _item(None, body="Untitled note one. " + BODY), _item(None, body="Untitled note two. " + BODY))
    _serve(server, "/feed.xml", _rss(*items))
    cfg = config("/feed.xml")
    with open_store(cfg.storage) as store:
        [first] = poll(cfg, store, NOW)
        _serve(server, "/feed.xml", _rss(*reversed(items)))  # same entries, new order: body hash differs
        [second] = poll(cfg, store, NOW + dt.timedelta(minutes=5))
        keys = sorted(r.key for r in _rows(store, t.articles))
    assert (first.added, second.added, second.revised, second.unchanged) == (3, 0, 0, 3)
    assert len(keys) == 3 and all(k.startswith("sha256:") for k in keys)


def test_non_uri_guids_of_two_feeds_do_not_collide(server, config) -> None:
    _serve(server, "/a.xml", _rss(_item("Story in A", guid="1"), site="https://a.example/"))
    _serve(server, "/b.xml", _rss(_item("Story in B", guid="1", body="Different words. " + BODY),
                                  site="https://b.example/"))
    cfg = config("/a.xml", "/b.xml")
    with open_store(cfg.storage) as store:
        reports = poll(cfg, store, NOW)
        rows = _rows(store, t.articles)
    assert [r.added for r in reports] == [1, 1]
    assert sorted(r.key for r in rows) == ["https://a.example/#1", "https://b.example/#1"]
    assert {r.feed for r in rows} == {"Feed 0", "Feed 1"}


def test_future_dates_are_clamped_and_missing_dates_get_the_fetch_time(server, config) -> None:
    _serve(server, "/feed.xml", _rss(_item("From the future", link="https://city.example/f",
                                           date=NOW + dt.timedelta(days=3)),
                                     _item("Undated", link="https://city.example/u")))
    cfg = config("/feed.xml")
    with open_store(cfg.storage) as store:
        poll(cfg, store, NOW)
        published = {r.title: r.published for r in _rows(store, t.articles)}
    assert published == {"From the future": NOW, "Undated": NOW}


def test_relative_links_resolve_against_the_feed_url(server, config) -> None:
    _serve(server, "/news/feed.xml", _rss(_item("Relative", link="stories/42.html"),
                                          _item("Rooted", link="/archive/7.html"), site=None))
    cfg = config("/news/feed.xml")
    with open_store(cfg.storage) as store:
        poll(cfg, store, NOW)
        urls = {r.title: r.url for r in _rows(store, t.articles)}
    assert urls == {"Relative": server.url("/news/stories/42.html"), "Rooted": server.url("/archive/7.html")}


def test_a_real_publishers_feed_edited_between_polls(server, config, shared: Path) -> None:
    """The Guardian's saved US feed (55 items), its article links pointed at the local server so no
    request leaves the machine; between polls one item's text and another's headline are edited."""
    original = (shared / "eval/feeds/rssparser_guardian.rss").read_bytes()
    original = original.replace(b"https://www.theguardian.com/", server.url("/g/").encode())
    _serve(server, "/us/rss", original)
    cfg = config("/us/rss")
    first_title = b"<title>Trump State of the Union address promised unity but emphasized discord</title>"
    assert original.count(first_title) == 1
    edited = original.replace(first_title, b"<title>State of the Union: Trump promises unity</title>")
    edited = edited.replace(b"Even Donald Trump\xe2\x80\x99s more extreme supporters",
                            b"Even the most extreme of Donald Trump\xe2\x80\x99s supporters", 1)
    assert edited.count(b"extreme of Donald") == 1
    with open_store(cfg.storage) as store:
        [first] = poll(cfg, store, NOW)
        _serve(server, "/us/rss", edited)
        [second] = poll(cfg, store, NOW + dt.timedelta(minutes=5))
        articles = _rows(store, t.articles)
        revisions = _rows(store, t.article_revisions)
    assert (first.added, first.revised) == (55, 0)
    assert (second.added, second.revised, second.unchanged) == (0, 2, 53)
    assert len(articles) == 55 and len({a.key for a in articles}) == 55
    assert all(a.url.startswith(server.url("/g/")) and a.published < NOW for a in articles)
    assert sorted(a.revision for a in articles)[-2:] == [2, 2] and len(revisions) == 2
    titles = {a.title for a in articles}
    assert "State of the Union: Trump promises unity" in titles
    assert "Trump State of the Union address promised unity but emphasized discord" not in titles
