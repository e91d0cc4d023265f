"""One HTTP/1.1 connection for the transport: an asyncio Protocol with its own receive buffer.

Why not StreamReader: the transport must know whether any unread bytes are buffered (bytes past an answer's end
would otherwise be read as the next request's answer), and StreamReader has no public way to say so. Only public
asyncio APIs (`asyncio.Protocol`, `loop.create_connection`) are used.
"""

from __future__ import annotations

import asyncio

from tui_app.i18n import _

_HIGH_WATER = 262_144  # receive buffer size that pauses reading from the socket
_LOW_WATER = 65_536  # ... and resumes it


class Connection(asyncio.Protocol):
    """One connection: an asyncio Protocol with its own receive buffer (the public API in place of StreamReader,
    which cannot say how many bytes it holds). One reader at a time; reading pauses above `_HIGH_WATER` bytes
    buffered and resumes once the consumer is down to `_LOW_WATER`."""

    __slots__ = (
        "_buf",
        "_drain",
        "_eof",
        "_exc",
        "_lost",
        "_paused",
        "_waiter",
        "_write_paused",
        "idle_since",
        "origin",
        "transport",
    )

    transport: asyncio.Transport

    def __init__(self, origin: tuple[str, str, int]) -> None:
        self.origin = origin
        self.idle_since = 0.0
        self._buf = bytearray()
        self._eof = False  # the peer finished sending (or the connection ended cleanly)
        self._exc: BaseException | None = None  # why the connection ended, when it was an error
        self._lost = False
        self._paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._write_paused = False
        self._drain: asyncio.Future[None] | None = None

    # -- protocol callbacks ----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        if len(buf) > _HIGH_WATER and not self._paused:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        if exc is None:
            self._eof = True
        else:
            self._exc = exc
        self._wake()
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_result(None)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        drain, self._drain = self._drain, None
        if drain is not None and not drain.done():
            drain.set_result(None)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- the consumer's side ---------------------------------------------------------------------------

    @property
    def buffered(self) -> int:
        return len(self._buf)

    @property
    def at_eof(self) -> bool:
        return self._eof

    def clean(self) -> bool:
        """Open, no EOF and nothing buffered: bytes here now would be read as the answer to the next request."""
        return not self._buf and not self._eof and self._exc is None and not self.transport.is_closing()

    def reusable(self, now: float, expiry: float) -> bool:
        return now - self.idle_since < expiry and self.clean()

    async def _wait(self) -> None:
        if self._paused:  # waiting while paused would wait forever
            self._paused = False
            self.transport.resume_reading()
        waiter = self._waiter = asyncio.get_running_loop().create_future()
        try:
            await waiter
        finally:
            self._waiter = None

    def take(self, n: int) -> bytes:
        """Consume the first `n` buffered bytes (fewer if fewer are there)."""
        buf = self._buf
        if n >= len(buf):
            data = bytes(buf)
            buf.clear()
        else:
            with memoryview(buf) as view:
                data = view[:n].tobytes()
            del buf[:n]
        if self._paused and len(buf) <= _LOW_WATER:
            self._paused = False
            self.transport.resume_reading()
        return data

    async def readuntil(self, sep: bytes, limit: int) -> bytes:
        """Bytes up to and including `sep`, like StreamReader.readuntil: IncompleteReadError at EOF,
        LimitOverrunError when more than `limit` bytes come before `sep`, the connection's error if it broke."""
        if self._exc is not None:
            raise self._exc
        buf = self._buf
        start = 0
        while True:
            found = buf.find(sep, start)
            if found >= 0:
                if found > limit:
                    raise asyncio.LimitOverrunError("separator found beyond the limit", found)
                return self.take(found + len(sep))
            start = max(0, len(buf) - len(sep) + 1)  # scan only new bytes next time
            if start > limit:
                raise asyncio.LimitOverrunError("separator not found within the limit", start)
            if self._eof:
                partial = self.take(len(buf))
                raise asyncio.IncompleteReadError(partial, None)
            await self._wait()
            if self._exc is not None:
                raise self._exc

    async def fill(self) -> bool:
        """Wait until bytes are buffered (True) or the peer ended the connection with none left (False). Bytes that
        arrived before a reset are handed over before the reset is raised."""
        if self._buf:
            return True
        if self._exc is None and not self._eof:
            await self._wait()
        if not self._buf and self._exc is not None:
            raise self._exc
        return bool(self._buf)

    @property
    def buffer(self) -> bytearray:
        """The unread bytes, to look at (not to keep across an await); `take` consumes them."""
        return self._buf

    def write(self, data: bytes) -> None:
        self.transport.write(data)

    async def drain(self) -> None:
        """Wait while the transport's write buffer is over its high-water mark."""
        if self._write_paused and not self._lost:
            drain = self._drain
            if drain is None:
                drain = self._drain = asyncio.get_running_loop().create_future()
            await drain
        if self._lost:
            raise self._exc or ConnectionResetError(_("Connection lost"))

    def abort(self) -> None:
        self.transport.abort()

    def upgraded(self, transport: asyncio.Transport) -> None:
        """Carry on over `transport` (TLS started inside a proxy's tunnel by `loop.start_tls`)."""
        self.transport = transport


__all__ = ["Connection"]
