"""Who is who in one event: person names, their short forms and their roles.

Built from the event's own texts, so "Kim", "Mr Jong Un", "Kim Jong-un" and
"the North Korean leader" all resolve to "Kim Jong Un" when the articles
name him that way. Pure: texts in, a :class:`People` index out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

NAME_WORD = r"[A-Z][a-z]{1,2}[A-Z][a-z]+|[A-Z][a-z]?[’'][A-Z][a-z]+|[A-Z][a-z’'\-]+|[A-Z]\.|[A-Z][a-z]+-[a-z]+"
# words of one name are on one line: a headline's last word and the body's first are not one name ("Derna Another")
_NAME = re.compile(rf"\b(?:{NAME_WORD})(?:[^\S\n]+(?:{NAME_WORD}))*")
TITLES = {"mr", "mrs", "ms", "dr", "prof", "sir", "president", "premier", "comrade", "sen", "rep", "gov",
          "adm", "gen", "ambassador", "chairman", "leader", "minister", "secretary", "spokesperson",
          "spokesman", "spokeswoman", "marshal", "admiral", "general", "supreme", "king", "queen",
          "prince", "pope", "chancellor", "judge", "justice", "senator", "governor", "mayor", "speaker",
          "representative", "lt", "col", "sgt", "capt", "rev"}
ROLE_NOUNS = ("leader", "president", "spokesperson", "spokesman", "spokeswoman", "minister", "secretary",
              "director", "chief", "chairman", "chair", "head", "ambassador", "analyst", "envoy", "official",
              "commander", "governor", "senator", "mayor", "prime minister", "chancellor", "adviser",
              "advisor", "general", "admiral", "founder", "ceo", "justice", "judge", "speaker",
              "representative", "attorney general", "lawmaker", "candidate", "professor")
# Capitalised words that start or make up names of places, bodies and things, not people.
NOT_PERSON = set("""
the a an in on at of for and but or as to by from with this that these those it its he she they we i
north south east west eastern western northern southern far central new united states kingdom union
russia russian korea korean koreas japan japanese china chinese ukraine ukrainian america american
american's europe european britain british france french germany german india iran israel syria
washington moscow pyongyang seoul beijing tokyo kremlin pentagon congress senate house white state
department ministry agency council nations security national news associated press times post journal
committee office party army navy force forces fleet government people's republic democratic
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december sept jan feb mar apr jun jul aug oct nov dec
war cosmodrome forum station university institute program programme centre center media tv
reuters ap afp bbc cnn fox nato u.n u.s eu covid dprk kcna tass yonhap
""".split())


@dataclass(frozen=True)
class People:
    names: tuple[str, ...]  # full names, most mentioned first
    aliases: dict[str, str]  # lower-case short form -> full name
    roles: dict[str, str]  # full name -> role as the articles put it ("North Korean leader")
    role_names: dict[str, str]  # lower-case role -> full name
    role_pattern: re.Pattern[str] | None = None  # "the <role>" for every known role
    # answers already given by resolve(): a pure function of the fields above, asked again for every paragraph
    _resolved: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    def resolve(self, mention: str) -> str | None:
        """The full name a mention refers to, or None."""
        if mention not in self._resolved:
            self._resolved[mention] = self._resolve(mention)
        return self._resolved[mention]

    def _resolve(self, mention: str) -> str | None:
        text = _normalise(mention)
        low = text.lower()
        if low in self.aliases:
            return self.aliases[low]
        stripped = _strip_titles(text)
        if stripped.lower() in self.aliases:
            return self.aliases[stripped.lower()]
        role = re.sub(r"^(?:the|a|an)\s+", "", low)
        if role in self.role_names:
            return self.role_names[role]
        # "the minister" -> the one person whose role ends so ("Prime Minister Jane Doe")
        matches = {name for known, name in self.role_names.items() if known.endswith(" " + role)}
        return matches.pop() if len(matches) == 1 else None

    def mentions(self, text: str) -> list[tuple[int, str]]:
        """(offset, full name) of every person mention in ``text``, in order."""
        found = []
        for match in _NAME.finditer(normalise_text(text)):
            name = self.resolve(match.group(0))
            if name:
                found.append((match.start(), name))
        if self.role_pattern is not None:
            for match in self.role_pattern.finditer(text):
                if not any(match.start() <= at < match.end() for at, _ in found):  # not already a name hit
                    found.append((match.start(), self.role_names[match.group(1).lower()]))
        return sorted(found)


def _normalise(name: str) -> str:
    # "Kim Jong-un" -> "Kim Jong Un"; possessives dropped
    name = re.sub(r"[’']s\b", "", name.strip())
    return re.sub(r"\b([A-Z][a-z]+)-([a-z]+)\b", lambda m: f"{m.group(1)} {m.group(2).capitalize()}", name)


def normalise_text(text: str) -> str:
    """Same length as ``text``: hyphenated given names split, possessives end a name ("Korea’s Kim")."""
    text = re.sub(r"[’']s\b", ", ", text)
    return re.sub(r"\b([A-Z][a-z]+)-([a-z]+)\b", lambda m: f"{m.group(1)} {m.group(2).capitalize()}", text)


def _strip_titles(name: str) -> str:
    parts = name.split()
    while parts and parts[0].lower().rstrip(".") in TITLES:
        parts = parts[1:]
    return " ".join(parts)


def _person_like(words: list[str]) -> bool:
    return 2 <= len(words) <= 4 and all(w.lower() not in NOT_PERSON and w.lower() not in TITLES for w in words)


def build_people(texts: Iterable[str]) -> People:
    """Index the people named in ``texts`` (an event's articles)."""
    counts: Counter[str] = Counter()
    role_votes: dict[str, Counter[str]] = {}
    bodies = [normalise_text(t) for t in texts]
    common = {w for text in bodies for w in re.findall(r"\b[a-z][a-z’'-]+\b", text)}
    for text in bodies:
        for match in _NAME.finditer(text):
            words = _strip_titles(match.group(0)).split()
            # drop leading place/adjective words: "Russian President Vladimir Putin" -> "Vladimir Putin"
            while words and (words[0].lower() in NOT_PERSON or words[0].lower() in TITLES
                             or words[0].lower() in common):
                words = words[1:]
            if any(w.lower() in common for w in words):
                continue
            if _person_like(words):
                counts[" ".join(words)] += 1
    names = [n for n, _ in counts.most_common()]
    known = set(names)
    # \b: a role starts at a word ("Ringleader John" is not a leader), and the scan tries word starts only
    role_pattern = re.compile(rf"\b((?:[A-Z][\w.’'-]*\s+){{0,5}}(?i:{'|'.join(ROLE_NOUNS)}))\s+({_NAME.pattern})")
    for text in bodies:
        for match in role_pattern.finditer(text):
            name = _strip_titles(match.group(2))
            while name and name not in known and " " in name:  # "Kim Jong Un vowed" -> longest known prefix
                name = name.rsplit(" ", 1)[0]
            role = _clean_role(match.group(1))
            if name in known and role:
                role_votes.setdefault(name, Counter())[role] += 1
    aliases: dict[str, str] = {}
    for name in names:  # most mentioned first: the first claim on a short form wins
        parts = name.split()
        for alias in sorted({name, parts[-1], parts[0], " ".join(parts[1:]), " ".join(parts[-2:])}):
            if alias and alias.lower() not in NOT_PERSON:
                aliases.setdefault(alias.lower(), name)
    roles = {n: votes.most_common(1)[0][0] for n, votes in role_votes.items()}
    role_names: dict[str, str] = {}
    for name, votes in sorted(role_votes.items(), key=lambda kv: -counts[kv[0]]):
        for role in votes:
            role_names.setdefault(role.lower(), name)
    pattern = None
    if role_names:
        alternatives = "|".join(re.escape(r) for r in sorted(role_names, key=len, reverse=True))
        pattern = re.compile(rf"\bthe ({alternatives})\b", re.IGNORECASE)
    return People(names=tuple(names), aliases=aliases, roles=roles, role_names=role_names, role_pattern=pattern)


def _clean_role(raw: str) -> str:
    words = raw.split()
    while words and words[0].lower() in {"the", "a", "an", "and", "with", "of", "by", "to", "as", "in", "on", "but",
                                         "or", "so", "while", "when", "after", "before", "if", "then", "also",
                                         "even", "meanwhile", "said", "says", "told"}:
        words = words[1:]
    if not words or len(words) > 6 or any(w.endswith((",", ".")) for w in words):
        return ""
    return " ".join(words)
