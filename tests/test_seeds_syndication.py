"""The seeds edition counts origins, not mastheads, and shows the grouping (issue 5)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from seed_articles import seed_edition


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    return seed_edition(tmp_path_factory.mktemp("seeds-synd"))


def test_briefing_json_counts_three_independent_sources(edition: Path) -> None:
    data = json.loads((edition / "briefing.json").read_text(encoding="utf-8"))
    [event] = data["events"]
    assert (event["outlet_count"], event["independent_sources"]) == (5, 3)
    outlets = {s["id"]: s["outlet"] for s in data["sources"]}
    [group] = data["syndication"]
    assert group["origin"] == "Associated Press"
    assert {outlets[s] for s in group["sources"]} == {"Global Security Wire", "Japan Today", "Morning Star"}
    by_outlet = {s["outlet"]: s for s in data["sources"]}
    assert by_outlet["Countercurrents"]["origin"] is None
    assert by_outlet["Countercurrents"]["quoted_from"] == ["Associated Press", "Washington Post"]
    assert by_outlet["World Socialist Web Site"]["origin"] is None
    for fact in event["facts"]:
        assert 1 <= fact["support"] <= 3


def test_html_shows_the_grouping(edition: Path) -> None:
    html = (edition / "briefing.html").read_text(encoding="utf-8")
    assert "5 outlets, 3 independent sources" in html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    line = re.search(r"One source: Associated Press copy carried by (.+?)(?= Countercurrents)", text).group(1)
    for outlet in ("Japan Today", "Global Security Wire", "Morning Star"):
        assert outlet in line
    assert "World Socialist" not in line
    assert re.search(r"Countercurrents \[\d\] quotes passages from Associated Press", text)
