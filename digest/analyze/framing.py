"""Framings: per outlet, what it stresses that the others covering the event do not.

For each outlet: its headline (shown beside the others'), its distinctive
wording against the rest of the event (weighted log-odds with an informative
Dirichlet prior, Monroe et al. 2008), the loaded labels it uses (a curated
list, digest/data/loaded_terms.txt, ranked by how distinctive each is for the
outlet), the claims only it carries and the context it adds, and whom it
quotes. "Only it carries" is judged on content: a sentence in the outlet's
own voice (not a direct quotation — those are in the quotes section) most of
whose content words appear in no article from another origin. Wire copy
under several mastheads is one origin, so it does not support itself.
Pure: articles in, framings out; our own wording stays neutral.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from digest.analyze.text import content_words, is_statement, pronoun_subject, sentences, words
from digest.model import Article, Claim, Framing, Quote

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "loaded_terms.txt"
UNSUPPORTED = 0.5  # a sentence is outlet-specific when under this share of its content is found elsewhere
PRIOR_WEIGHT = 0.5  # informative prior strength, as a share of the event's word count
MAX_LOADED = 20
MAX_DISTINCTIVE = 10
MAX_CLAIMS = 4
_QUOTED = re.compile(r"[“”\"]")
_CONTEXT = re.compile(r"\b(?:1[89]\d\d|20\d\d|since|decades?|history|historic|previous(?:ly)?|former|last year|"
                      r"years? ago|in the past|background)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SentenceMark:
    text: str
    position: int
    support: float  # share of its content words found in other origins' articles
    specific: bool  # marked "only this outlet"


@functools.cache
def load_lexicon(path: Path = LEXICON_PATH) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@functools.lru_cache(maxsize=65536)
def _stems(word: str) -> frozenset[str]:
    out = {word}
    for suffix in ("s", "es", "ed", "d", "ing", "ly", "ally"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.add(word[: -len(suffix)])
    if word.endswith("ied"):
        out.add(word[:-3] + "y")
    for stem in list(out):  # "slammed" -> "slamm" -> "slam"
        if len(stem) >= 4 and stem[-1] == stem[-2] and stem != word:
            out.add(stem[:-1])
    return frozenset(out)


@functools.cache
def _phrase_starts(lexicon: frozenset[str]) -> frozenset[str]:
    return frozenset(term.replace("-", " ").split()[0] for term in lexicon if " " in term or "-" in term)


def loaded_hits(text: str, lexicon: frozenset[str] | None = None) -> Counter[str]:
    """Loaded terms used in ``text`` as they are written (lower case), with counts."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    tokens = words(text)
    starts = _phrase_starts(lexicon)
    hits: Counter[str] = Counter()
    for i, token in enumerate(tokens):
        for n in (3, 2) if token in starts else ():  # phrases first
            phrase = " ".join(tokens[i:i + n])
            if len(tokens) - i >= n and (phrase in lexicon or phrase.replace(" ", "-") in lexicon):
                hits[phrase] += 1
        if _stems(token) & lexicon:
            hits[token] += 1
    return hits


def log_odds(target: Counter[str], rest: Counter[str], prior: Counter[str]) -> dict[str, float]:
    """z-scores of weighted log-odds ratios, target vs rest, with an informative Dirichlet prior."""
    n_t, n_r, n_p = sum(target.values()), sum(rest.values()), sum(prior.values())
    if not n_t or not n_p:
        return {}
    a0 = max(n_p * PRIOR_WEIGHT, 1.0)
    z = {}
    for word, count in target.items():
        a_w = a0 * prior[word] / n_p
        if a_w <= 0:
            continue
        r = rest[word]
        delta = (math.log((count + a_w) / (n_t + a0 - count - a_w))
                 - math.log((r + a_w) / (n_r + a0 - r - a_w)))
        z[word] = delta / math.sqrt(1.0 / (count + a_w) + 1.0 / (r + a_w))
    return z


_QUOTE_MARKS = re.compile('[“”"]')


def _still_quoting(sentence: str, inside: bool) -> bool:
    """Whether a quotation is still open after ``sentence``."""
    for char in _QUOTE_MARKS.findall(sentence):  # only the quotation marks, found in C
        if char == "“":
            inside = True
        elif char == "”":
            inside = False
        elif char == '"':
            inside = not inside
    return inside


def mark_sentences(text: str, others: Sequence[str] = (), *,
                   vocabulary: set[str] | None = None) -> list[SentenceMark]:
    """Each sentence of ``text`` with how much of it the ``others`` support, and whether it is outlet-specific.

    ``vocabulary`` (the content words of the other origins' articles) may be given instead of ``others``.
    """
    if vocabulary is None:
        vocabulary = {w for other in others for w in content_words(other)}
    out = []
    inside, paragraph = False, -1  # inside a quotation that spans sentences
    for s in sentences(text):
        if s.paragraph != paragraph:
            inside, paragraph = False, s.paragraph
        bag = content_words(s.text)
        support = sum(w in vocabulary for w in bag) / len(bag) if bag else 1.0
        own_voice = not inside and not _QUOTED.search(s.text)
        inside = _still_quoting(s.text, inside)
        out.append(SentenceMark(s.text, s.position, support,
                                bool(vocabulary) and own_voice and support < UNSUPPORTED and len(bag) >= 3))
    return out


_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
# function words, number words and time fillers: distinctive by frequency, never by framing
_FILLER = frozenset("""
amid amidst among amongst ago well even still yet already around including across within without per via
though although however whether another many much several least less last next first second third
three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred hundreds thousand
thousands million millions billion billions dozen dozens half week weeks month months day days today
yesterday tomorrow time times ever never now later earlier soon since upon onto toward towards whose
either neither every each other others something anything nothing someone anyone part way back
likely unlikely using used following number
""".split())


def _wordlike(term: str) -> bool:
    """A term worth showing as wording: not a possessive, a number, a weekday or a filler word."""
    return not (term.endswith("'s") or term[0].isdigit() or term in _WEEKDAYS or term in _FILLER)


# A word (letters, inner apostrophes and hyphens) with, when it starts a sentence, the visible character
# before it: a line start (a "." is put in front of each line), an end of sentence, a colon or an opening quote.
_WORD_AFTER = re.compile(r"(?:([.!?:“\"‘(])\s*)?([^\W\d_]+(?:['’-]+[^\W\d_]*)*)")


def name_tokens(texts: Sequence[str]) -> frozenset[str]:
    """Lower-cased words the ``texts`` write capitalised inside sentences (parts of names: "jong", "vladimir",
    "pyongyang"): a name says who or where, not how an outlet frames it, so it is not shown as wording."""
    upper: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        for line in text.splitlines():
            inside = [token for initial, token in _WORD_AFTER.findall("." + line) if not initial]
            upper.update(t.lower() for t in inside if t[0].isupper())
            lower.update(t.lower() for t in inside if not t[0].isupper())
    if any("’" in w for w in upper) or any("’" in w for w in lower):
        upper, lower = _curly_to_straight(upper), _curly_to_straight(lower)
    return frozenset(w for w, n in upper.items() if n >= 4 * lower[w])


def _curly_to_straight(counts: Counter[str]) -> Counter[str]:
    merged: Counter[str] = Counter()
    for word, n in counts.items():
        merged[word.replace("’", "'")] += n
    return merged


def outlet_framing(outlet: str, articles: Sequence[Article], rest: Counter[str],
                   source_ids: Mapping[str, str], prior: Counter[str], quotes: Sequence[Quote] = (),
                   names: frozenset[str] | None = None) -> Framing:
    """What ``outlet`` (its ``articles``) stresses against ``rest`` (word counts of other origins' articles).

    ``names``: words that are parts of names in the event (default: judged from ``articles`` alone)."""
    own_text = "\n".join(f"{a.title}\n{a.text}" for a in articles)
    own: Counter[str] = Counter()
    for article in articles:
        own.update(content_words(f"{article.title}\n{article.text}"))
    z = log_odds(own, rest, prior)
    names = name_tokens([f"{a.title}\n{a.text}" for a in articles]) if names is None else names
    distinctive = [w for w, score in sorted(z.items(), key=lambda kv: (-kv[1], kv[0]))
                   if score > 1.0 and own[w] >= 2 and _wordlike(w) and w not in names][:MAX_DISTINCTIVE]
    hits = loaded_hits(own_text)
    loaded = sorted(hits, key=lambda w: (-z.get(w, 0.0) - hits[w], w))[:MAX_LOADED]
    sids = tuple(source_ids[a.key] for a in articles)
    vocabulary = {w for w, n in rest.items() if n > 0}
    claims: list[Claim] = []
    context: list[Claim] = []
    for article in articles:
        for mark in mark_sentences(article.text, vocabulary=vocabulary):
            if not (mark.specific and is_statement(mark.text)) or pronoun_subject(mark.text):
                continue
            claim = Claim(text=mark.text, sources=(source_ids[article.key],))
            (context if _CONTEXT.search(mark.text) else claims).append(claim)
    quoted = tuple(dict.fromkeys(q.speaker for q in quotes if set(q.sources) & set(sids)))
    return Framing(outlet=outlet, headline=articles[0].title, sources=sids,
                   distinctive_terms=tuple(distinctive), loaded_terms=tuple(loaded),
                   unique_claims=tuple(claims[:MAX_CLAIMS]), context_added=tuple(context[:MAX_CLAIMS]),
                   quoted=quoted)


def event_framings(articles: Sequence[Article], source_ids: Mapping[str, str], origin_of: Mapping[str, str],
                   quotes: Sequence[Quote] = ()) -> tuple[Framing, ...]:
    """One framing per outlet, in the order outlets first appear; none when only one origin covers the event."""
    origins = {origin_of.get(a.key, a.outlet) for a in articles}
    if len(origins) < 2:
        return ()
    by_outlet: dict[str, list[Article]] = {}
    for article in articles:
        by_outlet.setdefault(article.outlet, []).append(article)
    counts = {a.key: Counter(content_words(f"{a.title}\n{a.text}")) for a in articles}
    by_origin: dict[str, Counter[str]] = {}
    for article in articles:
        by_origin.setdefault(origin_of.get(article.key, article.outlet), Counter()).update(counts[article.key])
    prior: Counter[str] = Counter()
    for origin_counts in by_origin.values():
        prior.update(origin_counts)
    names = name_tokens([f"{a.title}\n{a.text}" for a in articles])
    out = []
    for outlet, own in by_outlet.items():
        own_counts: Counter[str] = Counter()
        for origin in {origin_of.get(a.key, a.outlet) for a in own}:
            own_counts.update(by_origin[origin])
        rest = prior - own_counts  # the other origins' counts, without summing them again for every outlet
        out.append(outlet_framing(outlet, own, rest, source_ids, prior, quotes, names))
    return tuple(out)
