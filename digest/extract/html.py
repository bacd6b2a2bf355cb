"""HTML -> clean text: whole pages with trafilatura, feed fragments with lxml.

Pages go through trafilatura in precision mode without comments; its text
then gets the same caption/credit sorting as plain text. Feed entry content
is a fragment, not a page (trafilatura tends to discard short fragments), so
it is flattened to paragraphs directly, after dropping scripts and styles.
"""

from __future__ import annotations

import datetime as dt
import re

import lxml.html
import trafilatura
from lxml import etree

from digest.extract import text as plain
from digest.model import Extracted

UTC = dt.timezone.utc
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
           "section", "article", "header", "footer", "figure", "ul", "ol", "table", "hr"}
_DROP = {"script", "style", "noscript", "iframe", "object", "embed", "form", "button", "svg", "template"}


def _meta_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        if len(value) <= 10:
            return parsed.replace(hour=12, tzinfo=UTC)
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _canonical(html: str) -> str | None:
    match = re.search(r"<link\b[^>]*\brel=[\"']?canonical[\"']?[^>]*>", html[:200_000], re.I)
    if not match:
        return None
    href = re.search(r"\bhref=[\"']([^\"']+)[\"']", match.group(0), re.I)
    return href.group(1).strip() if href else None


def extract_page(html: str, url: str | None = None) -> Extracted:
    """A whole article page. Empty text when trafilatura finds no article."""
    document = trafilatura.bare_extraction(
        html, url=url, favor_precision=True, include_comments=False, include_tables=True,
        with_metadata=True, deduplicate=False,
    )
    if document is None:
        return Extracted(text="", removed=("no-article",))
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    body_text = plain.repair(data.get("text") or "")
    paras = [p.strip() for p in body_text.split("\n") if p.strip()]
    body, captions, credits, journalists, removed = plain._classify(paras)
    title = plain.repair(data["title"]).strip() if data.get("title") else None
    return Extracted(
        text="\n\n".join(body),
        title=title or plain.derive_title(body),
        title_derived=not title,
        byline=(data.get("author") or journalists or None),
        published=_meta_date(data.get("date")),
        canonical_url=_canonical(html) or data.get("url"),
        site_name=data.get("sitename") or None,
        language=data.get("language") or None,
        credits=tuple(dict.fromkeys(credits)),
        captions=tuple(captions),
        removed=tuple(removed),
    )


def fragment_to_text(fragment: str) -> tuple[str, list[str]]:
    """Feed HTML -> (paragraph text, figure captions). Markup and scripts are gone."""
    if not fragment.strip():
        return "", []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return plain.repair(re.sub(r"<[^>]+>", " ", fragment)), []
    for element in list(root.iter()):
        if isinstance(element.tag, str) and element.tag.lower() in _DROP:
            element.drop_tree()
    captions = [c.text_content().strip() for c in root.iter("figcaption") if c.text_content().strip()]
    for caption in list(root.iter("figcaption")):
        caption.drop_tree()
    parts: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.lower() in _BLOCKS:
            parts.append("\n\n")
        if element.text:
            parts.append(element.text)
        if element.tail:
            if element.tag.lower() in _BLOCKS:
                parts.append("\n\n")
            parts.append(element.tail)
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parts))
    text = re.sub(r"\s*\n\s*\n\s*", "\n\n", text).strip()
    return plain.repair(text), captions


def extract_fragment(fragment: str) -> Extracted:
    """Feed entry content (HTML) -> clean text via the plain-text cleaner."""
    text, captions = fragment_to_text(fragment)
    cleaned = plain.clean_text(text, detect_head=False)
    return Extracted(
        text=cleaned.text, title=None, byline=cleaned.byline, published=cleaned.published,
        credits=cleaned.credits, captions=tuple(captions) + cleaned.captions, removed=cleaned.removed,
    )
