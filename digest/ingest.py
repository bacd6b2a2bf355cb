"""Documents -> stored articles: extract, fill in metadata, fingerprint."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from digest.dedup.urls import clean_url
from digest.extract import extract
from digest.fetch.parse import plain_text
from digest.model import Article, Document


_NON_WORD = re.compile(r"[\W_]+")
# ASCII bytes: letters and digits kept, everything else a space
_ASCII_WORD_BYTES = bytes(c if chr(c).isalnum() else 0x20 for c in range(128)) + bytes(range(128, 256))


def content_hash(text: str) -> str:
    """Fingerprint of the article text, insensitive to case, spacing and punctuation."""
    low = text.lower()
    if low.isascii():  # the same words as the regex below finds, by a byte table
        normal = b" ".join(low.encode("ascii").translate(_ASCII_WORD_BYTES).split())
    else:
        normal = _NON_WORD.sub(" ", low).strip().encode("utf-8")
    return hashlib.sha256(normal).hexdigest()


def article_from_document(document: Document, now: dt.datetime) -> Article | None:
    """Extract a document into an Article; None when no text is left at all.

    Source metadata (feed entry, manifest) wins over what extraction guessed,
    except for a headline the source did not have. Dates in the future are
    clamped to ``now``; a missing date becomes the fetch time.
    """
    extracted = extract(document.body, is_html=document.is_html, url=document.url)
    summary = plain_text(document.summary)
    text = extracted.text or (summary or "")
    if not text.strip():
        return None
    if summary == text:
        summary = text  # one string, not two equal ones (sent once from the parse workers)
    published = document.published or extracted.published or document.fetched or now
    published = min(published, now)
    title = document.title or extracted.title or "Untitled"
    outlet = document.outlet
    if extracted.site_name and outlet == document.feed and not document.path:
        outlet = extracted.site_name
    return Article(
        key=document.key,
        feed=document.feed,
        outlet=outlet,
        title=title,
        text=text,
        published=published,
        fetched=document.fetched or now,
        content_hash=content_hash(text),
        url=extracted.canonical_url or clean_url(document.url) or document.url,  # issue 5: no tracking params
        path=document.path,
        byline=document.byline or extracted.byline,
        summary=summary,
        language=extracted.language,
        credits=extracted.credits,
        captions=extracted.captions,
        journalists=extracted.journalists,
        title_derived=document.title is None and extracted.title_derived,
    )
