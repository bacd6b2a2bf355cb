"""The plain-http client under the poller (digest/fetch/plain.py), against a raw socket server on
127.0.0.1 that answers exactly the bytes each test gives it: chunked bodies, gzip read to close,
keep-alive reuse, a kept-open connection the server closed, and header injection refused."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable

from digest.config import PollConfig
from digest.fetch.aio import AsyncFetcher

Answer = Callable[[bytes], bytes]  # request bytes -> response bytes


async def _serve(answers: list[tuple[Answer, bool]], seen: list[bytes]) -> tuple[asyncio.Server, str]:
    """Each connection answers requests from ``answers`` in turn; the flag closes the connection after."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while answers:
                request = await reader.readuntil(b"\r\n\r\n")
                seen.append(request)
                answer, close = answers.pop(0)
                writer.write(answer(request))
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


def _fetch_all(answers: list[tuple[Answer, bool]], paths: list[str], **kwargs: str) -> tuple[list, list[bytes]]:
    seen: list[bytes] = []

    async def go() -> list:
        server, base = await _serve(answers, seen)
        async with server, AsyncFetcher(PollConfig(allow_private=("127.0.0.1",))) as fetcher:
            return [await fetcher.fetch(base + p, **kwargs) for p in paths]
    return asyncio.run(go()), seen


def _fixed(status: str, body: bytes, *extra: str) -> Answer:
    head = "".join(f"{h}\r\n" for h in extra)
    return lambda _req: (f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{head}\r\n").encode() + body


def test_chunked_body_with_trailer_then_reuse_of_the_connection() -> None:
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/rss+xml\r\n\r\n"
               b"5\r\n<rss>\r\n7\r\n</rss>\n\r\n0\r\nX-Trailer: yes\r\n\r\n")
    results, seen = _fetch_all([(lambda _r: chunked, False), (_fixed("200 OK", b"second"), True)], ["/a", "/b"])
    assert [r.status for r in results] == [200, 200], [r.error for r in results]
    assert results[0].body == b"<rss></rss>\n" and results[1].body == b"second"
    assert len(seen) == 2 and seen[0].startswith(b"GET /a HTTP/1.1") and seen[1].startswith(b"GET /b HTTP/1.1")


def test_gzip_body_read_until_close_and_304_without_body() -> None:
    body = gzip.compress(b"<feed>" + b"x" * 5000 + b"</feed>")
    until_close: Answer = lambda _r: b"HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + body  # noqa: E731
    results, seen = _fetch_all([(until_close, True)], ["/feed"])
    assert results[0].status == 200 and results[0].body == b"<feed>" + b"x" * 5000 + b"</feed>"
    not_modified: Answer = lambda _r: b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n'  # noqa: E731
    results, seen = _fetch_all([(not_modified, False)], ["/feed"], etag='"v1"')
    assert results[0].status == 304 and results[0].body == b"" and results[0].error is None
    assert b'If-None-Match: "v1"' in seen[0]


def test_a_kept_open_connection_the_server_closed_is_retried_on_a_new_one() -> None:
    # the server closes after the first answer without saying so; the second request must not fail
    results, seen = _fetch_all([(_fixed("200 OK", b"one"), True), (_fixed("200 OK", b"two"), True)], ["/1", "/2"])
    assert [r.body for r in results] == [b"one", b"two"], [r.error for r in results]


def test_a_stored_validator_cannot_inject_header_lines() -> None:
    results, seen = _fetch_all([(_fixed("200 OK", b"never"), True)], ["/feed"],
                               etag='"v1"\r\nX-Injected: 1')
    assert results[0].status is None and "line break" in (results[0].error or "")
    assert not any(b"X-Injected" in request for request in seen)
