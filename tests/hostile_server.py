"""An HTTP/1.1 server on loopback that misbehaves on purpose: huge, endless, compressed-bomb, dripping,
token-echoing, redirecting and resetting answers, scriptable per request.

Plain asyncio streams, keep-alive, TCP_NODELAY. Every request is recorded (with its X-Auth-Token) so tests can
check what the client sent. Use it as `async with HostileServer(...)` in async tests, or `running_hostile(...)`
for a server on its own loop in a daemon thread (CLI and subprocess tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import itertools
import json
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

Mode = Literal[
    "json",  # a plain answer: status, body and headers as configured
    "huge-200",  # Content-Length: size of JSON-ish padding, streamed
    "huge-error",  # the same as a 500
    "endless-chunked",  # chunked 200 that never ends (capped at size bytes as a safety net)
    "gzip-bomb",  # size bytes of zeros-padded JSON, gzip-compressed
    "gzip-bomb-error",
    "deflate-bomb",  # the same with Content-Encoding: deflate (zlib-wrapped, as RFC 9110 says)
    "deflate-bomb-error",
    "brotli-bomb",  # only when the brotli module is installed
    "brotli-bomb-error",
    "drip",  # head at once, then one body byte every interval seconds
    "drip-headers",  # the head itself, one byte every interval seconds, then the body likewise
    "echo-token",  # 500 JSON whose error_msg and detail (and a header) carry the received X-Auth-Token
    "echo-token-html",  # the same as a text/html page
    "redirect",  # 302 (or status) with a Location header
    "reset-after-read",  # read the whole request, then RST without answering
    "cut-reset",  # head (Content-Length: size) and the first `cut` body bytes, then RST
    "cut-close",  # head and the first `cut` body bytes, `interval` seconds of silence, then FIN
    "endless-trailers",  # chunked: the whole JSON body and the last chunk, then trailer lines until size bytes
]
MODES: frozenset[str] = frozenset(get_args(Mode))
HAVE_BROTLI = importlib.util.find_spec("brotli") is not None

DELETE_OK: dict[str, Any] = {"total_count": 1, "failed_count": 0, "succeed_count": 1, "error_list": []}
# Nothing listens on the discard port, so a client that follows the redirect fails fast instead of looping.
DEFAULT_LOCATION = "http://127.0.0.1:9/elsewhere"
ECHO_HEADER = "X-Echo-Auth-Token"

_DEFAULT_STATUS: dict[str, int] = {
    "huge-error": 500,
    "gzip-bomb-error": 500,
    "deflate-bomb-error": 500,
    "brotli-bomb-error": 500,
    "echo-token": 500,
    "echo-token-html": 500,
    "redirect": 302,
}
_DEFAULT_SIZE: dict[str, int] = {
    "huge": 400_000_000,
    "endless-chunked": 2_000_000_000,
    "bomb": 600_000_000,
    "drip": 1_000_000,
    "cut": 100,
    "trailers": 10_000_000,
}
_MAX_HEAD_BYTES = 131_072  # tokens are up to 32,768 characters
_CHUNK = 65_536
_PAD_PREFIX = b'{"total_count": 1, "pad": "'
_PAD_SUFFIX = b'"}'


def _family(mode: str) -> str:
    for family in ("huge", "endless-chunked", "bomb", "drip", "echo", "cut", "trailers"):
        if family in mode:
            return family
    return mode


@dataclass(frozen=True)
class Behaviour:
    """How to answer one request. Fields a mode does not use are ignored."""

    mode: Mode = "json"
    status: int | None = None  # None: the mode's usual status (200, 500 for *-error and echo, 302 for redirect)
    body: object = None  # json: bytes/str as is, anything else JSON-encoded; None means DELETE_OK
    headers: Mapping[str, str] = field(default_factory=dict)  # extra response headers
    content_type: str = "application/json"  # json mode only
    size: int | None = None  # huge, drip, cut-*: Content-Length; bombs: decompressed size; endless-*: cap
    interval: float = 2.0  # drip: seconds between bytes; cut-close: the silence before FIN
    cut: int = 30  # cut-*: body bytes sent before the connection ends
    location: str = DEFAULT_LOCATION  # redirect
    close: bool = False  # close the connection after answering

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; one of {sorted(MODES)}")
        if self.mode.startswith("brotli") and not HAVE_BROTLI:
            raise RuntimeError("brotli-bomb needs the brotli module; skip the test when HAVE_BROTLI is false")

    @property
    def status_code(self) -> int:
        return self.status if self.status is not None else _DEFAULT_STATUS.get(self.mode, 200)

    @property
    def body_size(self) -> int:
        return self.size if self.size is not None else _DEFAULT_SIZE.get(_family(self.mode), 0)


Step = Behaviour | Mode
# One step for every request; a list (the nth request gets the nth step, the last one repeats); or a callable
# given the request (with its number and per-path attempt) that returns the step.
Script = Step | Sequence[Step] | Callable[["ReceivedRequest"], Step]


def ok(body: object = None, **kwargs: Any) -> Behaviour:
    """200 with a JSON body (a successful delete by default)."""
    return Behaviour("json", 200, DELETE_OK if body is None else body, **kwargs)


def throttled(retry_after: str | None = "0", **kwargs: Any) -> Behaviour:
    """429 APIG.0308, with Retry-After unless retry_after is None."""
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    body = apig("APIG.0308", "The throttling threshold has been reached: policy user over ratelimit, limit:20")
    return Behaviour("json", 429, body, headers=headers, **kwargs)


def auth_failed(code: str = "APIG.0301", message: str = "Incorrect IAM authentication information") -> Behaviour:
    """401 with an APIG body (APIG.0301 by default; APIG.0307 is the expired-token one)."""
    return Behaviour("json", 401, apig(code, message))


def apig(code: str, message: str) -> dict[str, str]:
    return {"error_code": code, "error_msg": message, "request_id": f"hostile-{code.lower()}"}


@dataclass
class ReceivedRequest:
    number: int  # 1-based, across the whole server
    attempt: int  # 1-based, per path (query excluded)
    connection: int  # 1-based; two requests with the same number came over one keep-alive connection
    method: str
    target: str  # the request target as sent, query included
    headers: dict[str, str]  # names lower-cased, values as received (X-Auth-Token included)
    body: bytes
    at: float  # time.monotonic() once the whole request had been read
    behaviour: Behaviour | None = None
    sent: int = 0  # response bytes handed to the socket
    outcome: str = "pending"  # answered | reset | client-gone | stopped

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def token(self) -> str | None:
        return self.headers.get("x-auth-token")


class HostileServer:
    """`HostileServer("huge-200", size=1_000_000)`, `HostileServer(Behaviour(...))` or a script of steps.

    Keyword arguments other than per_path/host/port build the Behaviour when script is a mode name.
    per_path maps a path (no query) to its own script, indexed by that path's attempt number.
    """

    def __init__(
        self,
        script: Script = "json",
        *,
        per_path: Mapping[str, Script] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        **behaviour: Any,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the hostile server listens on loopback only")
        if behaviour:
            if not isinstance(script, str):
                raise TypeError("behaviour keywords need script to be a mode name")
            script = Behaviour(script, **behaviour)
        self.script = script
        self.per_path = dict(per_path or {})
        self.host, self.port = host, port
        self.requests: list[ReceivedRequest] = []
        self._attempts: dict[str, int] = {}
        self._connection_ids = itertools.count(1)
        self._server: asyncio.Server | None = None
        self._stopping = threading.Event()  # read from any thread; set only on the server's loop
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def attempts(self, path: str | None = None, method: str | None = None) -> list[ReceivedRequest]:
        """The requests received so far, optionally only those for one path and/or method."""
        return [
            r
            for r in list(self.requests)
            if (path is None or r.path == path) and (method is None or r.method == method.upper())
        ]

    async def wait_requests(self, count: int, timeout: float = 5.0) -> list[ReceivedRequest]:
        """Wait (bounded) until at least count requests have been read in full."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.requests)} of {count} requests arrived within {timeout} s")
            await asyncio.sleep(0.005)
        return list(self.requests)

    async def start(self) -> HostileServer:
        self._stopping.clear()
        # Build the bombs now, off the loop, so the first request is not held up by compression.
        for step in self._static_steps():
            if "bomb" in step.mode:
                await asyncio.to_thread(bomb_body, _encoding(step.mode), step.body_size)
        self._server = await asyncio.start_server(self._serve, self.host, self.port, limit=_MAX_HEAD_BYTES)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Close every connection and end every answer in progress (bounded waits)."""
        self._stopping.set()
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        tasks = list(self._connections)
        for task, writer in list(self._connections.items()):
            writer.transport.abort()  # a client that stopped reading would block a graceful close
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=2)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 2)

    async def __aenter__(self) -> HostileServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- connections -------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        connection = next(self._connection_ids)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._connections[task] = writer
        request: ReceivedRequest | None = None
        try:
            while not self._stopping.is_set():
                request = await self._read_request(reader, connection)
                if request is None:
                    return
                step = self._choose(request)
                request.behaviour = step
                keep = await self._answer(step, request, writer)
                if request.outcome == "pending":
                    request.outcome = "answered"
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            if request is not None and request.outcome == "pending":
                request.outcome = "client-gone"
        except asyncio.CancelledError:
            # Cancelled means stopping; ending normally keeps Python 3.11's stream callback from logging
            # the cancellation as an error.
            if request is not None and request.outcome == "pending":
                request.outcome = "stopped"
        finally:
            self._connections.pop(task, None)
            if self._stopping.is_set():
                writer.transport.abort()
            elif not writer.transport.is_closing():
                writer.close()

    async def _read_request(self, reader: asyncio.StreamReader, connection: int) -> ReceivedRequest | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, _version = lines[0].split(" ", 2)
        except ValueError:
            return None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        try:
            length = int(headers.get("content-length", "0") or 0)
        except ValueError:
            return None
        body = await reader.readexactly(length) if length > 0 else b""
        path = urlsplit(target).path
        attempt = self._attempts[path] = self._attempts.get(path, 0) + 1
        request = ReceivedRequest(
            number=len(self.requests) + 1,
            attempt=attempt,
            connection=connection,
            method=method,
            target=target,
            headers=headers,
            body=body,
            at=time.monotonic(),
        )
        self.requests.append(request)
        return request

    def _choose(self, request: ReceivedRequest) -> Behaviour:
        if request.path in self.per_path:
            step = _pick(self.per_path[request.path], request, request.attempt)
        else:
            step = _pick(self.script, request, request.number)
        return step if isinstance(step, Behaviour) else Behaviour(step)

    def _static_steps(self) -> Iterator[Behaviour]:
        for script in (self.script, *self.per_path.values()):
            if isinstance(script, (str, Behaviour)):
                script = [script]
            if isinstance(script, Sequence):  # a callable's steps are only known per request
                for step in script:
                    yield step if isinstance(step, Behaviour) else Behaviour(step)

    # --- answers -----------------------------------------------------------------------------------

    async def _answer(self, step: Behaviour, request: ReceivedRequest, writer: asyncio.StreamWriter) -> bool:
        close = step.close or request.headers.get("connection", "").lower() == "close"
        status, family = step.status_code, _family(step.mode)
        if step.mode == "reset-after-read":
            _reset(writer)
            request.outcome = "reset"
            return False
        if family == "huge":
            size = step.body_size
            await self._send(writer, request, _head(status, step, close, [("Content-Length", str(size))]))
            for chunk in _padded_json(size, b"x"):
                await self._send(writer, request, chunk)
            return not close
        if family == "endless-chunked":
            head = _head(status, step, close, [("Transfer-Encoding", "chunked")])
            await self._send(writer, request, head)
            for chunk in _padded_json(step.body_size, b"x"):
                await self._send(writer, request, b"%x\r\n%b\r\n" % (len(chunk), chunk))
            await self._send(writer, request, b"0\r\n\r\n")  # only once the safety cap is reached
            return not close
        if family == "bomb":
            encoding = _encoding(step.mode)
            body = await asyncio.to_thread(bomb_body, encoding, step.body_size)
            extra = [("Content-Encoding", encoding), ("Content-Length", str(len(body)))]
            await self._send(writer, request, _head(status, step, close, extra) + body)
            return not close
        if family == "drip":
            size = step.body_size
            head = _head(status, step, close, [("Content-Length", str(size))])
            if step.mode == "drip":
                await self._send(writer, request, head)
                await self._drip(writer, request, _padded_json(size, b"x"), step.interval, first_now=False)
            else:
                await self._drip(writer, request, itertools.chain([head], _padded_json(size, b"x")), step.interval)
            return not close
        if family == "echo":
            token = request.token or ""
            echo = [(ECHO_HEADER, token)]
            if step.mode == "echo-token":
                payload = {
                    "error_code": "VIAS.00010006",
                    "error_msg": f"Internal error while checking X-Auth-Token {token}",
                    "detail": f"request headers: X-Auth-Token: {token}",
                    "request_id": f"hostile-{request.number}",
                }
                body, ctype = json.dumps(payload, ensure_ascii=False).encode(), "application/json"
            else:
                page = f"<html><body><h1>500 Internal Server Error</h1><pre>X-Auth-Token: {token}</pre></body></html>"
                body, ctype = page.encode(), "text/html; charset=utf-8"
            extra = [("Content-Length", str(len(body))), *echo]
            await self._send(writer, request, _head(status, step, close, extra, ctype) + body)
            return not close
        if family in ("cut", "trailers"):
            return await (self._cut if family == "cut" else self._trailers)(step, status, close, request, writer)
        if step.mode == "redirect":
            body = f'<html><body>Moved to <a href="{step.location}">here</a></body></html>'.encode()
            extra = [("Location", step.location), ("Content-Length", str(len(body)))]
            await self._send(writer, request, _head(status, step, close, extra, "text/html") + body)
            return not close
        body = _json_body(step.body)
        extra = [("Content-Length", str(len(body)))]
        await self._send(writer, request, _head(status, step, close, extra, step.content_type) + body)
        return not close

    async def _cut(
        self, step: Behaviour, status: int, close: bool, request: ReceivedRequest, writer: asyncio.StreamWriter
    ) -> bool:
        """The head and the first `cut` body bytes, then a reset, or silence and a FIN."""
        size = step.body_size
        body = b"".join(itertools.islice(_padded_json(size, b"x"), 2))[: min(step.cut, size)]
        await self._send(writer, request, _head(status, step, close, [("Content-Length", str(size))]) + body)
        if step.mode == "cut-reset":
            await asyncio.sleep(0.05)  # let the bytes reach the client before the reset discards them
            _reset(writer)
            request.outcome = "reset"
        else:
            await asyncio.sleep(step.interval)
            writer.close()
        return False

    async def _trailers(
        self, step: Behaviour, status: int, close: bool, request: ReceivedRequest, writer: asyncio.StreamWriter
    ) -> bool:
        """A whole chunked body, then trailer lines up to the size cap."""
        body = _json_body(step.body)
        head = _head(status, step, close, [("Transfer-Encoding", "chunked")])
        await self._send(writer, request, head + b"%x\r\n%b\r\n0\r\n" % (len(body), body))
        line = b"X-Trailer: " + b"t" * 100 + b"\r\n"
        for _ in range(step.body_size // len(line)):
            await self._send(writer, request, line)
        await self._send(writer, request, b"\r\n")  # only once the safety cap is reached
        return not close

    async def _send(self, writer: asyncio.StreamWriter, request: ReceivedRequest, data: bytes) -> None:
        if writer.transport.is_closing():
            raise ConnectionResetError("the client went away")
        writer.write(data)
        request.sent += len(data)
        await writer.drain()

    async def _drip(
        self,
        writer: asyncio.StreamWriter,
        request: ReceivedRequest,
        chunks: Iterator[bytes],
        interval: float,
        first_now: bool = True,
    ) -> None:
        wait = not first_now
        for chunk in chunks:
            view = memoryview(chunk)
            for i in range(len(view)):
                if wait:
                    await asyncio.sleep(interval)
                wait = True
                await self._send(writer, request, bytes(view[i : i + 1]))


def _pick(script: Script, request: ReceivedRequest, index: int) -> Step:
    if isinstance(script, (str, Behaviour)):
        return script
    if isinstance(script, Sequence):
        if not script:
            raise ValueError("an empty script")
        return script[min(index, len(script)) - 1]
    return script(request)


def _head(
    status: int, step: Behaviour, close: bool, framing: list[tuple[str, str]], ctype: str = "application/json"
) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}", "Server: hostile"]
    lines += [f"{name}: {value}" for name, value in framing]
    lines += [f"{name}: {value}" for name, value in step.headers.items()]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def _json_body(body: object) -> bytes:
    if body is None:
        body = DELETE_OK
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def _reset(writer: asyncio.StreamWriter) -> None:
    # SO_LINGER 0 makes the close an RST rather than a FIN.
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _padded_json(size: int, fill: bytes) -> Iterator[bytes]:
    """`{"total_count": 1, "pad": "xxxx…"}` of exactly size bytes, in chunks of at most _CHUNK."""
    if size < len(_PAD_PREFIX) + len(_PAD_SUFFIX):
        yield fill * size
        return
    yield _PAD_PREFIX
    block = fill * _CHUNK
    remaining = size - len(_PAD_PREFIX) - len(_PAD_SUFFIX)
    while remaining > 0:
        n = min(remaining, _CHUNK)
        yield block if n == _CHUNK else block[:n]
        remaining -= n
    yield _PAD_SUFFIX


def _encoding(mode: str) -> str:
    return mode.split("-", 1)[0].replace("brotli", "br")


# --- compression bombs (built once per process) -------------------------------------------------------

_BOMB_BLOCK = 1 << 20
_BOMBS: dict[tuple[str, int], bytes] = {}
_BOMBS_LOCK = threading.Lock()


def bomb_body(encoding: str, size: int) -> bytes:
    """A gzip/deflate/br body that decompresses to size bytes of `{"total_count": 1, "pad": "000…"}`. Cached."""
    with _BOMBS_LOCK:
        body = _BOMBS.get((encoding, size))
        if body is None:
            body = _BOMBS[(encoding, size)] = _brotli_bomb(size) if encoding == "br" else _zlib_bomb(encoding, size)
        return body


def _zlib_bomb(encoding: str, size: int) -> bytes:
    if encoding not in ("gzip", "deflate"):
        raise ValueError(f"unknown encoding {encoding!r}")
    checksum = zlib.crc32 if encoding == "gzip" else zlib.adler32
    check = checksum(b"")
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts: list[bytes] = []
    prefix, suffix = (_PAD_PREFIX, _PAD_SUFFIX) if size >= len(_PAD_PREFIX) + len(_PAD_SUFFIX) else (b"", b"")
    blocks, rest = divmod(size - len(prefix) - len(suffix), _BOMB_BLOCK)
    parts.append(comp.compress(prefix) + comp.flush(zlib.Z_FULL_FLUSH))
    check = checksum(prefix, check)
    if blocks:
        # A full flush resets the compressor, so every further block compresses to the same bytes: compress
        # it once and repeat the output instead of compressing 600 MB (seconds) each process.
        block = b"0" * _BOMB_BLOCK
        segment = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
        parts.append(segment * blocks)
        for _ in range(blocks):
            check = checksum(block, check)
    tail = b"0" * rest + suffix
    parts.append(comp.compress(tail) + comp.flush(zlib.Z_FINISH))
    check = checksum(tail, check)
    raw = b"".join(parts)
    if encoding == "gzip":
        header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # no name, no mtime, best compression, unknown OS
        return header + raw + struct.pack("<II", check & 0xFFFFFFFF, size & 0xFFFFFFFF)
    return b"\x78\xda" + raw + struct.pack(">I", check & 0xFFFFFFFF)


def _brotli_bomb(size: int) -> bytes:
    import brotli  # only with HAVE_BROTLI

    comp = brotli.Compressor(quality=5)
    parts = [comp.process(chunk) for chunk in _padded_json(size, b"0")]
    parts.append(comp.finish())
    return b"".join(parts)


# --- a server in a thread ---------------------------------------------------------------------------


@contextlib.contextmanager
def running_hostile(
    script: Script = "json",
    *,
    per_path: Mapping[str, Script] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    **behaviour: Any,
) -> Iterator[HostileServer]:
    """Run a HostileServer on its own loop in a daemon thread (for CLI and subprocess tests)."""
    server = HostileServer(script, per_path=per_path, host=host, port=port, **behaviour)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start())
        except BaseException as exc:  # report it to the test thread instead of dying silently
            failure.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()

    thread = threading.Thread(target=serve, name="hostile-server", daemon=True)
    thread.start()
    if not ready.wait(30):
        raise RuntimeError("the hostile server did not start")
    if failure:
        raise failure[0]
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


__all__ = [
    "DEFAULT_LOCATION",
    "DELETE_OK",
    "ECHO_HEADER",
    "HAVE_BROTLI",
    "MODES",
    "Behaviour",
    "HostileServer",
    "Mode",
    "ReceivedRequest",
    "Script",
    "Step",
    "apig",
    "auth_failed",
    "bomb_body",
    "ok",
    "running_hostile",
    "throttled",
]
