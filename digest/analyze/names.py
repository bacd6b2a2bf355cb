"""Capitalised names in news text, for the clusterer's entity signal and the event records."""

from __future__ import annotations

import re

from digest.analyze.text import STOPWORDS

_NAME = re.compile(r"(?:[A-Z][a-zA-Z'’.-]*[a-zA-Z]|[A-Z]{2,})(?:\s+(?:[A-Z][a-zA-Z'’.-]*[a-zA-Z]|[A-Z]{2,}))*")
_SENTENCE_START = re.compile(r"(?:^\s*|[.!?:;\"“”]\s+|\n\s*)$")  # applied to the few characters before
_GENERIC_NAMES = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december the a an in on at for and but of to it he she they we i
this that these those his her their its there here what when where why how who breaking update live
watch video photos opinion analysis exclusive report news
""".split())
_NOT_NAMES = _GENERIC_NAMES | STOPWORDS


def extract_entities(text: str) -> list[str]:
    """Capitalised names in ``text`` (lower-cased), e.g. "kim jong un", "vostochny cosmodrome".

    A single capitalised word at the start of a sentence is skipped unless it
    is not an ordinary word (the stopword list decides), so "The" and "But" are
    not names while "Putin" at a sentence start still is.
    """
    out = []
    for match in _NAME.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower().strip(".") in _NOT_NAMES:
            words = words[1:]
        if not words:
            continue
        at_start = _SENTENCE_START.search(text[max(0, match.start() - 4):match.start()]) is not None
        if len(words) == 1 and at_start and words[0] == match.group(0).split()[0]:
            if words[0].lower() in STOPWORDS or len(words[0]) < 3:
                continue
        name = " ".join(w.strip(".’'").lower() for w in words)
        if len(name) >= 2 and name not in _GENERIC_NAMES:
            out.append(name)
    return out


__all__ = ["extract_entities"]
