"""A real HTTP (or, given a server ``ssl.SSLContext``, HTTPS) server on 127.0.0.1 (port 0) for
tests, told per path what to answer.

Routes are plain data (:class:`Route`) or a handler function that gets the
request handler and writes whatever it likes (stall, drop the connection,
stream forever). Every request is recorded with its headers, every accepted connection counted.
"""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    handler: Callable[[http.server.BaseHTTPRequestHandler], None] | None = None


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]


class LocalServer:
    """``with LocalServer() as srv: srv.route('/feed.xml', body=...); srv.url('/feed.xml')``."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.connections = 0  # accepted TCP connections (TLS handshakes, for https)
        self.tls = tls
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                return None

            def setup(self) -> None:
                super().setup()
                if isinstance(self.request, ssl.SSLSocket):  # the handshake, in this connection's thread
                    self.request.do_handshake()

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                with server._lock:
                    server.requests.append(Seen("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                if route is None:
                    self._send(404, {"Content-Type": "text/plain"}, b"not found")
                elif route.handler is not None:
                    route.handler(self)
                else:
                    self._send(route.status, route.headers, route.body)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if not any(k.lower() == "content-length" for k in headers):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

        class Server(http.server.ThreadingHTTPServer):
            def get_request(self):  # type: ignore[no-untyped-def]
                sock, address = super().get_request()
                with server._lock:
                    server.connections += 1
                if server.tls is not None:
                    sock = server.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                return sock, address

            def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
                import sys

                if not isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):
                    super().handle_error(request, client_address)  # a refused certificate is expected

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes | str = b"", status: int = 200,
              headers: dict[str, str] | None = None,
              handler: Callable[[http.server.BaseHTTPRequestHandler], None] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, status=status, headers=dict(headers or {}), handler=handler)

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]
