"""Where an HTTP/1.1 response starts and ends, decided by llhttp (through httptools), strict: no leniency enabled.

Why llhttp: a differential review fed thousands of hostile response streams to the hand-written parser this replaces,
to h11 and to llhttp, and found framings both references refuse that the hand-written one accepted (whitespace or
control bytes around chunk sizes, bare CR or LF hiding a header in the status line, control bytes in header values,
garbage trailers). Framing is where a response smuggles a second one; it belongs to a parser many clients share.

Why it is fed in pieces: httptools has no `finish()` and does not say where inside a fed buffer a message ended,
and the pool must know exactly where an answer ends (bytes past it belong to no request and retire the
connection). So the transport feeds only what may belong to this answer: the head up to its first CRLFCRLF, a
Content-Length body exactly its length, a chunked body up to each LF (a chunked message can end only at an LF),
and a close-delimited body everything until EOF. Nothing past the end is ever fed; it stays in the connection's
buffer for the pool to see.

On top of llhttp, policies of our own: status 100-599, HTTP/1.0 or 1.1 only, Transfer-Encoding exactly "chunked",
Content-Length at most 18 digits, no protocol switch, and at most 64 KiB of chunk framing and trailers without body
data (an endless trailer section ends as an error instead of at the deadline).
"""

from __future__ import annotations

from enum import Enum

import httptools

from tui_app.i18n import _

MAX_HEAD = 65_536  # response head (status line and headers); also the cap on chunk framing and trailers in a row
MAX_PIECE = 65_536  # the most fed (and handed on as one body chunk) at a time
_MAX_LENGTH = 10**18  # a Content-Length beyond this is a lie (and 18 digits is what the old parser allowed)
_PARSER_ERRORS = (httptools.HttpParserError, httptools.HttpParserUpgrade)


class FramingError(Exception):
    """The response's framing is invalid or ambiguous; the message says how (the transport makes it an httpx
    RemoteProtocolError)."""


class BodyKind(Enum):
    NONE = "none"  # 204, 304, a HEAD answer, Content-Length: 0
    LENGTH = "length"
    CHUNKED = "chunked"
    CLOSE = "close"  # until the server closes the connection


class Head:
    """The status line and headers of a final (non-1xx) answer."""

    __slots__ = ("headers", "keep_alive", "kind", "reason", "status", "version")

    def __init__(
        self,
        status: int,
        reason: bytes,
        version: bytes,
        headers: list[tuple[bytes, bytes]],
        kind: BodyKind,
        keep_alive: bool,
    ) -> None:
        self.status, self.reason, self.version, self.headers = status, reason, version, headers
        self.kind, self.keep_alive = kind, keep_alive


class ResponseFramer:
    """One response on one connection, sans I/O: `feed_head` for each head (None for a skipped 1xx), then while not
    `complete`: `next_size(buffer)` bytes of the connection's buffer go to `feed`, which returns body bytes;
    `at_eof()` when the connection ends first. Every refusal is a FramingError."""

    __slots__ = (
        "_body",
        "_complete",
        "_encoding",
        "_framing",
        "_headers",
        "_headers_done",
        "_keep",
        "_length",
        "_no_body",
        "_parser",
        "_reason",
        "_remaining",
        "kind",
    )

    def __init__(self, method: str) -> None:
        self._no_body = method == "HEAD"
        self._parser: httptools.HttpResponseParser | None = None
        self._headers: list[tuple[bytes, bytes]] = []
        self._encoding: bytes | None = None  # every Transfer-Encoding value, joined
        self._length: bytes | None = None
        self._reason = b""
        self._headers_done = self._complete = self._keep = False
        self._body: list[bytes] = []
        self._remaining = 0
        self._framing = 0  # bytes of chunk framing and trailers fed since the last body byte
        self.kind = BodyKind.NONE

    # -- httptools callbacks (only these are wired) -------------------------------------------------------

    def on_status(self, reason: bytes) -> None:
        self._reason = reason

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))
        if len(name) in (14, 17):  # the lengths of the two framing headers' names: most headers skip lower()
            lowered = name.lower()
            if lowered == b"content-length":
                self._length = value
            elif lowered == b"transfer-encoding":
                value = value.strip().lower()
                self._encoding = value if self._encoding is None else self._encoding + b"," + value

    def on_headers_complete(self) -> None:
        self._headers_done = True
        assert self._parser is not None
        self._keep = self._parser.should_keep_alive()  # only true here: llhttp resets it once the message ends

    def on_body(self, data: bytes) -> None:
        self._body.append(data)

    def on_message_complete(self) -> None:
        self._complete = True

    # -- the head ------------------------------------------------------------------------------------------

    def feed_head(self, head: bytes) -> Head | None:
        """`head` is everything up to and including the first CRLFCRLF. None: a 1xx answer, skipped."""
        parser = self._parser = httptools.HttpResponseParser(self)
        self._headers, self._reason = [], b""
        self._encoding = self._length = None
        self._headers_done = self._complete = False
        try:
            parser.feed_data(head)
        except _PARSER_ERRORS as exc:
            switched = self._headers_done and parser.get_status_code() == 101
            self.release()
            raise FramingError(_("unexpected protocol switch") if switched else _head_refusal(head, exc)) from None
        status, version = parser.get_status_code(), parser.get_http_version()
        if not self._headers_done:  # a CRLFCRLF that llhttp did not read as the end of the head
            self.release()
            raise FramingError(_("malformed response head"))
        if version not in ("1.1", "1.0") or not 100 <= status <= 599 or status == 101:
            self.release()
            raise FramingError(_("unexpected protocol switch") if status == 101 else _("malformed status line"))
        if status < 200:
            return None  # 100 Continue, 103 Early Hints: the real answer follows (with a parser of its own)
        try:
            kind = self.kind = self._framing_of()
        except FramingError:
            self.release()
            raise
        if self._complete:
            self.release()
        return Head(status, self._reason, b"HTTP/" + version.encode(), self._headers, kind, self._keep)

    def release(self) -> None:
        """Drop the parser. It holds this framer's callbacks, so the two form a cycle that only the cyclic garbage
        collector would free (at a cost that showed in the benchmarks); dropped once the answer is complete, refused
        or abandoned, both go as soon as the transport lets go of the framer."""
        self._parser = None

    def _framing_of(self) -> BodyKind:
        encoding, length = self._encoding, self._length  # llhttp already refused conflicting or malformed ones
        if self._no_body or self._complete:  # HEAD, 204, 304 or Content-Length: 0
            self._complete = True
            return BodyKind.NONE
        if encoding is not None:
            if encoding != b"chunked":
                raise FramingError(_("unsupported Transfer-Encoding"))
            return BodyKind.CHUNKED
        if length is not None:
            size = int(length.strip())
            if size > _MAX_LENGTH:
                raise FramingError(_("invalid Content-Length (too large)"))
            self._remaining = size
            return BodyKind.LENGTH
        self._keep = False
        return BodyKind.CLOSE

    # -- the body ------------------------------------------------------------------------------------------

    @property
    def complete(self) -> bool:
        return self._complete

    @property
    def keep_alive(self) -> bool:
        """The connection may carry another request once this answer is complete."""
        return self._keep

    def next_size(self, buffer: bytes | bytearray) -> int:
        """How many bytes at the start of a non-empty `buffer` may be fed now: never past the answer's end."""
        kind = self.kind
        if kind is BodyKind.LENGTH:
            return min(self._remaining, len(buffer), MAX_PIECE)
        if kind is BodyKind.CHUNKED:
            end = buffer.find(b"\n", 0, MAX_PIECE)
            return end + 1 if end >= 0 else min(len(buffer), MAX_PIECE)
        return min(len(buffer), MAX_PIECE)

    def feed(self, piece: bytes) -> bytes:
        """Feed `piece` (from `next_size`); the body bytes it carried."""
        parser = self._parser
        assert parser is not None, "fed after the answer ended"
        try:
            parser.feed_data(piece)
        except _PARSER_ERRORS as exc:
            self.release()
            reason = str(exc) or type(exc).__name__
            what = (
                _("invalid chunk size ({reason})")
                if "chunk size" in reason.lower()
                else _("malformed response body ({reason})")
            )
            raise FramingError(what.format(reason=reason)) from None
        if self._complete:
            self.release()
        body = self._body
        data = body[0] if len(body) == 1 else b"".join(body)
        body.clear()
        if self.kind is BodyKind.LENGTH:
            self._remaining -= len(piece)
        elif self.kind is BodyKind.CHUNKED:
            self._framing = 0 if data else self._framing + len(piece)
            if self._framing > MAX_HEAD:
                self.release()
                raise FramingError(_("chunk framing or trailers too large"))
        return data

    def at_eof(self) -> None:
        """The connection ended: the end of a close-delimited body, or too early for any other."""
        self.release()
        if self.kind is BodyKind.CLOSE:
            self._complete = True
        elif not self._complete:
            raise FramingError(_("connection closed before the response ended"))


def _head_refusal(head: bytes, exc: Exception) -> str:
    """Say which part of the head llhttp refused. Only on the error path: the status line is parsed again alone."""
    reason = str(exc) or type(exc).__name__
    line = head[: head.find(b"\r\n") + 2] if b"\r\n" in head else head
    try:
        httptools.HttpResponseParser(object()).feed_data(line)
    except _PARSER_ERRORS:
        return _("malformed status line ({reason})").format(reason=reason)
    if "content-length" in reason.lower():
        return _("invalid Content-Length ({reason})").format(reason=reason)
    if "transfer-encoding" in reason.lower():
        return _("unsupported Transfer-Encoding ({reason})").format(reason=reason)
    return _("malformed response header ({reason})").format(reason=reason)


__all__ = ["MAX_HEAD", "MAX_PIECE", "BodyKind", "FramingError", "Head", "ResponseFramer"]
