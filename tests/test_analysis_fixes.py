"""Fixture tests for reader-visible defects found in the sample briefing (pure analysis functions)."""

from __future__ import annotations

import datetime as dt

from digest.analyze.quotes import extract_quotes
from digest.model import Article

NOW = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)


def _article(key: str, outlet: str, text: str, title: str = "Deal") -> Article:
    return Article(key=key, feed="f", outlet=outlet, title=title, text=text, published=NOW, fetched=NOW,
                   content_hash=key)


def test_a_quotation_starting_mid_sentence_is_not_shown() -> None:
    text = ("The ministry's priority is the harbour deal, “and it would do pretty much anything to get that done,” "
            "said Omar Haddad, head of the port authority.\n\n"
            "“We will not sign anything until the unions have had their say,” Haddad said.\n\n"
            "The plan was, in his words, “a compromise nobody in the port really wanted,” said Haddad.")
    quotes = extract_quotes([_article("a", "A", text)], {"a": "s1"})
    shown = [q.text for q in quotes]
    assert any(t.startswith("We will not sign") for t in shown)
    assert not any(t.startswith("and it would") for t in shown)  # a lower-case connective: a fragment
    assert any(t.startswith("a compromise nobody") for t in shown)  # a partial quote that reads on its own stays
