"""HTTP fetching for feeds and article pages (httpx).

Conditional requests (ETag / Last-Modified), a response-size cap enforced
while streaming, timeouts, and failures returned as values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from digest import __version__

USER_AGENT = f"digest/{__version__} (+https://github.com/digest-news/digest)"


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int | None  # None when no response arrived
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    elapsed_ms: int = 0
    permanent_redirect: str | None = None  # new address when the server said 301/308

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and self.error is None


def make_client(timeout_s: float) -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate, br"},
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0)),
        follow_redirects=True,
    )


def fetch(client: httpx.Client, url: str, *, etag: str | None = None, last_modified: str | None = None,
          max_bytes: int = 10_000_000, accept: str = "*/*") -> FetchResult:
    """GET ``url`` conditionally; never raises for network or HTTP trouble."""
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with client.stream("GET", url, headers=headers) as response:
            moved = next((str(r.headers.get("location")) for r in response.history
                          if r.status_code in (301, 308)), None)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    return FetchResult(url=str(response.url), status=response.status_code,
                                       error=f"response larger than {max_bytes:,} bytes; not read")
                chunks.append(chunk)
            elapsed = int(response.elapsed.total_seconds() * 1000)
            return FetchResult(url=str(response.url), status=response.status_code, body=b"".join(chunks),
                               headers=dict(response.headers), elapsed_ms=elapsed,
                               permanent_redirect=str(response.url) if moved else None,
                               error=None if response.status_code < 400 or response.status_code == 304
                               else f"HTTP {response.status_code} {response.reason_phrase}".strip())
    except httpx.TimeoutException:
        return FetchResult(url=url, status=None, error="timed out")
    except httpx.HTTPError as err:
        return FetchResult(url=url, status=None, error=f"{type(err).__name__}: {err}".strip(": "))
