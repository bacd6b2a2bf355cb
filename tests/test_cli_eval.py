"""``digest eval summary|framing``: figures on the shared eval data, one clear line when a file is missing."""

from __future__ import annotations

import json

from click.testing import CliRunner

from digest.cli import main


def test_eval_framing_reports_the_measures_as_json(shared) -> None:
    result = CliRunner().invoke(main, ["eval", "framing", "--json",
                                       "--file", str(shared / "eval" / "framing" / "basil-2010-2014.jsonl")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["events"] == 50 and data["lexical"] >= 0.30 and data["lift"] >= 1.5


def test_eval_summary_prints_product_and_lead_lines(shared) -> None:
    result = CliRunner().invoke(main, ["eval", "summary", "--limit", "20",
                                       "--file", str(shared / "eval" / "framing" / "allsides-2021-framing.jsonl")])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("product") and lines[1].startswith("lead") and "(20 events)" in lines[0]


def test_missing_eval_file_is_one_clear_line(tmp_path) -> None:
    result = CliRunner().invoke(main, ["eval", "framing", "--file", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "evaluation file not found" in lines[0] and "--file" in lines[0]


def test_malformed_eval_file_is_one_clear_line(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "framing", "--file", str(bad)])
    assert result.exit_code == 1 and "not in the expected format" in result.output
