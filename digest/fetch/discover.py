"""Find the feed behind an address: the feed itself, or a site page that links to it.

A page announces its feeds with ``<link rel="alternate" type="application/rss+xml"
href="...">`` (or atom+xml); relative hrefs are resolved against the page (or
its ``<base href>``). Candidates are fetched and must parse as a feed. When a
page announces nothing, a few conventional addresses on the same site are tried.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx
import lxml.html

from digest.errors import DigestError
from digest.fetch import USER_AGENT
from digest.fetch.parse import FeedParseError, parse_feed
from digest.fetch.tls import ssl_context, tls_failure

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
GUESSES = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml")
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"


class DiscoveryError(DigestError):
    """No feed could be found at or from the address; the message says why and what to try."""


@dataclass(frozen=True)
class Found:
    url: str  # the feed's own address (after redirects)
    title: str | None
    entries: int
    page: str | None = None  # the site page it was discovered from, if any


@dataclass(frozen=True)
class _Response:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes


def make_client(timeout_s: float) -> httpx.Client:
    return httpx.Client(headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
                        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
                        follow_redirects=True, max_redirects=5, verify=ssl_context())


def _get(client: httpx.Client, url: str, max_bytes: int, deadline: float) -> _Response:
    try:
        with client.stream("GET", url) as response:
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise DiscoveryError(f"{url}: response larger than {max_bytes:,} bytes; not a feed digest reads")
                if time.monotonic() > deadline:
                    raise DiscoveryError(f"{url}: took too long to answer; try again later")
                chunks.append(chunk)
            return _Response(str(response.url), response.status_code, dict(response.headers), b"".join(chunks))
    except httpx.TimeoutException:
        raise DiscoveryError(f"{url}: timed out; check the address or try again later") from None
    except httpx.HTTPError as err:
        if (tls := tls_failure(err)):
            raise DiscoveryError(f"{url}: {tls}") from None
        raise DiscoveryError(f"{url}: cannot be fetched ({type(err).__name__}: {err}); "
                             "check the address") from None


def _looks_like_html(response: _Response) -> bool:
    content_type = next((v for k, v in response.headers.items() if k.lower() == "content-type"), "").lower()
    if "html" in content_type:
        return True
    head = response.body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def alternate_links(html: bytes, page_url: str) -> list[tuple[str, str | None]]:
    """(absolute feed URL, title) for each announced RSS/Atom feed, main feeds before comment feeds."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    base = next((b.get("href") for b in doc.iter("base") if b.get("href")), None)
    base_url = urljoin(page_url, base) if base else page_url
    found: list[tuple[str, str | None]] = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES and href:
            url = urljoin(base_url, href)
            if url.startswith(("http://", "https://")) and url not in (u for u, _ in found):
                found.append((url, link.get("title")))
    return sorted(found, key=lambda item: "comment" in (item[1] or "").lower())


def _guesses(page_url: str) -> list[str]:
    """Conventional feed addresses: beside the page first, then at the site's root."""
    urls = [urljoin(page_url, g.lstrip("/")) for g in GUESSES] + [urljoin(page_url, g) for g in GUESSES]
    return list(dict.fromkeys(urls))


def _as_feed(response: _Response) -> Found | None:
    if response.status >= 400 or _looks_like_html(response):
        return None
    try:
        parsed = parse_feed(response.body, response.headers, response.url)
    except FeedParseError:
        return None
    return Found(url=response.url, title=parsed.title, entries=len(parsed.entries))


def discover(url: str, *, timeout_s: float = 20.0, max_bytes: int = 10_000_000,
             client: httpx.Client | None = None) -> Found:
    """The feed at ``url`` or announced by the page at ``url``. Raises DiscoveryError."""
    deadline = time.monotonic() + timeout_s * 4
    own = client is None
    client = client or make_client(timeout_s)
    try:
        response = _get(client, url, max_bytes, deadline)
        if response.status >= 400:
            raise DiscoveryError(f"{url}: the server answered HTTP {response.status}; check the address")
        if not _looks_like_html(response):
            found = _as_feed(response)
            if found is None:
                raise DiscoveryError(f"{url}: is neither an RSS/Atom feed nor a web page; "
                                     "give the feed's address or the site's home page")
            return found
        announced = alternate_links(response.body, response.url)
        candidates = [u for u, _ in announced] or _guesses(response.url)
        for candidate in candidates:
            try:
                found = _as_feed(_get(client, candidate, max_bytes, deadline))
            except DiscoveryError:
                continue
            if found is not None:
                return Found(url=found.url, title=found.title, entries=found.entries, page=response.url)
        if announced:
            raise DiscoveryError(f"{url}: the page announces {', '.join(candidates)}, but none is a readable "
                                 "feed; give the feed's address instead")
        raise DiscoveryError(f"{url}: is a web page that announces no feed (no <link rel=\"alternate\" "
                             "type=\"application/rss+xml\">); give the feed's address instead")
    finally:
        if own:
            client.close()
