"""Opening one connection for the pool: straight to the origin, or through an http:// proxy, which for https means
a CONNECT tunnel with TLS to the real host inside it (SNI and the certificate check are the real host's; the proxy
resolves the name, never this process), and for plain http the proxy itself (the request goes in absolute form).

Every failure is an httpx exception: before the origin is reached through a proxy, a ProxyFailure of its own kind
(unreachable, 407, refused), so that a broken proxy is told apart from a broken endpoint. Nothing here sends the
request itself.
"""

from __future__ import annotations

import asyncio
import ssl
import sys

import httpx

from tui_app.domain.errors import Transport
from tui_app.i18n import _
from tui_app.vias.connection import Connection
from tui_app.vias.failures import ProxyFailure, Step, translate
from tui_app.vias.framing import MAX_HEAD, FramingError, ResponseFramer
from tui_app.vias.proxy import ProxyUrl

if sys.version_info >= (3, 11):
    from asyncio import timeout as deadline
else:  # pragma: no cover - Python 3.10
    from async_timeout import timeout as deadline

Origin = tuple[str, str, int]
_FAILURES = (OSError, TimeoutError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError)


async def dial(
    request: httpx.Request, origin: Origin, proxy: ProxyUrl | None, tls: ssl.SSLContext | None, timeout: float | None
) -> Connection:
    """A connection to `origin` ready for a request (TLS done for https), within `timeout` seconds."""
    _scheme, host, port = origin
    sni = request.extensions.get("sni_hostname") or host
    if proxy is not None:
        return await _through(request, origin, proxy, tls, sni, timeout)
    loop = asyncio.get_running_loop()
    try:
        async with deadline(timeout):
            _transport, conn = await loop.create_connection(
                lambda: Connection(origin), host, port, ssl=tls, server_hostname=sni if tls else None
            )
    except _FAILURES as exc:
        raise translate(exc, Step.CONNECT, request) from exc
    return conn


async def _through(
    request: httpx.Request,
    origin: Origin,
    proxy: ProxyUrl,
    tls: ssl.SSLContext | None,
    sni: str,
    timeout: float | None,
) -> Connection:
    loop = asyncio.get_running_loop()
    conn: Connection | None = None
    step = Step.PROXY
    try:
        async with deadline(timeout):
            _transport, conn = await loop.create_connection(lambda: Connection(origin), proxy.host, proxy.port)
            if tls is not None:
                step = Step.TUNNEL
                await _tunnel(conn, request, origin, proxy)
                step = Step.CONNECT
                upgraded = await loop.start_tls(conn.transport, conn, tls, server_hostname=sni)
                if upgraded is None:  # only when the loop was closing
                    raise httpx.ConnectError(_("the TLS handshake was abandoned"), request=request)
                conn.upgraded(upgraded)
    except (*_FAILURES, FramingError) as exc:
        if conn is not None:
            conn.abort()
        raise translate(exc, step, request, proxy=proxy.masked()) from exc
    except BaseException:
        if conn is not None:
            conn.abort()
        raise
    return conn


async def _tunnel(conn: Connection, request: httpx.Request, origin: Origin, proxy: ProxyUrl) -> None:
    """CONNECT host:port through `proxy`; ProxyFailure unless it answers 2xx and nothing more."""
    _scheme, host, port = origin
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    credentials = proxy.authorization()
    if credentials is not None:
        lines.append(f"Proxy-Authorization: {credentials}")
    conn.write(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
    framer = ResponseFramer("CONNECT")
    while (head := framer.feed_head(await conn.readuntil(b"\r\n\r\n", MAX_HEAD))) is None:
        pass  # a 1xx before the answer
    framer.release()  # the tunnel's bytes are not HTTP
    status = head.status
    reason = _printable(head.reason)
    if status == 407:
        wants = (
            _("the proxy {proxy} wants authentication (HTTP 407 {reason}): the credentials in its URL were refused")
            if credentials
            else _("the proxy {proxy} wants authentication (HTTP 407 {reason}): its URL has no credentials")
        )
        raise ProxyFailure(
            wants.format(proxy=proxy.masked(), reason=reason),
            kind=Transport.PROXY_AUTH,
            request=request,
        )
    if not 200 <= status < 300:
        raise ProxyFailure(
            _("the proxy {proxy} refused the tunnel to {authority} (HTTP {status} {reason})").format(
                proxy=proxy.masked(), authority=authority, status=status, reason=reason
            ),
            kind=Transport.PROXY_REFUSED,
            request=request,
        )
    if conn.buffered or conn.at_eof:  # TLS has not started: nothing can have come from the origin yet
        raise ProxyFailure(
            _("the proxy {proxy} sent more than its answer to CONNECT").format(proxy=proxy.masked()),
            kind=Transport.PROXY_REFUSED,
            request=request,
        )


def _printable(reason: bytes) -> str:
    text = reason.decode("latin-1")[:100]
    return "".join(ch if " " <= ch <= "~" else "?" for ch in text)


__all__ = ["Origin", "deadline", "dial"]
