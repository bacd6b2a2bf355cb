"""Where the sources report the same quantity differently: durations, counts and death tolls.

A duration is a length of something the event is about ("talks that lasted
over four hours", "a four-hour meeting", "lasted approximately an hour");
a count is a number of the same thing under the same verb ("killed at least
three civilians" / "killed five civilians"). Mentions are grouped by what
they measure; when independent origins give values that differ by more than
a quarter, the versions are shown side by side, each in its source's own
sentence. Vague values ("several hours") join a disagreement as versions but
never start one.

Counts and tolls change while a story unfolds, so differing figures that can
each have been right when published -- a lower bound ("more than 5,300") below
a later figure ("11,300"), an estimate ("could reach 20,000"), a larger figure
published hours after a smaller one -- are shown too, marked as differing
figures (``contradiction=False``) with each version's publication time. Values
within a quarter of each other ("about 5,000" / "more than 5,000") are the same
figure and never a disagreement. Pure: articles in, disagreements out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from digest.analyze.text import sentences
from digest.analyze.timeline import resolve_date
from digest.model import Article, Disagreement, Version

NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
                "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "half an": 0.5, "half a": 0.5}
VAGUE = {"several", "a few", "few", "many", "some"}
UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440, "week": 10080, "month": 43200}
# what a duration can be the length of, and the neutral word used to name it
SUBJECTS = {"talks": "talks", "meeting": "talks", "meetings": "talks", "negotiations": "talks",
            "summit": "talks", "discussions": "talks", "discussion": "talks", "session": "session",
            "visit": "visit", "trip": "visit", "tour": "visit", "hearing": "hearing", "speech": "speech",
            "strike": "strike", "siege": "siege", "standoff": "standoff", "flight": "flight",
            "ceasefire": "ceasefire", "truce": "ceasefire", "shutdown": "shutdown", "outage": "outage",
            "trial": "trial", "debate": "debate", "call": "call", "interview": "interview", "met": "talks"}
COUNT_VERBS = ("killed", "dead", "died", "wounded", "injured", "hurt", "arrested", "detained", "missing",
               "evacuated", "displaced", "fired", "launched", "rescued", "infected", "charged", "deported")
_QUALIFIER = r"(?:just\s+over|more\s+than|less\s+than|at\s+least|up\s+to|over|about|around|approximately|" \
             r"nearly|almost|some|roughly|under|only)"
_AMOUNT = r"(?:\d+(?:\.\d+)?|half\s+an?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|" \
          r"fifteen|twenty|thirty|forty|fifty|several|a\s+few)"
_DURATION = re.compile(rf"\b(?P<lead>lasted|lasting|last|for|took|long)?\s*(?P<phrase>(?:{_QUALIFIER}\s+)?"
                       rf"(?P<n>{_AMOUNT})[\s-](?P<u>minute|hour|day|week|month)s?)\b(?P<adj>(?:[\s-]+long)?"
                       rf"\s+(?P<noun>\w+))?", re.IGNORECASE)
_COUNT = re.compile(rf"\b(?P<phrase>(?:{_QUALIFIER}\s+)?(?P<n>\d[\d,]*|two|three|four|five|six|seven|eight|nine|"
                    rf"ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred)\s+(?:\w+\s+)?"
                    rf"(?P<noun>people|civilians|soldiers|troops|children|protesters|migrants|"
                    rf"workers|officers|patients|passengers|residents|missiles|rockets|drones|votes|"
                    rf"deaths|cases|casualties|victims|prisoners|hostages|journalists|students))\b",
                    re.IGNORECASE)
_COUNT_VERB = re.compile(rf"\b({'|'.join(COUNT_VERBS)})\b", re.IGNORECASE)
MIN_RATIO = 1.25  # precise values further apart than this disagree


@dataclass(frozen=True)
class Mention:
    about: str
    value: float | None  # None: vague ("several hours")
    phrase: str
    sentence: str
    source: str
    origin: str
    published: dt.datetime
    kind: str  # duration | count | toll
    estimate: bool = False  # a forecast or estimate ("could reach", "expected to"), not a count
    as_of: dt.date | None = None  # the day the sentence gives for its figure ("on Friday"), if any
    scope: str = ""  # a part the figure is restricted to ("Rhineland-Palatinate state"), if the sentence says so


def _amount(text: str) -> float | None:
    text = " ".join(text.lower().split())
    if text in VAGUE:
        return None
    if text in NUMBER_WORDS:
        return float(NUMBER_WORDS[text])
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _durations(sentence: str) -> list[tuple[str, float | None, str]]:
    out: list[tuple[str, float | None, str]] = []
    low = sentence.lower()
    if not any(unit in low for unit in UNIT_MINUTES):
        return out
    for m in _DURATION.finditer(sentence):
        noun = (m.group("noun") or "").lower()
        adjectival = "-" in sentence[m.start("n"):m.end("u") + 1] and noun in SUBJECTS
        if not (m.group("lead") or adjectival):
            continue
        subject = SUBJECTS.get(noun) if adjectival else next(
            (SUBJECTS[w] for w in re.findall(r"[a-z]+", low[:m.start()])[::-1] if w in SUBJECTS), None)
        if subject is None:
            continue
        amount = _amount(m.group("n"))
        value = amount * UNIT_MINUTES[m.group("u").lower()] if amount is not None else None
        out.append((f"length of the {subject}", value, m.group("phrase")))
    return out


def _counts(sentence: str) -> list[tuple[str, float | None, str]]:
    verb = _COUNT_VERB.search(sentence)
    if not verb:
        return []
    verbs = [verb.group(1).lower()]
    out = []
    for m in _COUNT.finditer(sentence):
        amount = _amount(m.group("n"))
        out.append((f"number of {m.group('noun').lower()} {verbs[0]}", amount, m.group("phrase")))
    return out


_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_TOLL = re.compile(rf"\b(?:death toll|number of (?:deaths|dead|fatalities))\b[^.;]{{0,60}}?\b(?:to|of|at|reached|"
                   rf"reach|is|was|stands at|stood at|hit|passed|surpassed|exceeded|topped|from)\s+"
                   rf"(?P<phrase>(?:{_QUALIFIER}\s+)?(?P<n>{_NUMBER})(?:\s+(?:to|and)\s+{_NUMBER})?)",
                   re.IGNORECASE)


_DEAD = re.compile(rf"\b(?P<phrase>(?:{_QUALIFIER}\s+)?(?P<n>{_NUMBER}))\s+(?:(?:have|had|were|are)\s+"
                   rf"(?:been\s+)?(?:found\s+|confirmed\s+|reported\s+)?)?(?:dead|died|killed)\b", re.IGNORECASE)
_REGIONAL = re.compile(r"\b(?:for|in)\s+(?:the\s+)?(?P<scope>(?:[A-Z][\w’'-]*\s+){1,3}(?:state|province|county|"
                       r"district|region|city|town|village))\b")
_ESTIMATE = re.compile(r"\b(?:could|may|might|would|expected|feared|estimated?|projected|likely)\b", re.IGNORECASE)


def _tolls(sentence: str) -> list[tuple[str, float | None, str]]:
    """"the death toll rose to 11,300", "the number of deaths could range from 18,000 to 20,000",
    "more than 5,000 have been found dead"."""
    found = [("death toll", _amount(m.group("n")), m.group("phrase")) for m in _TOLL.finditer(sentence)] \
        if "toll" in sentence.lower() or "number of" in sentence.lower() else []
    if not found and re.search(r"\b(?:dead|died|killed)\b", sentence):
        found = [("death toll", _amount(m.group("n")), m.group("phrase")) for m in _DEAD.finditer(sentence)]
    return found


def _sentence_mentions(text: str) -> list[tuple[str, str, float | None, str]]:
    """(kind, about, value, phrase) for every quantity in one sentence."""
    return [("duration", *m) for m in _durations(text)] + [("count", *m) for m in _counts(text)] \
        + [("toll", *m) for m in _tolls(text)]


def _mentions(articles: Sequence[Article], source_ids: Mapping[str, str],
              origin_of: Mapping[str, str]) -> list[Mention]:
    out = []
    for article in articles:
        origin = origin_of.get(article.key, article.outlet)
        texts = [s.text for s in sentences(article.text)]
        headline = [("toll", *m) for m in _tolls(article.title)] if article.title else []
        found = [(article.title, m) for m in headline]  # a toll is often only in the headline
        found += [(text, m) for text in texts for m in _sentence_mentions(text)]
        for text, (kind, about, value, phrase) in found:
            estimate = kind != "duration" and bool(_ESTIMATE.search(text))
            regional = _REGIONAL.search(text) if kind != "duration" else None
            scope = regional.group("scope") if regional else ""
            out.append(Mention(about, value, phrase, text, source_ids[article.key], origin,
                               article.published, kind, estimate, resolve_date(text, article.published.date()),
                               scope))
    return out


_LOWER_BOUND = re.compile(r"^(?:just\s+over|more\s+than|at\s+least|over)\b", re.IGNORECASE)
_UPPER_BOUND = re.compile(r"^(?:less\s+than|up\s+to|under|nearly|almost)\b", re.IGNORECASE)
RISING_AFTER = dt.timedelta(hours=6)  # a larger figure this much later may be an update, not a contradiction


def _compatible(a: Mention, b: Mention) -> bool:
    """Whether two precise mentions can both be true: "at least 150" and "189" can."""
    assert a.value is not None and b.value is not None
    if not _differ(a.value, b.value):
        return True
    low, high = (a, b) if a.value < b.value else (b, a)
    return bool(_LOWER_BOUND.match(low.phrase)) or bool(_UPPER_BOUND.match(high.phrase))


def _may_be_update(a: Mention, b: Mention) -> bool:
    """Whether differing figures may each have been right when published (counts and tolls only)."""
    if a.kind == "duration":
        return False
    assert a.value is not None and b.value is not None
    low, high = (a, b) if a.value < b.value else (b, a)
    if a.as_of and b.as_of and a.as_of != b.as_of:  # figures given for different days
        return True
    return a.estimate or b.estimate or high.published - low.published >= RISING_AFTER


def _differ(a: float, b: float) -> bool:
    return max(a, b) / max(min(a, b), 1e-9) > MIN_RATIO


def _versions(group: Sequence[Mention], by_time: bool) -> tuple[Version, ...]:
    """One version per distinct value (vague ones last), each with every source that gives it."""
    buckets: list[list[Mention]] = []
    for mention in sorted(group, key=lambda m: (m.value is None, -(m.value or 0))):
        for bucket in buckets:
            head = bucket[0]
            same = (head.value is None and mention.value is None and head.phrase.lower() == mention.phrase.lower()) \
                or (head.value is not None and mention.value is not None and not _differ(head.value, mention.value))
            if same:
                bucket.append(mention)
                break
        else:
            buckets.append([mention])
    versions = []
    for bucket in buckets:
        sources = tuple(dict.fromkeys(m.source for m in bucket))
        versions.append(Version(text=bucket[0].sentence, sources=sources, value=bucket[0].phrase,
                                published=min(m.published for m in bucket)))
    if by_time:  # differing figures read as a progression
        versions.sort(key=lambda v: v.published or dt.datetime.min.replace(tzinfo=dt.timezone.utc))
    return tuple(versions)


def _judge(group: Sequence[Mention]) -> bool | None:
    """None: no disagreement; True: a contradiction; False: differing figures that may both be true."""
    precise = [m for m in group if m.value is not None]
    differing = [(a, b) for i, a in enumerate(precise) for b in precise[i + 1:]
                 if a.origin != b.origin and _differ(a.value or 0, b.value or 0)]
    contradictions = [(a, b) for a, b in differing if not _compatible(a, b) and not _may_be_update(a, b)]
    if contradictions:
        return True
    if any(a.kind != "duration" for a, _ in differing):
        return False
    return None


def quantity_disagreements(articles: Sequence[Article], source_ids: Mapping[str, str],
                           origin_of: Mapping[str, str]) -> list[Disagreement]:
    """The quantities the event's independent origins report differently."""
    by_about: dict[tuple[str, str], list[Mention]] = {}  # a region's figure is not the whole event's
    for mention in _mentions(articles, source_ids, origin_of):
        by_about.setdefault((mention.about, mention.scope.lower()), []).append(mention)
    out = []
    for (about, scope), group in by_about.items():
        verdict = _judge(group)
        if verdict is not None:
            about = f"{about} in {group[0].scope}" if scope else about
            out.append(Disagreement(about=about, versions=_versions(group, by_time=not verdict),
                                    kind=group[0].kind, contradiction=verdict))
    return out
