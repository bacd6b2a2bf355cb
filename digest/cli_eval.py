"""The ``digest eval`` group: every ``digest eval ...`` command registers on it."""

from __future__ import annotations

from digest.cli import main


@main.group("eval")
def eval_group() -> None:
    """Measure the product on labelled data."""
