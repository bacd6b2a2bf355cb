"""Shared fixtures: paths to the evaluation data, a local HTTP server, configs."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))  # tests/httpserver.py and friends

from httpserver import LocalServer  # noqa: E402

SAMPLE = ROOT / "digest" / "sample"
SAMPLE_SEEDS = SAMPLE / "seeds"


def shared_path() -> Path:
    """../shared next to the repository (or $DIGEST_SHARED)."""
    return Path(os.environ.get("DIGEST_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_path()
    if not (path / "eval").is_dir():
        pytest.skip(f"evaluation data not found at {path} (../shared is absent in this clone; "
                    "set DIGEST_SHARED to its location to run these tests)")
    return path


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def write_config(tmp_path: Path):
    """Write a feeds.yaml into tmp_path and return its path."""
    def write(text: str, name: str = "feeds.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write
