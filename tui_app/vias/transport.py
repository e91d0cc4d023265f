"""The HTTP/1.1 transport under the VIAS client's httpx API: a fixed pool of keep-alive connections on asyncio
protocols. Where an answer starts and ends is llhttp's decision (framing.py); the pool and its policies are ours.

Why not httpx's own pool (httpcore): at concurrency 32-64 it opened up to 195 connections for 64 slots and spent
1.4-3.5 ms of CPU per delete in pool bookkeeping, so raising `--concurrency` made runs slower (benchmarks/). Why not
aiohttp behind httpx (`httpx-aiohttp`): aiohttp silently sends a DELETE again after a dropped connection (the server
saw 7 deletes for 4 sent), which breaks "no answered ID is ever sent twice"; turning that off needs a private
attribute.

What it does: `max_connections` slots (a semaphore held for the whole exchange, body included); idle connections
reused most recent first when still open and idle under `keepalive_expiry`; a connection goes back to the pool only
after its body was read to the end cleanly, and anything else (cancellation, a deadline, an early close, a protocol
error, `Connection: close`) closes it. A request is never sent twice.

Leftover bytes are never credited to the next request: a connection goes back to the pool, and is taken from it,
only with no unread bytes buffered and no EOF, so bytes past the framed end of an answer (a second pipelined
response, trailing garbage) or bytes that arrive while it is idle retire it; the request is written in the same
step as the check, with no await between. That needs the buffered byte count, which StreamReader has no public
accessor for, hence `Connection` (connection.py), a small asyncio.Protocol with its own buffer: reading pauses above
256 KiB buffered, so a huge body streams in bounded memory.

Proxies come from the ProxySettings it is given (it reads no environment): https through a CONNECT tunnel,
plain http in absolute form (dial.py). Tunnels are the pool's connections like any other. `connect_ahead` opens one
connection before the first request, so an unreachable endpoint or proxy is known before anything is sent.

Whether the request was written is told through `request.extensions[PROGRESS]` (a SendProgress), set right before
the first byte is handed to the socket: a deadline that fires earlier means the request was never sent.

No retries, redirects, environment or HTTP/2. Header names or values with CR, LF or NUL are refused before anything
is sent. Public httpx, httptools and asyncio APIs only.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import AsyncIterator

import httpx

from tui_app.i18n import _
from tui_app.vias.connection import Connection
from tui_app.vias.dial import Origin, deadline, dial
from tui_app.vias.failures import Step, translate
from tui_app.vias.framing import MAX_HEAD, FramingError, Head, ResponseFramer
from tui_app.vias.proxy import ProxySettings, ProxyUrl

PROGRESS = "vias_progress"  # request.extensions key of a SendProgress
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(rb"[\x00\r\n]")
_READ_FAILURES = (FramingError, OSError, TimeoutError, asyncio.TimeoutError)
_HEAD_FAILURES = (*_READ_FAILURES, asyncio.IncompleteReadError, asyncio.LimitOverrunError)


class SendProgress:
    """Whether a request's bytes were handed to the socket. None: the transport never said (a foreign transport);
    False: not yet; True: from right before the first write on."""

    __slots__ = ("written",)

    def __init__(self) -> None:
        self.written: bool | None = None


def strict_tls(context: ssl.SSLContext) -> ssl.SSLContext:
    """TLS 1.2 or newer, and a certificate must name the host in subjectAltName (not only in its CN), as browsers
    require. Applied to every context the transport uses, the caller's too."""
    context.minimum_version = max(context.minimum_version, ssl.TLSVersion.TLSv1_2)
    context.hostname_checks_common_name = False
    return context


class RawPoolTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        max_connections: int = 32,
        ssl_context: ssl.SSLContext | None = None,
        keepalive_expiry: float = 5.0,
        proxy: ProxySettings | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be >= 1")
        self._max = max_connections
        self._ssl = strict_tls(ssl_context) if ssl_context is not None else None
        self._expiry = keepalive_expiry
        self._proxy = proxy if proxy is not None and (proxy.https or proxy.http) else None
        self._slots: asyncio.Semaphore | None = None
        self._idle: dict[Origin, list[Connection]] = {}
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
        except (TimeoutError, asyncio.TimeoutError):
            raise httpx.PoolTimeout(_("no connection slot free in time"), request=request) from None

    def _release_slot(self) -> None:
        assert self._slots is not None
        self._slots.release()

    def _take_idle(self, origin: Origin) -> Connection | None:
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

    def _proxy_for(self, origin: Origin) -> ProxyUrl | None:
        return self._proxy.for_target(*origin) if self._proxy is not None else None

    async def _open(self, request: httpx.Request, origin: Origin, timeout: float | None) -> Connection:
        tls = None
        if origin[0] == "https":
            if self._ssl is None:  # built once: loading the CA store costs ~20 ms
                self._ssl = strict_tls(ssl.create_default_context())
            tls = self._ssl
        conn = await dial(request, origin, self._proxy_for(origin), tls, timeout)
        self.opened += 1
        return conn

    async def connect_ahead(self, url: httpx.URL | str, *, timeout: float | None = None) -> None:
        """Open one connection to `url`'s origin (through the proxy, tunnel and TLS included) and park it idle, so
        that an unreachable endpoint or proxy is reported before any request exists. Raises what a request's
        connect would: httpx.ConnectError / ConnectTimeout, or a ProxyFailure (failures.py)."""
        request = httpx.Request("GET", url)
        origin = _origin(request)
        await self._acquire_slot(request, timeout)
        try:
            conn = await self._open(request, origin, timeout)
        finally:
            self._release_slot()
        self._put_idle(conn)

    # -- one request -----------------------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError(_("transport is closed"), request=request)
        origin = _origin(request)
        extensions = request.extensions
        progress: SendProgress | None = extensions.get(PROGRESS)
        if progress is not None:
            progress.written = False
        timeouts = extensions.get("timeout") or {}
        through = self._proxy_for(origin) if origin[0] == "http" else None  # plain http via a proxy: absolute form
        data = _serialize_head(request, through) + await _request_body(request)  # refuses CR/LF/NUL before any I/O
        await self._acquire_slot(request, timeouts.get("pool"))
        conn: Connection | None = None
        try:
            # No await between taking an idle connection (checked empty) and writing the request on it.
            conn = self._take_idle(origin)
            if conn is None:
                conn = await self._open(request, origin, timeouts.get("connect"))
            if progress is not None:
                progress.written = True
            await _send(conn, request, data, timeouts.get("write"))
            framer = ResponseFramer(request.method)
            head = await _read_head(conn, request, framer, timeouts.get("read"))
        except BaseException:
            if conn is not None:
                conn.abort()
            self._release_slot()
            raise
        return httpx.Response(
            status_code=head.status,
            headers=head.headers,
            stream=ResponseBody(self, conn, request, timeouts.get("read"), framer),
            extensions={"http_version": head.version, "reason_phrase": head.reason},
        )

    async def aclose(self) -> None:
        self._closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.abort()
        self._idle.clear()


def _origin(request: httpx.Request) -> Origin:
    url = request.url
    scheme = url.scheme
    if scheme not in ("http", "https"):
        raise httpx.UnsupportedProtocol(_("unsupported scheme {scheme!r}").format(scheme=scheme), request=request)
    return scheme, url.host, url.port or (443 if scheme == "https" else 80)


def _serialize_head(request: httpx.Request, proxy: ProxyUrl | None) -> bytes:
    method = request.method.encode("ascii")
    url = request.url
    target = url.raw_path if proxy is None else b"%s://%s%s" % (url.raw_scheme, url.netloc, url.raw_path)
    if not _TOKEN.fullmatch(method) or b" " in target or _BAD_VALUE.search(target):
        raise httpx.LocalProtocolError(_("invalid request line"), request=request)
    parts = [method, b" ", target, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if not _TOKEN.fullmatch(name) or _BAD_VALUE.search(value):
            raise httpx.LocalProtocolError(_("invalid header name or value"), request=request)
        parts += (name, b": ", value, b"\r\n")
    if proxy is not None and (credentials := proxy.authorization()) is not None:
        parts += (b"Proxy-Authorization: ", credentials.encode("ascii"), b"\r\n")
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
    except (OSError, TimeoutError, asyncio.TimeoutError) as exc:
        raise translate(exc, Step.WRITE, request) from exc


async def _read_head(conn: Connection, request: httpx.Request, framer: ResponseFramer, timeout: float | None) -> Head:
    try:
        if timeout is None:
            return await _heads(conn, framer)
        async with deadline(timeout):
            return await _heads(conn, framer)
    except _HEAD_FAILURES as exc:
        raise translate(exc, Step.READ, request) from exc


async def _heads(conn: Connection, framer: ResponseFramer) -> Head:
    while (head := framer.feed_head(await conn.readuntil(b"\r\n\r\n", MAX_HEAD))) is None:
        pass  # 100 Continue / 103 Early Hints: the real answer follows
    return head


class ResponseBody(httpx.AsyncByteStream):
    """A response's body, read from its connection as the caller iterates (never ahead of it)."""

    __slots__ = ("_conn", "_done", "_framer", "_request", "_timeout", "_transport")

    def __init__(
        self,
        transport: RawPoolTransport,
        conn: Connection,
        request: httpx.Request,
        timeout: float | None,
        framer: ResponseFramer,
    ) -> None:
        self._transport, self._conn, self._request, self._timeout = transport, conn, request, timeout
        self._framer = framer
        self._done = False

    @property
    def buffered(self) -> int:
        """Bytes read from the socket and not yet handed to the caller: bounded, however slowly it reads."""
        return self._conn.buffered

    async def _fill(self) -> bool:
        if self._timeout is None:
            return await self._conn.fill()
        async with deadline(self._timeout):
            return await self._conn.fill()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._done:
            raise httpx.StreamClosed()
        framer, conn = self._framer, self._conn
        try:
            while not framer.complete:
                if not conn.buffered and not await self._fill():
                    framer.at_eof()  # the end of a close-delimited body, or a FramingError
                    break
                data = framer.feed(conn.take(framer.next_size(conn.buffer)))
                if data:
                    yield data
        except _READ_FAILURES as exc:
            self._finish(reuse=False)
            raise translate(exc, Step.READ, self._request, "body") from exc
        except BaseException:
            self._finish(reuse=False)
            raise
        self._finish(reuse=framer.keep_alive)

    def _finish(self, reuse: bool) -> None:
        if self._done:
            return
        self._done = True
        self._framer.release()
        if reuse:
            self._transport._put_idle(self._conn)
        else:
            self._conn.abort()
        self._transport._release_slot()

    async def aclose(self) -> None:
        framer = self._framer
        self._finish(reuse=framer.complete and framer.keep_alive)  # a bodiless answer needs no reading


__all__ = ["PROGRESS", "RawPoolTransport", "ResponseBody", "SendProgress", "deadline", "strict_tls"]
