"""Golden-output tests: the rendered HTML briefing and the plain-text email for a fixed edition.

The stylesheet is left out of the comparison (it is tested through the PDF
and the browser), so CSS tweaks do not churn the golden files. When the
output changes on purpose, regenerate and review the diff::

    DIGEST_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
    git diff tests/golden/
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest
from test_render import make_briefing

from digest.deliver.email import render_bodies
from digest.render import render_html

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DIGEST_UPDATE_GOLDEN") == "1"


def _normalise(html: str) -> str:
    return re.sub(r"<style>.*?</style>", "<style>…</style>", html, flags=re.S)


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"{path} is missing; create it with DIGEST_UPDATE_GOLDEN=1")
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/{name}", "rendered", n=2))
        pytest.fail(f"{name} differs from the golden file. If the change is intended, run\n"
                    f"  DIGEST_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py\n"
                    f"and review `git diff tests/golden/`.\n{diff[:6000]}")


def test_briefing_html_golden() -> None:
    _check("briefing.html", _normalise(render_html(make_briefing())))


def test_email_text_golden() -> None:
    _html, text = render_bodies(make_briefing(), None)
    _check("email.txt", text)


def test_golden_check_detects_a_change(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(f"{__name__}.GOLDEN", tmp_path)
    monkeypatch.setattr(f"{__name__}.UPDATE", False)
    (tmp_path / "x.html").write_text("<p>a</p>\n")
    with pytest.raises(pytest.fail.Exception, match="DIGEST_UPDATE_GOLDEN=1"):
        _check("x.html", "<p>b</p>\n")
    _check("x.html", "<p>a</p>\n")
