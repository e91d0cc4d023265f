"""The calls that finish a cleanup: stop a batch, list the jobs a batch still has, delete one job (API page: "Stop
a batch task, and the jobs a batch leaves behind"; the official Java SDK's ViasMeta.java).

    PUT    /v2/{project_id}/batch-tasks/{id}/action/stop   200 {total_count, succeed_count, failed_count, error_list}
    GET    /v2/{project_id}/tasks?batch_id=&page=&page_size=   200 {count, tasks: [{id, name, state, ...}], ...}
    DELETE /v2/{project_id}/tasks/{task_id}   200

Like every answer the client reads: bounded, scrubbed of the credentials, typed (a result or an ApiError). Job IDs
from a list are path segments: one that is not a plain token is dropped, never sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_app.domain.errors import FIELD_LIMIT, RAW_BODY_LIMIT, ApiError
from tui_app.domain.identifiers import is_plain_id
from tui_app.domain.models import Job, JobDeleteResult, JobPage, StopResult
from tui_app.i18n import _
from tui_app.vias import wire

if TYPE_CHECKING:
    from tui_app.vias.client import ViasClient

PAGE_SIZE = 100  # jobs per page (the API allows more; a partial batch keeps few)
MAX_ERRORS = 1000


def stop_path(project_id: str, task_id: str) -> str:
    _check(task_id)
    return f"/v2/{project_id}/batch-tasks/{task_id}/action/stop"


def job_path(project_id: str, job_id: str) -> str:
    _check(job_id)
    return f"/v2/{project_id}/tasks/{job_id}"


def _check(identifier: str) -> None:
    from tui_app.vias.client import InvalidIdentifier

    if not is_plain_id(identifier):
        raise InvalidIdentifier(_("refusing to build a URL from an ID that is not a plain token"))


async def stop_batch_task(client: ViasClient, task_id: str) -> StopResult | ApiError:
    answer = await client.send("PUT", stop_path(client.project_id, task_id))
    if isinstance(answer, ApiError):
        return answer
    if not 200 <= answer.status < 300:
        return client.scrubbed(wire.error_from(answer.status, answer.headers, answer.body))
    parsed = wire.json_object(answer.body.text()) if answer.body.problem() is None else None
    request_id = client.clean_text(wire.request_id(answer.headers, parsed)) or None
    if parsed is None:  # answered 2xx: the stop went through, whatever its body says
        return StopResult(task_id, answer.status, request_id=request_id, body_ok=False)
    from tui_app.vias.client import count

    errors = parsed.get("error_list")
    return StopResult(
        task_id,
        answer.status,
        total_count=count(parsed.get("total_count")),
        succeed_count=count(parsed.get("succeed_count")),
        failed_count=count(parsed.get("failed_count")),
        error_list=tuple(client.clean_text(wire.cut(str(e), FIELD_LIMIT)) for e in errors[:MAX_ERRORS])
        if isinstance(errors, list)
        else (),
        request_id=request_id,
    )


async def list_jobs(client: ViasClient, batch_id: str, page: int, page_size: int = PAGE_SIZE) -> JobPage | ApiError:
    """One page of the batch's jobs. The SDK calls `page` an offset and documents it from 0; the caller pages until
    a short page, so either numbering ends."""
    _check(batch_id)
    params = {"batch_id": batch_id, "page": str(max(0, page)), "page_size": str(max(1, min(page_size, 1000)))}
    answer = await client.send("GET", f"/v2/{client.project_id}/tasks", params=params)
    if isinstance(answer, ApiError):
        return answer
    if answer.status != 200:
        return client.scrubbed(wire.error_from(answer.status, answer.headers, answer.body))
    problem = answer.body.problem()
    parsed = wire.json_object(answer.body.text()) if problem is None else None
    if parsed is None:
        error = ApiError(
            answer.status,
            message=_("the jobs list was unreadable: {problem}").format(problem=problem)
            if problem
            else _("the jobs list was unreadable: not the documented JSON"),
            raw_body=wire.cut(answer.body.text(), RAW_BODY_LIMIT),
            request_id=wire.request_id(answer.headers, None),
        )
        return client.scrubbed(error)
    from tui_app.vias.client import count

    items = parsed.get("tasks")
    found = [
        Job(str(item["id"]), client.clean_text(item.get("name")), client.clean_text(item.get("state")).lower())
        for item in (items if isinstance(items, list) else [])[:page_size]
        if isinstance(item, dict) and client.listable(item.get("id"))
    ]
    return JobPage(
        count(parsed.get("count")), found, client.clean_text(wire.request_id(answer.headers, parsed)) or None
    )


async def delete_job(client: ViasClient, job_id: str) -> JobDeleteResult | ApiError:
    answer = await client.send("DELETE", job_path(client.project_id, job_id))
    if isinstance(answer, ApiError):
        return answer
    if not 200 <= answer.status < 300:
        return client.scrubbed(wire.error_from(answer.status, answer.headers, answer.body))
    request_id = client.clean_text(wire.request_id(answer.headers, None)) or None
    return JobDeleteResult(job_id, answer.status, request_id, body_ok=answer.status == 200)


__all__ = ["PAGE_SIZE", "delete_job", "job_path", "list_jobs", "stop_batch_task", "stop_path"]
