"""The VIAS API itself, behind the gateway: batch list, delete, stop/start; job list, show, delete, stop/start.

Shapes follow the official SDK (huaweicloud-sdk-java-v3 services/vias: ViasMeta, DeleteBatchTaskResponse,
BatchStartStopTaskResponse, ListTasksResponse, TaskInfo, ShowTaskInfoResponse). Where it is silent (*assumed*,
and in docs/fake.md): a job delete answers 200 `{"id": job_id}` and a job stop/start 200 `{"id", "state"}` (the
SDK types those bodies as a bare Object); an unknown job is 400 VIAS.00010007 (404 with not_found_status=404);
an unknown batch in a job listing's `batch_id` lists nothing; a bad number in a query is 400 VIAS.00010001.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tui_app.fake.answers import Answer, apig, fault, reply, vias_error
from tui_app.fake.faults import FaultPlan
from tui_app.fake.gateway import MUST_UPDATE
from tui_app.fake.jobs import FakeJob, JobCount, JobPaging, JobState, state_text
from tui_app.fake.lifecycle import (
    Refused,
    act_on_batch,
    delete_batch,
    delete_job,
    find_job,
    jobs_of,
    settle_project,
    start_job,
    stop_job,
    sync_counts,
    task_detail,
    task_info,
)
from tui_app.fake.routes import RequestKind, Route
from tui_app.fake.store import FakeProject, FakeStore, FakeTask


@dataclass
class Counters:
    deletes: int = 0  # batch deletes that reached VIAS (FaultPlan.every and the auth faults count these)
    attempts: dict[tuple[str, str], int] = field(default_factory=dict)  # (what, id) -> attempts so far

    def bump(self, what: str, key: str) -> int:
        self.attempts[(what, key)] = self.attempts.get((what, key), 0) + 1
        return self.attempts[(what, key)]


@dataclass(slots=True)
class Call:
    store: FakeStore
    faults: FaultPlan
    counters: Counters
    route: Route
    request_id: str
    now: float = field(default_factory=time.monotonic)

    @property
    def project(self) -> FakeProject | None:
        return self.store.project(self.route.project_id or "")


class BadQuery(ValueError):
    pass


def handle(call: Call) -> Answer:
    kind = call.route.kind
    try:
        if kind is RequestKind.BATCH_DELETE:
            return batch_delete(call)
        if kind is RequestKind.BATCH_LIST:
            return batch_list(call)
        if kind in (RequestKind.BATCH_STOP, RequestKind.BATCH_START, RequestKind.BATCH_ACTION):
            return batch_action(call)
        if kind is RequestKind.JOB_LIST:
            return job_list(call)
        if kind is RequestKind.JOB_DELETE:
            return job_delete(call)
        return job_show_or_act(call)
    except BadQuery as problem:
        return _invalid(str(problem), "")


# --- batches ------------------------------------------------------------------------------------------------


def batch_delete(call: Call) -> Answer:
    store, faults, counters, task_id = call.store, call.faults, call.counters, call.route.target_id or ""
    counters.deletes += 1
    attempt = counters.bump("delete", task_id)
    revoked = faults.auth_fail_after is not None and counters.deletes > faults.auth_fail_after
    if revoked or (faults.revoke_after is not None and counters.deletes == faults.revoke_after + 1):
        store.revoke_credentials()  # auth_fail_after: stays rejected; revoke_after: new credentials work again
        if revoked:
            return apig(401, "APIG.0307", MUST_UPDATE, call.request_id)
        return apig(401, "APIG.0301", "Incorrect IAM authentication information: credentials revoked", call.request_id)
    name = faults.fault_for(task_id, attempt, counters.deletes)
    if name == "drop-after":
        _delete_batch_now(call, task_id)
    return fault(name) if name != "ok" else _delete_batch_now(call, task_id)


def _delete_batch_now(call: Call, task_id: str) -> Answer:
    project = call.project
    task = project.tasks.get(task_id) if project else None
    if project is None or task is None:
        return _batch_not_found(call, task_id)
    try:
        total, errors = delete_batch(call.store, project, task, call.now)
    except Refused as refused:
        return _refusal(refused, task_id)
    failed = len(errors)
    counts = {"total_count": total, "failed_count": failed, "succeed_count": total - failed}
    return reply(200, {**counts, "id": task_id, "error_list": errors})


def batch_list(call: Call) -> Answer:
    if call.faults.list_fault:
        return fault(call.faults.list_fault)
    query, project = call.route.query, call.project
    if project is None:
        return reply(200, {"count": 0, "batch_task_list": []})
    settle_project(call.store, project, call.now)
    tasks = list(project.tasks.values())
    state = query.get("task_state", "").lower()
    if state:
        tasks = [t for t in tasks if t.status_info.get(state)]
    name_like = query.get("name_like", "").lower()
    if name_like:
        attr = "alg_name" if query.get("type_like") == "publish_service_name" else "name"
        tasks = [t for t in tasks if name_like in getattr(t, attr).lower()]
    for key, attr in (("video_group", "video_group_name"), ("title", "alg_title"), ("manufacturer", "company")):
        if query.get(key):
            tasks = [t for t in tasks if query[key].lower() in getattr(t, attr).lower()]
    by_count = query.get("sort_name") == "task_count"
    descending = query.get("order_by", "desc") != "asc"
    tasks.sort(key=(lambda t: t.num_task) if by_count else (lambda t: t.created_at_ms), reverse=descending)
    shown = tasks
    if query.get("is_paged", "true") != "false":
        size = max(5, min(_int(query, "page_size", 10), 200))
        page = max(1, min(_int(query, "page_num", 1), 10000))
        shown = tasks[(page - 1) * size : page * size]
    return reply(200, {"count": len(tasks), "batch_task_list": [t.as_json() for t in shown]})


def batch_action(call: Call) -> Answer:
    task_id, command = call.route.target_id or "", call.route.command or ""
    name = call.faults.stop_fault_for(task_id, call.counters.bump("action", task_id))
    if name == "drop-after":
        _batch_action_now(call, task_id, command)
    return fault(name) if name != "ok" else _batch_action_now(call, task_id, command)


def _batch_action_now(call: Call, task_id: str, command: str) -> Answer:
    if command not in ("stop", "start"):
        return _invalid(f"command {command!r} is not stop or start", task_id)
    project = call.project
    task = project.tasks.get(task_id) if project else None
    if project is None or task is None:
        return _batch_not_found(call, task_id)
    errors = act_on_batch(call.store, project, task, command, call.now)
    total, failed = task.num_task, len(errors)
    counts = {"total_count": total, "failed_count": failed, "succeed_count": total - failed}
    return reply(200, {**counts, "id": task_id, "error_list": errors})


# --- jobs ---------------------------------------------------------------------------------------------------


def job_list(call: Call) -> Answer:
    store, query, project = call.store, call.route.query, call.project
    if call.faults.job_list_fault:
        return fault(call.faults.job_list_fault)
    size = max(5, min(_int(query, "page_size", 10), 1000))
    first = 1 if store.job_paging is JobPaging.FROM_1 else 0
    page = max(first, _int(query, "page", first))
    start = page if store.job_paging is JobPaging.OFFSET else (page - first) * size
    pairs = _jobs_matching(call, project) if project else []
    shown = pairs[start : start + size]
    count = len(pairs) if store.job_count is JobCount.TOTAL else len(shown)
    tasks = [task_info(store, task, job) for task, job in shown]
    return reply(200, {"count": count, "tasks": tasks, "page": page, "page_size": size})


def _jobs_matching(call: Call, project: FakeProject) -> list[tuple[FakeTask, FakeJob]]:
    query = call.route.query
    batch_id = query.get("batch_id")
    if batch_id is not None:
        task = project.tasks.get(batch_id)
        tasks = [task] if task is not None else []
    else:
        tasks = list(project.tasks.values())
    state = JobState.parse(query["task_state"]) if query.get("task_state") else None
    name = query.get("task_name", "").lower()
    title = query.get("title", "")
    pairs = [
        (task, job)
        for task in tasks
        if title in task.alg_title
        for job in jobs_of(call.store, project, task, call.now)
        if (state is None or job.state is state) and name in job.name.lower()
    ]
    descending = query.get("sort_dir", "desc").lower() != "asc"
    pairs.sort(key=lambda pair: (pair[0].created_at_ms + pair[1].serial * 1000, pair[1].serial), reverse=descending)
    return pairs


def job_delete(call: Call) -> Answer:
    job_id = call.route.target_id or ""
    name = call.faults.job_fault_for(job_id, call.counters.bump("job", job_id))
    if name == "drop-after":
        _job_delete_now(call, job_id)
    return fault(name) if name != "ok" else _job_delete_now(call, job_id)


def _job_delete_now(call: Call, job_id: str) -> Answer:
    project = call.project
    found = find_job(call.store, project, job_id, call.now) if project else None
    if project is None or found is None:
        return _job_not_found(call, job_id)
    task, job = found
    try:
        delete_job(call.store, project, task, job)
    except Refused as refused:
        return _refusal(refused, job_id)
    return reply(200, {"id": job_id})


def job_show_or_act(call: Call) -> Answer:
    job_id, project, kind = call.route.target_id or "", call.project, call.route.kind
    if kind is RequestKind.JOB_ACTION:
        return _invalid(f"command {call.route.command!r} is not stop or start", job_id)
    found = find_job(call.store, project, job_id, call.now) if project else None
    if project is None or found is None:
        return _job_not_found(call, job_id)
    task, job = found
    if kind is RequestKind.JOB_SHOW:
        return reply(200, task_detail(call.store, project, task, job))
    error = stop_job(call.store, project, task, job, call.now) if kind is RequestKind.JOB_STOP else start_job(job)
    sync_counts(task)
    if error is not None:
        return _refusal(Refused(error, "The job is changing state.", "Try again when it has settled."), job_id)
    return reply(200, {"id": job_id, "state": state_text(job.state, call.store.job_states_upper)})


# --- answers ------------------------------------------------------------------------------------------------


def _int(query: dict[str, str], key: str, default: int) -> int:
    text = query.get(key, "")
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise BadQuery(f"{key} must be an integer") from None


def _invalid(detail: str, target: str) -> Answer:
    params = [target] if target else []
    return vias_error(400, "VIAS.00010001", "Invalid parameters.", detail, params, "A parameter is invalid.", "Fix it.")


def _refusal(refused: Refused, target: str) -> Answer:
    return vias_error(
        400, "VIAS.00010001", "Invalid parameters.", refused.detail, [target], refused.reason, refused.advice
    )


def _batch_not_found(call: Call, task_id: str) -> Answer:
    if call.store.not_found_status == 404:
        return reply(404, {"error_code": "VIAS.00010002", "error_msg": "The object does not exist."})
    return vias_error(
        400,
        "VIAS.00010002",
        "The object does not exist.",
        f"batch task {task_id} not found in project {call.route.project_id}",
        [task_id],
        "The batch task ID is not in this project.",
        "Check the ID, the project and the region.",
    )


def _job_not_found(call: Call, job_id: str) -> Answer:
    if call.store.not_found_status == 404:
        return reply(404, {"error_code": "VIAS.00010007", "error_msg": "The task does not exist."})
    return vias_error(
        400,
        "VIAS.00010007",
        "The task does not exist.",
        f"task {job_id} not found in project {call.route.project_id}",
        [job_id],
        "There is no task with this task ID.",
        "Check the task ID and the project.",
    )


__all__ = ["Call", "Counters", "handle"]
