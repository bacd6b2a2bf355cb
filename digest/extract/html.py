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

from digest.dedup.urls import canonical_url
from digest.extract import text as plain
from digest.model import Extracted

UTC = dt.timezone.utc
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
           "section", "article", "header", "footer", "figure", "ul", "ol", "table", "hr"}
_SPACES = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")  # same result as [ \t\r\f\v]+ -> " "
_BLANK_LINES = re.compile(r"\s*\n\s*\n\s*")
# Text the HTML parser would alter or refuse: markup, entities, CR, control and non-XML characters.
_NOT_PLAIN = re.compile(r"[<&\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_DROP = {"script", "style", "noscript", "iframe", "object", "embed", "form", "button", "svg", "template"}
# The same elements with what they hold, for a fragment the HTML parser refuses (to its end when unclosed).
_DROPPED_BY_PATTERN = re.compile(rf"<({'|'.join(sorted(_DROP))})\b[^>]*>.*?(?:</\1\s*>|$)", re.I | re.S)


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


_LANG = re.compile(r"<html\b[^>]*\blang=[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)", re.I)
_META_LANG = re.compile(r"<meta\b[^>]*(?:http-equiv=[\"']?content-language|property=[\"']?og:locale)[^>]*>", re.I)
_BYLINE_AGENCY = re.compile(r"\b(AP|Associated Press|Reuters|AFP|Agence France-Presse|dpa|UPI|Bloomberg)\b")


_TIME_META = {
    "published": ("article:published_time", "datePublished", "pubdate", "publishdate", "date", "dc.date.issued",
                  "og:published_time", "sailthru.date", "parsely-pub-date"),
    "updated": ("article:modified_time", "dateModified", "og:updated_time", "last-modified", "dc.date.modified"),
}


def _meta_time(root: lxml.html.HtmlElement | None, kind: str) -> dt.datetime | None:
    """A full timestamp from the page's meta tags / itemprops (trafilatura keeps only the day)."""
    if root is None:
        return None
    for name in _TIME_META[kind]:
        values = root.xpath(f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']/@content"
                            f" | //*[@itemprop='{name}']/@datetime")
        for value in values:
            parsed = _meta_date(value.strip().replace("Z", "+00:00"))
            if parsed:
                return parsed
    return None


def _parse(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _language(html: str, found: str | None) -> str | None:
    """The page's language: trafilatura's, else <html lang>, else content-language / og:locale."""
    if found:
        return found
    match = _LANG.search(html[:5000])
    if not match:
        meta = _META_LANG.search(html[:200_000])
        match = re.search(r"content=[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)", meta.group(0), re.I) if meta else None
    return match.group(1).replace("_", "-").split("-")[0].lower() if match else None


def lead_caption(root: lxml.html.HtmlElement | None) -> str | None:
    """The lead image's caption: the first <figcaption> in the article, else og:image:alt."""
    if root is None:
        return None
    for container in (root.xpath("//article") or [root]):
        for caption in container.iter("figcaption"):
            text = " ".join(caption.text_content().split())
            if text:
                return plain.repair(text)
    alt = root.xpath("//meta[@property='og:image:alt']/@content")
    return plain.repair(alt[0].strip()) if alt and alt[0].strip() else None


def _byline_credits(byline: str | None) -> list[str]:
    """'Tom Krisher, AP Auto Writer' -> ['Associated Press']."""
    if not byline:
        return []
    return [name for m in _BYLINE_AGENCY.finditer(byline) if (name := plain.agency_name(m.group(1)))]


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
    byline = data.get("author") or journalists or None
    root = _parse(html)
    caption = lead_caption(root)
    if caption and caption not in captions:
        captions.insert(0, caption)
    body = [p for p in body if p != caption]
    if title and body and body[0].strip() == title:
        body = body[1:]  # the headline repeated as the first line of the text
    day = _meta_date(data.get("date"))
    published = _meta_time(root, "published")
    if day and (published is None or published.date() != day.date()):
        published = day
    return Extracted(
        text="\n\n".join(body),
        title=title or plain.derive_title(body),
        title_derived=not title,
        byline=byline,
        published=published,
        updated=_meta_time(root, "updated"),
        canonical_url=canonical_url(url or data.get("url"), _canonical(html)) or data.get("url"),
        site_name=data.get("sitename") or None,
        language=_language(html, data.get("language")),
        credits=tuple(dict.fromkeys(credits + _byline_credits(byline))),
        journalists=tuple(plain.journalists_in(paras)),
        captions=tuple(captions),
        removed=tuple(removed),
    )


def fragment_to_text(fragment: str) -> tuple[str, list[str]]:
    """Feed HTML -> (paragraph text, figure captions). Markup and scripts are gone."""
    if not fragment.strip():
        return "", []
    if _markup_free(fragment):
        return _tidy(fragment), []  # no markup, nothing the HTML parser would change: skip it
    return _tree_text(fragment)


def _markup_free(fragment: str) -> bool:
    """``not _NOT_PLAIN.search(fragment)``; for ASCII text by C-speed string tests."""
    if fragment.isascii():
        return "<" not in fragment and plain.ascii_without_fixable(fragment)
    return not _NOT_PLAIN.search(fragment)


def _tree_text(fragment: str) -> tuple[str, list[str]]:
    """fragment_to_text through lxml (the only way for anything with markup or entities).

    Scripts, styles (``_DROP``) and figure captions are left out as if removed with
    ``drop_tree()`` (an element's tail stays, joined to what precedes it), without
    changing the tree: lxml refuses to set text holding control characters, which a
    parsed fragment can contain.
    """
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):  # ValueError: control characters in the text before any tag
        return plain.repair(re.sub(r"<[^>]+>", " ", _DROPPED_BY_PATTERN.sub(" ", fragment))), []
    captions = [text for c in _kept_elements(root) if c.tag == "figcaption" and (text := _string(c).strip())]
    parts: list[str] = []
    stack: list[tuple[etree._Element, str]] = [(root, "")]
    while stack:
        element, tail = stack.pop()
        text, children = _without_dropped(element)
        stack.extend(reversed(children))
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions: neither their text nor their tail
        block = element.tag.lower() in _BLOCKS
        if block:
            parts.append("\n\n")
        if text:
            parts.append(text)
        if tail:
            if block:
                parts.append("\n\n")
            parts.append(tail)
    return _tidy("".join(parts)), captions


def _dropped(node: etree._Element) -> bool:
    return isinstance(node.tag, str) and node.tag.lower() in _DROP


def _without_dropped(element: etree._Element) -> tuple[str, list[tuple[etree._Element, str]]]:
    """The element's text and its remaining children with their tails, as after ``drop_tree()`` of
    the dropped ones and the figure captions: a dropped child's tail joins the tail of the child
    before it (a comment too), else the element's text."""
    text, children = element.text or "", []
    for child in element:
        if _dropped(child) or child.tag == "figcaption":
            if child.tail:
                if children:
                    children[-1] = (children[-1][0], children[-1][1] + child.tail)
                else:
                    text += child.tail
        else:
            children.append((child, child.tail or ""))
    return text, children


def _kept_elements(root: etree._Element) -> list[etree._Element]:
    """Every element in document order, less the dropped ones and what is inside them."""
    found, stack = [], [root]
    while stack:
        element = stack.pop()
        found.append(element)
        stack.extend(reversed([child for child in element if not _dropped(child)]))
    return found


def _string(element: etree._Element) -> str:
    """``text_content()`` with the dropped elements gone (their tails stay where they were)."""
    pieces: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(element, False)]
    while stack:
        node, tail_only = stack.pop()
        if tail_only:
            pieces.append(node.tail or "")
            continue
        if isinstance(node.tag, str):
            pieces.append(node.text or "")
        for child in reversed(node):  # each child's content, then its tail, in document order
            stack.append((child, True))
            if not _dropped(child):
                stack.append((child, False))
    return "".join(pieces)


def _tidy(text: str) -> str:
    """Collapse spaces (a single space is left alone: most text has nothing else) and blank lines."""
    if "  " in text or "\t" in text or "\r" in text or "\f" in text or "\v" in text:
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return plain.repair(text.strip())


def extract_fragment(fragment: str) -> Extracted:
    """Feed entry content (HTML) -> clean text via the plain-text cleaner."""
    text, captions = fragment_to_text(fragment)
    cleaned = plain.clean_text(text, detect_head=False)
    return Extracted(
        text=cleaned.text, title=None, byline=cleaned.byline, published=cleaned.published,
        credits=cleaned.credits, captions=tuple(captions) + cleaned.captions, removed=cleaned.removed,
    )
