"""Sentences and words: the small text toolkit the analysis stages share."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "st", "jr",
    "sr", "inc", "ltd", "co", "corp", "vs", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m", "approx",
    "est", "dept", "fig", "ft", "mt", "pres", "rev", "adm", "brig", "cmdr", "maj", "pvt",
}
_BOUNDARY = re.compile(r"([.!?…]+[\"”’)\]]*)(\s+)(?=[\"“‘(\[]?[A-Z0-9])")

STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
don't down during each few for from further had hadn't has hasn't have haven't having he he'd he'll
he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't
it it's its itself let's me more most mustn't my myself no nor not of off on once only or other ought
our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some such than
that that's the their theirs them themselves then there there's these they they'd they'll they're
they've this those through to too under until up very was wasn't we we'd we'll we're we've were
weren't what what's when when's where where's which while who who's whom why why's with won't would
wouldn't you you'd you'll you're you've your yours yourself yourselves said says say told according
would could also one two new year years just like get got will may might must us mr ms mrs
""".split())

# letters of any script ("Guzmán", "Zürich"), inner apostrophes/hyphens kept; numbers as one token
# (written as letter runs joined by apostrophe/hyphen runs, which the regex engine scans without backtracking)
_WORD = re.compile(r"[^\W\d_]+(?:['’-]+[^\W\d_]+)*|\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Sentence:
    text: str
    paragraph: int  # index of the paragraph in the article
    position: int  # index of the sentence in the article


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences, keeping abbreviations and initials intact."""
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.end(1)
        before = paragraph[start:match.start(1) + 1]
        last_word = re.findall(r"([A-Za-z][A-Za-z.]*)\.?$", before.rstrip("."))
        token = last_word[0].lower().rstrip(".") if last_word else ""
        is_abbrev = match.group(1) == "." and (token in _ABBREVIATIONS or len(token) == 1)
        if is_abbrev:
            continue
        pieces.append(paragraph[start:end].strip())
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        pieces.append(tail)
    return [p for p in pieces if p]


def sentences(text: str) -> list[Sentence]:
    """All sentences of an article body (paragraphs separated by blank lines or newlines)."""
    return list(_sentences(text))


@functools.lru_cache(maxsize=2048)  # the analysis stages each read the same articles
def _sentences(text: str) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    paras = [p for p in re.split(r"\n+", text) if p.strip()]
    for p_index, para in enumerate(paras):
        for s in split_sentences(para.strip()):
            out.append(Sentence(text=s, paragraph=p_index, position=len(out)))
    return tuple(out)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (numbers kept)."""
    lowered = text.lower().replace("’", "'")
    if len(lowered) == len(text):  # lower-casing kept every character in place: tokenise once, in C
        return _WORD.findall(lowered)
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]  # "İ" -> "i̇": token by token


def content_words(text: str) -> list[str]:
    return list(_content_words(text))


@functools.lru_cache(maxsize=65536)
def _content_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in words(text) if w not in STOPWORDS and len(w) > 1)


def is_statement(sentence: str, min_words: int = 8, max_words: int = 70) -> bool:
    """A full sentence worth showing: long enough, ends like a sentence, not a lead-in."""
    n = len(sentence.split())
    if n < min_words or n > max_words:
        return False
    stripped = sentence.rstrip()
    return stripped[-1] in ".!?\"”’)" and not stripped.endswith(":")


_PRONOUN_SUBJECT = re.compile(r"^[“\"‘(]?(?:He|She|They|His|Her|Their|Him|Them)\b")


def pronoun_subject(sentence: str) -> bool:
    """Whether ``sentence`` opens with a personal pronoun ("He didn't elaborate…"): shown on its own,
    out of its article, nobody can tell who is meant, so such a sentence is not shown standalone."""
    return bool(_PRONOUN_SUBJECT.match(sentence.strip()))


def clear_caches() -> None:
    """Forget cached sentence splits and word lists (benchmarks time cold runs)."""
    _sentences.cache_clear()
    _content_words.cache_clear()
