"""`vias-tui delete --preview`: what each ID is, before anything is sent.

The listing is the run's first authenticated request: when the gateway rejects the credentials there, nothing is
deleted (exit 3), so a wrong or locked key costs one rejected request, not a run's worth.
"""

from __future__ import annotations

import asyncio

from tui_app.commands.streams import Streams
from tui_app.credentials import Credentials
from tui_app.domain.models import BatchTask
from tui_app.i18n import N_, _
from tui_app.ids import Plan, cells, padded, shown
from tui_app.problems import EXIT_AUTH, OperatorError
from tui_app.resolve import Resolution, created_text, resolve
from tui_app.settings import Target
from tui_app.vias.client import ViasClient
from tui_app.vias.wire import tls_context

# The preview's columns: title, width in terminal cells (CJK takes two), aligned right.
COLUMNS = (
    (N_("ID"), 32, False),
    (N_("NAME"), 34, False),
    (N_("ALGORITHM"), 18, False),
    (N_("JOBS"), 5, True),
    (N_("STATE"), 26, False),
)


def run_preview(target: Target, credentials: Credentials, ids: list[str], timeout: float, io: Streams) -> Resolution:
    resolution = asyncio.run(_resolve(target, credentials, ids, timeout, io))
    error = resolution.error
    if error is not None and error.is_auth:
        raise OperatorError(_rejected_text(error.one_line(), error.hint()), EXIT_AUTH)
    if error is not None and error.is_target_failure:
        raise OperatorError(_unusable_text(error.one_line(), error.hint()))
    return resolution


def _rejected_text(said: str, hint: str | None) -> str:
    if hint:
        return _(
            "the credentials were rejected while listing the batch tasks ({error}). {hint} Nothing was deleted."
        ).format(error=said, hint=hint)
    return _("the credentials were rejected while listing the batch tasks ({error}). Nothing was deleted.").format(
        error=said
    )


def _unusable_text(said: str, hint: str | None) -> str:
    if hint:
        return _("the endpoint is unusable ({error}). {hint} Nothing was deleted.").format(error=said, hint=hint)
    return _("the endpoint is unusable ({error}). Nothing was deleted.").format(error=said)


async def _resolve(target: Target, credentials: Credentials, ids: list[str], timeout: float, io: Streams) -> Resolution:
    tty = io.stderr.isatty()
    tls = tls_context(target.ca_bundle) if target.endpoint.base_url.startswith("https:") else None
    http = target.http(timeout, tls=tls)
    async with ViasClient(target.endpoint, target.project_id, credentials.auth(), http=http) as client:

        def progress(result: Resolution) -> None:
            if tty:
                io.stderr.write(
                    "\r\x1b[2K"
                    + _("listing batch tasks: page {page}, {found:,} of {total:,} found").format(
                        page=result.pages, found=len(result.found), total=len(ids)
                    )
                )
                io.stderr.flush()

        result = await resolve(client.list_batch_tasks, ids, on_progress=progress)
        if tty:
            io.stderr.write("\r\x1b[2K")
        return result


def print_preview(resolution: Resolution, io: Streams) -> None:
    io.say(_("Preview: {summary}").format(summary=resolution.summary()))
    titles = [_(title) for title, _width, _right in COLUMNS]
    io.say("  " + _row(titles, _("CREATED (UTC)")))
    for task_id in resolution.ids:
        task = resolution.found.get(task_id)
        if task is None:
            status = _("NOT FOUND in this project") if resolution.complete else _("unchecked (listing stopped)")
            io.say(f"  {padded(task_id, 32)}  {status}")
            continue
        values = [task_id, shown(task.name)[:34], task.alg_name[:18], str(task.num_task), _states(task)[:26]]
        io.say("  " + _row(values, created_text(task)))


def _row(values: list[str], last: str) -> str:
    """A line of the preview's table, padded by terminal cells."""
    cols = [
        " " * max(0, width - cells(value)) + value if right else padded(value, width)
        for value, (_title, width, right) in zip(values, COLUMNS, strict=True)
    ]
    return "  ".join([*cols, last])


def _states(task: BatchTask) -> str:
    """The jobs' states as the service names them ("3 running, 12 stopped"), or that there are none."""
    return task.state_summary() if any(task.status_info.values()) else _("no jobs")


def apply_preview(
    plan: Plan, resolution: Resolution, *, keep_not_found: bool, exclude_running: bool
) -> tuple[Plan, dict[str, str]]:
    """Exclusions chosen by flags (recorded as skipped with the reason), and the resolved names."""
    excluded: dict[str, str] = {}
    if not keep_not_found:
        for task_id in resolution.not_found:
            excluded[task_id] = _(
                "not in this project's batch-task list at preview; not sent (--keep-not-found sends it)"
            )
    if exclude_running:
        for task_id in resolution.running:
            jobs = resolution.found[task_id].running
            excluded[task_id] = _("has {count} running job(s) at preview; not sent (--exclude-running)").format(
                count=jobs
            )
    names = {task_id: task.name for task_id, task in resolution.found.items()}
    return plan.without(excluded), names
