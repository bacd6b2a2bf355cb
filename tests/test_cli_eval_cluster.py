"""`digest eval cluster`: scores printed, JSON, assignments anyone can re-score, clear errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from digest.analyze.cluster_eval import score
from digest.cli import main


def test_eval_cluster_prints_scores_and_writes_assignments(shared: Path, tmp_path: Path) -> None:
    data = shared / "eval" / "clustering" / "allsides-2021.jsonl"
    out = tmp_path / "assignments.jsonl"
    result = CliRunner().invoke(main, ["eval", "cluster", str(data), "--assignments", str(out)])
    assert result.exit_code == 0, result.output
    line = re.search(r"^B-cubed P=(\d\.\d{3}) R=(\d\.\d{3}) F1=(\d\.\d{3})$", result.output, re.M)
    assert line, result.output
    assert "pairwise" in result.output and "505 gold" in result.output and "articles/s" in result.output
    predicted = {r["id"]: r["event"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    gold = {r["id"]: r["event_id"] for r in map(json.loads, data.read_text(encoding="utf-8").splitlines())}
    assert len(predicted) == len(gold) == 1479
    rescored = score(gold, predicted)  # anyone can recompute the scores from the file
    assert f"{rescored.bcubed_f1:.3f}" == line.group(3) and rescored.bcubed_f1 >= 0.80

    as_json = CliRunner().invoke(main, ["eval", "cluster", str(data), "--json"])
    figures = json.loads(as_json.output)
    assert abs(figures["bcubed_f1"] - rescored.bcubed_f1) < 1e-9
    assert figures["pairwise_f1"] >= 0.55 and figures["predicted_events"] == rescored.predicted_events


def test_eval_cluster_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "event_id": "e", "title": "T", "published": "yesterday"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "cluster", str(bad)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"digest: error: {bad}:1: 'published' is not an ISO 8601 date-time: 'yesterday'"]
    bad.write_text("not json\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "cluster", str(bad)])
    assert result.exit_code == 1 and "not valid JSON" in result.output and "Traceback" not in result.output
    missing = CliRunner().invoke(main, ["eval", "cluster", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 1 and "does not exist" in missing.output
