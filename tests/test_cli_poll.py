"""`digest poll` as a user runs it: a subprocess, a real config, a real local server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import feedserver as fs


def digest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest", *args], capture_output=True, text=True, timeout=120)


def test_poll_json_then_schedule_then_force(server, write_config, tmp_path: Path) -> None:
    server.route("/feed.xml", handler=fs.conditional(fs.rss(3, text="Enough words here. " * 20)))
    server.route("/gone.xml", status=410)
    config = write_config(f"poll: {{every: 1h, timeout: 5s}}\nstorage: sqlite:///{tmp_path / 'p.db'}\n"
                          f"feeds:\n  - name: Wire\n    url: {server.url('/feed.xml')}\n"
                          f"  - name: Gone\n    url: {server.url('/gone.xml')}\n")
    first = digest("poll", "--config", str(config), "--json")
    assert first.returncode == 0, first.stderr
    feeds = {f["name"]: f for f in json.loads(first.stdout)["feeds"]}
    assert feeds["Wire"]["status"] == "ok" and feeds["Wire"]["added"] == 3 and feeds["Wire"]["next_poll"]
    assert feeds["Gone"]["status"] == "retired" and "410" in feeds["Gone"]["error"]
    again = {f["name"]: f for f in json.loads(digest("poll", "--config", str(config), "--json").stdout)["feeds"]}
    assert again["Wire"]["status"] == "skipped" and len(server.hits("/feed.xml")) == 1  # not due for an hour
    forced = digest("poll", "--config", str(config), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "not modified (304)" in forced.stdout + forced.stderr and "Polled 1 of 2 feeds" in forced.stderr
    assert len(server.hits("/feed.xml")) == 2 and len(server.hits("/gone.xml")) == 1


def test_poll_without_config_says_how_to_fix_it(tmp_path: Path) -> None:
    proc = digest("poll", "--config", str(tmp_path / "missing.yaml"))
    assert proc.returncode != 0 and proc.stderr.count("\n") == 1 and "missing.yaml" in proc.stderr
