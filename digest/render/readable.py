"""Make feed text safe and readable wherever a template prints it.

Feed titles and bodies come from the open web. Autoescaping makes them inert
as markup; this module deals with what escaping cannot:

* ``readable(text)`` removes Unicode bidirectional *controls* (embeddings,
  overrides and isolates, U+202A-U+202E and U+2066-U+2069), which can reorder
  what the reader sees ("Trojan Source" style spoofing), and inserts zero-width
  spaces into very long unbroken runs (a 10,000-character "word" would
  otherwise push a page or a phone screen sideways). RTL text itself is kept;
  the stylesheet lets each block pick its own direction.
* ``sanitize_html(fragment)`` cleans feed HTML with nh3 (Ammonia) to a small
  allow-list: no scripts, styles, images, iframes, event handlers or
  ``javascript:``/``data:``/``file:`` links; links get ``rel="nofollow noopener
  noreferrer"``. Use it (template filter ``safe_html``) for any feed HTML that
  must keep its formatting; never mark feed text ``|safe``.

``finalize`` is installed as the Jinja environment's ``finalize`` hook, so
every ``{{ expression }}`` of plain text passes through ``readable`` before it
is escaped -- including templates written by users or other modules. Values
that look like URLs are left alone (a zero-width space would break a link).
"""

from __future__ import annotations

import re
from typing import Any

import nh3
from markupsafe import Markup

#: Embedding/override (LRE, RLE, PDF, LRO, RLO) and isolate (LRI, RLI, FSI, PDI) controls.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Runs longer than this without a space get a break opportunity every ``CHUNK`` characters.
LONG_WORD = 40
CHUNK = 20
ZWSP = "\u200b"
_LONG_RUN = re.compile("[^\\s\u200b]{%d,}" % (LONG_WORD + 1))
_URLISH = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|#|/|\./|\.\./)\S*$")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "em", "i", "li", "ol", "p",
    "q", "s", "small", "strong", "sub", "sup", "u", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "q": {"cite"}}


def _break_run(match: re.Match[str]) -> str:
    run = match.group(0)
    return ZWSP.join(run[i:i + CHUNK] for i in range(0, len(run), CHUNK))


def strip_bidi_controls(text: str) -> str:
    """``text`` without bidi embedding/override/isolate controls."""
    return BIDI_CONTROLS.sub("", text)


def soft_breaks(text: str) -> str:
    """``text`` with a zero-width space every ``CHUNK`` chars inside runs longer than ``LONG_WORD``."""
    return _LONG_RUN.sub(_break_run, text)


def readable(text: Any) -> Any:
    """Strip bidi controls and break very long words; non-strings and Markup pass through."""
    if not isinstance(text, str) or isinstance(text, Markup):
        return text
    return soft_breaks(strip_bidi_controls(text))


def finalize(value: Any) -> Any:
    """The environment's finalize hook: ``readable`` for prose, URLs and Markup untouched."""
    if isinstance(value, str) and not isinstance(value, Markup) and _URLISH.match(value):
        return strip_bidi_controls(value)
    return readable(value)


def sanitize_html(fragment: str | None) -> Markup:
    """Feed HTML reduced to safe inline/block formatting and http(s)/mailto links."""
    if not fragment:
        return Markup("")
    cleaned = nh3.clean(
        strip_bidi_controls(fragment),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return Markup(cleaned)


__all__ = ["finalize", "readable", "sanitize_html", "soft_breaks", "strip_bidi_controls"]
