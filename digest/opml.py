"""OPML subscription lists in and out (what every RSS reader imports and exports).

Reading is safe by construction: no DTDs, no entity expansion, no network,
a size cap, and documents that declare entities are refused outright.
Outlines may be nested in folders to any depth; every outline with an
``xmlUrl`` is a feed. Writing produces OPML 2.0.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from digest import __version__
from digest.config import FeedConfig
from digest.errors import DigestError

MAX_BYTES = 20_000_000
DIGEST_NS = "https://github.com/digest-news/digest/opml"
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


class OPMLError(DigestError):
    """The OPML file cannot be read; the message names the file and the fix."""

    exit_code = 2


@dataclass(frozen=True)
class Outline:
    name: str
    url: str
    outlet: str | None = None
    site: str | None = None  # htmlUrl


def _attr(element: etree._Element, name: str) -> str | None:
    """An attribute by case-insensitive name (exports disagree on xmlUrl / xmlurl)."""
    for key, value in element.attrib.items():
        local = key.split("}")[-1] if key.startswith("{") else key
        if local.lower() == name.lower() and value.strip():
            return value.strip()
    return None


def parse_opml(data: bytes, source: str = "OPML file") -> list[Outline]:
    """Feeds in an OPML document, in document order (duplicates included)."""
    if len(data) > MAX_BYTES:
        raise OPMLError(f"{source}: larger than {MAX_BYTES:,} bytes; that is not a subscription list")
    if _ENTITY.search(data):
        raise OPMLError(f"{source}: declares XML entities, which digest refuses to expand; "
                        "export the list again from your reader")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise OPMLError(f"{source}: not valid XML ({err}); export the list again from your reader") from None
    if root is None or etree.QName(root).localname.lower() != "opml":
        raise OPMLError(f"{source}: not an OPML document (no <opml> root); export your subscriptions as OPML")
    feeds = []
    for element in root.iter("{*}outline"):
        url = _attr(element, "xmlUrl")
        if not url:
            continue
        name = _attr(element, "title") or _attr(element, "text") or urlsplit(url).hostname or url
        outlet = element.get(f"{{{DIGEST_NS}}}outlet")
        feeds.append(Outline(name=" ".join(name.split()), url=url, outlet=outlet, site=_attr(element, "htmlUrl")))
    return feeds


def read_opml(path: Path) -> list[Outline]:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise OPMLError(f"{path}: cannot be read ({err.strerror}); check the path") from None
    return parse_opml(data, str(path))


def render_opml(feeds: Sequence[FeedConfig], title: str, now: dt.datetime) -> bytes:
    """OPML 2.0 for the web feeds among ``feeds`` (local files and folders have no URL to share)."""
    root = etree.Element("opml", version="2.0", nsmap={"digest": DIGEST_NS})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now.astimezone(dt.timezone.utc), usegmt=True)
    etree.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    etree.SubElement(head, "generator").text = f"digest {__version__}"
    body = etree.SubElement(root, "body")
    for feed in feeds:
        if not feed.url:
            continue
        outline = etree.SubElement(body, "outline", type="rss", text=feed.name, title=feed.name,
                                   xmlUrl=feed.url)
        if feed.outlet:
            outline.set(f"{{{DIGEST_NS}}}outlet", feed.outlet)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
