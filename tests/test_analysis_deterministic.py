"""Same input, same briefing: no ordering in the analysis may depend on hash seeds or set order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_ENTITIES = r"""
import datetime as dt, json
from digest.analyze.event import analyze_event
from digest.model import Article
now = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
texts = [
    "Zora Quinn met Adam Blake and Mara Lind in Oslo on Monday to discuss the fishing treaty and its quotas.",
    "Adam Blake, Mara Lind and Zora Quinn agreed on Tuesday that the fishing treaty needs new quota rules.",
]
arts = [Article(key=f"k{i}", feed="f", outlet=f"O{i}", title="Treaty talks", text=t, published=now,
                fetched=now, content_hash=f"k{i}") for i, t in enumerate(texts)]
result = analyze_event(arts, {"k0": "s1", "k1": "s2"}, {}, now)
print(json.dumps(result.entities))
"""


def _run(code: str, seed: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def test_tied_entities_are_ordered_by_name_whatever_the_hash_seed() -> None:
    outputs = {_run(_ENTITIES, seed) for seed in (0, 1, 2, 3, 4, 5)}
    assert len(outputs) == 1, outputs
    assert json.loads(outputs.pop()) == ["Adam Blake", "Mara Lind", "Zora Quinn"]  # equal counts: by name


def _strip_times(value: object) -> object:
    if isinstance(value, dict):
        return {k: _strip_times(v) for k, v in value.items() if k not in {"generated_at", "last_success"}}
    if isinstance(value, list):
        return [_strip_times(v) for v in value]
    return value


def test_two_builds_of_the_sample_give_the_same_briefing_json(tmp_path: Path) -> None:
    digest = Path(sys.executable).with_name("digest")
    procs = []
    for seed in (11, 12):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        procs.append(subprocess.Popen([str(digest), "run", "--sample", "-q", "--out", str(tmp_path / str(seed))],
                                      env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    for proc in procs:
        assert proc.wait(timeout=180) == 0, proc.stderr.read() if proc.stderr else ""
    built = [sorted((tmp_path / str(seed)).glob("*/briefing.json")) for seed in (11, 12)]
    assert built[0] and len(built[0]) == len(built[1])
    a, b = (json.loads(paths[0].read_text(encoding="utf-8")) for paths in built)
    assert _strip_times(a) == _strip_times(b)
    assert a["events"] and all(e["entities"] == b["events"][i]["entities"] for i, e in enumerate(a["events"]))
