"""Typed answers from VIAS."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tui_app.i18n import _, pgettext

# Job states a batch task counts (newer docs print them in upper case; compare case-insensitively).
JOB_STATES = (
    "pending",
    "recovering",
    "starting",
    "upgrading",
    "create_failed",
    "start_failed",
    "running",
    "stopping",
    "stopped",
    "abnormal",
    "succeeded",
    "failed",
    "deleting",
    "freezing",
    "frozen",
    "stopped_no_service",
    "scheduling",
    "lack_of_resources",
)


def job_state_label(state: str) -> str:
    """A job state as people read it, in the interface language; a state this list does not know, as sent. (The
    API's names stay in JSON, reports and filters.)"""
    labels = {
        "pending": pgettext("job state", "pending"),
        "recovering": pgettext("job state", "recovering"),
        "starting": pgettext("job state", "starting"),
        "upgrading": pgettext("job state", "upgrading"),
        "create_failed": pgettext("job state", "create failed"),
        "start_failed": pgettext("job state", "start failed"),
        "running": pgettext("job state", "running"),
        "stopping": pgettext("job state", "stopping"),
        "stopped": pgettext("job state", "stopped"),
        "abnormal": pgettext("job state", "abnormal"),
        "succeeded": pgettext("job state", "succeeded"),
        "failed": pgettext("job state", "failed"),
        "deleting": pgettext("job state", "deleting"),
        "freezing": pgettext("job state", "freezing"),
        "frozen": pgettext("job state", "frozen"),
        "stopped_no_service": pgettext("job state", "stopped (no service)"),
        "scheduling": pgettext("job state", "scheduling"),
        "lack_of_resources": pgettext("job state", "lack of resources"),
    }
    return labels.get(state.lower(), state)


@dataclass(frozen=True, slots=True)  # slots: a 100,000-ID run keeps one per answered ID
class DeleteResult:
    """A 2xx to a delete. `body_ok` is False when the body was not the documented JSON (or too large), or the
    status was a 2xx other than the documented 200."""

    task_id: str
    http_status: int = 200
    total_count: int | None = None
    succeed_count: int | None = None
    failed_count: int | None = None
    error_list: tuple[str, ...] = ()
    request_id: str | None = None
    body_ok: bool = True
    raw_body: str | None = None
    problem: str | None = None  # why the body could not be read, when body_ok is False

    @property
    def is_partial(self) -> bool:
        return bool((self.failed_count or 0) > 0 or self.error_list)

    def to_json(self) -> dict[str, Any]:
        return _answer_json(self, ("raw_body", "problem"))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeleteResult:
        if not isinstance(data, dict):
            raise TypeError("result is not an object")
        errors = data.get("error_list") or []
        return cls(
            task_id=str(data["task_id"]),
            http_status=int(data.get("http_status", 200)),
            total_count=_opt_int(data.get("total_count")),
            succeed_count=_opt_int(data.get("succeed_count")),
            failed_count=_opt_int(data.get("failed_count")),
            error_list=tuple(str(e) for e in errors) if isinstance(errors, list) else (),
            request_id=_opt_str(data.get("request_id")),
            body_ok=bool(data.get("body_ok", True)),
            raw_body=_opt_str(data.get("raw_body")),
            problem=_opt_str(data.get("problem")),
        )


def _opt_int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class BatchTask:
    id: str
    name: str = ""
    video_source_name: str = ""
    video_group_name: str = ""
    alg_name: str = ""
    company: str = ""
    type: str = ""
    num_task: int = 0
    created_at: datetime | None = None
    status_info: dict[str, int] = field(default_factory=dict)

    @property
    def running(self) -> int:
        return self.status_info.get("running", 0)

    def state_summary(self) -> str:
        """ "3 running, 12 stopped, 4 succeeded": running jobs first (they decide whether it can go), then by count."""
        ordered = sorted(self.status_info.items(), key=lambda kv: (kv[0] != "running", -kv[1]))
        parts = [
            pgettext("job state", "{count} {state}").format(count=n, state=job_state_label(state))
            for state, n in ordered
            if n
        ]
        return _(", ").join(parts) if parts else _("no jobs")


@dataclass(frozen=True)
class BatchTaskPage:
    count: int
    tasks: list[BatchTask]
    request_id: str | None = None


def epoch_to_datetime(value: object) -> datetime | None:
    """`created_at` is an epoch whose unit is undocumented: accept seconds or milliseconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        seconds = value / 1000 if value > 10**11 else value  # 10**11 s is the year 5138; ms since 1973
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class StopResult:
    """A 200 to stopping a batch (BatchStartStopTaskResponse): how many of its jobs stopped and which could not."""

    task_id: str
    http_status: int = 200
    total_count: int | None = None
    succeed_count: int | None = None
    failed_count: int | None = None
    error_list: tuple[str, ...] = ()
    request_id: str | None = None
    body_ok: bool = True  # False: a 2xx whose body could not be read (the stop probably happened)

    def to_json(self) -> dict[str, Any]:
        return _answer_json(self)


@dataclass(frozen=True, slots=True)
class Job:
    """One job (analysis task) of a batch, as the jobs list shows it. `state` is lower case."""

    id: str
    name: str = ""
    state: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "state": self.state}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        return cls(str(data["id"]), str(data.get("name") or ""), str(data.get("state") or ""))


@dataclass(frozen=True)
class JobPage:
    count: int | None  # how many the list says there are (the SDK is ambiguous: all, or this page's)
    jobs: list[Job]
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class JobDeleteResult:
    """A 2xx to deleting one job."""

    job_id: str
    http_status: int = 200
    request_id: str | None = None
    body_ok: bool = True


def _answer_json(answer: DeleteResult | StopResult, more: tuple[str, ...] = ()) -> dict[str, Any]:
    """A delete's or a stop's answer as the journal and reports hold it: what was said, nothing empty."""
    data: dict[str, Any] = {"task_id": answer.task_id, "http_status": answer.http_status}
    for key in ("total_count", "succeed_count", "failed_count", "request_id", *more):
        value = getattr(answer, key)
        if value is not None:
            data[key] = value
    if answer.error_list:
        data["error_list"] = list(answer.error_list)
    if not answer.body_ok:
        data["body_ok"] = False
    return data
