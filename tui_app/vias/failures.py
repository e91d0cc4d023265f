"""The one place where what goes wrong under the transport (OS errors, timeouts, framing errors) becomes an httpx
exception, named for the step it happened in; failures on the way through a proxy become ProxyFailures, which carry
their own kind (the request was never sent)."""

from __future__ import annotations

import asyncio
from enum import Enum

import httpx

from tui_app.domain.errors import Transport
from tui_app.i18n import N_, _
from tui_app.vias.framing import FramingError


class Step(Enum):
    PROXY = "proxy"  # connecting to the proxy
    TUNNEL = "tunnel"  # asking the proxy for a CONNECT tunnel
    CONNECT = "connect"  # connecting to the origin (TLS included, in a tunnel too)
    WRITE = "write"
    READ = "read"


class ProxyFailure(httpx.ProxyError):
    """The proxy could not be reached, refused the tunnel or wants other credentials: the request was never sent.
    `kind` is PROXY_UNREACHABLE, PROXY_AUTH or PROXY_REFUSED; the message names the proxy masked."""

    def __init__(self, message: str, *, kind: Transport, request: httpx.Request) -> None:
        super().__init__(message, request=request)
        self.kind = kind


_TIMEOUTS: dict[Step, type[httpx.TimeoutException]] = {
    Step.CONNECT: httpx.ConnectTimeout,
    Step.WRITE: httpx.WriteTimeout,
    Step.READ: httpx.ReadTimeout,
}
_ERRORS: dict[Step, type[httpx.NetworkError]] = {
    Step.CONNECT: httpx.ConnectError,
    Step.WRITE: httpx.WriteError,
    Step.READ: httpx.ReadError,
}
_TIMED_OUT = {
    Step.CONNECT: N_("timed out connecting"),
    Step.WRITE: N_("timed out sending the request"),
    Step.READ: N_("timed out reading the response"),
}


# `what` is the part of the answer being read: "head" or "body".
_INSIDE = {
    "head": N_("connection closed inside the response head"),
    "body": N_("connection closed inside the response body"),
}
_TOO_LARGE = {"head": N_("response head too large"), "body": N_("response body too large")}


def translate(
    exc: BaseException, step: Step, request: httpx.Request, what: str = "head", proxy: str = "the proxy"
) -> httpx.TransportError:
    """The httpx exception for `exc` raised during `step` (`what`: the part of the answer being read; `proxy`: the
    proxy's masked URL, for the PROXY and TUNNEL steps)."""
    if isinstance(exc, httpx.TransportError):
        return exc
    if step is Step.PROXY or step is Step.TUNNEL:
        return _proxy_failure(exc, step, request, proxy)
    if isinstance(exc, FramingError):
        return httpx.RemoteProtocolError(str(exc), request=request)
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # before OSError: TimeoutError is one
        return _TIMEOUTS[step](_(_TIMED_OUT[step]), request=request)
    if isinstance(exc, asyncio.IncompleteReadError):
        if not exc.partial and what == "head":
            return httpx.RemoteProtocolError(_("server disconnected without sending a response"), request=request)
        return httpx.RemoteProtocolError(_(_INSIDE[what]), request=request)
    if isinstance(exc, asyncio.LimitOverrunError):
        return httpx.RemoteProtocolError(_(_TOO_LARGE[what]), request=request)
    if isinstance(exc, OSError):  # ssl.SSLError included: the cause is kept for the TLS classification
        return _ERRORS[step](str(exc) or type(exc).__name__, request=request)
    return httpx.RemoteProtocolError(_("unexpected {error}").format(error=type(exc).__name__), request=request)


def _proxy_failure(exc: BaseException, step: Step, request: httpx.Request, proxy: str) -> ProxyFailure:
    timed_out = isinstance(exc, (TimeoutError, asyncio.TimeoutError))
    if step is Step.PROXY:
        why = _("timed out") if timed_out else (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
        return ProxyFailure(
            _("could not connect to the proxy {proxy}: {why}").format(proxy=proxy, why=why),
            kind=Transport.PROXY_UNREACHABLE,
            request=request,
        )
    if timed_out:
        message = _("the proxy {proxy} did not answer CONNECT in time").format(proxy=proxy)
        return ProxyFailure(message, kind=Transport.PROXY_UNREACHABLE, request=request)
    if isinstance(exc, FramingError):
        message = _("the proxy {proxy} answered CONNECT with something other than HTTP ({reason})").format(
            proxy=proxy, reason=exc
        )
    else:
        message = _("the proxy {proxy} hung up instead of answering CONNECT").format(proxy=proxy)
    return ProxyFailure(message, kind=Transport.PROXY_REFUSED, request=request)


__all__ = ["ProxyFailure", "Step", "translate"]
