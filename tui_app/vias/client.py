"""Async VIAS client: the only place that builds URLs and reads response bodies.

Callers get `DeleteResult`, `BatchTaskPage` or `ApiError`; no httpx exception or response escapes. Every answer
is bounded (1 MiB decoded, one deadline for the whole attempt) and scrubbed of the credentials (and the proxy's
password) before anyone else sees it. An answer whose status and headers arrived is an answer, however its body
ends; a request whose bytes were never written is never taken for delivered.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx

from tui_app.domain.errors import FIELD_LIMIT, RAW_BODY_LIMIT, ApiError
from tui_app.domain.identifiers import is_plain_id, is_project_id
from tui_app.domain.models import (
    BatchTask,
    BatchTaskPage,
    DeleteResult,
    JobDeleteResult,
    JobPage,
    StopResult,
    epoch_to_datetime,
)
from tui_app.i18n import _
from tui_app.vias import jobs, wire
from tui_app.vias.auth import RequestAuth
from tui_app.vias.endpoints import Endpoint
from tui_app.vias.http import DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, HttpSettings
from tui_app.vias.proxy import ProxySettings
from tui_app.vias.signer import canonical_url
from tui_app.vias.transport import PROGRESS, RawPoolTransport, SendProgress, deadline

T = TypeVar("T")


class InvalidIdentifier(ValueError):
    """Raised before any network I/O when a task or project ID is not a plain token."""


@dataclass(frozen=True)
class ListFilters:
    task_state: str | None = None
    type_like: str | None = None  # batch_task_name | publish_service_name
    name_like: str | None = None
    video_group: str | None = None
    manufacturer: str | None = None
    title: str | None = None
    order_by: str | None = None  # asc | desc
    sort_name: str | None = None  # task_count | created_at

    def params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as it arrived (body bounded and decoded), for the callers in this package that read their own
    kinds of answers (jobs.py)."""

    status: int
    headers: httpx.Headers
    body: wire.Body


class ViasClient:
    """`http` (one HttpSettings for the whole tool) or the separate keywords: with `http`, `timeout`,
    `connect_timeout`, `tls`, `max_connections` and `proxy` are not used. Without either, proxies come from the
    environment (HTTPS_PROXY, NO_PROXY, ...); ProxyConfigError (an OperatorError) when that one is unusable.
    `transport` replaces the whole stack (tests)."""

    def __init__(
        self,
        endpoint: Endpoint,
        project_id: str,
        auth: RequestAuth,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        tls: ssl.SSLContext | None = None,
        max_connections: int = 64,
        transport: httpx.AsyncBaseTransport | None = None,
        proxy: ProxySettings | None = None,
        http: HttpSettings | None = None,
    ) -> None:
        if not is_project_id(project_id):
            raise InvalidIdentifier(_("project ID must be letters, digits, '-' or '_' (4-64 characters)"))
        if http is None:
            http = HttpSettings(
                timeout=timeout,
                connect_timeout=connect_timeout,
                tls=tls,
                max_connections=max_connections,
                proxy=proxy if proxy is not None else ProxySettings.resolve(),
            )
        self.endpoint = endpoint
        self.project_id = project_id
        self.http = http
        self._auth = auth
        self._scrub = http.scrubber(auth.secrets())  # the credentials and the proxy's password
        self._auth_version = auth.version
        self._timeout = http.timeout  # the whole attempt: connect, send, headers and body
        # Requests go straight to our transport as httpx Requests (see transport.py): httpx.AsyncClient's own
        # layers (cookies, redirects, auth flows, URL merging) cost more CPU per delete than the transport itself,
        # and the client wants none of them: no cookies, no redirects (they could carry the credentials away).
        self._transport = transport or http.transport()
        self._headers = {
            "User-Agent": wire.USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": wire.ACCEPT_ENCODING,
        }
        # httpx normalises a URL once (dot segments, default ports); every request URL then starts with this, so
        # the URL signed is the URL sent. The Host header is what httpx would send for it. AK/SK signatures cover
        # X-Project-Id too (the SDK always sends it; a subproject's calls fail without it); a token needs neither.
        base = httpx.URL(endpoint.base_url)
        self._base_url = str(base).rstrip("/")
        self._signed = {"host": base.netloc.decode("ascii"), "X-Project-Id": project_id}
        # One deadline bounds each whole attempt (see _send): the transport times only the connect, so that a
        # refused connect is told apart (never delivered) and no per-read timers are set up.
        self._timeouts = {"connect": http.connect_limit, "read": None, "write": None, "pool": None}

    def __repr__(self) -> str:
        return f"ViasClient({self.endpoint.label}, project={self.project_id}, {self._auth.describe()})"

    @property
    def auth(self) -> RequestAuth:
        return self._auth

    def set_auth(self, auth: RequestAuth) -> None:
        """Swap the credentials (after the operator supplies new ones mid-run)."""
        self._auth = auth
        self._learn_secrets()

    def _learn_secrets(self) -> None:
        for value in self._auth.secrets():
            self._scrub.add(value)
        self._auth_version = self._auth.version

    async def __aenter__(self) -> ViasClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    def collection_path(self) -> str:
        return f"/v2/{self.project_id}/batch-tasks"

    def delete_path(self, task_id: str) -> str:
        return self.delete_path_for(self.project_id, task_id)

    @staticmethod
    def delete_path_for(project_id: str, task_id: str) -> str:
        """The one place a delete path is built; both parts are checked again here."""
        if not is_plain_id(task_id) or not is_project_id(project_id):
            raise InvalidIdentifier(_("refusing to build a URL from an ID that is not a plain token"))
        return f"/v2/{project_id}/batch-tasks/{task_id}"

    async def delete_batch_task(self, task_id: str) -> DeleteResult | ApiError:
        answer = await self.send("DELETE", self.delete_path(task_id))
        if isinstance(answer, ApiError):
            return answer
        status, headers, body = answer.status, answer.headers, answer.body
        if 200 < status < 300:  # success of a kind the contract does not describe: the task may or may not be gone
            undocumented = _("HTTP {status} is not the documented answer (200 with counts)").format(status=status)
            return self._unreadable(task_id, status, wire.request_id(headers, None), body.text(), undocumented)
        if status != 200:
            return wire.scrubbed(wire.error_from(status, headers, body), self._scrub)
        text = body.text()
        problem = body.problem()
        parsed = wire.json_object(text) if problem is None else None
        if parsed is None:
            why = problem or _("the body was not the documented JSON")
            return self._unreadable(task_id, status, wire.request_id(headers, None), text, why)
        request_id = wire.request_id(headers, parsed)
        total, succeeded, failed = (_int(parsed.get(k)) for k in ("total_count", "succeed_count", "failed_count"))
        if any(n is not None and n < 0 for n in (total, succeeded, failed)):  # a body that lies says nothing
            return self._unreadable(task_id, status, request_id, text, _("the body's counts are negative"))
        errors = parsed.get("error_list")
        return DeleteResult(
            task_id,
            status,
            total_count=total,
            succeed_count=succeeded,
            failed_count=failed,
            error_list=tuple(self._scrub(wire.cut(str(e), FIELD_LIMIT)) for e in errors[:1000] if e is not None)
            if isinstance(errors, list)
            else (),
            request_id=self._clean(request_id),
        )

    def _unreadable(self, task_id: str, status: int, request_id: str | None, text: str, problem: str) -> DeleteResult:
        """A 2xx whose meaning cannot be read: kept (scrubbed, cut) with why, for an `unknown` outcome."""
        clean = self._clean
        return DeleteResult(
            task_id,
            status,
            request_id=clean(request_id),
            body_ok=False,
            raw_body=clean(wire.cut(text, RAW_BODY_LIMIT)),
            problem=problem,
        )

    def _clean(self, text: str | None) -> str | None:
        """What the server sent, without any secret in it."""
        return self._scrub(text) if text else text

    def scrubbed(self, value: T) -> T:
        """A copy of an answer (ApiError, a result) with every secret removed from its texts."""
        return wire.scrubbed(value, self._scrub)

    def clean_text(self, value: object) -> str:
        """A text field of an answer: cut to size, without any secret."""
        return self._scrub(wire.text_field(value) or "")

    def listable(self, value: object) -> bool:
        """An ID from a list answer is used only when it is a plain token and carries no secret."""
        return self._listable(value)

    # --- stop a batch, and the jobs a partial delete leaves (jobs.py reads these answers) ---

    async def stop_batch_task(self, task_id: str) -> StopResult | ApiError:
        return await jobs.stop_batch_task(self, task_id)

    async def list_jobs(self, batch_id: str, page: int, page_size: int = jobs.PAGE_SIZE) -> JobPage | ApiError:
        return await jobs.list_jobs(self, batch_id, page, page_size)

    async def delete_job(self, job_id: str) -> JobDeleteResult | ApiError:
        return await jobs.delete_job(self, job_id)

    async def list_batch_tasks(
        self, page_num: int = 1, page_size: int = 100, filters: ListFilters | None = None
    ) -> BatchTaskPage | ApiError:
        params = {
            "is_paged": "true",
            "page_num": str(max(1, min(page_num, 10000))),
            "page_size": str(max(5, min(page_size, 200))),
        }
        params.update((filters or ListFilters()).params())
        answer = await self.send("GET", self.collection_path(), params=params)
        if isinstance(answer, ApiError):
            return answer
        status, headers, body = answer.status, answer.headers, answer.body
        if status != 200:
            return wire.scrubbed(wire.error_from(status, headers, body), self._scrub)
        problem = body.problem()
        parsed = wire.json_object(body.text()) if problem is None else None
        if parsed is None:
            return wire.scrubbed(
                ApiError(
                    status,
                    message=_("the task list was unreadable: {problem}").format(problem=problem)
                    if problem
                    else _("the task list was unreadable: not the documented JSON"),
                    raw_body=wire.cut(body.text(), RAW_BODY_LIMIT),
                    request_id=wire.request_id(headers, None),
                ),
                self._scrub,
            )
        items = parsed.get("batch_task_list") or []
        tasks = (
            [self._batch_task(item) for item in items if isinstance(item, dict) and self._listable(item.get("id"))]
            if isinstance(items, list)
            else []
        )
        return BatchTaskPage(_int(parsed.get("count")) or 0, tasks, wire.request_id(headers, parsed))

    async def connect_ahead(self) -> ApiError | None:
        """Open one connection to the endpoint (through the proxy, tunnel and TLS included) and keep it for the first
        request, before anything is sent: None when it worked, else why not (never delivered: a wrong endpoint, an
        untrusted certificate, an unreachable proxy, a 407 ...)."""
        if not isinstance(self._transport, RawPoolTransport):
            return None  # a stand-in transport (tests) has nothing to open
        try:
            await self._transport.connect_ahead(self._base_url, timeout=self.http.connect_limit)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return wire.scrubbed(wire.transport_error(exc, written=False), self._scrub)
        return None

    async def send(self, method: str, path: str, params: dict[str, str] | None = None) -> Answer | ApiError:
        """One attempt under one deadline. Once the status and headers have arrived the service has answered: a body
        cut short (a reset, an early close, the deadline) is kept as far as it came, with why, never made "no
        answer". Before that, whether the request was written decides whether it may have been delivered."""
        url = self._base_url + path
        if params:  # the query goes on the wire in the signer's canonical form (as the SDK sends it)
            url = canonical_url(f"{url}?{urlencode(params)}")
        progress = SendProgress()
        response: httpx.Response | None = None
        decoder: wire.BoundedDecoder | None = None
        cut: str | None = None
        try:
            async with deadline(self._timeout):  # the whole attempt: connect, send, headers and body
                response = await self._exchange(method, url, progress)
                decoder = wire.BoundedDecoder(response.headers.get("Content-Encoding"))
                await wire.read_into(response, decoder)  # stops at the limit, closing the connection
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if response is None or decoder is None:
                return wire.scrubbed(wire.transport_error(exc, written=progress.written), self._scrub)
            cut = wire.body_cut(exc, self._timeout)
        finally:
            if response is not None:
                await response.aclose()
        return Answer(response.status_code, response.headers, decoder.body(cut))

    async def _exchange(self, method: str, url: str, progress: SendProgress) -> httpx.Response:
        auth = self._auth
        headers = {**self._headers, **await auth.headers_for(method, url, b"", self._signed)}
        if auth.version != self._auth_version:  # refreshed keys: scrub the new ones too
            self._learn_secrets()
        extensions = {"timeout": self._timeouts, PROGRESS: progress}
        request = httpx.Request(method, url, headers=headers, extensions=extensions)
        return await self._transport.handle_async_request(request)

    def _listable(self, value: object) -> bool:
        """A listed task is shown only with a plain ID that carries no secret (an echoing server's ID would)."""
        text = str(value)
        return is_plain_id(text) and self._scrub(text) == text

    def _batch_task(self, item: dict[str, Any]) -> BatchTask:
        info = item.get("batch_task_status_info")
        status: dict[str, int] = {}
        if isinstance(info, dict):
            for key, value in list(info.items())[:MAX_JOB_STATES]:  # states are a handful; the keys are text
                if n := _int(value):
                    status[self._task_text(key).lower()] = n
        text = self._task_text
        return BatchTask(
            id=str(item["id"]),
            name=text(item.get("batch_task_name")),
            video_source_name=text(item.get("video_source_name")),
            video_group_name=text(item.get("video_group_name")),
            alg_name=text(item.get("alg_name")),
            company=text(item.get("company")),
            type=text(item.get("type")),
            num_task=_int(item.get("num_task")) or 0,
            created_at=epoch_to_datetime(item.get("created_at")),
            status_info=status,
        )

    def _task_text(self, value: object) -> str:
        return self._scrub(wire.text_field(value) or "")


MAX_JOB_STATES = 32
_MAX_COUNT = 2**53  # counts beyond what a float holds exactly are nonsense, and would overflow arithmetic


def count(value: object) -> int | None:
    """A count from an answer: an int (or digits) of sane size; None for anything else."""
    return _int(value)


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -_MAX_COUNT <= value <= _MAX_COUNT else None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
        return int(value)
    return None


__all__ = ["Answer", "InvalidIdentifier", "ListFilters", "ViasClient", "count"]
