"""The one place where what goes wrong under the transport (OS errors, timeouts, framing errors) becomes an httpx
exception, named for the step it happened in; and the proxy failures, which carry their own kind."""

from __future__ import annotations

import asyncio
from enum import Enum

import httpx

from tui_app.domain.errors import Transport
from tui_app.vias.framing import FramingError


class Step(Enum):
    CONNECT = "connect"
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
    Step.CONNECT: "timed out connecting",
    Step.WRITE: "timed out sending the request",
    Step.READ: "timed out reading the response",
}


def translate(exc: BaseException, step: Step, request: httpx.Request, what: str = "head") -> httpx.TransportError:
    """The httpx exception for `exc` raised during `step` (`what`: the part of the answer being read)."""
    if isinstance(exc, httpx.TransportError):
        return exc
    if isinstance(exc, FramingError):
        return httpx.RemoteProtocolError(str(exc), request=request)
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # before OSError: TimeoutError is one
        return _TIMEOUTS[step](_TIMED_OUT[step], request=request)
    if isinstance(exc, asyncio.IncompleteReadError):
        if not exc.partial and what == "head":
            return httpx.RemoteProtocolError("server disconnected without sending a response", request=request)
        return httpx.RemoteProtocolError(f"connection closed inside the response {what}", request=request)
    if isinstance(exc, asyncio.LimitOverrunError):
        return httpx.RemoteProtocolError(f"response {what} too large", request=request)
    if isinstance(exc, OSError):  # ssl.SSLError included: the cause is kept for the TLS classification
        return _ERRORS[step](str(exc) or type(exc).__name__, request=request)
    return httpx.RemoteProtocolError(f"unexpected {type(exc).__name__}", request=request)


__all__ = ["ProxyFailure", "Step", "translate"]
