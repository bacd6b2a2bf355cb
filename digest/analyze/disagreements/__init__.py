"""Where the event's independent sources report the same thing differently.

Four kinds of disagreement, each shown as versions side by side, every
version in its source's own sentence with the sources that give it:

* quantities (:mod:`.quantities`): the length of the talks, a count under the
  same verb, a death toll -- contradictions, or differing figures that may each
  have been right when published;
* dates (:mod:`.dates`): the same development placed on different days;
* actors (:mod:`.actors`): the same quotation attributed to different
  speakers, or the same action to different subjects.

Pure: articles in, disagreements out; contradictions first, the most
versions first within them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from digest.analyze.disagreements.actors import who_did_what
from digest.analyze.disagreements.dates import date_disagreements
from digest.analyze.disagreements.quantities import quantity_disagreements
from digest.analyze.people import People
from digest.analyze.quotes import Found
from digest.model import Article, Disagreement


def find_disagreements(articles: Sequence[Article], source_ids: Mapping[str, str],
                       origin_of: Mapping[str, str], people: People | None = None,
                       attributed: Sequence[Found] | None = None) -> tuple[Disagreement, ...]:
    """Everything the event's independent origins report differently (``people``: the event's index of
    names; ``attributed``: its quotations as each article attributes them -- both found here when not given)."""
    found = quantity_disagreements(articles, source_ids, origin_of)
    found += date_disagreements(articles, source_ids, origin_of)
    found += who_did_what(articles, source_ids, origin_of, people, attributed)
    return tuple(sorted(found, key=lambda d: (not d.contradiction, -len(d.versions))))


__all__ = ["find_disagreements"]
