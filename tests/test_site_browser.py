"""The built site in a real browser: Debian's chromium, headless, from file://.

Screenshots the index and an event page; fails on a blank page or on any
console message (the site has no scripts, so any message is an error).
``make browser-deps`` (run by ``.ci/run``) installs chromium when missing.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from test_site import two_editions

from digest.render import publish_edition
from digest.site import build_site

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (run `make browser-deps`)")


def _screenshot(url: str, png: Path, width: int = 1000, height: int = 1400) -> str:
    """Load ``url`` headless, write a screenshot, return chromium's console log lines."""
    env = {**os.environ, "HOME": str(png.parent)}  # a private profile and cache
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--disable-extensions", "--disable-background-networking", "--disable-component-update",
         f"--user-data-dir={png.parent / 'profile'}", f"--window-size={width},{height}",
         "--enable-logging=stderr", "--v=0", f"--screenshot={png}", url],
        capture_output=True, text=True, timeout=90, env=env)
    assert result.returncode == 0 and png.is_file(), result.stderr[-2000:]
    return "\n".join(line for line in result.stderr.splitlines() if ":CONSOLE" in line)


def _assert_not_blank(png: Path) -> None:
    image = Image.open(png).convert("L")
    histogram = image.histogram()
    background = max(range(256), key=histogram.__getitem__)
    ink = sum(count for level, count in enumerate(histogram) if abs(level - background) > 60)
    assert ink > 0.005 * image.width * image.height, f"{png.name} looks blank"
    assert ImageStat.Stat(image).stddev[0] > 10, f"{png.name} has no contrast"


@pytest.mark.slow
def test_site_in_headless_chromium(tmp_path: Path, server) -> None:
    first, second = two_editions(tmp_path / "out")
    pixel = server.url("/pixel.png")
    hostile = dataclasses.replace(second.events[1], summary=f'<img src="{pixel}"> <script src="{pixel}"></script>'
                                  f' <link rel="stylesheet" href="{pixel}"> Dock workers extended their strike.')
    publish_edition(tmp_path / "out", dataclasses.replace(second, events=(second.events[0], hostile,
                                                                          second.events[2])))
    site = tmp_path / "public" / "sub" / "path"  # served from a sub-path, opened as file://
    build_site(tmp_path / "out", site, title="Morning Briefing")
    shots = tmp_path / "shots"
    shots.mkdir()
    for page, name in (("index.html", "index.png"), ("events/ev-a1.html", "event.png"),
                       ("archive.html", "archive.png")):
        console = _screenshot((site / page).as_uri(), shots / name)
        assert console == "", f"console messages on {page}:\n{console}"
        _assert_not_blank(shots / name)
    # the checker itself catches broken pages: a script error and a blank page both fail
    (site / "bad.html").write_text("<p>x</p><script>throw new Error('boom')</script>")
    assert "boom" in _screenshot((site / "bad.html").as_uri(), shots / "bad.png")
    (site / "blank.html").write_text("<html><body></body></html>")
    _screenshot((site / "blank.html").as_uri(), shots / "blank.png")
    with pytest.raises(AssertionError, match="blank"):
        _assert_not_blank(shots / "blank.png")
    assert server.requests == [], "the site loaded something from the network"
