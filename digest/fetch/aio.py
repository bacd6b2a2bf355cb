"""Async HTTP for polling (plain http on :mod:`digest.fetch.plain`, https on httpcore), polite and bounded.

* a global concurrency limit and a per-host limit (``poll: concurrency``, ``per_host``);
* connect/read timeouts plus a total deadline per request (a server that
  trickles bytes forever is cut off at the deadline);
* a size cap counted on the decoded bytes while streaming (a gzip bomb stops
  at the cap too);
* redirects followed by hand (at most 5): the final address is reported as
  ``moved_to`` only when every hop was permanent (301/308), and for article
  pages every hop is checked against private addresses;
* failures come back as values with a one-line reason, never as exceptions.
"""

from __future__ import annotations

import asyncio
import socket
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

import brotli
import httpcore

from digest.config import PollConfig
from digest.fetch import USER_AGENT
from digest.fetch.plain import PlainClient, PlainResponse
from digest.fetch.safety import address_refusal
from digest.fetch.tls import ssl_context, tls_failure

MAX_REDIRECTS = 5
_SAFE = "/%:@!$&'()*+,;=-._~?"  # already-valid URL characters are left as they are
_UA = USER_AGENT.encode()
_ENCODINGS = b"gzip, deflate, br"
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class Fetched:
    url: str  # the address finally answered
    status: int | None  # None: no usable response
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    elapsed_ms: int = 0
    moved_to: str | None = None  # set when every redirect hop was 301/308

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


class _Failure(Exception):
    pass


def _describe(err: Exception, timeout_s: float) -> str:
    if (tls := tls_failure(err)):
        return tls
    if isinstance(err, (httpcore.TimeoutException, TimeoutError)):
        return f"timed out (no complete answer within {timeout_s:g}s)"
    if isinstance(err, httpcore.RemoteProtocolError):
        return f"the server broke off the response ({err})" if str(err) else "the server broke off the response"
    if isinstance(err, httpcore.ConnectError):
        return f"could not connect: {err}".rstrip(": ")
    if isinstance(err, (zlib.error, brotli.error)):
        return "the response could not be decompressed (bad gzip/deflate/brotli data)"
    if isinstance(err, httpcore.ReadError):
        return f"connection reset while reading: {err}".rstrip(": ")
    return f"{type(err).__name__}: {err}".rstrip(": ")


class _Decoder:
    """Content-Encoding gzip / deflate / br, decoded a chunk at a time within a byte budget."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding.strip().lower()
        if self.encoding in ("", "identity"):
            self.kind = "identity"
        elif self.encoding in ("gzip", "x-gzip"):
            self.kind, self.z = "zlib", zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self.kind, self.z = "zlib", zlib.decompressobj()
            self.first = True
        elif self.encoding == "br":
            self.kind, self.br = "br", brotli.Decompressor()
        else:
            raise _Failure(f"the server used an unsupported Content-Encoding '{encoding}'")

    def decode(self, data: bytes, room: int) -> bytes:
        """Up to ``room`` decoded bytes (more than ``room - 1`` means the cap is exceeded)."""
        if self.kind == "identity":
            return data
        if self.kind == "br":
            return self.br.process(data, output_buffer_limit=room)
        if getattr(self, "first", False):  # "deflate" is raw deflate on some servers, zlib on others
            self.first = False
            try:
                return self.z.decompress(data, room)
            except zlib.error:
                self.z = zlib.decompressobj(-zlib.MAX_WBITS)
        return self.z.decompress(data, room)


class AsyncFetcher:
    """``async with AsyncFetcher(config.poll) as f: await f.fetch(url, ...)``."""

    def __init__(self, poll: PollConfig, *, timeout_s: float | None = None) -> None:
        self.poll = poll
        self.timeout_s = timeout_s or poll.timeout.total_seconds()
        connect = min(self.timeout_s, 10.0)
        self._timeouts = {"connect": connect, "read": self.timeout_s, "write": self.timeout_s,
                          "pool": self.timeout_s}
        self._ssl = ssl_context()  # certifi's bundle, or $SSL_CERT_FILE / $SSL_CERT_DIR
        # httpcore directly, one small pool per host: the pool scans all its connections on every
        # request (encode/httpx#3215), and httpx's own layers cost ~3x httpcore's CPU per request
        self._pools: dict[str, httpcore.AsyncConnectionPool] = {}
        # plain http goes through a leaner client of our own (httpcore's async stack costs
        # ~0.5 ms CPU a request, most of an all-304 poll); https stays on httpcore
        self._plain = PlainClient(connect_timeout=connect, keep=poll.per_host)
        self._global = asyncio.Semaphore(poll.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._resolved: dict[str, str | None] = {}

    async def __aenter__(self) -> AsyncFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(self._plain.aclose(), *(p.aclose() for p in self._pools.values()),
                             return_exceptions=True)
        self._pools.clear()

    def _pool(self, key: str) -> httpcore.AsyncConnectionPool:
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = httpcore.AsyncConnectionPool(
                ssl_context=self._ssl, max_connections=self.poll.per_host,
                max_keepalive_connections=self.poll.per_host, keepalive_expiry=30.0)
        return pool

    def _host_gate(self, url: str) -> asyncio.Semaphore:
        key = urlsplit(url).netloc.lower()
        gate = self._hosts.get(key)
        if gate is None:
            gate = self._hosts[key] = asyncio.Semaphore(self.poll.per_host)
        return gate

    async def _guard(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        if host in self._resolved:
            reason = self._resolved[host]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
                addresses = sorted({str(info[4][0]) for info in infos})
                reason = address_refusal(host, addresses, self.poll.allow_private)
            except (socket.gaierror, UnicodeError) as err:
                reason = f"cannot resolve {host}: {err}"
            self._resolved[host] = reason
        if reason:
            raise _Failure(reason)

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    accept: str = FEED_ACCEPT, guard_private: bool = False,
                    max_bytes: int | None = None) -> Fetched:
        """GET ``url`` (conditionally when validators are given) within every limit."""
        started = time.perf_counter()
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            result = await self._follow(url, headers, guard_private, max_bytes or self.poll.max_bytes)
        except _Failure as err:
            result = Fetched(url=url, status=None, error=str(err))
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol,
                TimeoutError, OSError, ValueError, zlib.error, brotli.error) as err:
            result = Fetched(url=url, status=None, error=_describe(err, self.timeout_s))
        elapsed = int((time.perf_counter() - started) * 1000)
        return Fetched(result.url, result.status, result.body, result.headers, result.error, elapsed,
                       result.moved_to)

    async def _follow(self, url: str, headers: dict[str, str], guard: bool, max_bytes: int) -> Fetched:
        permanent = True
        for _hop in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                raise _Failure(f"refused to fetch {url!r}: only http and https addresses are polled")
            if guard:
                await self._guard(url)
            status, answer_headers, body, location = await self._get(url, headers, max_bytes)
            if location is None:
                moved = url if permanent and _hop else None
                error = None if status < 400 else f"HTTP {status} {_reason(status)}".strip()
                return Fetched(url=url, status=status, body=body, headers=answer_headers, error=error,
                               moved_to=moved)
            permanent = permanent and status in (301, 308)
            url = urljoin(url, location)
        raise _Failure(f"more than {MAX_REDIRECTS} redirects; last pointed to {url}")

    async def _get(self, url: str, headers: dict[str, str],
                   max_bytes: int) -> tuple[int, dict[str, str], bytes, str | None]:
        parts = urlsplit(url)
        host = (parts.hostname or "").encode("idna")
        if not host:
            raise _Failure(f"'{url}' has no host name")
        target = quote(parts.path or "/", safe=_SAFE) + (f"?{quote(parts.query, safe=_SAFE)}" if parts.query else "")
        sent = [(b"Host", parts.netloc.encode("idna")), (b"User-Agent", _UA), (b"Accept-Encoding", _ENCODINGS),
                *((k.encode(), v.encode("latin-1", "replace")) for k, v in headers.items())]
        # the deadline starts once this host and the global limit let the request go: waiting
        # behind a slow feed on the same host does not count against this one
        async with self._host_gate(url), self._global, asyncio.timeout(self.timeout_s):
            if parts.scheme == "http":
                head = b"".join([b"GET ", target.encode(), b" HTTP/1.1\r\n",
                                 *(k + b": " + v + b"\r\n" for k, v in sent), b"\r\n"])
                if head.count(b"\n") != len(sent) + 2:  # a stored validator must not add header lines
                    raise httpcore.LocalProtocolError("illegal line break in a request header")
                stream = await self._plain.stream(parts.hostname or "", parts.port or 80, head)
            else:
                request_url = httpcore.URL(scheme=parts.scheme.encode(), host=host, port=parts.port,
                                           target=target.encode())
                stream = self._pool(f"{parts.scheme}://{parts.netloc.lower()}").stream(
                    "GET", request_url, headers=sent, extensions={"timeout": self._timeouts})
            async with stream as response:
                status = response.status
                answer = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers}
                location = answer.get("location")
                if status in (301, 302, 303, 307, 308) and location:
                    await _drain(response)
                    return status, answer, b"", location
                if status == 304 or status >= 400:
                    await _drain(response)
                    return status, answer, b"", None
                declared = answer.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise _Failure(f"response of {int(declared):,} bytes is over the {max_bytes:,}-byte cap; "
                                   "not read")
                return status, answer, await _read(response, _Decoder(answer.get("content-encoding", "")),
                                                   max_bytes), None


async def _read(response: httpcore.Response | PlainResponse, decoder: _Decoder, max_bytes: int) -> bytes:
    chunks, size = [], 0
    async for raw in response.aiter_stream():
        chunk = decoder.decode(raw, max_bytes - size + 1)
        size += len(chunk)
        if size > max_bytes:
            raise _Failure(f"response larger than the {max_bytes:,}-byte cap (poll: max_bytes); stopped reading")
        chunks.append(chunk)
    if decoder.kind == "zlib":
        rest = decoder.z.flush()
        size += len(rest)
        if size > max_bytes:
            raise _Failure(f"response larger than the {max_bytes:,}-byte cap (poll: max_bytes); stopped reading")
        chunks.append(rest)
    return b"".join(chunks)


async def _drain(response: httpcore.Response | PlainResponse, limit: int = 65_536) -> None:
    """Read a small unwanted body to its end so the connection can be reused (else it is closed)."""
    size = 0
    async for chunk in response.aiter_stream():
        size += len(chunk)
        if size > limit:
            break


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


__all__ = ["AsyncFetcher", "Fetched", "FEED_ACCEPT", "PAGE_ACCEPT"]
