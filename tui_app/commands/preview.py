"""`vias-tui delete --preview`: what each ID is, before anything is sent.

The listing is the run's first authenticated request: when the gateway rejects the credentials there, nothing is
deleted (exit 3), so a wrong or locked key costs one rejected request, not a run's worth.
"""

from __future__ import annotations

import asyncio

from tui_app.commands.streams import Streams
from tui_app.credentials import Credentials
from tui_app.ids import Plan, shown
from tui_app.problems import EXIT_AUTH, OperatorError
from tui_app.resolve import Resolution, created_text, resolve
from tui_app.settings import Target
from tui_app.vias.client import ViasClient
from tui_app.vias.wire import tls_context


def run_preview(target: Target, credentials: Credentials, ids: list[str], timeout: float, io: Streams) -> Resolution:
    resolution = asyncio.run(_resolve(target, credentials, ids, timeout, io))
    error = resolution.error
    if error is not None and error.is_auth:
        hint = error.hint() or ""
        raise OperatorError(
            f"the credentials were rejected while listing the batch tasks ({error.one_line()}). {hint} "
            "Nothing was deleted.",
            EXIT_AUTH,
        )
    if error is not None and error.is_target_failure:
        raise OperatorError(f"the endpoint is unusable ({error.one_line()}). {error.hint() or ''} Nothing was deleted.")
    return resolution


async def _resolve(target: Target, credentials: Credentials, ids: list[str], timeout: float, io: Streams) -> Resolution:
    tty = io.stderr.isatty()
    tls = tls_context(target.ca_bundle) if target.endpoint.base_url.startswith("https:") else None
    http = target.http(timeout, tls=tls)
    async with ViasClient(target.endpoint, target.project_id, credentials.auth(), http=http) as client:

        def progress(result: Resolution) -> None:
            if tty:
                io.stderr.write(
                    f"\r\x1b[2Klisting batch tasks: page {result.pages}, {len(result.found):,} of {len(ids):,} found"
                )
                io.stderr.flush()

        result = await resolve(client.list_batch_tasks, ids, on_progress=progress)
        if tty:
            io.stderr.write("\r\x1b[2K")
        return result


def print_preview(resolution: Resolution, io: Streams) -> None:
    io.say(f"Preview: {resolution.summary()}")
    io.say(f"  {'ID':<32}  {'NAME':<34}  {'ALGORITHM':<18}  {'JOBS':>5}  {'STATE':<26}  CREATED (UTC)")
    for task_id in resolution.ids:
        task = resolution.found.get(task_id)
        if task is None:
            status = "NOT FOUND in this project" if resolution.complete else "unchecked (listing stopped)"
            io.say(f"  {task_id:<32}  {status}")
            continue
        io.say(
            f"  {task_id:<32}  {shown(task.name)[:34]:<34}  {task.alg_name[:18]:<18}  {task.num_task:>5}  "
            f"{task.state_summary()[:26]:<26}  {created_text(task)}"
        )


def apply_preview(
    plan: Plan, resolution: Resolution, *, keep_not_found: bool, exclude_running: bool
) -> tuple[Plan, dict[str, str]]:
    """Exclusions chosen by flags (recorded as skipped with the reason), and the resolved names."""
    excluded: dict[str, str] = {}
    if not keep_not_found:
        for task_id in resolution.not_found:
            excluded[task_id] = "not in this project's batch-task list at preview; not sent (--keep-not-found sends it)"
    if exclude_running:
        for task_id in resolution.running:
            jobs = resolution.found[task_id].running
            excluded[task_id] = f"has {jobs} running job(s) at preview; not sent (--exclude-running)"
    names = {task_id: task.name for task_id, task in resolution.found.items()}
    return plan.without(excluded), names
