"""Two editions from one store: the seeds event keeps its id and the second edition says what is new."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from conftest import SAMPLE_SEEDS

from digest.config import load_config
from digest.pipeline import run

UTC = dt.timezone.utc


def test_event_id_is_stable_across_editions_and_news_is_counted(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    shutil.copy(SAMPLE_SEEDS / "README.md", folder / "README.md")  # the manifest: outlets and dates
    first_four = sorted(p for p in SAMPLE_SEEDS.glob("0*.txt") if not p.name.startswith("000_"))
    for path in first_four:
        shutil.copy(path, folder / path.name)
    config = tmp_path / "feeds.yaml"
    config.write_text(f"storage: sqlite:///{tmp_path / 'digest.db'}\noutput: {tmp_path / 'out'}\n"
                      "briefing: {title: Seeds, timezone: UTC, window: 7d}\n"
                      f"feeds:\n  - name: Saved articles\n    path: {folder}\n", encoding="utf-8")

    first = run(load_config(config), date=dt.date(2023, 9, 13), now=dt.datetime(2023, 9, 14, 6, tzinfo=UTC))
    day1 = json.loads((first.edition_dir / "briefing.json").read_text(encoding="utf-8"))
    [event1] = day1["events"]
    assert event1["new_articles"] == 4 and event1["status"] == "new"

    shutil.copy(SAMPLE_SEEDS / "000_c6431a501ab3f111.txt", folder)  # the WSWS article, two days later
    second = run(load_config(config), date=dt.date(2023, 9, 15), now=dt.datetime(2023, 9, 16, 6, tzinfo=UTC))
    day2 = json.loads((second.edition_dir / "briefing.json").read_text(encoding="utf-8"))
    [event2] = day2["events"]
    assert event2["id"] == event1["id"]
    assert event2["status"] == "developing" and event2["new_articles"] == 1
    assert event2["first_seen"] == event1["first_seen"] == "2023-09-12T12:00:00+00:00"
    assert len(event2["sources"]) == 5 and event2["outlet_count"] == 5
    assert any("putin" in e.lower() for e in event2["entities"])  # proper names (or the clusterer's terms)
