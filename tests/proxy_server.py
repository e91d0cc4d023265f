"""An HTTP proxy on 127.0.0.1 for tests: CONNECT tunnels (with or without Basic auth), and absolute-form requests
for plain http targets, which it answers itself.

It never connects anywhere but 127.0.0.1: a target host is either a loopback address or a name in `hosts`, which
maps it to a local port (so `vias.cn-north-4.myhuaweicloud.com:443` can reach the fake VIAS); anything else gets 502.
It records every CONNECT (target and the Proxy-Authorization it came with) and every absolute-form request line.
`refuse=403` answers every CONNECT with that status. Use `async with ProxyServer(...)`, or `running_proxy(...)` for a
proxy on its own loop in a thread (CLI tests).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_MAX_HEAD = 65_536


@dataclass
class Connect:
    target: str  # host:port as asked
    authorization: str | None  # the Proxy-Authorization header, as received
    status: int = 0  # what the proxy answered


class ProxyServer:
    def __init__(
        self,
        *,
        hosts: Mapping[str, int] | None = None,
        auth: tuple[str, str] | None = None,
        refuse: int | None = None,
    ) -> None:
        self.hosts = dict(hosts or {})
        self.auth = auth
        self.refuse = refuse
        self.connects: list[Connect] = []
        self.forwarded: list[tuple[str, str | None]] = []  # absolute-form request lines and their Proxy-Authorization
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        return f"http://{user}:{password}@127.0.0.1:{self.port}"

    async def start(self) -> ProxyServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, limit=_MAX_HEAD)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 2)

    async def __aenter__(self) -> ProxyServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _authorized(self, header: str | None) -> bool:
        if self.auth is None:
            return True
        expected = base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
        return header == f"Basic {expected}"

    def _where(self, target: str) -> tuple[str, int] | None:
        host, _, port = target.rpartition(":")
        host = host.strip("[]")
        if host in self.hosts:
            return "127.0.0.1", self.hosts[host]
        if host in _LOOPBACK and port.isdigit():
            return host, int(port)
        return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            authorization = headers.get("proxy-authorization")
            if method != "CONNECT":
                self.forwarded.append((lines[0], authorization))
                body = b"via the proxy"
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
                return
            record = Connect(target, authorization)
            self.connects.append(record)
            if not self._authorized(authorization):
                record.status = 407
                writer.write(
                    b'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n'
                    b"Content-Length: 0\r\n\r\n"
                )
                await writer.drain()
                return
            where = self._where(target)
            if self.refuse is not None or where is None:
                record.status = self.refuse or 502
                writer.write(b"HTTP/1.1 %d Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" % record.status)
                await writer.drain()
                return
            upstream_reader, upstream_writer = await asyncio.open_connection(*where)
            record.status = 200
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await _pipe_both(reader, writer, upstream_reader, upstream_writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.transport.abort()


async def _pipe_both(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    upstream_reader: asyncio.StreamReader,
    upstream_writer: asyncio.StreamWriter,
) -> None:
    async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65_536):
                sink.write(data)
                await sink.drain()
        except OSError:
            pass
        finally:
            sink.transport.abort()

    try:
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
    finally:
        upstream_writer.transport.abort()


@contextlib.contextmanager
def running_proxy(**kwargs: Any) -> Iterator[ProxyServer]:
    """A ProxyServer on its own loop in a daemon thread."""
    proxy = ProxyServer(**kwargs)
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(proxy.start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(proxy.stop())
        loop.close()

    thread = threading.Thread(target=serve, name="test-proxy", daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError("the test proxy did not start")
    try:
        yield proxy
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


__all__ = ["Connect", "ProxyServer", "running_proxy"]
