"""The substance end to end: two editions from the seeds, briefing.json carries it all with source ids,
the second edition says what is new, the HTML shows it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE_SEEDS

from digest.config import load_config
from digest.pipeline import run

UTC = dt.timezone.utc
WSWS = "000_c6431a501ab3f111.txt"  # the World Socialist Web Site piece, published 2023-09-15


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> tuple[dict, dict, Path]:
    root = tmp_path_factory.mktemp("substance")
    folder = root / "seeds"
    shutil.copytree(SAMPLE_SEEDS, folder)
    held = folder / WSWS
    held_text = held.read_bytes()
    held.unlink()
    config_path = root / "feeds.yaml"
    config_path.write_text("briefing: {title: Substance, timezone: UTC, window: 7d}\n"
                           f"feeds:\n  - name: Saved articles\n    path: {folder}\n", encoding="utf-8")
    first = run(load_config(config_path), date=dt.date(2023, 9, 14), now=dt.datetime(2023, 9, 14, 6, tzinfo=UTC))
    (folder / WSWS).write_bytes(held_text)
    second = run(load_config(config_path), date=dt.date(2023, 9, 15),
                 now=dt.datetime(2023, 9, 16, 6, tzinfo=UTC))
    load = lambda r: json.loads((r.edition_dir / "briefing.json").read_text(encoding="utf-8"))  # noqa: E731
    return load(first), load(second), second.edition_dir


def _cited(event: dict) -> list[list[str]]:
    lists = [f["sources"] for f in event["facts"]] + [q["sources"] for q in event["quotes"]]
    lists += [v["sources"] for d in event["disagreements"] for v in d["versions"]]
    lists += [f["sources"] for f in event["framings"]]
    lists += [c["sources"] for f in event["framings"] for c in f["unique_claims"] + f["context_added"]]
    lists += [t["sources"] for t in event["timeline"]] + [c["sources"] for c in event["open_questions"]]
    return lists


def test_briefing_json_carries_the_substance_with_source_ids(editions) -> None:
    _, data, _ = editions
    [event] = data["events"]
    ids = {s["id"] for s in data["sources"]}
    assert all(lst and set(lst) <= set(event["sources"]) <= ids for lst in _cited(event))
    talks = next(d for d in event["disagreements"] if d["about"] == "length of the talks")
    assert {"over four hours", "approximately an hour"} <= {v["value"] for v in talks["versions"]}
    kim = [q for q in event["quotes"] if q["speaker"] == "Kim Jong Un"]
    assert kim and kim[0]["role"] == "North Korean leader"
    assert len(event["framings"]) == 5
    outlets = {s["id"]: s["outlet"] for s in data["sources"]}
    wsws = next(f for f in event["framings"] if f["outlet"] == "World Socialist Web Site")
    assert "imperialism" in wsws["loaded_terms"] and [outlets[s] for s in wsws["sources"]] == [wsws["outlet"]]
    assert any(t["date"] == "2023-09-13" for t in event["timeline"])
    assert any(q["text"].startswith("No details were released") for q in event["open_questions"])
    assert "Kim Jong Un" in event["entities"]
    assert data["overview"].count("\n") == 0 and event["title"] in data["overview"]


def test_second_edition_says_what_is_new(editions) -> None:
    first, second, _ = editions
    [before], [after] = first["events"], second["events"]
    assert before["status"] == "new" and before["new_articles"] == 4
    assert after["id"] == before["id"]
    assert after["status"] == "developing" and after["new_articles"] == 1
    assert "developing" in second["overview"]


def test_html_shows_the_substance_sections(editions) -> None:
    _, _, edition_dir = editions
    html = (edition_dir / "briefing.html").read_text(encoding="utf-8")
    for heading in ("Where sources differ", "Quotes", "How outlets framed it", "Timeline", "Not yet known",
                    "Since the previous edition"):
        assert heading in html, heading
    assert "approximately an hour" in html and "Kim Jong Un" in html


def test_quiet_events_are_listed_and_escaped(editions) -> None:
    import dataclasses

    from digest.model import QuietEvent
    from digest.render.edition_json import briefing_from_json
    from digest.render.html import render_html

    _, data, _ = editions
    briefing = dataclasses.replace(briefing_from_json(data), quiet_events=(
        QuietEvent(id="ev-old", title="Old <script>story</script>", last_seen=dt.datetime(2023, 9, 10, tzinfo=UTC)),))
    html = render_html(briefing)
    assert "Gone quiet since the previous edition" in html
    assert "Old &lt;script&gt;story&lt;/script&gt;" in html and "<script>story" not in html
