"""Self-tests of the hostile test server, with small sizes and short intervals (each well under a second)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import zlib

import httpx
import pytest

from tests.hostile_server import (
    DEFAULT_LOCATION,
    DELETE_OK,
    ECHO_HEADER,
    HAVE_BROTLI,
    Behaviour,
    HostileServer,
    ReceivedRequest,
    auth_failed,
    bomb_body,
    ok,
    running_hostile,
    throttled,
)

TOKEN = "MIIhostileTOKEN" + "Ab9" * 20
DELETE_PATH = "/v2/p1/batch-tasks/t1"


def client(server: HostileServer, timeout: float = 2.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url, timeout=timeout, trust_env=False)


async def raw_request(server: HostileServer, path: str = DELETE_PATH, body: bytes = b"") -> tuple:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    head = f"DELETE {path} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {TOKEN}\r\nContent-Length: {len(body)}\r\n\r\n"
    writer.write(head.encode() + body)
    await writer.drain()
    return reader, writer


async def test_huge_200_streams_exact_length_of_json() -> None:
    async with HostileServer("huge-200", size=1_000_000) as server, client(server) as http:
        response = await http.delete(DELETE_PATH, headers={"X-Auth-Token": TOKEN})
    assert response.status_code == 200
    assert response.headers["content-length"] == "1000000"
    assert len(response.content) == 1_000_000
    assert response.json()["total_count"] == 1
    assert server.requests[0].sent > 1_000_000


async def test_huge_error_is_a_500() -> None:
    async with HostileServer("huge-error", size=50_000) as server, client(server) as http:
        response = await http.get("/anything")
    assert response.status_code == 500
    assert len(response.content) == 50_000


async def test_endless_chunked_keeps_going_and_stops_at_the_cap() -> None:
    async with HostileServer("endless-chunked") as server, client(server) as http:
        async with http.stream("GET", "/list") as response:
            assert response.headers["transfer-encoding"] == "chunked"
            read = 0
            async for chunk in response.aiter_raw():
                read += len(chunk)
                if read > 2_000_000:
                    break
        assert read > 2_000_000
    async with HostileServer("endless-chunked", size=300_000) as server, client(server) as http:
        response = await http.get("/list")
    assert len(response.content) == 300_000
    assert response.json()["total_count"] == 1


@pytest.mark.parametrize(("mode", "encoding", "wbits", "status"), [
    ("gzip-bomb", "gzip", 31, 200),
    ("gzip-bomb-error", "gzip", 31, 500),
    ("deflate-bomb", "deflate", 15, 200),
    ("deflate-bomb-error", "deflate", 15, 500),
])  # fmt: skip
async def test_bombs_decompress_to_the_promised_size(mode: str, encoding: str, wbits: int, status: int) -> None:
    size = 5 * (1 << 20) + 123  # several repeated blocks plus a tail
    async with (
        HostileServer(mode, size=size) as server,
        client(server) as http,
        http.stream("DELETE", DELETE_PATH) as response,
    ):
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.status_code == status
    assert response.headers["content-encoding"] == encoding
    assert len(raw) < size // 500
    data = zlib.decompress(raw, wbits)  # checks the CRC/Adler trailer too
    assert len(data) == size
    assert json.loads(data)["total_count"] == 1


def test_default_bomb_is_small_and_cached() -> None:
    started = time.monotonic()
    body = bomb_body("gzip", 600_000_000)
    assert len(body) < 700_000
    assert bomb_body("gzip", 600_000_000) is body
    assert time.monotonic() - started < 3


@pytest.mark.skipif(not HAVE_BROTLI, reason="brotli is not installed")
async def test_brotli_bomb() -> None:
    import brotli

    async with (
        HostileServer("brotli-bomb", size=1_000_000) as server,
        client(server) as http,
        http.stream("GET", "/") as response,
    ):
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.headers["content-encoding"] == "br"
    assert len(brotli.decompress(raw)) == 1_000_000


def test_brotli_mode_refuses_without_brotli() -> None:
    if HAVE_BROTLI:
        pytest.skip("brotli is installed")
    with pytest.raises(RuntimeError, match="brotli"):
        Behaviour("brotli-bomb")


async def test_drip_sends_one_body_byte_per_interval() -> None:
    async with HostileServer("drip", interval=0.1) as server:
        reader, writer = await raw_request(server)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 1)
        assert head.startswith(b"HTTP/1.1 200 ")
        started = time.monotonic()
        got = b""
        for _ in range(3):
            got += await asyncio.wait_for(reader.read(100), 1)
        elapsed = time.monotonic() - started
        writer.close()
    assert got == b'{"t'
    assert 0.25 < elapsed < 0.9


async def test_drip_headers_drips_the_status_line() -> None:
    async with HostileServer("drip-headers", interval=0.1) as server:
        reader, writer = await raw_request(server)
        started = time.monotonic()
        got = b""
        for _ in range(3):
            got += await asyncio.wait_for(reader.read(100), 1)
        elapsed = time.monotonic() - started
        writer.close()
    assert got == b"HTT"
    assert 0.15 < elapsed < 0.8  # the first byte at once, then one per interval


@pytest.mark.parametrize("mode", ["echo-token", "echo-token-html"])
async def test_echo_token_puts_the_token_in_body_and_header(mode: str) -> None:
    async with HostileServer(mode) as server, client(server) as http:
        response = await http.delete(DELETE_PATH, headers={"X-Auth-Token": TOKEN})
    assert response.status_code == 500
    assert response.headers[ECHO_HEADER] == TOKEN
    assert TOKEN in response.text
    if mode == "echo-token":
        payload = response.json()
        assert TOKEN in payload["error_msg"]
        assert TOKEN in payload["detail"]
    else:
        assert response.headers["content-type"].startswith("text/html")
    assert server.requests[0].token == TOKEN


@pytest.mark.parametrize("status", [301, 302, 307])
async def test_redirect_location(status: int) -> None:
    async with (
        HostileServer("redirect", status=status, location="http://127.0.0.1:1/x") as server,
        client(server) as http,
    ):
        response = await http.delete(DELETE_PATH)
    assert response.status_code == status
    assert response.headers["location"] == "http://127.0.0.1:1/x"
    assert Behaviour("redirect").location == DEFAULT_LOCATION


async def test_reset_after_read_reads_the_body_then_resets() -> None:
    async with HostileServer("reset-after-read") as server:
        reader, writer = await raw_request(server, body=b'{"x": 1}')
        with pytest.raises(ConnectionResetError):
            await asyncio.wait_for(reader.read(100), 1)
        writer.close()
    [request] = server.requests
    assert request.body == b'{"x": 1}'
    assert request.outcome == "reset"
    assert request.sent == 0


@pytest.mark.parametrize("mode", ["cut-reset", "cut-close"])
async def test_cut_modes_send_the_head_and_part_of_the_body_then_end(mode: str) -> None:
    async with HostileServer(mode, size=100, cut=30, interval=0.1) as server:
        reader, writer = await raw_request(server)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 1)
        got = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := await asyncio.wait_for(reader.read(100), 2):
                got += chunk
        writer.close()
    assert b"Content-Length: 100" in head and got == b'{"total_count": 1, "pad": "xxx'
    assert server.requests[0].outcome == ("reset" if mode == "cut-reset" else "answered")


async def test_endless_trailers_follow_a_whole_body_until_the_cap() -> None:
    async with HostileServer("endless-trailers", size=5_000) as server:
        reader, writer = await raw_request(server)
        data = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 1)
        rest = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 1)
        writer.close()
    assert b"Transfer-Encoding: chunked" in data
    body = json.dumps(DELETE_OK).encode()
    assert rest.startswith(b"%x\r\n%s\r\n0\r\nX-Trailer: ttt" % (len(body), body))
    assert rest.count(b"X-Trailer") == 5_000 // 113


async def test_script_runs_attempts_in_order_then_repeats_the_last() -> None:
    script = [Behaviour("reset-after-read"), *[throttled()] * 3, ok(), auth_failed()]
    async with HostileServer(script) as server, client(server) as http:
        with pytest.raises(httpx.TransportError):
            await http.delete(DELETE_PATH, headers={"X-Auth-Token": TOKEN})
        statuses = []
        for _ in range(6):
            response = await http.delete(DELETE_PATH, headers={"X-Auth-Token": TOKEN})
            statuses.append(response.status_code)
            if response.status_code == 429:
                assert response.headers["retry-after"] == "0"
                assert response.json()["error_code"] == "APIG.0308"
            if response.status_code == 200:
                assert response.json() == DELETE_OK
    assert statuses == [429, 429, 429, 200, 401, 401]
    assert response.json()["error_code"] == "APIG.0301"
    assert [r.number for r in server.requests] == list(range(1, 8))
    assert [r.attempt for r in server.attempts(DELETE_PATH)] == list(range(1, 8))
    assert all(r.token == TOKEN for r in server.requests)
    assert server.requests[1].connection == server.requests[2].connection  # keep-alive after a 429


async def test_per_path_scripts_count_attempts_per_path() -> None:
    per_path = {"/a": ["reset-after-read", throttled()], "/b": [auth_failed()]}
    async with HostileServer(ok({"count": 0}), per_path=per_path) as server, client(server) as http:
        with pytest.raises(httpx.TransportError):
            await http.get("/a")
        assert (await http.get("/b")).status_code == 401
        assert (await http.get("/a?page=2")).status_code == 429
        assert (await http.get("/other")).json() == {"count": 0}
    assert [(r.path, r.attempt) for r in server.requests] == [("/a", 1), ("/b", 1), ("/a", 2), ("/other", 1)]
    assert server.requests[2].target == "/a?page=2"


async def test_callable_script_sees_the_request() -> None:
    def script(request: ReceivedRequest) -> Behaviour:
        return Behaviour("json", 200 + request.number, {"method": request.method}, headers={"X-N": str(request.number)})

    async with HostileServer(script) as server, client(server) as http:
        first = await http.get("/x")
        second = await http.post("/y", content=b"abc")
    assert (first.status_code, first.json(), first.headers["x-n"]) == (201, {"method": "GET"}, "1")
    assert (second.status_code, second.json()) == (202, {"method": "POST"})
    assert server.requests[1].body == b"abc"


async def test_json_mode_and_close() -> None:
    async with HostileServer("json", status=429, body=b"not json", close=True) as server, client(server) as http:
        first = await http.get("/")
        await http.get("/")
    assert first.status_code == 429
    assert first.text == "not json"
    assert first.headers["connection"] == "close"
    assert server.requests[0].connection != server.requests[1].connection


async def test_stop_ends_forever_answers_promptly() -> None:
    server = await HostileServer("drip", interval=5).start()
    drip_reader, drip_writer = await raw_request(server)
    await asyncio.wait_for(drip_reader.readuntil(b"\r\n\r\n"), 1)
    # A client that never reads: the server blocks on a full socket buffer.
    stalled = HostileServer("endless-chunked")
    await stalled.start()
    _, stalled_writer = await raw_request(stalled)
    await stalled.wait_requests(1, timeout=1)
    started = time.monotonic()
    await server.stop()
    await stalled.stop()
    assert time.monotonic() - started < 1
    assert await asyncio.wait_for(drip_reader.read(), 1) == b""
    assert server.requests[0].outcome == "stopped"
    assert stalled.requests[0].outcome == "stopped"
    drip_writer.close()
    stalled_writer.close()


def test_running_in_a_thread_for_subprocess_tests() -> None:
    with running_hostile([throttled(), ok()]) as server:
        assert server.url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=server.url, timeout=2, trust_env=False) as http:
            assert http.delete(DELETE_PATH, headers={"X-Auth-Token": TOKEN}).status_code == 429
            assert http.delete(DELETE_PATH, headers={"X-Auth-Token": TOKEN}).json() == DELETE_OK
        # an answer that never ends must not hold up the shutdown
        http = httpx.Client(base_url=server.url, timeout=2, trust_env=False)
        server.script = Behaviour("drip", interval=5)
        with pytest.raises(httpx.ReadTimeout):
            http.get("/slow", timeout=0.2)
        started = time.monotonic()
    assert time.monotonic() - started < 1
    http.close()
    assert [r.token for r in server.requests[:2]] == [TOKEN, TOKEN]
    assert server.requests[2].path == "/slow"


def test_loopback_only_and_unknown_modes() -> None:
    with pytest.raises(ValueError, match="loopback"):
        HostileServer(host="0.0.0.0")
    with pytest.raises(ValueError, match="unknown mode"):
        Behaviour("teapot")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        HostileServer([ok()], size=3)
