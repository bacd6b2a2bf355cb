"""Feed HTML fragments -> text: scripts, styles and captions out, without changing the parsed tree.

``_tree_text`` used to remove those elements with lxml's ``drop_tree()``, which
sets the merged text on the tree; lxml refuses text holding control characters,
so a fragment with both a control character and a script or style raised and
failed its whole feed. It now reads the tree as if they were dropped. The
reference below is that old algorithm: wherever it worked, the result is the same.
"""

from __future__ import annotations

import datetime as dt
import random

import lxml.html

from digest.config import FeedConfig
from digest.extract.html import _BLOCKS, _DROP, _tidy, _tree_text, extract_fragment, fragment_to_text
from digest.fetch.poller import extract_with_pages, parse_and_extract


def tree_text_by_drop_tree(fragment: str) -> tuple[str, list[str]]:
    """The old implementation: drop scripts and captions from the tree, then walk it.

    Raises ValueError where lxml refuses the fragment (the fallback for those has changed)."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in list(root.iter()):
        if isinstance(element.tag, str) and element.tag.lower() in _DROP:
            element.drop_tree()
    captions = [c.text_content().strip() for c in root.iter("figcaption") if c.text_content().strip()]
    for caption in list(root.iter("figcaption")):
        caption.drop_tree()
    parts: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.lower() in _BLOCKS:
            parts.append("\n\n")
        if element.text:
            parts.append(element.text)
        if element.tail:
            if element.tag.lower() in _BLOCKS:
                parts.append("\n\n")
            parts.append(element.tail)
    return _tidy("".join(parts)), captions


PIECES = ["<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<br>", "<script>", "</script>", "<style>", "</style>",
          "<iframe>", "</iframe>", "<form>", "</form>", "<figure>", "</figure>", "<figcaption>", "</figcaption>",
          "<!-- note -->", "<li>", "<SCRIPT>", "<svg><text>in svg</text></svg>", "word", "Two words", " ", "\n",
          "&amp;", "&lt;", "é", "“", ".", "  "]
CONTROL = ["\x01", "\x0b", "\x0c", "\x7f", "\x1f"]


def fragments(count: int, seed: int, pieces: list[str]) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(count)]


def test_same_text_and_captions_as_dropping_the_elements():
    for fragment in fragments(4000, 11, PIECES):
        if not fragment.strip():
            continue
        assert _tree_text(fragment) == tree_text_by_drop_tree(fragment), repr(fragment)


def test_same_result_with_control_characters_wherever_the_old_way_worked():
    worked = 0
    for fragment in fragments(4000, 12, PIECES + CONTROL):
        try:
            expected = tree_text_by_drop_tree(fragment)
        except ValueError:
            continue
        worked += 1
        assert _tree_text(fragment) == expected, repr(fragment)
    assert worked > 1000


def test_control_characters_next_to_a_script_no_longer_raise():
    fragment = "Lead a <figcaption></figcaption>\x0b\r<script>evil()</script> \x7f tail<style>p{}</style>\x01end"
    try:
        tree_text_by_drop_tree(fragment)
        raise AssertionError("the old way was expected to raise on this fragment")
    except ValueError:
        pass
    text, captions = fragment_to_text(fragment)
    assert text.split() == ["Lead", "a", "tailend"] and captions == []  # control characters removed
    assert "evil" not in extract_fragment(fragment).text


def test_a_fragment_the_parser_refuses_still_loses_scripts_and_styles():
    # control characters before the first tag: lxml refuses the fragment, a pattern takes tags out
    text, captions = fragment_to_text("Text\x0bhere <script>x()</script> more <STYLE a=1>p{}</style><b>end</b>")
    assert text.split() == ["Texthere", "more", "end"] and captions == []
    assert fragment_to_text("Text\x01 <script>never closed")[0].split() == ["Text"]


def test_a_feed_with_such_an_entry_is_read():
    # a text summary is not sanitised by feedparser, and entry bodies are read as HTML
    body = ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>T</title>"
            "<entry><id>c1</id><title>Item</title><summary type='text'>Lead &lt;b&gt;bold&lt;/b&gt;&#11;"
            "&lt;script&gt;evil()&lt;/script&gt; tail</summary></entry></feed>").encode()
    now = dt.datetime(2026, 12, 2, tzinfo=dt.timezone.utc)
    parsed = parse_and_extract(body, {}, "https://c.example/feed.xml", FeedConfig(name="c", url="x"), now)
    assert parsed.error is None and not parsed.articles  # short, with a link (the id): waits for its page
    [article], empty = extract_with_pages([(d, None, None) for d in parsed.pending], now)  # no page
    assert article.text == "Lead bold tail"
