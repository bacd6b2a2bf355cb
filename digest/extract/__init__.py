"""Documents -> clean article text and metadata. Pure: no fetching, no clock."""

from __future__ import annotations

from digest.extract.html import extract_fragment, extract_page
from digest.extract.text import clean_text
from digest.model import Extracted

_PAGE_HINT = ("<html", "<!doctype", "<head", "<body")


def extract(body: str, *, is_html: bool, url: str | None = None) -> Extracted:
    """Clean one document: a whole HTML page, an HTML fragment, or plain text."""
    if not is_html:
        return clean_text(body)
    if body.lstrip()[:1000].lower().startswith(_PAGE_HINT) or "<body" in body[:5000].lower():
        return extract_page(body, url)
    return extract_fragment(body)


__all__ = ["extract", "clean_text", "extract_page", "extract_fragment"]
