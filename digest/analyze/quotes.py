"""Quotations with their speakers, merged across outlets.

Attribution patterns: '“…,” he said', '“…,” said NAME', 'NAME said: “…”',
'“…,” according to NAME', and a paragraph that is only a quotation continuing
the previous speaker. Pronouns, short names, titles and role phrases ("he",
"Kim", "Mr Jong Un", "the North Korean leader") are resolved against the
people the event names (:mod:`digest.analyze.people`) and the mentions before
the quotation. A quotation whose speaker cannot be resolved is left out
rather than guessed. Pure: articles in, quotes out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from digest.analyze.people import People, build_people, normalise_text
from digest.analyze.text import words
from digest.model import Article, Quote

MIN_WORDS = 6  # shorter quoted fragments ("situation in the region") are wording, not quotes
SAME_QUOTE = 0.6  # word overlap (of the shorter) at which two quotations are one
_QUOTE = re.compile(r"[“\"]([^“”\"]{10,}?)[”\"]")
_VERB = (r"(?:said|says|told|added|declared|stated|noted|warned|wrote|insisted|"
         r"explained|continued|replied|asked|vowed|pledged|stressed|urged|claimed|announced|saying|declaring)")
_AFTER_PRONOUN = re.compile(rf"^[\s,]*(he|she|they)\s+{_VERB}\b", re.IGNORECASE)
_AFTER_NAME = re.compile(rf"^[\s,]*((?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Za-z][\w.’'-]*){{0,5}}?)\s+{_VERB}\b")
_AFTER_VERB = re.compile(rf"^[\s,]*{_VERB}\s+((?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Za-z][\w.’'-]*){{0,7}}?)(?=[,.;]|$)")
_AFTER_ACCORDING = re.compile(r"^[\s,]*according to\s+((?:the\s+)?[A-Za-z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,4})")
_BEFORE = re.compile(rf"((?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Za-z][\w.’'-]*){{0,5}}|\b[Hh]e|\b[Ss]he)\s+"
                     rf"(?:\w+\s+){{0,2}}{_VERB}[^“\"]{{0,60}}?[:,]\s*$")
# "Putin was quoted by Russian media as saying “…”", "Schumer was quoted in The Hill as saying: “…”"
_QUOTED_AS = re.compile(r"((?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Za-z][\w.’'-]*){0,5}?|\b[Hh]e|\b[Ss]he)\s+(?:was|were|is)\s+"
                        r"(?:also\s+)?quoted\s+(?:(?:by|in)\s+[^“\"]{1,50}?\s+)?as\s+saying\s*[:,]?\s*$")
_SPEECH_BEFORE = re.compile(rf"{_VERB}[^“\"]{{0,40}}?[:,]\s*$")
# a quotation opening with a lower-case connective continues a sentence the speaker did not say in quotes
# ("…, “and it would do anything”"): unreadable on its own, so it is not shown
_FRAGMENT_START = re.compile(
    r"^[‘'(\[]?(?:and|but|or|nor|so|yet|because|which|who|whom|whose|that|while|whereas|although|though|"
    r"then|if|unless|until|since|when|where|as|than|plus|also|even)\b(?![’'])")  # "that’s why…" is whole
_APPOSITIVE = re.compile(r"^,\s+((?:an?\s+|the\s+)?[a-z](?:[^,.;“”\"]|(?<= [A-Z])\.){3,90}?)(?:[,;]|(?<! [A-Z])\.|$)")


@dataclass(frozen=True)
class Found:
    speaker: str
    text: str
    source: str
    role: str | None
    named: bool = True  # the speaker is named next to the quotation (not a pronoun or a continuation)


def _masked(text: str) -> str:
    """``text`` with quotations blanked out (same length), so names inside quotes are not speakers."""
    return _QUOTE.sub(lambda m: " " * len(m.group(0)), text)


def _last_mention(people: People, text: str) -> str | None:
    found = people.mentions(_masked(text))
    return found[-1][1] if found else None


def _subject(people: People, paragraphs: Sequence[str], index: int, before: str) -> str | None:
    """Whom a pronoun refers to: the last person named before it in the paragraph, else earlier ones."""
    hit = _last_mention(people, before)
    back = index - 1
    while hit is None and back >= 0 and back >= index - 2:
        found = people.mentions(_masked(paragraphs[back]))
        hit = found[0][1] if found else None
        back -= 1
    return hit


def _resolve(people: People, phrase: str) -> str | None:
    phrase = phrase.strip()
    name = people.resolve(phrase)
    if name:
        return name
    found = people.mentions(phrase)
    return found[-1][1] if found else None


def _role(people: People, speaker: str, after: str) -> str | None:
    match = _APPOSITIVE.match(after)
    if match and len(match.group(1).split()) >= 2 and not match.group(1).split()[0].endswith("ing"):
        return match.group(1).strip()
    return people.roles.get(speaker)


def _speaker(people: People, paragraphs: Sequence[str], index: int, match: re.Match[str],
             previous: str | None) -> tuple[str | None, str, bool]:
    """(speaker, text after the speaker's name, whether the speaker is named there) for one quotation."""
    para = normalise_text(paragraphs[index])
    after, before = para[match.end():], para[:match.start()]
    if m := _AFTER_PRONOUN.match(after):
        return _subject(people, paragraphs, index, before), "", False
    for pattern in (_AFTER_VERB, _AFTER_ACCORDING, _AFTER_NAME):
        if (m := pattern.match(after)) and (name := _resolve(people, m.group(1))):
            return name, after[m.end(1):] if pattern is not _AFTER_NAME else "", True
    for pattern in (_BEFORE, _QUOTED_AS):
        if m := pattern.search(before):
            who = m.group(1)
            if who.lower() in {"he", "she"}:
                return _subject(people, paragraphs, index, before[:m.start()]), "", False
            if name := _resolve(people, who):
                return name, "", True
    if _SPEECH_BEFORE.search(before) and (name := _last_mention(people, before)):
        return name, "", False
    if not _masked(para).strip(" .,") and previous:  # a paragraph that only continues a quotation
        return previous, "", False
    return None, "", False


def _article_quotes(article: Article, source: str, people: People) -> list[Found]:
    paragraphs = [p for p in re.split(r"\n+", article.text) if p.strip()]
    out: list[Found] = []
    previous: str | None = None
    for index, para in enumerate(paragraphs):
        spoke = None
        for match in _QUOTE.finditer(normalise_text(para)):
            text = para[match.start(1):match.end(1)].strip().rstrip(",")
            speaker, after, named = _speaker(people, paragraphs, index, match, previous)
            named = named and speaker is not None
            speaker = speaker or spoke  # a second quotation in the paragraph continues the first
            if speaker:
                spoke = speaker
            if speaker and len(text.split()) >= MIN_WORDS and not is_fragment(text):
                out.append(Found(speaker, text, source, _role(people, speaker, after), named))
        previous = spoke if spoke else (previous if not _masked(para).strip(" .,") else None)
    return out


def attributions(articles: Sequence[Article], source_ids: Mapping[str, str], people: People) -> list[Found]:
    """Every quotation of every article with the speaker it is attributed to there, unmerged."""
    return [found for article in articles for found in _article_quotes(article, source_ids[article.key], people)]


def is_fragment(text: str) -> bool:
    """A quotation that starts mid-sentence with a lower-case connective ("and it would…")."""
    return bool(_FRAGMENT_START.match(text.strip()))


def _same(a: Found | Quote, b: Found) -> bool:
    if a.speaker != b.speaker:
        return False
    wa, wb = set(words(a.text)), set(words(b.text))
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= SAME_QUOTE


def extract_quotes(articles: Sequence[Article], source_ids: Mapping[str, str], *,
                   people: People | None = None, limit: int = 12,
                   attributed: Sequence[Found] | None = None) -> tuple[Quote, ...]:
    """The event's quotations, each once with every source that carries it, most widely carried first
    (``attributed``: the articles' :func:`attributions`, when the caller already has them)."""
    people = people or build_people(a.text for a in articles)
    merged: list[Quote] = []
    order = {sid: i for i, sid in enumerate(source_ids[a.key] for a in articles)}
    if attributed is None:
        attributed = attributions(articles, source_ids, people)
    for found in attributed:
        for i, quote in enumerate(merged):
            if _same(quote, found):
                text = found.text if len(found.text) > len(quote.text) else quote.text
                sources = tuple(sorted(set(quote.sources) | {found.source}, key=order.__getitem__))
                merged[i] = Quote(quote.speaker, text, sources, quote.role or found.role)
                break
        else:
            merged.append(Quote(found.speaker, found.text, (found.source,), found.role))
    roles: dict[str, str] = {}
    for quote in merged:
        if quote.role:
            roles.setdefault(quote.speaker, quote.role)
    merged = [Quote(q.speaker, q.text, q.sources, q.role or roles.get(q.speaker)) for q in merged]
    ranked = sorted(enumerate(merged), key=lambda iq: (-len(iq[1].sources), iq[0]))
    return tuple(q for _, q in ranked[:limit])
