"""Open questions: what the sources themselves say is unknown, unconfirmed or undisclosed.

Only sentences that say so in words ("no details were released", "did not
immediately confirm", "it is unclear whether") are used; the product never
poses questions of its own. The same statement from several sources is shown
once with all of them. Pure: articles in, claims out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from digest.analyze.text import content_words, pronoun_subject, sentences
from digest.model import Article, Claim

_UNKNOWN = re.compile(
    r"\b(?:no details (?:were|have been|was) (?:released|given|disclosed|provided|made public)"
    r"|(?:did not|didn[’']t|declined to|would not|wouldn[’']t|could not|couldn[’']t|refused to) "
    r"(?:immediately )?(?:confirm|comment|respond|say|specify|elaborate|disclose|reveal|identify|provide)"
    r"|without (?:specifying|saying|giving details|elaborating)"
    r"|(?:it is|it was|it remains|it’s|it's|remains|remained) (?:not yet )?(?:unclear|not clear|unknown|not known)"
    r"|(?:was|were|is|are) not (?:immediately )?(?:clear|known|disclosed|released|confirmed|specified)"
    r"|could not be (?:independently )?(?:verified|confirmed)"
    r"|(?:unconfirmed|unverified|not yet confirmed|yet to be confirmed|remains to be seen)"
    r"|(?:no|neither) (?:official )?(?:confirmation|comment|explanation)"
    r"|details (?:of|about) [\w\s]{1,40}? (?:were|are|remain) (?:not|scarce|unclear))",
    re.IGNORECASE)
SAME = 0.6


def open_questions(articles: Sequence[Article], source_ids: Mapping[str, str],
                   limit: int = 6) -> tuple[Claim, ...]:
    """Sentences in which the sources say something is not known or not confirmed."""
    found: list[tuple[str, set[str], list[str]]] = []
    for article in articles:
        for s in sentences(article.text):
            if len(s.text.split()) < 5 or not _UNKNOWN.search(s.text) or pronoun_subject(s.text):
                continue
            bag = set(content_words(s.text))
            sid = source_ids[article.key]
            for text, other, sources in found:
                if bag and other and len(bag & other) / min(len(bag), len(other)) >= SAME:
                    if sid not in sources:
                        sources.append(sid)
                    break
            else:
                found.append((s.text, bag, [sid]))
    found.sort(key=lambda f: -len(f[2]))
    return tuple(Claim(text=t, sources=tuple(src)) for t, _, src in found[:limit])
