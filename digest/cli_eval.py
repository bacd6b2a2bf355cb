"""The ``digest eval`` group: every ``digest eval ...`` command registers on it."""

from __future__ import annotations

import os
from pathlib import Path

from digest.cli import main

#: ../shared next to the project (where the labelled evaluation data lives), unless $DIGEST_SHARED says otherwise.
DEFAULT_SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def shared_eval_path(relative: str) -> Path:
    """``<shared>/eval/<relative>``, with ``<shared>`` from $DIGEST_SHARED or next to the project."""
    return Path(os.environ.get("DIGEST_SHARED", DEFAULT_SHARED)) / "eval" / relative


@main.group("eval")
def eval_group() -> None:
    """Measure the product on labelled data."""
