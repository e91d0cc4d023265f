"""The transport's edges beyond framing: whether a request was written (SendProgress), endless trailers, HEAD
answers, and bytes after a bodiless answer. Tiny raw servers on loopback, as in test_transport.py."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from tests.test_transport import OK_EMPTY, Server, client, keep_alive
from tui_app.vias.transport import PROGRESS, RawPoolTransport, SendProgress

# -- what the transport tells the client -------------------------------------------------------------------


async def test_send_progress_says_whether_the_request_was_written() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago, with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    transport = RawPoolTransport()
    refused = SendProgress()
    with pytest.raises(httpx.ConnectError):
        await transport.handle_async_request(
            httpx.Request("DELETE", f"http://127.0.0.1:{port}/x", extensions={PROGRESS: refused})
        )
    assert refused.written is False
    server = keep_alive(OK_EMPTY)
    async with server:
        sent = SendProgress()
        response = await transport.handle_async_request(
            httpx.Request("DELETE", f"{server.url}/x", extensions={PROGRESS: sent})
        )
        await response.aread()
        await transport.aclose()
    assert sent.written is True and response.status_code == 200


async def test_endless_trailers_end_as_a_protocol_error_not_at_the_deadline() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, index: int) -> None:
        await server.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n")
        for _ in range(2000):  # 2000 x 100 bytes of trailers, far past the 64 KiB cap
            writer.write(b"X-T: " + b"t" * 93 + b"\r\n")
            await writer.drain()
        await asyncio.sleep(5)

    server = Server(handler)
    async with server, client(timeout=5.0) as (http, _):
        with pytest.raises(httpx.RemoteProtocolError, match="trailers too large"):
            await http.get(f"{server.url}/")


async def test_a_head_answer_has_no_body_whatever_its_content_length() -> None:
    server = keep_alive(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    async with server, client() as (http, transport):
        for _ in range(3):
            response = await http.head(f"{server.url}/")
            assert response.status_code == 200 and response.content == b""
        assert transport.opened == 1


async def test_bytes_after_a_bodiless_answer_retire_the_connection() -> None:
    answer = b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
    server = keep_alive(answer, after_first=answer + b"hello")  # the 5 bytes belong to no answer
    async with server, client() as (http, transport):
        statuses = [(await http.delete(f"{server.url}/{n}")).status_code for n in range(3)]
    assert statuses == [204] * 3 and transport.opened == 2
