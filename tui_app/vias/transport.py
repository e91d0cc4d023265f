"""The HTTP/1.1 transport under the VIAS client's httpx API: a fixed pool of keep-alive connections on asyncio
protocols, with the framing written here.

Why not httpx's own pool (httpcore): at concurrency 32-64 it opened up to 195 connections for 64 slots and spent
1.4-3.5 ms of CPU per delete in pool bookkeeping, so raising `--concurrency` made runs slower (benchmarks/). Why not
h11 under this pool: 0.25 ms per request, at the limit of the CPU budget. Why not aiohttp behind httpx
(`httpx-aiohttp`): aiohttp silently sends a DELETE again after a dropped connection (the server saw 7 deletes for
4 sent), which breaks "no answered ID is ever sent twice"; turning that off needs a private attribute.

What it does: `max_connections` slots (a semaphore held for the whole exchange, body included); idle connections
reused most recent first when still open and idle under `keepalive_expiry`; a connection goes back to the pool only
after its body was read to the end cleanly, and anything else (cancellation, a deadline, an early close, a protocol
error, `Connection: close`) closes it.

Leftover bytes are never credited to the next request: a connection goes back to the pool, and is taken from it,
only with no unread bytes buffered and no EOF, so bytes past the framed end of an answer (a second pipelined
response, trailing garbage) or bytes that arrive while it is idle retire it; the request is written in the same
step as the check, with no await between. That needs the buffered byte count, which StreamReader has no public
accessor for, hence `Connection` (connection.py), a small asyncio.Protocol with its own buffer:
reading pauses above 256 KiB buffered, so a huge body streams in bounded memory.

No retries, redirects, proxies, environment or HTTP/2. Only what a JSON API client needs: requests with
Content-Length or chunked bodies; responses framed by Content-Length, chunked, or close; 1xx skipped. Anything
ambiguous is a RemoteProtocolError: Transfer-Encoding other than exactly "chunked", Transfer-Encoding with
Content-Length, differing or non-digit Content-Length values, obs-fold, heads over 64 KiB, status codes outside
100-599. Header names or values with CR, LF or NUL are refused before anything is sent. Public httpx and asyncio
APIs only.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import sys
import time
from collections.abc import AsyncIterator

import httpx

from tui_app.vias.connection import Connection

if sys.version_info >= (3, 11):
    from asyncio import timeout as deadline
else:  # pragma: no cover - Python 3.10
    from async_timeout import timeout as deadline

_READ_SIZE = 65_536
_MAX_HEAD = 65_536
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(rb"[\x00\r\n]")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_LENGTH = re.compile(rb"[0-9]{1,18}")  # ASCII digits only (bytes.isdigit() takes no others); beyond 10**18 is a lie


class RawPoolTransport(httpx.AsyncBaseTransport):
    def __init__(
        self, *, max_connections: int = 32, ssl_context: ssl.SSLContext | None = None, keepalive_expiry: float = 5.0
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be >= 1")
        self._max = max_connections
        self._ssl = ssl_context
        self._expiry = keepalive_expiry
        self._slots: asyncio.Semaphore | None = None
        self._idle: dict[tuple[str, str, int], list[Connection]] = {}
        self._closed = False
        self.opened = 0

    # -- pool ----------------------------------------------------------------------------------------

    async def _acquire_slot(self, request: httpx.Request, timeout: float | None) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max)
        if not self._slots.locked():
            await self._slots.acquire()
            return
        try:
            async with deadline(timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("no connection slot free in time", request=request) from None

    def _release_slot(self) -> None:
        assert self._slots is not None
        self._slots.release()

    def _take_idle(self, origin: tuple[str, str, int]) -> Connection | None:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if conn.reusable(now, self._expiry):
                return conn
            conn.abort()
        return None

    def _put_idle(self, conn: Connection) -> None:
        if self._closed or not conn.clean():
            conn.abort()  # bytes past the answer's end belong to no request: never read them as the next answer
            return
        conn.idle_since = time.monotonic()
        self._idle.setdefault(conn.origin, []).append(conn)

    async def _connect(self, request: httpx.Request, origin: tuple[str, str, int], timeout: float | None) -> Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        try:
            async with deadline(timeout):
                if scheme == "https":
                    if self._ssl is None:  # built once: loading the CA store costs ~20 ms
                        self._ssl = ssl.create_default_context()
                    sni = request.extensions.get("sni_hostname") or host
                    _, conn = await loop.create_connection(
                        lambda: Connection(origin), host, port, ssl=self._ssl, server_hostname=sni
                    )
                else:
                    _, conn = await loop.create_connection(lambda: Connection(origin), host, port)
        except TimeoutError:
            raise httpx.ConnectTimeout("timed out connecting", request=request) from None
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc
        self.opened += 1
        return conn

    # -- one request -----------------------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError("transport is closed", request=request)
        url = request.url
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported scheme {scheme!r}", request=request)
        origin = (scheme, url.host, url.port or (443 if scheme == "https" else 80))
        timeouts = request.extensions.get("timeout") or {}
        data = _serialize_head(request) + await _request_body(request)  # refuses CR/LF/NUL before any I/O
        await self._acquire_slot(request, timeouts.get("pool"))
        conn: Connection | None = None
        try:
            # No await between taking an idle connection (checked empty) and writing the request on it.
            conn = self._take_idle(origin)
            if conn is None:
                conn = await self._connect(request, origin, timeouts.get("connect"))
            await _send(conn, request, data, timeouts.get("write"))
            status, reason, version, headers, framing = await _read_head(conn, request, timeouts.get("read"))
        except BaseException:
            if conn is not None:
                conn.abort()
            self._release_slot()
            raise
        return httpx.Response(
            status_code=status,
            headers=headers,
            stream=_Body(self, conn, request, timeouts.get("read"), framing),
            extensions={"http_version": version, "reason_phrase": reason},
        )

    async def aclose(self) -> None:
        self._closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.abort()
        self._idle.clear()


def _serialize_head(request: httpx.Request) -> bytes:
    method = request.method.encode("ascii")
    target = request.url.raw_path
    if not _TOKEN.fullmatch(method) or b" " in target or _BAD_VALUE.search(target):
        raise httpx.LocalProtocolError("invalid request line", request=request)
    parts = [method, b" ", target, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if not _TOKEN.fullmatch(name) or _BAD_VALUE.search(value):
            raise httpx.LocalProtocolError("invalid header name or value", request=request)
        parts += (name, b": ", value, b"\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


async def _request_body(request: httpx.Request) -> bytes:
    body = await request.aread()  # the API's requests have no or small bodies: one write for the whole request
    if request.headers.get("transfer-encoding", "").lower() == "chunked":
        body = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
    return body


async def _send(conn: Connection, request: httpx.Request, data: bytes, timeout: float | None) -> None:
    try:
        conn.write(data)
        if conn.transport.get_write_buffer_size():
            async with deadline(timeout):
                await conn.drain()
    except TimeoutError:
        raise httpx.WriteTimeout("timed out sending the request", request=request) from None
    except OSError as exc:
        raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from exc


async def _readuntil(conn: Connection, request: httpx.Request, sep: bytes, timeout: float | None, what: str) -> bytes:
    try:
        if timeout is None:
            return await conn.readuntil(sep, _MAX_HEAD)
        async with deadline(timeout):
            return await conn.readuntil(sep, _MAX_HEAD)
    except TimeoutError:
        raise httpx.ReadTimeout("timed out reading the response", request=request) from None
    except asyncio.IncompleteReadError as exc:
        if not exc.partial and what == "head":
            raise httpx.RemoteProtocolError("server disconnected without sending a response", request=request) from None
        raise httpx.RemoteProtocolError(f"connection closed inside the response {what}", request=request) from None
    except asyncio.LimitOverrunError:
        raise httpx.RemoteProtocolError(f"response {what} too large", request=request) from None
    except OSError as exc:
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc


async def _read_head(
    conn: Connection, request: httpx.Request, timeout: float | None
) -> tuple[int, bytes, bytes, list[tuple[bytes, bytes]], tuple[str, int]]:
    while True:
        head = await _readuntil(conn, request, b"\r\n\r\n", timeout, "head")
        lines = head[:-4].split(b"\r\n")
        version, _, rest = lines[0].partition(b" ")
        code, _, reason = rest.partition(b" ")
        if version not in (b"HTTP/1.1", b"HTTP/1.0") or len(code) != 3 or not code.isdigit():
            raise httpx.RemoteProtocolError("malformed status line", request=request)
        status = int(code)
        if not 100 <= status <= 599:
            raise httpx.RemoteProtocolError("malformed status line", request=request)
        headers: list[tuple[bytes, bytes]] = []
        lengths: set[bytes] = set()
        te: bytes | None = None
        keep = version == b"HTTP/1.1"
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not _TOKEN.fullmatch(name):
                raise httpx.RemoteProtocolError("malformed response header", request=request)
            value = value.strip(b" \t")
            if _BAD_VALUE.search(value):  # a bare LF or NUL: a header hidden inside another one
                raise httpx.RemoteProtocolError("malformed response header", request=request)
            headers.append((name, value))
            lname = name.lower()
            if lname == b"content-length":
                lengths.update(v.strip() for v in value.split(b","))
            elif lname == b"transfer-encoding":
                te = value.lower() if te is None else te + b"," + value.lower()
            elif lname == b"connection":
                tokens = {t.strip().lower() for t in value.split(b",")}
                if b"close" in tokens:
                    keep = False
                elif b"keep-alive" in tokens and version == b"HTTP/1.0":
                    keep = True
        if 100 <= status < 200:
            if status == 101:
                raise httpx.RemoteProtocolError("unexpected protocol switch", request=request)
            continue  # 100 Continue / 103 Early Hints: the real answer follows
        if request.method == "HEAD" or status in (204, 304):
            framing: tuple[str, int] = ("length", 0)
        elif te is not None:
            if te != b"chunked" or lengths:
                raise httpx.RemoteProtocolError("unsupported Transfer-Encoding", request=request)
            framing = ("chunked", 0)
        elif lengths:
            if len(lengths) != 1 or not _LENGTH.fullmatch(next(iter(lengths))):
                raise httpx.RemoteProtocolError("invalid Content-Length", request=request)
            framing = ("length", int(next(iter(lengths))))
        else:
            framing = ("close", 0)
            keep = False
        if not keep:
            framing = (framing[0] + "+close", framing[1])
        return status, reason, version, headers, framing


class _Body(httpx.AsyncByteStream):
    __slots__ = ("_conn", "_done", "_framing", "_request", "_timeout", "_transport")

    def __init__(
        self,
        transport: RawPoolTransport,
        conn: Connection,
        request: httpx.Request,
        timeout: float | None,
        framing: tuple[str, int],
    ) -> None:
        self._transport, self._conn, self._request, self._timeout = transport, conn, request, timeout
        self._framing = framing
        self._done = False

    async def _read(self, n: int) -> bytes:
        try:
            if self._timeout is None:
                data = await self._conn.read(n)
            else:
                async with deadline(self._timeout):
                    data = await self._conn.read(n)
        except TimeoutError:
            raise httpx.ReadTimeout("timed out reading the response", request=self._request) from None
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=self._request) from exc
        return data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._done:
            raise httpx.StreamClosed()
        kind, remaining = self._framing
        reuse = not kind.endswith("+close")
        try:
            if kind.startswith("length"):
                while remaining:
                    data = await self._read(min(remaining, _READ_SIZE))
                    if not data:
                        raise httpx.RemoteProtocolError(
                            "connection closed before the response ended", request=self._request
                        )
                    remaining -= len(data)
                    yield data
            elif kind.startswith("chunked"):
                while True:
                    line = await _readuntil(self._conn, self._request, b"\r\n", self._timeout, "body")
                    size_text = line[:-2].split(b";", 1)[0].strip()
                    if not _HEX.fullmatch(size_text):
                        raise httpx.RemoteProtocolError("invalid chunk size", request=self._request)
                    size = int(size_text, 16)
                    if size == 0:
                        while await _readuntil(self._conn, self._request, b"\r\n", self._timeout, "body") != b"\r\n":
                            pass  # trailers are dropped; the loop ends at the blank line or raises
                        break
                    while size:
                        data = await self._read(min(size, _READ_SIZE))
                        if not data:
                            raise httpx.RemoteProtocolError("connection closed inside a chunk", request=self._request)
                        size -= len(data)
                        yield data
                    if await _readuntil(self._conn, self._request, b"\r\n", self._timeout, "body") != b"\r\n":
                        raise httpx.RemoteProtocolError("chunk not followed by CRLF", request=self._request)
            else:  # until close
                while data := await self._read(_READ_SIZE):
                    yield data
        except BaseException:
            self._finish(reuse=False)
            raise
        self._finish(reuse=reuse)

    def _finish(self, reuse: bool) -> None:
        if self._done:
            return
        self._done = True
        if reuse:
            self._transport._put_idle(self._conn)
        else:
            self._conn.abort()
        self._transport._release_slot()

    async def aclose(self) -> None:
        self._finish(reuse=False)


__all__ = ["RawPoolTransport", "deadline"]
