"""feeds.yaml validation: every mistake is one line with file:line, key and fix."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from digest.config import load_config
from digest.errors import ConfigError

GOOD = """\
briefing:
  title: Test Briefing
  timezone: Europe/London
  schedule: "0 7 * * *"
  window: 36h
  max_events: 5
poll:
  every: 15m
  max_bytes: 2MB
  allow_private: [127.0.0.1]
storage: sqlite:///data/digest.db
feeds:
  - name: Wire
    url: https://example.org/rss
    outlet: Example Wire
  - name: Saved
    path: saved
email:
  to: [me@example.org]
  from: digest@example.org
  smtp: {host: smtp.example.org, port: 587, starttls: true, user_env: SMTP_USER, password_env: SMTP_PASSWORD}
"""


def error_for(write_config, text: str) -> str:
    path = write_config(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message, "a config error must be one line"
    assert message.startswith("feeds.yaml:"), message
    return message


def test_good_config_becomes_typed_objects(write_config, tmp_path: Path) -> None:
    (tmp_path / "saved").mkdir()
    config = load_config(write_config(GOOD))
    assert config.briefing.title == "Test Briefing"
    assert config.briefing.timezone == "Europe/London"
    assert config.briefing.window == dt.timedelta(hours=36)
    assert config.briefing.max_events == 5
    assert config.poll.every == dt.timedelta(minutes=15)
    assert config.poll.max_bytes == 2_000_000
    assert config.poll.allow_private == ("127.0.0.1",)
    assert [f.name for f in config.feeds] == ["Wire", "Saved"]
    assert config.feeds[0].url == "https://example.org/rss" and config.feeds[0].outlet == "Example Wire"
    assert config.feeds[1].path == tmp_path / "saved"
    assert config.storage == f"sqlite:///{tmp_path / 'data' / 'digest.db'}"  # relative to the config file
    assert config.output == tmp_path / "output"
    assert config.email is not None and config.email.smtp.password_env == "SMTP_PASSWORD"


def test_defaults_when_sections_are_missing(write_config) -> None:
    config = load_config(write_config("feeds: []\n"))
    assert config.briefing.timezone == "UTC"
    assert config.briefing.window == dt.timedelta(hours=24)
    assert config.feeds == ()


def test_yaml_syntax_error_names_the_line(write_config) -> None:
    message = error_for(write_config, "briefing:\n  title: [unclosed\n  timezone: UTC\n")
    assert "YAML syntax error" in message
    assert message.split(":")[1].isdigit()


def test_unknown_key_suggests_the_right_one(write_config) -> None:
    message = error_for(write_config, "briefing:\n  title: x\n  timezon: Europe/London\n")
    assert message.startswith("feeds.yaml:3: briefing.timezon: unknown key 'timezon'")
    assert "did you mean 'timezone'?" in message


def test_unknown_top_level_key(write_config) -> None:
    message = error_for(write_config, "feedz:\n  - name: x\n")
    assert "feeds.yaml:1: feedz: unknown key" in message and "did you mean 'feeds'?" in message


def test_feed_with_neither_url_nor_path(write_config) -> None:
    message = error_for(write_config, "feeds:\n  - name: A\n    url: https://a.example/rss\n  - name: B\n"
                                      "    outlet: Bee\n")
    assert message.startswith("feeds.yaml:4: feeds[1]: feed 'B' has neither url nor path")
    assert "url: https://" in message and "path:" in message


def test_feed_with_both_url_and_path(write_config, tmp_path: Path) -> None:
    message = error_for(write_config, f"feeds:\n  - name: A\n    url: https://a.example/rss\n    path: {tmp_path}\n")
    assert "has both url and path" in message


def test_duplicate_feed_names(write_config) -> None:
    message = error_for(write_config, "feeds:\n  - name: Same\n    url: https://a.example/rss\n"
                                      "  - name: Same\n    url: https://b.example/rss\n")
    assert message.startswith("feeds.yaml:4: feeds[1].name: duplicate feed name 'Same' (also on line 2)")


def test_key_written_twice(write_config) -> None:
    message = error_for(write_config, "briefing:\n  title: a\n  title: b\n")
    assert message.startswith("feeds.yaml:3: briefing.title: 'title' is written twice")


def test_bad_timezone(write_config) -> None:
    message = error_for(write_config, "briefing:\n  timezone: Europe/Lundon\n")
    assert message.startswith("feeds.yaml:2: briefing.timezone: 'Europe/Lundon' is not a known time zone")
    assert "did you mean 'Europe/London'?" in message


def test_bad_cron(write_config) -> None:
    message = error_for(write_config, "briefing:\n  schedule: \"0 25 * * *\"\n")
    assert message.startswith("feeds.yaml:2: briefing.schedule: '0 25 * * *' is not a valid cron expression")
    assert "five cron fields" in message


def test_cron_with_wrong_field_count(write_config) -> None:
    message = error_for(write_config, "briefing:\n  schedule: \"0 7 * *\"\n")
    assert "is not a valid cron expression" in message


@pytest.mark.parametrize("value", ["soon", "10 parsecs", "-5m", "0h"])
def test_bad_duration(write_config, value: str) -> None:
    message = error_for(write_config, f"poll:\n  every: \"{value}\"\n")
    assert message.startswith(f"feeds.yaml:2: poll.every: '{value}' is not a duration") or \
        "is not a positive duration" in message
    assert "30m" in message


def test_path_that_does_not_exist(write_config, tmp_path: Path) -> None:
    message = error_for(write_config, "feeds:\n  - name: Saved\n    path: no/such/folder\n")
    assert message.startswith("feeds.yaml:3: feeds[0].path: path 'no/such/folder' does not exist")
    assert str(tmp_path / "no/such/folder") in message


def test_feed_url_must_be_http(write_config) -> None:
    message = error_for(write_config, "feeds:\n  - name: A\n    url: ftp://a.example/rss\n")
    assert "feeds[0].url: 'ftp://a.example/rss' is not an http(s) URL" in message


def test_password_in_config_is_refused(write_config) -> None:
    message = error_for(write_config, "email:\n  to: [a@b.c]\n  from: d@b.c\n  smtp:\n    host: h\n"
                                      "    password: hunter2\n")
    assert message.startswith("feeds.yaml:6: email.smtp.password: 'password' must not be written")
    assert "password_env" in message and "hunter2" not in message


def test_bad_storage_url(write_config) -> None:
    message = error_for(write_config, "storage: mysql://x/y\n")
    assert "is not a supported database URL" in message


def test_not_a_mapping(write_config) -> None:
    message = error_for(write_config, "briefing: hello\n")
    assert message.startswith("feeds.yaml:1: briefing: expected a block of settings")


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.yaml")


def test_repository_feeds_yaml_is_valid() -> None:
    config = load_config(Path(__file__).parent.parent / "feeds.yaml")
    assert len(config.feeds) >= 5 and all(f.url and f.url.startswith("https://") for f in config.feeds)


def test_cli_prints_one_line_and_fails(write_config) -> None:
    path = write_config("briefing:\n  timezone: Mars/Olympus\n", name="broken.yaml")
    proc = subprocess.run([sys.executable, "-m", "digest", "run", "--config", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines == ["digest: error: broken.yaml:2: briefing.timezone: 'Mars/Olympus' is not a known time zone; "
                     "write an IANA time zone name such as Europe/London, America/New_York or UTC"], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
