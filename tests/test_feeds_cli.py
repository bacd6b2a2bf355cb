"""`digest feeds add | import | export | check` on real files against a real local HTTP server."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from digest.cli import main
from digest.cli_feeds import feed_health
from digest.config import load_config
from digest.model import FeedState
from digest.pipeline import poll
from digest.store import open_store

UTC = dt.timezone.utc
USER_FILE = """\
# my feeds -- hand written, keep this comment
poll:
  timeout: 5s
  allow_private: [127.0.0.1]
storage: sqlite:///{db}

feeds:
  # the wires
  - name: Wire
    url: https://wire.example/rss.xml
    outlet: Wire Service
"""
RSS = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>{title}</title>"
       "<link>https://city.example/</link><description>d</description>"
       "<item><title>One</title><link>https://city.example/1</link><description>{text}</description></item>"
       "<item><title>Two</title><link>https://city.example/2</link><description>{text}</description></item>"
       "</channel></rss>")
PAGE = """<!doctype html><html><head><title>City Desk</title>
<link rel="alternate" type="application/rss+xml" title="Comments on City Desk" href="/comments/feed.xml">
<link rel="alternate" type="application/rss+xml" title="City Desk" href="feeds/main.xml">
</head><body><p>Welcome</p></body></html>"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(USER_FILE.format(db=tmp_path / "d.db"), encoding="utf-8")
    return path


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _serve_site(server) -> None:
    rss = {"Content-Type": "application/rss+xml; charset=utf-8"}
    server.route("/", PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    server.route("/feeds/main.xml", RSS.format(title="City Desk", text="Main story text."), headers=rss)
    server.route("/comments/feed.xml", RSS.format(title="Comments", text="A comment."), headers=rss)


def test_add_a_feed_url_appends_it_and_keeps_the_users_file(server, config_file: Path) -> None:
    _serve_site(server)
    before = config_file.read_text(encoding="utf-8")
    result = cli("feeds", "add", server.url("/feeds/main.xml"), "--outlet", "City Paper", "--config", str(config_file))
    assert result.exit_code == 0, result.output
    assert f"added 'City Desk' {server.url('/feeds/main.xml')} (2 entries)" in result.output
    after = config_file.read_text(encoding="utf-8")
    assert after == before + (f"  - name: City Desk\n    url: {server.url('/feeds/main.xml')}\n"
                              "    outlet: City Paper\n")
    assert [f.name for f in load_config(config_file).feeds] == ["Wire", "City Desk"]


def test_add_a_site_page_discovers_its_main_feed(server, config_file: Path) -> None:
    _serve_site(server)
    result = cli("feeds", "add", server.url("/"), "--config", str(config_file))
    assert result.exit_code == 0, result.output
    assert f"found on {server.url('/')}" in result.output
    feed = load_config(config_file).feed("City Desk")
    assert feed is not None and feed.url == server.url("/feeds/main.xml")  # relative href resolved; not comments
    assert not server.hits("/comments/feed.xml")


def test_duplicates_are_refused_in_one_line_and_the_file_is_untouched(server, config_file: Path) -> None:
    _serve_site(server)
    assert cli("feeds", "add", server.url("/"), "--config", str(config_file)).exit_code == 0
    before = config_file.read_bytes()
    for url in (server.url("/feeds/main.xml"), server.url("/"), "https://WIRE.example/rss.xml"):
        result = cli("feeds", "add", url, "--config", str(config_file))
        assert result.exit_code == 1 and "is already in feeds.yaml as" in result.output, url
        assert len(result.output.strip().splitlines()) == 1
    result = cli("feeds", "add", server.url("/comments/feed.xml"), "--name", "Wire", "--config", str(config_file))
    assert result.exit_code == 1 and "a feed named 'Wire' is already in feeds.yaml" in result.output
    assert config_file.read_bytes() == before


def test_pages_without_feeds_and_dead_addresses_are_one_clear_line(server, config_file: Path) -> None:
    server.route("/plain", "<html><head><title>No feeds</title></head><body>hi</body></html>",
                 headers={"Content-Type": "text/html"})
    server.route("/gone.xml", b"gone", status=410)
    before = config_file.read_bytes()
    result = cli("feeds", "add", server.url("/plain"), "--config", str(config_file))
    assert result.exit_code == 1 and "announces no feed" in result.output
    assert len(server.requests) == 1 + 6  # the page, then the conventional addresses, once each
    result = cli("feeds", "add", server.url("/gone.xml"), "--config", str(config_file))
    assert result.exit_code == 1 and "answered HTTP 410" in result.output
    result = cli("feeds", "add", "ftp://example.org/feed", "--config", str(config_file))
    assert result.exit_code == 1 and "is not an http(s) URL" in result.output
    assert config_file.read_bytes() == before


def test_add_falls_back_to_conventional_addresses(server, config_file: Path) -> None:
    server.route("/blog/", "<html><body>no link tags</body></html>", headers={"Content-Type": "text/html"})
    server.route("/blog/feed", RSS.format(title="Blog", text="x"), headers={"Content-Type": "text/xml"})
    result = cli("feeds", "add", server.url("/blog/"), "--config", str(config_file))
    assert result.exit_code == 0, result.output
    assert load_config(config_file).feed("Blog").url == server.url("/blog/feed")


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>my reader</title></head><body>
  <outline text="News">
    <outline text="World">
      <outline type="rss" text="Wire again" xmlUrl="https://wire.example/rss.xml/"/>
      <outline type="rss" text="Text Only" xmlurl="https://text.example/feed"/>
      <outline type="rss" title="Titled" text="ignored" xmlUrl="https://titled.example/rss" htmlUrl="https://titled.example/"/>
    </outline>
    <outline type="rss" text="Titled twice" xmlUrl="https://titled.example/rss"/>
  </outline>
  <outline type="rss" text="Wire" xmlUrl="https://other-wire.example/rss"/>
  <outline type="rss" text="Old gopher" xmlUrl="gopher://old.example/feed"/>
  <outline type="link" text="Just a link" url="https://link.example/"/>
</body></opml>"""


def test_import_nested_opml_skips_duplicates_and_reports_counts(tmp_path: Path, config_file: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(OPML, encoding="utf-8")
    result = cli("feeds", "import", str(opml), "--config", str(config_file))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (f"imported 3 feed(s) from {opml} into {config_file}; skipped 1 already "
                                     "configured, 1 repeated in the file, 1 without an http(s) address")
    feeds = {f.name: f.url for f in load_config(config_file).feeds}
    assert feeds == {"Wire": "https://wire.example/rss.xml", "Text Only": "https://text.example/feed",
                     "Titled": "https://titled.example/rss", "Wire (2)": "https://other-wire.example/rss"}
    assert config_file.read_text(encoding="utf-8").startswith(USER_FILE.split("{db}")[0])
    again = cli("feeds", "import", str(opml), "--config", str(config_file))
    assert again.output.startswith("imported 0 feed(s)") and "skipped 5 already configured" in again.output


def test_hostile_or_broken_opml_is_refused_quickly(tmp_path: Path, config_file: Path) -> None:
    lol = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY l0 "lol">{lol}]><opml><body>' \
           '<outline text="&l9;" xmlUrl="https://x.example/"/></body></opml>'
    cases = {"bomb.opml": (bomb, "declares XML entities"), "broken.opml": ("<opml><body><outline", "not valid XML"),
             "rss.opml": (RSS.format(title="t", text="x"), "not an OPML document")}
    before = config_file.read_bytes()
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        started = time.monotonic()
        result = cli("feeds", "import", str(tmp_path / name), "--config", str(config_file))
        assert time.monotonic() - started < 2
        assert result.exit_code == 2 and message in result.output and len(result.output.splitlines()) == 1, name
    assert config_file.read_bytes() == before


def test_export_is_opml_2_that_imports_back_to_the_same_feeds(tmp_path: Path, config_file: Path) -> None:
    text = config_file.read_text(encoding="utf-8")
    (tmp_path / "saved").mkdir()
    config_file.write_text(text + '  - name: "Caf\u00e9 & <Co>"\n    url: https://cafe.example/rss?a=1&b=2\n'
                           "  - name: Saved\n    path: saved\n", encoding="utf-8")
    out = tmp_path / "out.opml"
    result = cli("feeds", "export", str(out), "--config", str(config_file))
    assert result.exit_code == 0 and "exported 2 feed(s)" in result.output and "1 local" in result.output
    root = etree.fromstring(out.read_bytes())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.find("head/title").text == "Morning Briefing" and root.find("head/dateCreated").text
    outlines = root.findall("body/outline")
    assert [(o.get("type"), o.get("text"), o.get("xmlUrl")) for o in outlines] == [
        ("rss", "Wire", "https://wire.example/rss.xml"), ("rss", "Caf\u00e9 & <Co>", "https://cafe.example/rss?a=1&b=2")]
    fresh = tmp_path / "fresh.yaml"
    assert cli("feeds", "import", str(out), "--config", str(fresh)).exit_code == 0
    assert [(f.name, f.url, f.outlet) for f in load_config(fresh).feeds] == [
        ("Wire", "https://wire.example/rss.xml", "Wire Service"),
        ("Caf\u00e9 & <Co>", "https://cafe.example/rss?a=1&b=2", None)]


def test_check_shows_each_feeds_health_from_real_polls(server, tmp_path: Path) -> None:
    rss = {"Content-Type": "application/rss+xml"}
    server.route("/ok.xml", RSS.format(title="Fine", text="x " * 200), headers=rss)
    server.route("/missing.xml", b"nope", status=404)
    path = tmp_path / "feeds.yaml"
    path.write_text(f"poll: {{every: 30m, timeout: 5s, allow_private: [127.0.0.1]}}\n"
                    f"storage: sqlite:///{tmp_path}/d.db\nfeeds:\n"
                    f"  - name: Fine\n    url: {server.url('/ok.xml')}\n"
                    f"  - name: Broken\n    url: {server.url('/missing.xml')}\n"
                    f"  - name: Moved away\n    url: {server.url('/moved.xml')}\n", encoding="utf-8")
    config = load_config(path)
    now = dt.datetime.now(UTC)
    with open_store(config.storage) as store:
        poll(config, store, now)
    result = subprocess.run([sys.executable, "-m", "digest", "feeds", "check", "--json", "--config", str(path)],
                            capture_output=True, text=True, timeout=60)
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert result.returncode == 0 and "2 feed(s) failing" in result.stderr
    fine, broken = rows["Fine"], rows["Broken"]
    assert fine["status"] == "ok" and fine["articles"] == 2 and fine["error"] is None
    assert fine["latency_ms"] is not None and fine["last_success"] and fine["next_note"].startswith("in ")
    assert broken["status"] == "failing" and "404" in broken["error"] and broken["articles"] == 0
    assert broken["last_success"] is None and broken["next_poll"] > now.isoformat()
    table = subprocess.run([sys.executable, "-m", "digest", "feeds", "check", "--config", str(path)],
                           capture_output=True, text=True, timeout=60, env={"COLUMNS": "200", "PATH": ""})
    assert table.returncode == 0
    assert all(word in table.stdout for word in ("Fine", "Broken", "HTTP 404", "never", " ms", "3 feeds"))


def test_next_poll_wording() -> None:
    now = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    config_text = "feeds:\n" + "".join(f"  - name: {n}\n    url: https://{n}.example/\n"
                                       for n in ("due", "later", "held", "gone", "fresh"))
    from digest.config import parse_config
    config = parse_config(config_text, Path("/tmp/feeds.yaml"))
    base = FeedState(name="", status="ok")
    states = {
        "due": dataclasses.replace(base, name="due", next_poll=now - dt.timedelta(minutes=1)),
        "later": dataclasses.replace(base, name="later", next_poll=now + dt.timedelta(minutes=25)),
        "held": dataclasses.replace(base, name="held", status="failing", next_poll=now,
                                    retry_after=now + dt.timedelta(hours=2)),
        "gone": dataclasses.replace(base, name="gone", status="retired"),
    }
    notes = {r.name: r.next_note for r in feed_health(config, states, {"due": 4}, now)}
    assert notes == {"due": "due now", "later": "in 25m", "held": "in 2h (Retry-After)",
                     "gone": "never (retired)", "fresh": "next run"}


def test_a_stalling_server_times_out_in_one_line(server, tmp_path: Path) -> None:
    server.route("/slow", handler=lambda handler: time.sleep(2.5))
    path = tmp_path / "feeds.yaml"
    path.write_text("poll: {timeout: 1s}\nfeeds:\n", encoding="utf-8")
    started = time.monotonic()
    result = cli("feeds", "add", server.url("/slow"), "--config", str(path))
    assert time.monotonic() - started < 3
    assert result.exit_code == 1 and result.output.strip().endswith("timed out; check the address or try again later")
    assert path.read_text(encoding="utf-8") == "poll: {timeout: 1s}\nfeeds:\n"
