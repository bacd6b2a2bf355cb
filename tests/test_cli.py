"""The CLI as a user runs it: subprocesses, real files, no network."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from digest import __version__


def digest(*args: str, cwd: Path | None = None, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def test_version() -> None:
    proc = digest("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"digest, version {__version__}"


def test_sample_run_offline_prints_the_pdf_path(tmp_path: Path) -> None:
    proc = digest("run", "--sample", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    pdf = Path(proc.stdout.strip())
    assert pdf == tmp_path / "out" / "2023-09-15" / "briefing.pdf" and pdf.stat().st_size > 10_000
    assert "Edition 1 for Friday 15 September 2023" in proc.stderr
    assert "feed 'Saved articles': 5 items from local folder; 5 new" in proc.stderr  # per-feed log line


def test_sample_run_json_and_rerun_adds_nothing(tmp_path: Path) -> None:
    first = json.loads(digest("run", "--sample", "--out", str(tmp_path), "--json").stdout)
    second = json.loads(digest("run", "--sample", "--out", str(tmp_path), "--json").stdout)
    assert first["date"] == "2023-09-15" and first["events"] >= 5 and first["sources"] >= 20
    assert sum(f["added"] for f in first["feeds"]) >= 90
    assert sum(f["added"] + f["revised"] for f in second["feeds"]) == 0
    assert second["number"] == first["number"] == 1  # rebuilding the same date keeps its number
    assert {f["status"] for f in first["feeds"]} == {"ok"}


def test_quiet_run_prints_only_the_path(tmp_path: Path) -> None:
    proc = digest("run", "--sample", "--out", str(tmp_path), "--quiet")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.strip().endswith("briefing.pdf")


def test_feeds_list(tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"  # a copy, so the store is created in tmp_path, not in the repository
    config.write_text((Path(__file__).parent.parent / "feeds.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    proc = digest("feeds", "list", "--config", str(config), "--json")
    rows = json.loads(proc.stdout)
    assert proc.returncode == 0 and rows[0]["name"] == "BBC News World" and rows[0]["status"] == "new"


def test_bad_date_is_one_line(tmp_path: Path) -> None:
    proc = digest("run", "--sample", "--out", str(tmp_path), "--date", "15/09/2023")
    assert proc.returncode == 2 and "is not a date; write YYYY-MM-DD" in proc.stderr
    assert "Traceback" not in proc.stderr
