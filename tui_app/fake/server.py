"""A real HTTP/1.1 fake VIAS (and IAM, and the ECS metadata service) on loopback.

Plain asyncio streams, keep-alive, TCP_NODELAY. Used by the demo, the tests and the benchmarks. A request goes:
route (routes.py: which API, which region) -> the gateway (gateway.py: authentication and the AK lock, the
project's authorization, throttling) -> the service (vias_api.py, iam.py, metadata.py), through the per-attempt
fault machinery (faults.py). Every request is recorded as a `SeenRequest`; `GET /_fake/requests` and
`GET /_fake/stats` show them (and the gateway's counts) to a process that runs the fake on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time
from dataclasses import asdict, dataclass

from tui_app.domain.models import JOB_STATES
from tui_app.fake.answers import Answer, reply, unknown_api, write_answer
from tui_app.fake.faults import FAULTS, FaultPlan
from tui_app.fake.gateway import Admission, Gateway, GatewayPolicy
from tui_app.fake.iam import auth_projects, list_projects, login
from tui_app.fake.metadata import MetadataService
from tui_app.fake.routes import IAM_AUTHENTICATED, RequestKind, Route, parse_route
from tui_app.fake.store import FakeStore
from tui_app.fake.vias_api import Call, Counters, handle

MAX_HEADER_BYTES = 65_536  # tokens are up to 32,768 characters


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str  # the target as received (path and query), without a /_region prefix
    task_id: str | None  # the batch task ID (for a job request: the job's batch, when known)
    authorized: bool
    answer: str  # the HTTP status sent, or the fault that replaced it
    at: float
    credential: str = ""  # "token", "ak:<AK>" (the access key that signed), or "" (none that was accepted)
    kind: str = ""  # a RequestKind value: batch_delete, batch_list, batch_stop, job_list, job_delete, iam_login, ...
    region: str = ""  # the region the request reached (Host or /_region prefix)
    project_id: str | None = None  # the project in the path
    x_project_id: str | None = None  # the X-Project-Id header as sent (signed or not)
    job_id: str | None = None  # for job requests
    user: str = ""  # the IAM user ID behind the accepted credential
    request_id: str = ""  # the X-Request-Id answered


class FakeVias:
    def __init__(
        self,
        store: FakeStore | None = None,
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
        *,
        gateway: GatewayPolicy | None = None,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the fake server listens on loopback only")
        self.store = store or FakeStore()
        self.faults = faults or FaultPlan()
        self.gateway = Gateway(gateway)
        self.host, self.port, self._tls = host, port, tls
        self.requests: list[SeenRequest] = []
        self.counters = Counters()
        self._seq = 0
        self._metadata = MetadataService()
        self._server: asyncio.Server | None = None
        self._stopping = asyncio.Event()
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def region_url(self, region: str) -> str:
        """An endpoint that reaches `region` without DNS (the /_region prefix)."""
        return f"{self.url}/_region/{region}"

    def deletes_seen(self, task_id: str | None = None) -> list[SeenRequest]:
        """Batch deletes (DELETE /v2/{project}/batch-tasks/{id}) as received, throttled and rejected ones too."""
        return [
            r
            for r in self.requests
            if r.kind == RequestKind.BATCH_DELETE.value and (task_id is None or r.task_id == task_id)
        ]

    def seen(self, kind: RequestKind) -> list[SeenRequest]:
        return [r for r in self.requests if r.kind == kind.value]

    def stats(self) -> dict[str, object]:
        """What the gateway counted (admitted, throttled, per second; locked keys) and requests by kind."""
        kinds: dict[str, int] = {}
        for request in self.requests:
            kinds[request.kind] = kinds.get(request.kind, 0) + 1
        return {**self.gateway.stats(), "requests": kinds}

    async def start(self) -> FakeVias:
        self._stopping = asyncio.Event()
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, ssl=self._tls, limit=MAX_HEADER_BYTES, backlog=512
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self._stopping.set()
        if self._server:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def __aenter__(self) -> FakeVias:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                method, target, headers = _parse_head(head)
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                keep = await self._handle(method, target, headers, body, writer)
                if not keep or headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError, asyncio.CancelledError):
            return  # a client went away, or the server is stopping
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        route = parse_route(method, target, headers.get("host", ""), self.store.region)
        self._seq += 1
        rid = f"fake-{self._seq:06d}"  # unique even when answers overlap
        if route.region != self.store.region and route.region not in self.store.regions():
            route = Route(RequestKind.UNKNOWN, route.region, route.path, route.segments, route.query)
        if route.kind is RequestKind.FAKE:  # looking at the fake is not traffic: never recorded
            return await write_answer(writer, self._introspection(route), rid, self._stopping, 0.0)
        task_id, job_id = self._ids(route)  # before acting: a deleted job's batch is still known
        admission = self._admit(route, method, target, headers, body, rid)
        if self.faults.latency:
            await asyncio.sleep(self.faults.latency)  # after the gateway, before the service acts
        answer = admission.answer or self._act(route, method, headers, body, rid)
        authorized = admission.ok and _authorized(route.kind, answer)
        seen = SeenRequest(
            method,
            route.path,
            task_id,
            authorized,
            answer.label,
            time.time(),
            admission.credential,
            kind=route.kind.value,
            region=route.region,
            project_id=route.project_id,
            x_project_id=headers.get("x-project-id"),
            job_id=job_id,
            user=admission.user,
            request_id=rid,
        )
        self.requests.append(seen)
        return await write_answer(writer, answer, rid, self._stopping, self.faults.retry_after)

    def _admit(
        self, route: Route, method: str, target: str, headers: dict[str, str], body: bytes, rid: str
    ) -> Admission:
        """The gateway's verdict; requests that pass no gateway (metadata, IAM login, the fake's own) pass."""
        if route.kind is RequestKind.UNKNOWN:
            return Admission(unknown_api(rid))
        if route.is_vias or route.kind in IAM_AUTHENTICATED:
            return self.gateway.admit(self.store, route, method, target, headers, body, rid)
        return Admission()

    def _act(self, route: Route, method: str, headers: dict[str, str], body: bytes, rid: str) -> Answer:
        kind = route.kind
        if kind is RequestKind.METADATA:
            return self._metadata.answer(self.store, method, route.segments, headers)
        if kind is RequestKind.IAM_LOGIN:
            return login(self.store, body)
        base = f"https://iam.{route.region}.myhuaweicloud.com"
        if kind is RequestKind.IAM_PROJECTS:
            return list_projects(self.store, route.query.get("name"), base)
        if kind is RequestKind.IAM_AUTH_PROJECTS:
            return auth_projects(self.store, base)
        return handle(Call(self.store, self.faults, self.counters, route, rid))

    def _introspection(self, route: Route) -> Answer:
        if route.segments == ("_fake", "requests"):
            return reply(200, [asdict(r) for r in self.requests])
        if route.segments == ("_fake", "stats"):
            return reply(200, self.stats())
        return unknown_api("fake")

    def _ids(self, route: Route) -> tuple[str | None, str | None]:
        if not route.kind.value.startswith("job_"):
            return route.target_id, None
        project = self.store.project(route.project_id or "")
        batch = project.job_index.get(route.target_id or "") if project else None
        return batch, route.target_id


def _authorized(kind: RequestKind, answer: Answer) -> bool:
    """Whether the credentials were accepted: by the gateway, or by the service itself (IAM login, metadata)."""
    if kind is RequestKind.IAM_LOGIN:
        return answer.status == 201
    if kind is RequestKind.METADATA:
        return answer.status != 401
    return answer.status != 401 or answer.fault is not None


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return method, target, headers


__all__ = ["FAULTS", "JOB_STATES", "FakeStore", "FakeVias", "FaultPlan", "SeenRequest"]
