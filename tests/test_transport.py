"""The hand-written keep-alive pool (tui_app/vias/transport.py) against tiny raw servers on loopback.

Each server writes canned bytes. The leftover-bytes rule is the point of most of these: an answer that belonged to no
request (a second pipelined response, trailing bytes after a body, bytes sent on an idle connection) must never be
read as the answer to the next request; a clean keep-alive server must still see its connection reused.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from tui_app.vias.transport import RawPoolTransport, ResponseBody

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]
OK_EMPTY = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


class Server:
    """A loopback server that runs `handler(reader, writer, connection_index)` for every connection."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = self.connections
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self.handler(reader, writer, index)
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away, or the test is over
        finally:
            self._tasks.discard(task)
            writer.transport.abort()

    async def read_request(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(head)
        return head

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()


@contextlib.asynccontextmanager
async def client(
    max_connections: int = 4, timeout: float = 2.0
) -> AsyncIterator[tuple[httpx.AsyncClient, RawPoolTransport]]:
    transport = RawPoolTransport(max_connections=max_connections)
    async with httpx.AsyncClient(transport=transport, timeout=timeout) as http:
        yield http, transport


def keep_alive(answer: bytes, after_first: bytes | None = None) -> Server:
    """A server that answers every request with `answer` (the very first one with `after_first`), keeping alive."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        while True:
            await server.read_request(reader)
            first = len(server.requests) == 1
            writer.write(after_first if first and after_first is not None else answer)
            await writer.drain()

    server = Server(handler)
    return server


# -- the leftover-bytes rule ---------------------------------------------------------------------------------


async def test_extra_pipelined_response_is_not_credited_to_the_next_request() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        if index == 0:  # one request, two answers in one write: the second belongs to no request
            writer.write(b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
        else:
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        while True:  # anything more on this connection is answered with 404, after it was read
            await server.read_request(reader)
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    server = Server(handler)
    async with server, client() as (http, transport):
        first = await http.delete(f"{server.url}/v2/p/batch-tasks/a")
        second = await http.delete(f"{server.url}/v2/p/batch-tasks/b")
    assert first.status_code == 204
    assert second.status_code == 404  # the server's answer to the second request, not the stale 204
    assert len(server.requests) == 2
    assert transport.opened == 2 and server.connections == 2


async def test_trailing_bytes_after_a_content_length_body_retire_the_connection() -> None:
    body = b'{"ok": 1}'
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    server = keep_alive(answer, after_first=answer + b"GARBAGE")
    async with server, client() as (http, transport):
        responses = [await http.get(f"{server.url}/x/{n}") for n in range(3)]
    assert [r.json() for r in responses] == [{"ok": 1}] * 3
    assert transport.opened == 2  # the dirty first connection was dropped; the clean second one was reused
    assert server.connections == 2 and len(server.requests) == 3


async def test_bytes_on_an_idle_connection_make_it_unusable() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        n = 0
        while True:
            await server.read_request(reader)
            n += 1
            body = b'{"conn": %d, "n": %d}' % (index, n)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
            if index == 0:
                await asyncio.sleep(0.05)  # then an answer nobody asked for, while the connection is idle
                stray = b'{"conn": "stray"}'
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(stray), stray))
                await writer.drain()

    server = Server(handler)
    async with server, client() as (http, transport):
        first = await http.get(f"{server.url}/a")
        await asyncio.sleep(0.3)
        second = await http.get(f"{server.url}/b")
    assert first.json() == {"conn": 0, "n": 1}
    assert second.json() == {"conn": 1, "n": 1}
    assert transport.opened == 2 and len(server.requests) == 2


async def test_clean_keep_alive_connections_are_reused() -> None:
    server = keep_alive(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    async with server, client() as (http, transport):
        for n in range(5):
            response = await http.delete(f"{server.url}/v2/p/batch-tasks/{n}")
            assert response.json() == {}
        assert transport.opened == 1 and server.connections == 1
        await asyncio.gather(*(http.get(f"{server.url}/c/{n}") for n in range(12)))
        assert transport.opened <= 4  # max_connections
    assert len(server.requests) == 17


async def test_informational_answers_are_skipped_and_the_connection_stays_reusable() -> None:
    server = keep_alive(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    async with server, client() as (http, transport):
        texts = [(await http.get(f"{server.url}/{n}")).text for n in range(3)]
    assert texts == ["ok"] * 3
    assert transport.opened == 1


async def test_connection_closed_by_the_server_after_an_answer_is_not_reused() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n%d" % index)
        await writer.drain()
        writer.close()

    server = Server(handler)
    async with server, client() as (http, transport):
        first = await http.get(f"{server.url}/a")
        await asyncio.sleep(0.1)
        second = await http.get(f"{server.url}/b")
    assert (first.text, second.text) == ("0", "1")
    assert transport.opened == 2


# -- status line and head ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [b"000", b"099", b"600", b"999"])
async def test_status_code_outside_100_599_is_refused(code: bytes) -> None:
    server = keep_alive(b"HTTP/1.1 %s OK\r\nContent-Length: 0\r\n\r\n" % code)
    async with server, client() as (http, _):
        with pytest.raises(httpx.RemoteProtocolError, match="malformed status line"):
            await http.get(f"{server.url}/")


@pytest.mark.parametrize("line", [b"HTTP/1.1 20 OK", b"HTTP/1.1 2000 OK", b"HTTP/2 200 OK", b"HTTP/1.1 2x0 OK"])
async def test_other_malformed_status_lines_are_refused(line: bytes) -> None:
    server = keep_alive(line + b"\r\nContent-Length: 0\r\n\r\n")
    async with server, client() as (http, _):
        with pytest.raises(httpx.RemoteProtocolError, match="malformed status line"):
            await http.get(f"{server.url}/")


@pytest.mark.parametrize(
    ("head", "why"),
    [
        (b"HTTP/1.1 404 NF\r\nX-A: a\nContent-Length: 0\r\n\r\n", "malformed response header"),  # hidden CL
        (b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n", "invalid Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", "invalid Content-Length"),
    ],
)
async def test_heads_that_hide_or_overflow_their_framing_are_refused(head: bytes, why: str) -> None:
    server = keep_alive(head + b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    async with server, client() as (http, _):
        with pytest.raises(httpx.RemoteProtocolError, match=why):
            await http.get(f"{server.url}/")


async def test_head_over_64_kib_is_refused() -> None:
    server = keep_alive(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\nContent-Length: 0\r\n\r\n")
    async with server, client() as (http, transport):
        for _attempt in range(2):
            with pytest.raises(httpx.RemoteProtocolError, match="response head too large"):
                await http.get(f"{server.url}/")
        assert server.connections == 2 and transport.opened == 2  # the refused connection was never reused


async def test_head_just_under_the_limit_is_accepted() -> None:
    server = keep_alive(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 60_000 + b"\r\nContent-Length: 0\r\n\r\n")
    async with server, client() as (http, _):
        response = await http.get(f"{server.url}/")
    assert response.status_code == 200 and len(response.headers["x-big"]) == 60_000


# -- body framing -------------------------------------------------------------------------------------------


async def test_chunked_body_with_extensions_and_trailers() -> None:
    answer = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    server = keep_alive(answer)
    async with server, client() as (http, transport):
        texts = [(await http.get(f"{server.url}/{n}")).text for n in range(2)]
    assert texts == ["hello world"] * 2
    assert transport.opened == 1


async def test_chunked_body_split_across_writes() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        for piece in (
            b"HTTP/1.1 200 OK\r\nTransfer-",
            b"Encoding: chunked\r\n\r\n",
            b"3\r",
            b"\nabc",
            b"\r\n0\r\n",
            b"\r\n",
        ):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.01)
        await asyncio.sleep(1)

    server = Server(handler)
    async with server, client() as (http, _):
        response = await http.get(f"{server.url}/")
    assert response.text == "abc"


async def test_bad_chunk_size_is_refused() -> None:
    server = keep_alive(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
    async with server, client() as (http, _):
        with pytest.raises(httpx.RemoteProtocolError, match="invalid chunk size"):
            await http.get(f"{server.url}/")


async def test_content_length_body() -> None:
    body = b'{"total_count": 1}'
    server = keep_alive(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    async with server, client() as (http, transport):
        responses = [await http.delete(f"{server.url}/v2/p/batch-tasks/{n}") for n in range(3)]
    assert [r.json() for r in responses] == [{"total_count": 1}] * 3
    assert transport.opened == 1


async def test_close_delimited_body() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n\r\n")
        for _ in range(3):
            writer.write(b"part;")
            await writer.drain()
            await asyncio.sleep(0.01)
        writer.close()

    server = Server(handler)
    async with server, client() as (http, transport):
        first = await http.get(f"{server.url}/a")
        second = await http.get(f"{server.url}/b")
    assert first.text == second.text == "part;part;part;"
    assert transport.opened == 2


async def test_connection_closed_inside_a_content_length_body() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
        await writer.drain()
        writer.close()

    server = Server(handler)
    async with server, client() as (http, _):
        with pytest.raises(httpx.RemoteProtocolError, match="connection closed before the response ended"):
            await http.get(f"{server.url}/")


# -- failures -------------------------------------------------------------------------------------------------


async def test_server_closes_before_answering() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        writer.close()

    server = Server(handler)
    async with server, client() as (http, _):
        with pytest.raises(httpx.RemoteProtocolError, match="server disconnected without sending a response"):
            await http.delete(f"{server.url}/v2/p/batch-tasks/a")


async def test_server_closes_inside_the_head() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-")
        await writer.drain()
        writer.close()

    server = Server(handler)
    async with server, client() as (http, _):
        with pytest.raises(httpx.RemoteProtocolError, match="connection closed inside the response head"):
            await http.get(f"{server.url}/")


async def test_connection_reset() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
        await writer.drain()
        await asyncio.sleep(0.05)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST
        writer.transport.abort()

    server = Server(handler)
    async with server, client() as (http, _):
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            await http.get(f"{server.url}/")


async def test_read_timeout_waiting_for_the_head() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        await asyncio.sleep(10)

    server = Server(handler)
    async with server, client(timeout=0.2) as (http, _):
        with pytest.raises(httpx.ReadTimeout):
            await http.delete(f"{server.url}/v2/p/batch-tasks/a")


async def test_read_timeout_inside_the_body() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()
        await asyncio.sleep(10)

    server = Server(handler)
    async with server, client(timeout=0.2) as (http, transport):
        for _attempt in range(2):
            with pytest.raises(httpx.ReadTimeout):
                await http.get(f"{server.url}/")
        assert server.connections == 2 and transport.opened == 2  # the timed-out connection was never reused


async def test_large_request_body_waits_for_the_server_to_read_it() -> None:
    size = 32 * 1024 * 1024

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        head = await server.read_request(reader)
        assert b"content-length: %d" % size in head.lower()
        left = size
        while left:
            left -= len(await reader.read(min(left, 1 << 20)))
            await asyncio.sleep(0.001)  # a slow reader: the client has to wait on its write buffer
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await server.read_request(reader)

    server = Server(handler)
    async with server, client(timeout=5.0) as (http, _):
        response = await http.post(f"{server.url}/", content=b"x" * size)
    assert response.text == "ok"


async def test_write_timeout_when_the_server_never_reads() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await asyncio.sleep(10)

    server = Server(handler)
    async with server, client(timeout=0.3) as (http, _):
        with pytest.raises(httpx.WriteTimeout):
            await http.post(f"{server.url}/", content=b"x" * (64 * 1024 * 1024))


async def test_connect_refused_is_a_connect_error() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago, with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with client() as (http, transport):
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/")
    assert transport.opened == 0


async def test_large_body_streams_with_a_bounded_buffer() -> None:
    size = 20 * 1024 * 1024
    block = bytes(range(256)) * 4096  # 1 MiB
    expected = hashlib.sha256(block * 20).hexdigest()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
        for _ in range(20):
            writer.write(block)
            await writer.drain()
        await server.read_request(reader)  # keep the connection open

    server = Server(handler)
    async with server:
        transport = RawPoolTransport(max_connections=1)
        request = httpx.Request("GET", f"{server.url}/big", extensions={"timeout": {"read": 5.0}})
        response = await transport.handle_async_request(request)
        assert response.status_code == 200
        body = response.stream
        assert isinstance(body, ResponseBody)
        digest = hashlib.sha256()
        received = peak = chunks = 0
        async for chunk in body:
            digest.update(chunk)
            received += len(chunk)
            chunks += 1
            if chunks % 4 == 0:
                await asyncio.sleep(0.002)  # a slow reader: the server could fill memory meanwhile
            peak = max(peak, body.buffered)
        await transport.aclose()
    assert received == size and digest.hexdigest() == expected
    assert 0 < peak <= 768 * 1024
