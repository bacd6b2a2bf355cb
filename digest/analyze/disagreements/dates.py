"""The same development placed on different dates by different origins.

Each sentence's date is resolved against its own article's publication date
(:func:`digest.analyze.timeline.find_date`), so "on Wednesday" in an article of
Friday 15 September and "Sept. 13" in one of the 13th are the same day. Only
plain reports of a past development are compared: a sentence speaking of one
date only, written as a date or a weekday ("today"/"yesterday" shift with the
time zone the article was written in, so they are not compared), not a
forecast or a deadline ("will", "expected", "by"), and not the date someone
*said* something ("said Tuesday", "told CNN Thursday"). Two such sentences
are about the same development when the date qualifies the same event word in
both (a past-tense verb or an event noun in the date's own clause: "ordered
Tuesday" / "on Wednesday ordered") and they share at least four content words,
three in ten of the shorter's. Precision over recall: a false disagreement in
a briefing is worse than a missed one.
Pure: articles in, disagreements out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from digest.analyze.text import content_words, is_statement, sentences
from digest.analyze.timeline import MONTHS, WEEKDAYS, DateMention, find_date
from digest.model import Article, Disagreement, Version

SAME_DEVELOPMENT = 0.3  # share of the shorter sentence's content words two sentences must share
MIN_SHARED = 4  # content words (dates aside) the two sentences must share
MAX_DAYS_FROM_PUBLICATION = 14  # older dates are background, not this event's developments
EVENT_NOUNS = frozenset("""meeting talks summit vote election attack strike ruling hearing arrest shooting crash
explosion visit speech announcement verdict launch raid deal agreement signing debate funeral protest
bombing invasion withdrawal resignation""".split())
_SPEECH_NEXT_TO_DATE = re.compile(
    r"\b(?:said|says|told|tells|stated|added|wrote|tweeted|posted|showed|shows|reported|according|asked|"
    r"interview|statement|briefing|remarks|press conference)\b", re.IGNORECASE)
_NOT_A_REPORT = re.compile(
    r"\b(?:will|would|could|may|might|expected|expects|plans?|planned|scheduled|set to|due to|deadline|"
    r"before|until|ahead of|next|upcoming|likely|if|since|after|weekend|week|anniversary)\b",
    re.IGNORECASE)
# capitalised, as dates are written: "may" and "march" are not months here
_ANY_DATE = re.compile(rf"\b(?:{'|'.join(w.capitalize() for w in [*WEEKDAYS, *MONTHS])})\b")
_DATE_WORDS = frozenset(WEEKDAYS) | frozenset(MONTHS) | {"morning", "evening", "night", "afternoon", "early",
                                                         "late", "last", "this", "on"}


@dataclass(frozen=True)
class DatedReport:
    date: dt.date
    phrase: str  # the date as written
    sentence: str
    words: frozenset[str]
    event_words: frozenset[str]
    source: str
    origin: str
    published: dt.datetime


_CLAUSE_BREAK = re.compile(r"[,;:()—–]|\s-\s")


def _clause(sentence: str, phrase: str) -> tuple[str, str]:
    """The words of the date's own clause before and after the date phrase."""
    at = sentence.find(phrase)
    before, after = sentence[:at], sentence[at + len(phrase):]
    return _CLAUSE_BREAK.split(before)[-1], _CLAUSE_BREAK.split(after)[0]


def _reported_date(sentence: str, published: dt.date) -> DateMention | None:
    """The date of the development a sentence reports, or None when it is not a plain dated report."""
    if len(_ANY_DATE.findall(sentence)) != 1:  # no date, or several: which one is the development's?
        return None
    found = find_date(sentence, published)
    if found is None or found.form == "relative":
        return None
    days_back = (published - found.date).days
    if days_back < 0 or days_back > MAX_DAYS_FROM_PUBLICATION:
        return None
    if found.form == "weekday" and days_back == 6:
        return None  # tomorrow's weekday name: most likely a later local day somewhere else, not last week
    before, after = _clause(sentence, found.phrase)
    clause = f"{before} {found.phrase} {after}"
    if _NOT_A_REPORT.search(clause) or _SPEECH_NEXT_TO_DATE.search(clause):
        return None
    return found


IRREGULAR_PAST = frozenset("""met held took made began struck shot fell won lost ran sent went came gave left hit
fled broke brought built bought caught chose drew drove flew fought found froze grew hung kept knew led lent
paid put quit rose sank saw sold set shut slid spoke spent spread stole stood swore threw tore underwent
upheld withdrew wrote""".split())


def _is_event_word(word: str) -> bool:
    return word in EVENT_NOUNS or word in IRREGULAR_PAST or (word.endswith("ed") and len(word) > 4)


def _event_words(sentence: str, phrase: str) -> frozenset[str]:
    """The verbs and event nouns next to the date (within four words): what the date is the date of."""
    before_text, after_text = _clause(sentence, phrase)
    before = [w.lower() for w in re.findall(r"[\w’'-]+", before_text)][-4:]
    after = [w.lower() for w in re.findall(r"[\w’'-]+", after_text)][:4]
    return frozenset(re.sub(r"[’']s$", "", w) for w in before + after if _is_event_word(re.sub(r"[’']s$", "", w)))


def _reports(articles: Sequence[Article], source_ids: Mapping[str, str],
             origin_of: Mapping[str, str]) -> list[DatedReport]:
    out = []
    for article in articles:
        published = article.published.date()
        for s in sentences(article.text):
            if not is_statement(s.text) or s.text.rstrip().endswith("..."):
                continue
            found = _reported_date(s.text, published)
            if found is None:
                continue
            bag = frozenset(w for w in content_words(s.text) if w not in _DATE_WORDS and not w.isdigit())
            out.append(DatedReport(found.date, found.phrase, s.text, bag, _event_words(s.text, found.phrase),
                                   source_ids[article.key], origin_of.get(article.key, article.outlet),
                                   article.published))
    return out


def same_development(a: DatedReport, b: DatedReport) -> bool:
    """Whether two dated sentences report one development: a shared event word and most content words."""
    shared = a.words & b.words
    if not (a.event_words & b.event_words) or len(shared) < MIN_SHARED:
        return False
    return len(shared) / min(len(a.words), len(b.words)) >= SAME_DEVELOPMENT


def _about(group: Sequence[DatedReport]) -> str:
    shared = frozenset.intersection(*(r.event_words for r in group))
    noun = next((w for w in sorted(shared) if w in EVENT_NOUNS), None)
    if noun:
        return f"date of the {noun}"
    verb = min(shared) if shared else ""
    return f"date of the same development (“{verb}”)" if verb else "date of the same development"


def _disagreement(group: Sequence[DatedReport]) -> Disagreement:
    by_date: dict[dt.date, list[DatedReport]] = {}
    for report in sorted(group, key=lambda r: (r.date, r.published)):
        by_date.setdefault(report.date, []).append(report)
    versions = tuple(
        Version(text=reports[0].sentence, sources=tuple(dict.fromkeys(r.source for r in reports)),
                value=f"{date.strftime('%A')} {date.day} {date.strftime('%B %Y')} (“{reports[0].phrase.strip()}”)",
                published=min(r.published for r in reports))
        for date, reports in by_date.items())
    return Disagreement(about=_about(group), versions=versions, kind="date", contradiction=True)


def date_disagreements(articles: Sequence[Article], source_ids: Mapping[str, str],
                       origin_of: Mapping[str, str]) -> list[Disagreement]:
    """Developments that independent origins place on different dates."""
    reports = _reports(articles, source_ids, origin_of)
    groups: list[list[DatedReport]] = []
    for report in reports:  # join the first group whose every member reports the same development
        for group in groups:
            if all(same_development(report, other) for other in group):
                group.append(report)
                break
        else:
            groups.append([report])
    out = []
    for group in groups:
        if any(a.origin != b.origin and a.date != b.date for a in group for b in group):
            out.append(_disagreement(group))
    return out
