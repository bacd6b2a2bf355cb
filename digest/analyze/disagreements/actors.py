"""Who did what: the same quotation or the same action attributed to different actors.

Two conservative checks, each across independent origins only:

* the same quotation (a run of ``SAME_QUOTE_RUN`` words in common)
  attributed to different speakers, where each outlet *names* the speaker next
  to the quotation -- a speaker found through "he said" or a continuing
  paragraph is a guess of ours, not the outlet's attribution, and is not used;
* the same action -- the same verb and most of the same object -- opening
  sentences with different named subjects ("Russia launched the strike" /
  "Ukraine launched the strike").

Pure: articles in, disagreements out.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from digest.analyze.people import People, build_people
from digest.analyze.quotes import Found, attributions
from digest.analyze.text import content_words, is_statement, sentences, words
from digest.model import Article, Disagreement, Version

SAME_QUOTE_RUN = 8  # words in a row two quotations must share to be one (a common phrase is shorter)
SAME_OBJECT = 0.6  # share of the shorter object's content words two actions must share
MIN_OBJECT_WORDS = 3  # content words an object must have to be compared
ACTION_VERBS = ("launched", "carried out", "fired", "attacked", "shot", "shot down", "struck", "bombed",
                "seized", "captured", "killed", "arrested", "detained", "released", "signed", "vetoed",
                "blocked", "rejected", "introduced", "filed", "ordered", "imposed", "lifted", "approved",
                "withdrew", "invaded", "hacked", "leaked", "shelled", "downed", "abducted", "kidnapped")
_SUBJECT = r"(?P<subject>(?:[A-Z][\w.’'-]*\s+){0,3}[A-Z][\w.’'-]*)"
_ACTION = re.compile(rf"^(?:The\s+|the\s+)?{_SUBJECT}\s+(?:(?:has|had|have)\s+)?(?P<verb>"
                     rf"{'|'.join(sorted(ACTION_VERBS, key=len, reverse=True))})\s+(?P<object>[^,;:]+)")
_NOT_A_SUBJECT = {"it", "he", "she", "they", "we", "i", "this", "that", "but", "and", "police", "officials",
                  "authorities", "forces", "troops", "lawmakers", "sources", "reports"}
# places that stand for a government ("Moscow launched…" is "Russia launched…"): never compared
METONYMS = {"washington", "moscow", "kremlin", "kyiv", "kiev", "beijing", "pyongyang", "seoul", "tokyo", "tehran",
            "london", "paris", "berlin", "jerusalem", "ankara", "brussels", "pentagon", "white house",
            "downing street", "whitehall", "capitol hill", "taipei", "damascus", "riyadh", "new delhi"}


@dataclass(frozen=True)
class Action:
    subject: str
    verb: str
    object_words: frozenset[str]
    object_text: str  # the object as written, at most eight words
    sentence: str
    source: str
    origin: str
    published: dt.datetime


def _sentence_with(article: Article, quote: str) -> str:
    """The article's sentence that carries (the start of) a quotation; the quotation itself if none does."""
    head = " ".join(quote.split()[:6])
    for s in sentences(article.text):
        if head in " ".join(s.text.split()):
            return s.text
    return quote


@functools.lru_cache(maxsize=4096)
def _runs(text: str) -> frozenset[tuple[str, ...]]:
    tokens = words(text)
    return frozenset(tuple(tokens[i:i + SAME_QUOTE_RUN]) for i in range(len(tokens) - SAME_QUOTE_RUN + 1))


def _same_quote(a: Found, b: Found) -> bool:
    return bool(_runs(a.text) & _runs(b.text))


def _different_names(a: str, b: str) -> bool:
    """"Tim Murray" and "Timothy Murray" may be one person; "Brian Vicente" and "Mason Tvert" are not."""
    return not set(words(a)) & set(words(b))


def _quote_groups(found: Sequence[Found]) -> list[list[Found]]:
    groups: list[list[Found]] = []
    for quote in found:
        for group in groups:
            if _same_quote(group[0], quote):
                group.append(quote)
                break
        else:
            groups.append([quote])
    return groups


def speaker_disagreements(articles: Sequence[Article], source_ids: Mapping[str, str],
                          origin_of: Mapping[str, str], attributed: Sequence[Found]) -> list[Disagreement]:
    """The same quotation attributed to different (named) speakers by different origins."""
    by_source = {source_ids[a.key]: a for a in articles}
    origin = {source_ids[a.key]: origin_of.get(a.key, a.outlet) for a in articles}
    named = [f for f in attributed if f.named]
    out = []
    for group in _quote_groups(named):
        if not any(_different_names(a.speaker, b.speaker) and origin[a.source] != origin[b.source]
                   for a in group for b in group):
            continue
        by_speaker: dict[str, list[Found]] = {}
        for found in group:
            by_speaker.setdefault(found.speaker, []).append(found)
        versions = tuple(
            Version(text=_sentence_with(by_source[items[0].source], items[0].text),
                    sources=tuple(dict.fromkeys(f.source for f in items)), value=speaker,
                    published=min(by_source[f.source].published for f in items))
            for speaker, items in by_speaker.items())
        opening = " ".join(group[0].text.split()[:8])
        out.append(Disagreement(about=f"who said “{opening}…”", versions=versions, kind="speaker"))
    return out


def _actions(articles: Sequence[Article], source_ids: Mapping[str, str],
             origin_of: Mapping[str, str]) -> list[Action]:
    out = []
    for article in articles:
        for s in sentences(article.text):
            m = _ACTION.match(s.text.strip("“\"‘ "))
            subject = m.group("subject").lower() if m else ""
            if not m or not is_statement(s.text) or subject in _NOT_A_SUBJECT or subject in METONYMS:
                continue
            object_text = " ".join(m.group("object").split()[:8]).rstrip(".")
            obj = frozenset(content_words(object_text))
            if len(obj) >= MIN_OBJECT_WORDS:
                out.append(Action(m.group("subject"), m.group("verb"), obj, object_text, s.text, source_ids[article.key],
                                  origin_of.get(article.key, article.outlet), article.published))
    return out


def _different_actors(a: Action, b: Action, people: People) -> bool:
    """Subjects that cannot be the same actor: no shared word, and not two names of one person."""
    if not _different_names(a.subject, b.subject):
        return False
    who_a, who_b = people.resolve(a.subject), people.resolve(b.subject)
    return not (who_a and who_a == who_b)


def _same_action(a: Action, b: Action) -> bool:
    shared = a.object_words & b.object_words
    return a.verb == b.verb and len(shared) / min(len(a.object_words), len(b.object_words)) >= SAME_OBJECT


def actor_disagreements(articles: Sequence[Article], source_ids: Mapping[str, str],
                        origin_of: Mapping[str, str], people: People) -> list[Disagreement]:
    """The same action (verb and object) opening sentences with different named subjects."""
    actions = _actions(articles, source_ids, origin_of)
    out, used = [], set()
    for i, a in enumerate(actions):
        rivals = [b for b in actions[i + 1:] if b.origin != a.origin and _same_action(a, b)
                  and _different_actors(a, b, people) and id(b) not in used]
        if not rivals or id(a) in used:
            continue
        used.update(id(x) for x in [a, *rivals])
        versions = tuple(Version(text=x.sentence, sources=(x.source,), value=x.subject, published=x.published)
                         for x in [a, *rivals])
        out.append(Disagreement(about=f"who {a.verb} {a.object_text}", versions=versions, kind="actor"))
    return out


def who_did_what(articles: Sequence[Article], source_ids: Mapping[str, str], origin_of: Mapping[str, str],
                 people: People | None = None, attributed: Sequence[Found] | None = None) -> list[Disagreement]:
    """Quotations and actions independent origins attribute to different actors."""
    people = people or build_people(f"{a.title}\n{a.text}" for a in articles)
    if attributed is None:
        attributed = attributions(articles, source_ids, people)
    return speaker_disagreements(articles, source_ids, origin_of, attributed) \
        + actor_disagreements(articles, source_ids, origin_of, people)
