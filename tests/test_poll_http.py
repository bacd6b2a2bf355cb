"""The poller against a real HTTP server on 127.0.0.1 that misbehaves on request.

Covers conditional GET (ETag / Last-Modified / 304), unchanged bodies,
301/302, 410, 429 + Retry-After, 404/500 backoff, and isolation: a stalled,
reset, endless, garbage, HTML, oversized or entity-bomb feed fails alone,
within its own timeout, with its error stored.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from digest.config import load_config
from digest.polling import poll_all
from digest.store import open_store

import feedserver as fs

UTC = dt.timezone.utc
NOW = dt.datetime(2019, 11, 21, 7, tzinfo=UTC)
SAMPLE_FEEDS = Path(__file__).parent.parent / "digest" / "sample" / "feeds"
LONG_TEXT = " ".join(["Residents said the river rose quickly overnight and crews worked until dawn."] * 20)


def _config(write_config, tmp_path: Path, feeds: dict[str, str], poll: str = "timeout: 5s"):
    lines = "".join(f"  - name: {name}\n    url: {url}\n" for name, url in feeds.items())
    return load_config(write_config(f"briefing: {{timezone: UTC}}\npoll: {{{poll}}}\nstorage: "
                                    f"sqlite:///{tmp_path / 'poll.db'}\nfeeds:\n{lines}"))


def _poll(config, now=NOW, force=False):
    with open_store(config.storage) as store:
        reports = {r.name: r for r in poll_all(config, store, now, force=force)}
        states = {s.name: s for s in store.feed_states()}
        count = store.article_count()
    return reports, states, count


def test_conditional_get_sends_validators_back_and_304_parses_nothing(server, write_config, tmp_path) -> None:
    server.route("/feed.xml", handler=fs.conditional(fs.rss(3, text=LONG_TEXT)))
    config = _config(write_config, tmp_path, {"Wire": server.url("/feed.xml")}, "every: 1m, timeout: 5s")
    reports, states, count = _poll(config)
    assert reports["Wire"].status == "ok" and reports["Wire"].added == 3 and count == 3
    assert states["Wire"].etag == '"v1"' and states["Wire"].last_modified == "Tue, 19 Nov 2019 10:00:00 GMT"
    assert states["Wire"].entries == 3
    reports, states, count = _poll(config, NOW + dt.timedelta(minutes=5))
    second = server.hits("/feed.xml")[1].headers
    assert second["if-none-match"] == '"v1"' and second["if-modified-since"] == "Tue, 19 Nov 2019 10:00:00 GMT"
    assert reports["Wire"].note == "not modified (304)" and reports["Wire"].added == 0 and count == 3
    assert states["Wire"].next_poll == NOW + dt.timedelta(minutes=6)
    assert server.hits("/feed.xml")[0].headers["user-agent"].startswith("digest/")


def test_unchanged_body_without_validators_is_skipped_and_schedule_respected(server, write_config,
                                                                              tmp_path) -> None:
    server.route("/plain.xml", fs.rss(2, text=LONG_TEXT), headers={"Content-Type": "application/rss+xml"})
    config = _config(write_config, tmp_path, {"Plain": server.url("/plain.xml")}, "every: 10m, timeout: 5s")
    _poll(config)
    reports, _, _ = _poll(config, NOW + dt.timedelta(minutes=5))  # not due yet
    assert reports["Plain"].status == "skipped" and len(server.hits("/plain.xml")) == 1
    reports, _, count = _poll(config, NOW + dt.timedelta(minutes=5), force=True)
    assert reports["Plain"].note == "unchanged (same bytes)" and count == 2 and len(server.hits("/plain.xml")) == 2


def test_301_moves_the_feed_for_good_and_302_does_not(server, write_config, tmp_path) -> None:
    server.route("/old.xml", status=301, headers={"Location": "/new.xml"})
    server.route("/new.xml", fs.rss(1, text=LONG_TEXT), headers={"Content-Type": "application/rss+xml"})
    server.route("/temp.xml", status=302, headers={"Location": server.url("/target.xml")})
    server.route("/target.xml", fs.rss(1, prefix="t", text=LONG_TEXT), headers={"Content-Type": "text/xml"})
    config = _config(write_config, tmp_path, {"Moved": server.url("/old.xml"), "Temp": server.url("/temp.xml")})
    reports, states, _ = _poll(config)
    assert reports["Moved"].status == "ok" and states["Moved"].moved_to == server.url("/new.xml")
    assert states["Temp"].moved_to is None and reports["Temp"].added == 1
    # the next poll (the config is synced again) goes straight to the new address; 302 keeps its old one
    _poll(config, NOW + dt.timedelta(hours=1))
    assert len(server.hits("/old.xml")) == 1 and len(server.hits("/new.xml")) == 2
    assert len(server.hits("/temp.xml")) == 2


def test_410_retires_429_waits_500_and_404_back_off(server, write_config, tmp_path) -> None:
    server.route("/gone.xml", status=410)
    server.route("/busy.xml", status=429, headers={"Retry-After": "7200"})
    server.route("/later.xml", status=503, headers={"Retry-After": fs.http_date(NOW + dt.timedelta(hours=3))})
    server.route("/broken.xml", status=500, body=b"oops")
    config = _config(write_config, tmp_path, {n: server.url(f"/{n}.xml") for n in
                                              ("gone", "busy", "later", "broken", "missing")},
                     "every: 30m, timeout: 5s")
    reports, states, _ = _poll(config)
    assert reports["gone"].status == "retired" and states["gone"].status == "retired"
    assert states["busy"].retry_after == NOW + dt.timedelta(hours=2)
    assert states["later"].retry_after == NOW + dt.timedelta(hours=3)
    assert "HTTP 500" in states["broken"].error and "HTTP 404" in states["missing"].error
    assert all(states[n].next_poll > NOW for n in ("busy", "later", "broken", "missing"))
    # --force an hour later: polls the 500 and the 404 again, never the 410 nor the unexpired Retry-After
    reports, states, _ = _poll(config, NOW + dt.timedelta(hours=1), force=True)
    assert [len(server.hits(f"/{n}.xml")) for n in ("gone", "busy", "later", "broken", "missing")] == [1, 1, 1, 2, 2]
    assert reports["gone"].status == "retired" and reports["busy"].status == "skipped"
    assert states["broken"].failures == 2
    assert states["broken"].next_poll - (NOW + dt.timedelta(hours=1)) >= dt.timedelta(minutes=48)  # doubled
    # once the Retry-After has passed the feed is polled again
    _poll(config, NOW + dt.timedelta(hours=2, minutes=1), force=True)
    assert len(server.hits("/busy.xml")) == 2 and len(server.hits("/later.xml")) == 1


@pytest.mark.slow
def test_bad_feeds_fail_alone_within_their_timeout(server, write_config, tmp_path) -> None:
    good = fs.rss(5, text=LONG_TEXT)
    server.route("/good.xml", good, headers={"Content-Type": "application/rss+xml"})
    server.route("/gzip.xml", handler=fs.gzipped(fs.rss(4, prefix="z", text=LONG_TEXT)))
    latin = ("<?xml version='1.0' encoding='iso-8859-1'?><rss version='2.0'><channel><title>Le Monde</title>"
             "<item><title>Café à Genève</title><guid>x1</guid><description>"
             f"{LONG_TEXT}</description></item></channel></rss>").encode("latin-1")
    server.route("/liar.xml", latin, headers={"Content-Type": "application/rss+xml; charset=utf-8"})
    server.route("/stall.xml", handler=fs.stall(6))
    server.route("/drop.xml", handler=fs.drop_mid_body(good))
    server.route("/endless.xml", handler=fs.endless())
    server.route("/trickle.xml", handler=fs.endless(b"<item>", delay=0.05))
    server.route("/garbage.xml", bytes(range(256)) * 40, headers={"Content-Type": "application/rss+xml"})
    server.route("/html.xml", b"<!doctype html><html><body><h1>Welcome</h1><p>Not a feed.</p></body></html>",
                 headers={"Content-Type": "text/html"})
    server.route("/bomb.xml", fs.BILLION_LAUGHS, headers={"Content-Type": "application/rss+xml"})
    server.route("/zipbomb.xml", handler=fs.gzipped(b"<rss>" + b" " * 20_000_000))  # 20 MB in ~20 KB
    server.route("/brotli.xml", handler=fs.encoded(fs.rss(2, prefix="b", text=LONG_TEXT), "br"))
    server.route("/deflate.xml", handler=fs.encoded(fs.rss(3, prefix="d", text=LONG_TEXT), "deflate"))
    server.route("/brbomb.xml", handler=fs.encoded(b"<rss>" + b" " * 20_000_000, "br"))
    names = ("good", "gzip", "brotli", "deflate", "liar", "stall", "drop", "endless", "trickle", "garbage", "html", "bomb", "zipbomb", "brbomb")
    config = _config(write_config, tmp_path, {n: server.url(f"/{n}.xml") for n in names},
                     "timeout: 2s, max_bytes: 200KB, per_host: 20")  # as if each were on its own host
    started = time.monotonic()
    reports, states, count = _poll(config)
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"bad feeds held the poll up for {elapsed:.1f}s"
    assert {reports[n].status for n in ("good", "gzip", "brotli", "deflate", "liar")} == {"ok"}
    assert count == 5 + 4 + 2 + 3 + 1
    with open_store(config.storage) as store:
        titles = {a.title for a in store.articles_published_between(NOW - dt.timedelta(days=3650),
                                                                     NOW + dt.timedelta(days=1))}
    assert "Café à Genève" in titles  # the XML prolog beat the lying header
    errors = {n: states[n].error or "" for n in names}
    assert "timed out" in errors["stall"] and "timed out" in errors["trickle"]
    assert "broke off" in errors["drop"] or "reset" in errors["drop"]
    assert "cap" in errors["endless"]
    assert "not an RSS or Atom feed" in errors["garbage"] and "not an RSS or Atom feed" in errors["html"]
    assert "entity" in errors["bomb"]
    assert "cap" in errors["zipbomb"] and "cap" in errors["brbomb"]  # counted on the decoded bytes
    assert all(states[n].status == "failing" and states[n].failures == 1 for n in names[5:])


def test_per_host_limit_holds_and_a_slow_host_does_not_eat_the_others_deadline(server, write_config,
                                                                               tmp_path) -> None:
    rss = fs.status(200, {"Content-Type": "application/rss+xml"}, fs.rss(1, text=LONG_TEXT))
    slow, peak = fs.slow_counted(0.3, rss)

    for n in range(6):
        server.route(f"/slow{n}.xml", handler=slow)
    config = _config(write_config, tmp_path, {f"s{n}": server.url(f"/slow{n}.xml") for n in range(6)},
                     "timeout: 1s, per_host: 2")
    reports, _, _ = _poll(config)
    assert peak[0] == 2  # never more than two requests at once to one host
    # six 0.3 s answers two at a time take ~0.9 s in all, yet none timed out at 1 s: queueing is not counted
    assert {r.status for r in reports.values()} == {"ok"}


def test_article_pages_on_private_addresses_are_refused_unless_allowed(server, write_config, tmp_path) -> None:
    server.route("/summaries.xml", fs.rss(2, prefix="p", text="One line only.", link_base=server.url("/a/")),
                 headers={"Content-Type": "application/rss+xml"})
    for n in range(2):
        server.route(f"/a/p-{n}", f"<html><body><article><p>{LONG_TEXT}</p></article></body></html>",
                     headers={"Content-Type": "text/html; charset=utf-8"})
    config = _config(write_config, tmp_path, {"S": server.url("/summaries.xml")})
    reports, _, count = _poll(config)
    assert reports["S"].status == "ok" and count == 2  # stored from the summaries
    assert server.hits("/a/p-0") == [] and server.hits("/a/p-1") == []
    allowed = _config(write_config, tmp_path / "x", {"S": server.url("/summaries.xml")},
                      "timeout: 5s, allow_private: [127.0.0.1]") if (tmp_path / "x").mkdir() is None else None
    _poll(allowed)
    assert len(server.hits("/a/p-0")) == 1 and len(server.hits("/a/p-1")) == 1
    with open_store(allowed.storage) as store:
        texts = [a.text for a in store.articles_published_between(NOW - dt.timedelta(days=3650), NOW)]
    assert all("river rose quickly" in t for t in texts) and len(texts) == 2


def test_real_publisher_feeds_over_http(server, write_config, tmp_path) -> None:
    """The bundled real feeds served gzip-compressed; entry counts checked against the raw XML."""
    feeds = {}
    expected = {}
    for path in sorted(SAMPLE_FEEDS.glob("*.xml")):
        body = path.read_bytes()
        server.route(f"/{path.name}", handler=fs.gzipped(body))
        feeds[path.stem] = server.url(f"/{path.name}")
        expected[path.stem] = body.count(b"<item>") + body.count(b"<item ") + body.count(b"<entry>")
    config = _config(write_config, tmp_path, feeds)
    reports, states, count = _poll(config)
    assert {n: r.status for n, r in reports.items()} == {n: "ok" for n in feeds}
    assert {n: states[n].entries for n in feeds} == expected
    assert count == sum(r.added for r in reports.values()) > 50


def test_a_dying_parser_process_fails_one_feed_and_the_pool_recovers() -> None:
    import asyncio
    import os

    from digest.fetch.poller import Workers, _warm

    workers = Workers(feeds_to_parse=100)
    try:
        assert workers.processes
        with pytest.raises(RuntimeError, match="parser process died"):
            asyncio.run(workers.run(os._exit, 3))
        assert asyncio.run(workers.run(_warm)) != os.getpid()  # a fresh worker process answers
    finally:
        workers.close()
