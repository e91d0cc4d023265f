"""Reading answers off the wire, shared by the VIAS client and IAM login: bounded bodies (compressed ones
included), error bodies of every shape, transport failures, the TLS context, and scrubbing what a server sent.

Decoding is done here rather than by httpx so the decoded size is capped while decompressing: a 1 MB gzip body
can expand to 1 GB, and httpx would hand it over in one piece.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import zlib
from dataclasses import dataclass, fields, replace
from email.utils import parsedate_to_datetime
from time import time
from typing import Any, TypeVar

import httpx

from tui_app import __version__
from tui_app.domain.errors import FIELD_LIMIT, RAW_BODY_LIMIT, ApiError, Transport
from tui_app.i18n import _
from tui_app.problems import OperatorError
from tui_app.secret import Scrubber
from tui_app.vias.failures import ProxyFailure
from tui_app.vias.transport import strict_tls

USER_AGENT = f"vias-tui/{__version__}"
BODY_LIMIT = 1 << 20  # decoded bytes kept of any answer; the API's bodies are a few hundred bytes
ACCEPT_ENCODING = "gzip, deflate"  # what we can decode with a cap; anything else is kept opaque
_DNS_MARKERS = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo",
    "name resolution",
    "no address associated",
    "temporary failure in name resolution",
)
# SSL error reasons that mean the server and vias-tui share no protocol version: it speaks only TLS 1.0/1.1.
_OLD_PROTOCOL = frozenset(
    {
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "UNSUPPORTED_PROTOCOL",
        "NO_PROTOCOLS_AVAILABLE",
        "WRONG_SSL_VERSION",
        "VERSION_TOO_LOW",
    }
)

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The system's trust store, or a PEM bundle; OperatorError (one line) when the bundle is unusable. TLS 1.2 or
    newer, and certificates must name the host in subjectAltName (see transport.strict_tls)."""
    try:
        return strict_tls(ssl.create_default_context(cafile=ca_bundle) if ca_bundle else ssl.create_default_context())
    except FileNotFoundError:
        raise OperatorError(_("the CA bundle {path} does not exist; nothing was sent").format(path=ca_bundle)) from None
    except (ssl.SSLError, OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
        raise OperatorError(
            _("the CA bundle {path} is not a readable PEM file of certificates ({reason}); nothing was sent").format(
                path=ca_bundle, reason=why
            )
        ) from None


@dataclass(frozen=True)
class Body:
    data: bytes
    truncated: bool = False  # more than BODY_LIMIT decoded bytes: the rest was not read
    opaque: str | None = None  # a Content-Encoding we do not decode (the bytes are as sent)
    cut: str | None = None  # the head arrived, then the body could not be read to its end: why

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def problem(self) -> str | None:
        if self.cut:
            return self.cut
        if self.truncated:
            return _("the body was larger than {size} KiB (not read further)").format(size=BODY_LIMIT // 1024)
        if self.opaque:
            return _("the body was {encoding}-encoded, which vias-tui does not decode").format(encoding=self.opaque)
        return None


class BoundedDecoder:
    """Collects a body, decompressing gzip/deflate as it arrives, never holding more than `limit` bytes."""

    def __init__(self, content_encoding: str | None, limit: int = BODY_LIMIT) -> None:
        encoding = (content_encoding or "identity").strip().lower()
        self.limit = limit
        self.opaque: str | None = None
        self._parts: list[bytes] = []
        self._size = 0
        self.truncated = False
        self._raw_deflate_fallback = False
        self._decoder: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_deflate_fallback = True  # some servers send raw deflate without the zlib header
        elif encoding not in ("identity", ""):
            self.opaque = encoding

    def feed(self, chunk: bytes) -> bool:
        """Add raw bytes; False once the limit is reached (stop reading)."""
        if self.truncated:
            return False
        if self._decoder is None:
            self._keep(chunk)
            return not self.truncated
        data = chunk
        while data and not self.truncated:
            try:
                out = self._decoder.decompress(data, self.limit - self._size + 1)
            except zlib.error:
                if self._raw_deflate_fallback and self._size == 0:
                    self._raw_deflate_fallback = False
                    self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                self.opaque = "invalid compressed"  # keep what we have; the body cannot be trusted
                self._decoder = None
                return False
            self._raw_deflate_fallback = False
            self._keep(out)
            data = self._decoder.unconsumed_tail
        return not self.truncated

    def _keep(self, data: bytes) -> None:
        room = self.limit - self._size
        if len(data) > room:
            data = data[:room]
            self.truncated = True
        if data:
            self._parts.append(data)
            self._size += len(data)

    def body(self, cut: str | None = None) -> Body:
        return Body(b"".join(self._parts), self.truncated, self.opaque, cut)


def transport_error(exc: Exception, *, written: bool | None = None) -> ApiError:
    """Any failure without an HTTP answer, classified by whether the request may have reached the server.
    `written` False: the transport said the request's bytes were never handed to the socket, so whatever happened
    (a deadline included) it was not delivered. None or True: judged from the failure alone."""
    text = str(exc)[:200] or type(exc).__name__
    error = _classify(exc, text)
    if written is False and error.delivered:
        timed_out = error.transport in (Transport.TIMEOUT, Transport.CONNECT_TIMEOUT)
        kind = Transport.CONNECT_TIMEOUT if timed_out else error.transport
        message = _("no connection within the time limit; nothing was sent") if timed_out else error.message
        return ApiError(None, message=message, transport=kind, delivered=False)
    return error


def _classify(exc: Exception, text: str) -> ApiError:
    if isinstance(exc, ProxyFailure):
        return ApiError(None, message=text, transport=exc.kind, delivered=False)
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return ApiError(None, message=text, transport=Transport.CONNECT_TIMEOUT, delivered=False)
    if isinstance(exc, httpx.ConnectError):
        return ApiError(None, message=text, transport=_connect_kind(exc, text), delivered=False)
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return ApiError(
            None,
            message=text if text != "TimeoutError" else _("no complete answer in time"),
            transport=Transport.TIMEOUT,
        )
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError, ConnectionError)):
        return ApiError(None, message=text, transport=Transport.DROPPED)
    if isinstance(exc, ssl.SSLError):
        return ApiError(None, message=type(exc).__name__, transport=_connect_kind(exc, text), delivered=False)
    # Anything else from inside the HTTP stack must not escape: its frames hold the request headers, and a
    # traceback printed with locals would show the credentials. Record it as "no answer known".
    return ApiError(
        None,
        message=_("unexpected {error} while sending").format(error=type(exc).__name__),
        transport=Transport.PROTOCOL,
    )


def _connect_kind(exc: BaseException, text: str) -> Transport:
    tls = _cause(exc, ssl.SSLError)
    lowered = text.lower()
    if tls is not None and getattr(tls, "reason", None) in _OLD_PROTOCOL:
        return Transport.TLS_VERSION
    if tls is not None or "certificate" in lowered or "ssl" in lowered:
        return Transport.TLS
    if any(marker in lowered for marker in _DNS_MARKERS):
        return Transport.DNS
    return Transport.CONNECT


def _cause(exc: BaseException, kind: type[E]) -> E | None:
    """The first exception of `kind` in `exc`'s chain of causes, itself included."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def body_cut(exc: BaseException, timeout: float) -> str:
    """Why a body stopped before its end, once the status and headers had arrived."""
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return _("the body did not arrive in full within the {seconds:g} s the attempt may take").format(
            seconds=timeout
        )
    reason = str(exc)[:200] or type(exc).__name__
    return _("the body was cut off: {reason}").format(reason=reason)


async def read_into(response: httpx.Response, decoder: BoundedDecoder) -> None:
    """Feed a streamed response's raw body to `decoder`, stopping at its limit. What arrived stays in the decoder
    when this raises (a reset, a deadline) or is cancelled."""
    async for chunk in response.aiter_raw():
        if not decoder.feed(chunk):
            break


def error_from(status: int, headers: httpx.Headers, body: Body) -> ApiError:
    """An HTTP error answer: VIAS's and APIG's bodies, IAM's nested one, or raw text kept for the details."""
    text = body.text()
    parsed = json_object(text) if body.problem() is None else None
    fields_: dict[str, Any] = parsed or {}
    nested = fields_.get("error")
    if isinstance(nested, dict) and "error_code" not in fields_:
        # some gateways wrap the error: {"error": {"code": ..., "message": ...}}
        fields_ = {**fields_, "error_code": nested.get("code"), "error_msg": nested.get("message")}
    params = fields_.get("params")
    raw = None
    if parsed is None:
        raw = cut(text, RAW_BODY_LIMIT)
        if body.problem():
            raw += f" [{body.problem()}]"
    return ApiError(
        http_status=status,
        code=text_field(fields_.get("error_code")),
        message=text_field(fields_.get("error_msg")),
        detail=text_field(fields_.get("detail")),
        params=[cut(str(p), FIELD_LIMIT) for p in params if p is not None][:20] if isinstance(params, list) else [],
        reason=text_field(fields_.get("reason")),
        advice=text_field(fields_.get("advice")),
        request_id=request_id(headers, parsed),
        raw_body=raw,
        retry_after=retry_after(headers.get("Retry-After")),
        location=text_field(headers.get("Location")) if 300 <= status < 400 else None,
    )


def json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def request_id(headers: httpx.Headers, body: dict[str, Any] | None) -> str | None:
    return text_field(headers.get("X-Request-Id")) or text_field((body or {}).get("request_id"))


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, 3600.0))


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + _("… ({count:,} chars in all)").format(count=len(text))


def text_field(value: object) -> str | None:
    if value is None or value == "":
        return None
    return cut(str(value), FIELD_LIMIT)


def scrubbed(value: T, scrub: Scrubber) -> T:
    """A copy of an answer (ApiError or DeleteResult) with every secret removed from its texts."""
    if not scrub:
        return value
    changes: dict[str, Any] = {}
    for item in fields(value):  # type: ignore[arg-type]
        current = getattr(value, item.name)
        if isinstance(current, str):
            clean = scrub(current)
            if clean != current:
                changes[item.name] = clean
        elif isinstance(current, list) and current and isinstance(current[0], str):
            clean_list = [scrub(v) for v in current]
            if clean_list != current:
                changes[item.name] = clean_list
    return replace(value, **changes) if changes else value  # type: ignore[type-var]


async def read_body(response: httpx.Response, limit: int = BODY_LIMIT) -> Body:
    """Read a streamed response's body through a BoundedDecoder (stops reading at the limit)."""
    decoder = BoundedDecoder(response.headers.get("Content-Encoding"), limit)
    await read_into(response, decoder)
    return decoder.body()
