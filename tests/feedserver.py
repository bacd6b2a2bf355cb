"""Misbehaving-server handlers for tests/httpserver.py's LocalServer (route(..., handler=...)).

Each factory returns a handler that writes a real HTTP answer (or a broken
one) on the socket: conditional 304s, stalls, connections dropped mid-body,
endless bodies, gzip, a lying charset, a billion-laughs document.
"""

from __future__ import annotations

import gzip
import http.server
import threading
import time
from collections.abc import Callable
from xml.sax.saxutils import escape
from email.utils import format_datetime

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


def rss_item(title: str, link: str, published: str, description: str) -> str:
    """One RSS 2.0 <item> (the link doubles as guid); text is escaped here."""
    return (f"<item><title>{escape(title)}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{published}</pubDate><description>{escape(description)}</description></item>")


def rss_channel(title: str, link: str, items: list[str], description: str = "d") -> bytes:
    """An RSS 2.0 document around ``items`` (from :func:`rss_item`)."""
    return ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
            f"<title>{escape(title)}</title><link>{link}</link><description>{escape(description)}</description>"
            f"{''.join(items)}</channel></rss>").encode("utf-8")


def rss(items: int = 3, title: str = "Test feed", prefix: str = "item", text: str = "A short summary.",
        link_base: str = "https://example.org/") -> bytes:
    entries = "".join(
        f"<item><title>{title} {prefix} {n}</title><link>{link_base}{prefix}-{n}</link>"
        f"<guid>{link_base}{prefix}-{n}</guid><pubDate>Tue, 19 Nov 2019 1{n % 10}:00:00 GMT</pubDate>"
        f"<description>{text}</description></item>" for n in range(items))
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>"
            f"<link>{link_base}</link><description>d</description>{entries}</channel></rss>").encode()


def _write(h: http.server.BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
    h.send_response(status)
    for key, value in headers.items():
        h.send_header(key, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if status != 304:
        h.wfile.write(body)


def conditional(body: bytes, etag: str = '"v1"', last_modified: str = "Tue, 19 Nov 2019 10:00:00 GMT") -> Handler:
    """ETag + Last-Modified; 304 when the client sends either validator back."""
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == etag or h.headers.get("If-Modified-Since") == last_modified:
            _write(h, 304, {"ETag": etag}, b"")
        else:
            _write(h, 200, {"Content-Type": "application/rss+xml", "ETag": etag, "Last-Modified": last_modified},
                   body)
    return handle


def stall(seconds: float) -> Handler:
    """Accept the request, say nothing for ``seconds``."""
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        h.close_connection = True
    return handle


def drop_mid_body(body: bytes) -> Handler:
    """Promise the whole body, send a third of it, close the connection."""
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[: len(body) // 3])
        h.wfile.flush()
        h.close_connection = True
        h.connection.shutdown(2)
    return handle


def endless(chunk: bytes = b"<item>" * 1000, delay: float = 0.0) -> Handler:
    """A 200 whose body never ends (no Content-Length, close-delimited)."""
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        deadline = time.monotonic() + 30
        try:
            h.wfile.write(b"<?xml version='1.0'?><rss><channel>")
            while time.monotonic() < deadline:
                h.wfile.write(chunk)
                if delay:
                    time.sleep(delay)
        except OSError:
            return
    return handle


def gzipped(body: bytes, content_type: str = "application/rss+xml") -> Handler:
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        assert "gzip" in (h.headers.get("Accept-Encoding") or "")
        _write(h, 200, {"Content-Type": content_type, "Content-Encoding": "gzip"}, gzip.compress(body))
    return handle


def encoded(body: bytes, encoding: str) -> Handler:
    """The body compressed with Content-Encoding ``deflate`` (zlib) or ``br`` (brotli)."""
    import zlib

    import brotli

    data = zlib.compress(body) if encoding == "deflate" else brotli.compress(body)

    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        assert encoding in (h.headers.get("Accept-Encoding") or "")
        _write(h, 200, {"Content-Type": "application/rss+xml", "Content-Encoding": encoding}, data)
    return handle


def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"") -> Handler:
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        _write(h, code, dict(headers or {}), body)
    return handle


def http_date(when) -> str:  # type: ignore[no-untyped-def]
    return format_datetime(when, usegmt=True)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>
"""


def slow_counted(delay: float, then: Handler) -> tuple[Handler, list[int]]:
    """A handler that waits ``delay`` s before answering as ``then`` does, and the most requests it held
    at once (``peak[0]``): for per-host limits. One counter is shared by every route it is given to."""
    active, peak, lock = [0], [0], threading.Lock()

    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(delay)
        with lock:
            active[0] -= 1
        then(h)

    return handle, peak
