"""`vias-tui delete --preview`: what each ID is, before anything is sent."""

from __future__ import annotations

import sys
from typing import TextIO

from tui_app.credentials import Credentials
from tui_app.ids import Plan, shown
from tui_app.resolve import Resolution, created_text, resolve
from tui_app.settings import Target
from tui_app.vias.client import ViasClient
from tui_app.vias.wire import tls_context


async def run_preview(target: Target, credentials: Credentials, ids: list[str], timeout: float) -> Resolution:
    async with ViasClient(
        target.endpoint,
        target.project_id,
        credentials.auth(),
        timeout=timeout,
        connect_timeout=min(10.0, timeout),
        tls=tls_context(target.ca_bundle),
    ) as client:

        def progress(result: Resolution) -> None:
            if sys.stderr.isatty():
                sys.stderr.write(
                    f"\r\x1b[2Klisting batch tasks: page {result.pages}, {len(result.found):,} of {len(ids):,} found"
                )
                sys.stderr.flush()

        result = await resolve(client.list_batch_tasks, ids, on_progress=progress)
        if sys.stderr.isatty():
            sys.stderr.write("\r\x1b[2K")
        return result


def print_preview(resolution: Resolution, out: TextIO = sys.stdout) -> None:
    print(f"Preview: {resolution.summary()}", file=out)
    print(f"  {'ID':<32}  {'NAME':<34}  {'ALGORITHM':<18}  {'JOBS':>5}  {'STATE':<26}  CREATED (UTC)", file=out)
    for task_id in resolution.ids:
        task = resolution.found.get(task_id)
        if task is None:
            status = "NOT FOUND in this project" if resolution.complete else "unchecked (listing stopped)"
            print(f"  {task_id:<32}  {status}", file=out)
            continue
        print(
            f"  {task_id:<32}  {shown(task.name)[:34]:<34}  {task.alg_name[:18]:<18}  {task.num_task:>5}  "
            f"{task.state_summary()[:26]:<26}  {created_text(task)}",
            file=out,
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
