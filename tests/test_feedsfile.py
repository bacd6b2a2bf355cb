"""Appending feeds to a user's feeds.yaml keeps every byte they wrote."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from digest.config import parse_config
from digest.errors import ConfigError
from digest.feedsfile import NewFeed, add_to_config, append_feeds, normal_url, scalar, unique_name

USER_FILE = """\
# My feeds. Keep the wire services first!
briefing:
  title: Morning   # my title

feeds:
    # wires
    -   name: Reuters
        url: https://example.org/reuters.xml   # the main one
    # - name: Disabled
    #   url: https://example.org/off.xml

# where things go
output: out
"""
NEW = NewFeed("City: Desk #1", "https://city.example/feed.xml?x=1&y=2", outlet="yes")


def test_append_keeps_comments_and_follows_the_files_indentation() -> None:
    text = append_feeds(USER_FILE, [NEW])
    expected = USER_FILE.replace(
        "    #   url: https://example.org/off.xml\n",
        "    #   url: https://example.org/off.xml\n"
        "    -   name: 'City: Desk #1'\n"
        "        url: https://city.example/feed.xml?x=1&y=2\n"
        "        outlet: 'yes'\n")
    assert text == expected
    config = parse_config(text, Path("/tmp/feeds.yaml"))
    assert [(f.name, f.url, f.outlet) for f in config.feeds] == [
        ("Reuters", "https://example.org/reuters.xml", None), (NEW.name, NEW.url, "yes")]


@pytest.mark.parametrize("before, after", [
    ("feeds:\n- name: A\n  url: https://a.example/\n", "feeds:\n- name: A\n  url: https://a.example/\n- name: B\n  url: https://b.example/\n"),
    ("feeds: []  # none yet\nstorage: sqlite:///x.db\n", "feeds:   # none yet\n  - name: B\n    url: https://b.example/\nstorage: sqlite:///x.db\n"),
    ("feeds:\n  - name: A\n    url: https://a.example/\n---\n", "feeds:\n  - name: A\n    url: https://a.example/\n  - name: B\n    url: https://b.example/\n---\n"),
    ("briefing: {title: T}", "briefing: {title: T}\n\nfeeds:\n  - name: B\n    url: https://b.example/\n"),
    ("feeds:\r\n  - name: A\r\n    url: https://a.example/\r\n", "feeds:\r\n  - name: A\r\n    url: https://a.example/\r\n  - name: B\r\n    url: https://b.example/\r\n"),
])
def test_append_in_every_layout(before: str, after: str) -> None:
    assert append_feeds(before, [NewFeed("B", "https://b.example/")]) == after


def test_one_line_feed_lists_are_refused_not_rewritten() -> None:
    with pytest.raises(ConfigError, match=r"feeds.yaml:2: feeds: is written on one line"):
        append_feeds("poll: {every: 1h}\nfeeds: [{name: A, url: 'https://a.example/'}]\n", [NEW])


def test_the_file_is_replaced_only_when_the_result_validates(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    bad = "feeds:\n  - name: Local\n    path: missing-folder\n"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError, match="path 'missing-folder' does not exist"):
        add_to_config(path, [NEW])
    assert path.read_text(encoding="utf-8") == bad and list(tmp_path.iterdir()) == [path]  # no temp left
    path.write_text(USER_FILE, encoding="utf-8")
    path.chmod(0o600)
    add_to_config(path, [NEW])
    assert path.read_text(encoding="utf-8").startswith(USER_FILE.split("# where")[0].rstrip("\n"))
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_missing_file_is_created(tmp_path: Path) -> None:
    config = add_to_config(tmp_path / "feeds.yaml", [NEW])
    assert [f.url for f in config.feeds] == [NEW.url]


def test_helpers() -> None:
    for tricky in ("two\nlines", "tab\there", "quote ' and \" both", "'leading", "null", "~", "[x]", "a\u2028b"):
        assert yaml.safe_load(f"k: {scalar(tricky)}") == {"k": tricky} and "\n" not in scalar(tricky)
    assert scalar("BBC News") == "BBC News" and scalar("123") == "'123'" and scalar("a: b") == "'a: b'"
    assert normal_url("HTTPS://Example.org:443/feed/") == normal_url("https://example.org/feed#top")
    assert normal_url("https://example.org/feed?a=1") != normal_url("https://example.org/feed?a=2")
    assert unique_name("News", ["News", "News (2)"]) == "News (3)" and unique_name("X", ["News"]) == "X"
