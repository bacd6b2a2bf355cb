"""A small HTTP/1.1 client for plain ``http://`` on asyncio streams, with keep-alive per host.

httpcore's async stack (anyio, h11, the pool's bookkeeping) costs ~0.5 ms of CPU per request,
which dominates an all-304 poll of many feeds; this reads the status line and headers in one
``readuntil`` and frames the body itself (Content-Length, chunked, or until close). ``https``
still goes through httpcore. Errors are raised as httpcore's exception types so the caller
describes them the same way whichever path answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpcore

_CHUNK = 65_536
_HEAD_LIMIT = 65_536


class _Conn:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        try:
            self.writer.close()
        except Exception:  # noqa: BLE001 - closing a broken transport must not raise
            pass


class PlainResponse:
    """What httpcore's streamed response offers the fetcher: ``status``, ``headers``, ``aiter_stream()``."""

    def __init__(self, client: PlainClient, key: tuple[str, int], conn: _Conn, status: int,
                 headers: list[tuple[bytes, bytes]], framing: tuple[str, int], reusable: bool) -> None:
        self.status, self.headers = status, headers
        self._client, self._key, self._conn = client, key, conn
        self._framing, self._reusable, self._done = framing, reusable, framing[0] == "none"

    async def aiter_stream(self) -> AsyncIterator[bytes]:
        kind, length = self._framing
        reader = self._conn.reader
        if kind == "length":
            async for data in _exactly(reader, length, "connection closed before the whole body arrived"):
                yield data
        elif kind == "chunked":
            async for data in _chunks(reader):
                yield data
        elif kind == "close":
            while data := await reader.read(_CHUNK):
                yield data
        self._done = True

    async def __aenter__(self) -> PlainResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._done and self._reusable and exc[0] is None:
            self._client.release(self._key, self._conn)
        else:
            self._conn.close()


async def _exactly(reader: asyncio.StreamReader, size: int, short: str) -> AsyncIterator[bytes]:
    """``size`` bytes from ``reader`` in pieces of at most _CHUNK; ``short`` is the error if it ends early."""
    while size:
        data = await reader.read(min(size, _CHUNK))
        if not data:
            raise httpcore.RemoteProtocolError(short)
        size -= len(data)
        yield data


async def _chunks(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    try:
        while True:
            line = await reader.readuntil(b"\r\n")
            size = int(line.split(b";", 1)[0].strip() or b"x", 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                    pass
                return
            async for data in _exactly(reader, size, "connection closed in the middle of a chunk"):
                yield data
            if await reader.readexactly(2) != b"\r\n":
                raise httpcore.RemoteProtocolError("malformed chunked body")
    except ValueError as err:
        raise httpcore.RemoteProtocolError(f"malformed chunked body ({err})") from None
    except asyncio.IncompleteReadError:
        raise httpcore.RemoteProtocolError("connection closed in the middle of a chunk") from None
    except asyncio.LimitOverrunError:
        raise httpcore.RemoteProtocolError("malformed chunked body (chunk header too long)") from None


class PlainClient:
    """Idle keep-alive connections per (host, port); concurrency is limited by the caller."""

    def __init__(self, *, connect_timeout: float, keep: int) -> None:
        self.connect_timeout, self.keep = connect_timeout, keep
        self._idle: dict[tuple[str, int], list[_Conn]] = {}

    def release(self, key: tuple[str, int], conn: _Conn) -> None:
        idle = self._idle.setdefault(key, [])
        if len(idle) < self.keep and not conn.reader.at_eof():
            idle.append(conn)
        else:
            conn.close()

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()

    async def _connect(self, host: str, port: int) -> _Conn:
        try:
            async with asyncio.timeout(self.connect_timeout):
                reader, writer = await asyncio.open_connection(host, port, limit=_HEAD_LIMIT)
        except OSError as err:
            raise httpcore.ConnectError(str(err)) from None
        return _Conn(reader, writer)

    async def stream(self, host: str, port: int, request: bytes) -> PlainResponse:
        """Send ``request`` (a complete GET head) and read the answer's head; the body is streamed."""
        key = (host, port)
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.reader.at_eof() or conn.writer.is_closing():
                conn.close()
                continue
            try:  # a kept-alive connection the server has quietly closed: try a fresh one
                return await self._exchange(key, conn, request)
            except _Stale:
                conn.close()
        conn = await self._connect(host, port)
        try:
            return await self._exchange(key, conn, request, fresh=True)
        except _Stale:
            conn.close()
            raise httpcore.RemoteProtocolError("the server closed the connection without answering") from None

    async def _exchange(self, key: tuple[str, int], conn: _Conn, request: bytes,
                        fresh: bool = False) -> PlainResponse:
        try:
            conn.writer.write(request)
            await conn.writer.drain()
            head = await conn.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as err:
            if not err.partial:
                raise _Stale() from None
            conn.close()
            raise httpcore.RemoteProtocolError("the server broke off the response head") from None
        except (ConnectionResetError, BrokenPipeError) as err:
            if not fresh:
                raise _Stale() from None
            conn.close()
            raise httpcore.ReadError(str(err)) from None
        except asyncio.LimitOverrunError:
            conn.close()
            raise httpcore.RemoteProtocolError("response headers too large") from None
        except BaseException:
            conn.close()
            raise
        try:
            return self._parse(key, conn, head)
        except BaseException:
            conn.close()
            raise

    def _parse(self, key: tuple[str, int], conn: _Conn, head: bytes) -> PlainResponse:
        lines = head[:-4].split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise httpcore.RemoteProtocolError(f"not an HTTP/1.x answer: {lines[0][:60]!r}")
        status = int(parts[1])
        if 100 <= status < 200:  # no interim answers expected for a plain GET
            raise httpcore.RemoteProtocolError(f"unexpected interim answer {status}")
        headers: list[tuple[bytes, bytes]] = []
        length, chunked, close = None, False, parts[0] == b"HTTP/1.0"
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep:
                raise httpcore.RemoteProtocolError("malformed header line")
            name, value = name.strip(), value.strip()
            headers.append((name, value))
            lower = name.lower()
            if lower == b"content-length":
                if not value.isdigit():
                    raise httpcore.RemoteProtocolError("malformed Content-Length")
                length = int(value)
            elif lower == b"transfer-encoding":
                chunked = value.lower().endswith(b"chunked")
            elif lower == b"connection":
                tokens = value.lower()
                close = b"close" in tokens if parts[0] != b"HTTP/1.0" else b"keep-alive" not in tokens
        if status in (204, 304):
            framing = ("none", 0)
        elif chunked:
            framing = ("chunked", 0)
        elif length is not None:
            framing = ("length", length) if length else ("none", 0)
        else:
            framing, close = ("close", 0), True
        return PlainResponse(self, key, conn, status, headers, framing, not close)


class _Stale(Exception):
    pass


__all__ = ["PlainClient", "PlainResponse"]
