"""Async VIAS client: the only place that builds URLs and reads response bodies.

Callers get `DeleteResult`, `BatchTaskPage` or `ApiError`; no httpx exception or response escapes.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from time import time
from typing import Any

import httpx

from tui_app import __version__
from tui_app.ids import is_plain_id
from tui_app.secret import Token
from tui_app.vias import errors as E
from tui_app.vias.endpoints import Endpoint
from tui_app.vias.models import BatchTask, BatchTaskPage, DeleteResult, epoch_to_datetime

USER_AGENT = f"vias-tui/{__version__}"
DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0
_DNS_MARKERS = ("name or service not known", "nodename nor servname", "getaddrinfo", "name resolution",
                "no address associated")


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


class ViasClient:
    def __init__(
        self,
        endpoint: Endpoint,
        project_id: str,
        token: Token,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        ca_bundle: str | None = None,
        max_connections: int = 32,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not is_project_id(project_id):
            raise InvalidIdentifier("project ID must be letters, digits, '-' or '_' (4-64 characters)")
        self.endpoint = endpoint
        self.project_id = project_id
        self._token = token
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else True
        self._http = httpx.AsyncClient(
            base_url=endpoint.base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            verify=verify,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            follow_redirects=False,  # a redirect could carry the token to another host
            transport=transport,
            trust_env=False,  # no proxy or netrc surprises; the endpoint is what the operator named
        )

    def __repr__(self) -> str:
        return f"ViasClient({self.endpoint.label}, project={self.project_id}, token={self._token.masked()})"

    @property
    def token(self) -> Token:
        return self._token

    def set_token(self, token: Token) -> None:
        """Swap the token (after the operator supplies a new one mid-run)."""
        self._token = token

    async def __aenter__(self) -> ViasClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def collection_path(self) -> str:
        return f"/v2/{self.project_id}/batch-tasks"

    def delete_path(self, task_id: str) -> str:
        return self.delete_path_for(self.project_id, task_id)

    @staticmethod
    def delete_path_for(project_id: str, task_id: str) -> str:
        """The one place a delete path is built; both parts are checked again here."""
        if not is_plain_id(task_id) or not is_project_id(project_id):
            raise InvalidIdentifier("refusing to build a URL from an ID that is not a plain token")
        return f"/v2/{project_id}/batch-tasks/{task_id}"

    def delete_url(self, task_id: str) -> str:
        return self.endpoint.base_url + self.delete_path(task_id)

    async def delete_batch_task(self, task_id: str) -> DeleteResult | ApiError:
        path = self.delete_path(task_id)
        response = await self._send("DELETE", path)
        if isinstance(response, E.ApiError):
            return response
        status, headers, text = response
        if status != 200:
            return _error_from(status, headers, text)
        body = _json_object(text)
        request_id = _request_id(headers, body)
        if body is None:
            return DeleteResult(task_id, status, request_id=request_id, body_ok=False, raw_body=_cut(text))
        return DeleteResult(
            task_id,
            status,
            total_count=_int(body.get("total_count")),
            succeed_count=_int(body.get("succeed_count")),
            failed_count=_int(body.get("failed_count")),
            error_list=[str(e) for e in (body.get("error_list") or []) if e is not None]
            if isinstance(body.get("error_list"), list) else [],
            request_id=request_id,
        )

    async def list_batch_tasks(
        self, page_num: int = 1, page_size: int = 100, filters: ListFilters | None = None
    ) -> BatchTaskPage | ApiError:
        params = {"is_paged": "true", "page_num": str(max(1, min(page_num, 10000))),
                  "page_size": str(max(5, min(page_size, 200)))}
        params.update((filters or ListFilters()).params())
        response = await self._send("GET", self.collection_path(), params=params)
        if isinstance(response, E.ApiError):
            return response
        status, headers, text = response
        if status != 200:
            return _error_from(status, headers, text)
        body = _json_object(text)
        if body is None:
            return E.ApiError(status, message="the task list was not the documented JSON",
                              raw_body=_cut(text), request_id=_request_id(headers, None))
        items = body.get("batch_task_list") or []
        tasks = [_batch_task(item) for item in items if isinstance(item, dict) and is_plain_id(str(item.get("id")))]
        return BatchTaskPage(_int(body.get("count")) or 0, tasks, _request_id(headers, body))

    async def _send(
        self, method: str, path: str, params: dict[str, str] | None = None
    ) -> tuple[int, httpx.Headers, str] | ApiError:
        try:
            response = await self._http.request(
                method, path, params=params, headers={"X-Auth-Token": self._token.reveal()}
            )
            return response.status_code, response.headers, response.text
        except httpx.HTTPError as exc:
            return _transport_error(exc)
        except (ssl.SSLError, OSError) as exc:  # defensive: transports may raise these directly
            return E.ApiError(None, message=type(exc).__name__, transport=E.CONNECT, delivered=False)
        except Exception as exc:
            # Anything else from inside httpx must not escape: its frames hold the request headers, and a
            # traceback printed with locals would show the token. Record it as "no answer known".
            return E.ApiError(None, message=f"unexpected {type(exc).__name__} while sending", transport=E.PROTOCOL)


def is_project_id(value: str) -> bool:
    return 4 <= len(value) <= 64 and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in value)


def _transport_error(exc: httpx.HTTPError) -> E.ApiError:
    text = str(exc)[:200] or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return E.ApiError(None, message=text, transport=E.CONNECT_TIMEOUT, delivered=False)
    if isinstance(exc, httpx.PoolTimeout):
        return E.ApiError(None, message=text, transport=E.CONNECT_TIMEOUT, delivered=False)
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if _caused_by(exc, ssl.SSLError) or "certificate" in lowered or "ssl" in lowered:
            kind = E.TLS
        elif any(marker in lowered for marker in _DNS_MARKERS):
            kind = E.DNS
        else:
            kind = E.CONNECT
        return E.ApiError(None, message=text, transport=kind, delivered=False)
    if isinstance(exc, httpx.TimeoutException):
        return E.ApiError(None, message=text, transport=E.TIMEOUT)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return E.ApiError(None, message=text, transport=E.DROPPED)
    return E.ApiError(None, message=text, transport=E.PROTOCOL)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _error_from(status: int, headers: httpx.Headers, text: str) -> E.ApiError:
    body = _json_object(text)
    fields: dict[str, Any] = body or {}
    nested = fields.get("error")
    if isinstance(nested, dict) and "error_code" not in fields:
        # some gateways wrap the error: {"error": {"code": ..., "message": ...}}
        fields = {**fields, "error_code": nested.get("code"), "error_msg": nested.get("message")}
    params = fields.get("params")
    return E.ApiError(
        http_status=status,
        code=_str(fields.get("error_code")),
        message=_str(fields.get("error_msg")),
        detail=_str(fields.get("detail")),
        params=[str(p) for p in params if p is not None] if isinstance(params, list) else [],
        reason=_str(fields.get("reason")),
        advice=_str(fields.get("advice")),
        request_id=_request_id(headers, body),
        raw_body=None if body is not None else _cut(text),
        retry_after=_retry_after(headers.get("Retry-After")),
    )


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _request_id(headers: httpx.Headers, body: dict[str, Any] | None) -> str | None:
    return _str(headers.get("X-Request-Id")) or _str((body or {}).get("request_id"))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, 3600.0))


def _cut(text: str) -> str:
    return text if len(text) <= E.RAW_BODY_LIMIT else text[: E.RAW_BODY_LIMIT] + f"… ({len(text):,} chars in all)"


def _str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _batch_task(item: dict[str, Any]) -> BatchTask:
    info = item.get("batch_task_status_info")
    status = {str(k).lower(): n for k, v in info.items() if (n := _int(v))} if isinstance(info, dict) else {}
    return BatchTask(
        id=str(item["id"]),
        name=_str(item.get("batch_task_name")) or "",
        video_source_name=_str(item.get("video_source_name")) or "",
        video_group_name=_str(item.get("video_group_name")) or "",
        alg_name=_str(item.get("alg_name")) or "",
        company=_str(item.get("company")) or "",
        type=_str(item.get("type")) or "",
        num_task=_int(item.get("num_task")) or 0,
        created_at=epoch_to_datetime(item.get("created_at")),
        status_info=status,
    )


ApiError = E.ApiError
