"""A real HTTP/1.1 fake VIAS (and IAM) on loopback, with switches for latency and faults.

Plain asyncio streams, keep-alive, TCP_NODELAY. Used by the demo, the tests and the benchmarks.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tui_app.domain.models import JOB_STATES
from tui_app.fake.faults import FAULTS, FaultPlan
from tui_app.fake.store import FakeStore
from tui_app.fake.verifier import verify_request

MAX_HEADER_BYTES = 65_536
_CREDENTIAL: contextvars.ContextVar[str] = contextvars.ContextVar(
    "credential", default=""
)  # per connection task  # tokens are up to 32,768 characters


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    task_id: str | None
    authorized: bool
    answer: str  # the HTTP status sent, or the fault that replaced it
    at: float
    credential: str = ""  # "token", "ak:<AK>" (the access key that signed), or "" (none that was accepted)


class FakeVias:
    def __init__(
        self,
        store: FakeStore | None = None,
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the fake server listens on loopback only")
        self.store = store or FakeStore()
        self.faults = faults or FaultPlan()
        self.host, self.port, self._tls = host, port, tls
        self.requests: list[SeenRequest] = []
        self._attempts: dict[str, int] = {}
        self._deletes = 0
        self._server: asyncio.Server | None = None
        self._stopping: asyncio.Event | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._metadata_sessions: set[str] = set()

    @property
    def url(self) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def deletes_seen(self, task_id: str | None = None) -> list[SeenRequest]:
        return [r for r in self.requests if r.method == "DELETE" and (task_id is None or r.task_id == task_id)]

    async def start(self) -> FakeVias:
        self._stopping = asyncio.Event()
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, ssl=self._tls, limit=MAX_HEADER_BYTES, backlog=512
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._stopping:
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

    # --- routing ---------------------------------------------------------------------------------

    async def _handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        parts = urlsplit(target)
        segments = [unquote(s) for s in parts.path.split("/") if s]
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        authorized = self._authorized(method, target, headers, body)
        if self.faults.latency:
            await asyncio.sleep(self.faults.latency)
        if segments[:2] in (["meta-data", "latest"], ["openstack", "latest"]):
            return await self._metadata(writer, method, segments, headers)

        if segments == ["_fake", "requests"]:
            data = [r.__dict__ for r in self.requests]
            return await self._reply(writer, 200, data)
        if method == "POST" and segments == ["v3", "auth", "tokens"]:
            return await self._iam_login(writer, body)
        if method == "GET" and segments == ["v3", "projects"]:
            if not authorized:
                return await self._reply(writer, 401, _apig("APIG.0301", "Incorrect IAM authentication information"))
            name = query.get("name", "")
            return await self._reply(writer, 200, {"projects": [{"id": self.store.project_id, "name": name}]})
        if len(segments) >= 3 and segments[0] == "v2" and segments[2] == "batch-tasks":
            if method == "DELETE" and len(segments) == 4:
                return await self._delete(writer, segments[1], segments[3], authorized)
            if method == "GET" and len(segments) == 3:
                return await self._list(writer, segments[1], query, authorized, target)
        self._log(method, target, None, authorized, "404")
        return await self._reply(writer, 404, _apig("APIG.0101", "The API does not exist or has not been published"))

    def _authorized(self, method: str, target: str, headers: dict[str, str], body: bytes) -> bool:
        """A known token, or a valid SDK-HMAC-SHA256 signature by known (and unexpired) access keys."""
        _CREDENTIAL.set("")
        if headers.get("x-auth-token", "") in self.store.tokens:
            _CREDENTIAL.set("token")
            return True
        if "authorization" not in headers:
            return False
        now = datetime.now(timezone.utc)

        def keys(ak: str) -> tuple[str, str | None] | None:
            found = self.store.access_keys.get(ak)
            if found is None or (found[2] is not None and found[2] <= now):
                return None  # unknown, or temporary keys past their expiry
            return found[0], found[1]

        verdict = verify_request(method, target, headers, body, keys, now)
        if verdict.ok:
            _CREDENTIAL.set(f"ak:{verdict.ak}")
        return verdict.ok

    async def _metadata(
        self, writer: asyncio.StreamWriter, method: str, segments: list[str], headers: dict[str, str]
    ) -> bool:
        """The ECS metadata service: a session token, temporary keys for the agency, the VM's project."""
        path = "/" + "/".join(segments)
        store = self.store
        if method == "PUT" and segments == ["meta-data", "latest", "api", "token"]:
            if not store.metadata_session_tokens:
                self._log(method, path, None, True, "404")
                return await self._raw(writer, 404, b"", "text/plain")
            session = "mdtoken-" + secrets.token_hex(16)
            self._metadata_sessions.add(session)
            self._log(method, path, None, True, "200")
            return await self._raw(writer, 200, session.encode(), "text/plain")
        if store.metadata_session_tokens and headers.get("x-metadata-token") not in self._metadata_sessions:
            self._log(method, path, None, False, "401")
            return await self._raw(writer, 401, b"missing or invalid X-Metadata-Token", "text/plain")
        if method == "GET" and segments == ["openstack", "latest", "securitykey"]:
            if not store.metadata_agency:
                self._log(method, path, None, True, "401")
                return await self._raw(writer, 401, b"Please configure an agency for this ECS first.", "text/plain")
            ak, sk, token, expires = store.issue_temporary_keys()
            self._log(method, path, None, True, "200")
            credential = {
                "access": ak,
                "secret": sk,
                "securitytoken": token,
                "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            }
            return await self._reply(writer, 200, {"credential": credential})
        if method == "GET" and segments == ["openstack", "latest", "meta_data.json"]:
            self._log(method, path, None, True, "200")
            return await self._reply(writer, 200, {"project_id": store.project_id, "region_id": "cn-north-4"})
        self._log(method, path, None, True, "404")
        return await self._raw(writer, 404, b"", "text/plain")

    async def _delete(self, writer: asyncio.StreamWriter, project: str, task_id: str, authorized: bool) -> bool:
        path = f"/v2/{project}/batch-tasks/{task_id}"
        self._deletes += 1
        attempt = self._attempts[task_id] = self._attempts.get(task_id, 0) + 1
        revoked = self.faults.auth_fail_after is not None and self._deletes > self.faults.auth_fail_after
        if self.faults.revoke_after is not None and self._deletes == self.faults.revoke_after + 1:
            self.store.tokens.clear()  # like a password change or rotated keys: new credentials work again
            self.store.access_keys.clear()
            authorized = False
        if not authorized or revoked:
            if revoked:
                self.store.tokens.clear()  # like a password change: the token stays rejected
                self.store.access_keys.clear()
            self._log("DELETE", path, task_id, False, "401")
            return await self._reply(writer, 401, self._rejection(revoked))
        fault = self.faults.fault_for(task_id, attempt, self._deletes)
        if fault == "drop-after":
            self._act_delete(project, task_id)
        if fault != "ok":
            self._log("DELETE", path, task_id, True, fault)
            return await self._fault(writer, fault)
        status, payload = self._act_delete(project, task_id)
        self._log("DELETE", path, task_id, True, str(status))
        return await self._reply(writer, status, payload)

    def _act_delete(self, project: str, task_id: str) -> tuple[int, dict[str, Any]]:
        task = self.store.tasks.get(task_id) if project == self.store.project_id else None
        if task is None:
            if self.store.not_found_status == 404:
                return 404, {"error_code": "VIAS.00010002", "error_msg": "The object does not exist."}
            return 400, {
                "error_code": "VIAS.00010002",
                "error_msg": "The object does not exist.",
                "detail": f"batch task {task_id} not found in project {project}",
                "params": [task_id],
                "reason": "The batch task ID is not in this project.",
                "advice": "Check the ID, the project and the region.",
            }
        if task.refuse_delete:
            return 400, {
                "error_code": "VIAS.00010001",
                "error_msg": "Invalid parameters.",
                "detail": f"batch task {task_id} has {task.status_info.get('running', 0)} running jobs",
                "params": [task_id],
                "reason": "A batch task with running jobs cannot be deleted.",
                "advice": "Stop the batch task, then delete it.",
            }
        total = task.num_task
        failed = min(task.fail_jobs, total)
        if failed:
            task.status_info = {"failed": failed}
            task.fail_jobs = 0
            errors = [f"job {task_id[:8]}-{n}: release of analysis resources timed out" for n in range(failed)]
        else:
            del self.store.tasks[task_id]
            errors = []
        return 200, {
            "total_count": total,
            "failed_count": failed,
            "succeed_count": total - failed,
            "id": task_id,
            "error_list": errors,
        }

    async def _list(
        self, writer: asyncio.StreamWriter, project: str, query: dict[str, str], authorized: bool, target: str
    ) -> bool:
        if not authorized:
            self._log("GET", target, None, False, "401")
            return await self._reply(writer, 401, _apig("APIG.0307", "The token must be updated."))
        if self.faults.list_fault:
            self._log("GET", target, None, True, self.faults.list_fault)
            return await self._fault(writer, self.faults.list_fault)
        tasks = list(self.store.tasks.values()) if project == self.store.project_id else []
        state = query.get("task_state", "").lower()
        if state:
            tasks = [t for t in tasks if t.status_info.get(state)]
        name_like = query.get("name_like", "").lower()
        if name_like:
            attr = "alg_name" if query.get("type_like") == "publish_service_name" else "name"
            tasks = [t for t in tasks if name_like in getattr(t, attr).lower()]
        for key, attr in (("video_group", "video_group_name"), ("title", "name"), ("manufacturer", "company")):
            if query.get(key):
                tasks = [t for t in tasks if query[key].lower() in getattr(t, attr).lower()]
        sort_key = (lambda t: t.num_task) if query.get("sort_name") == "task_count" else (lambda t: t.created_at_ms)
        tasks.sort(key=sort_key, reverse=query.get("order_by", "desc") != "asc")
        if query.get("is_paged", "true") != "false":
            size = max(5, min(int(query.get("page_size", "10") or 10), 200))
            page = max(1, min(int(query.get("page_num", "1") or 1), 10000))
            shown = tasks[(page - 1) * size : page * size]
        else:
            shown = tasks
        self._log("GET", target, None, True, "200")
        return await self._reply(writer, 200, {"count": len(tasks), "batch_task_list": [t.as_json() for t in shown]})

    async def _iam_login(self, writer: asyncio.StreamWriter, body: bytes) -> bool:
        try:
            auth = json.loads(body)["auth"]
            user = auth["identity"]["password"]["user"]
            key = (user["domain"]["name"], user["name"])
            password = user["password"]
            scope = auth.get("scope", {}).get("project", {})
        except (ValueError, KeyError, TypeError):
            self._log("POST", "/v3/auth/tokens", None, False, "400")
            return await self._reply(writer, 400, {"error": {"code": 400, "message": "The request body is invalid."}})
        if self.store.iam_users.get(key) != password:
            self._log("POST", "/v3/auth/tokens", None, False, "401")
            return await self._reply(
                writer,
                401,
                {"error": {"code": 401, "title": "Unauthorized", "message": "The username or password is wrong."}},
            )
        token, expires = self.store.issue_token()
        self._log("POST", "/v3/auth/tokens", None, True, "201")
        payload = {
            "token": {
                "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "project": {"id": self.store.project_id, "name": scope.get("name", "")},
            }
        }
        return await self._reply(writer, 201, payload, extra={"X-Subject-Token": token})

    # --- answers -----------------------------------------------------------------------------------

    def _rejection(self, revoked: bool) -> dict[str, str]:
        if revoked:
            return _apig("APIG.0307", "The token must be updated.")
        return _apig(
            "APIG.0301", "Incorrect IAM authentication information: the token or the AK/SK signature was not accepted"
        )

    def _log(self, method: str, path: str, task_id: str | None, authorized: bool, answer: str) -> None:
        self.requests.append(SeenRequest(method, path, task_id, authorized, answer, time.time(), _CREDENTIAL.get()))

    async def _fault(self, writer: asyncio.StreamWriter, fault: str) -> bool:
        if fault == "429":
            return await self._reply(
                writer,
                429,
                _apig(
                    "APIG.0308",
                    "The throttling threshold has been reached: policy user over ratelimit, limit:20, time:1 second",
                ),
                extra={"Retry-After": f"{self.faults.retry_after:g}"},
            )
        if fault == "429-bare":
            return await self._reply(
                writer,
                429,
                _apig(
                    "APIG.0308",
                    "The throttling threshold has been reached: policy ip over ratelimit, limit:100, time:1 minute",
                ),
            )
        if fault == "500":
            return await self._reply(
                writer,
                500,
                {
                    "error_code": "VIAS.00010006",
                    "error_msg": "Internal error.",
                    "detail": "database timeout",
                    "reason": "transient",
                    "advice": "Retry later.",
                },
            )
        if fault == "502-html":
            page = (
                "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
                "</center><hr><center>nginx</center></body></html>"
            )
            return await self._raw(writer, 502, page.encode(), "text/html")
        if fault == "503":
            return await self._raw(writer, 503, b"", "text/plain")
        if fault == "401":
            return await self._reply(writer, 401, _apig("APIG.0301", "Incorrect IAM authentication information"))
        if fault == "404":
            return await self._raw(writer, 404, b"", "text/plain")
        if fault == "malformed":
            return await self._raw(writer, 500, b'{"error_code": "VIAS.00010006", "error_msg": ', "application/json")
        if fault == "truncated":
            body = b'{"total_count": 2, "failed_count": 0, "succeed_count": 2, "id": "x'
            return await self._raw(writer, 200, body, "application/json")
        if fault == "empty-200":
            return await self._raw(writer, 200, b"", "application/json")
        if fault == "trickle":
            body = json.dumps({"total_count": 1, "failed_count": 0, "succeed_count": 1, "error_list": []}).encode()
            writer.write(_head(200, len(body), "application/json", {}))
            for i in range(0, len(body), 8):
                writer.write(body[i : i + 8])
                await writer.drain()
                await asyncio.sleep(0.02)
            return True
        if fault in ("drop-before", "drop-after"):
            writer.transport.abort()
            return False
        if fault == "hang":
            assert self._stopping is not None
            await self._stopping.wait()
            return False
        raise ValueError(f"unknown fault {fault!r}")

    async def _reply(
        self, writer: asyncio.StreamWriter, status: int, payload: object, extra: dict[str, str] | None = None
    ) -> bool:
        return await self._raw(writer, status, json.dumps(payload).encode(), "application/json", extra)

    async def _raw(
        self, writer: asyncio.StreamWriter, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None
    ) -> bool:
        headers = {"X-Request-Id": f"fake-{len(self.requests):06d}", **(extra or {})}
        writer.write(_head(status, len(body), ctype, headers) + body)
        await writer.drain()
        return True


def _apig(code: str, message: str) -> dict[str, str]:
    return {"error_code": code, "error_msg": message, "request_id": f"apig-{code.lower()}"}


def _head(status: int, length: int, ctype: str, headers: dict[str, str]) -> bytes:
    reason = HTTPStatus(status).phrase
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}", f"Content-Length: {length}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


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
