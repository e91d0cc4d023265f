"""Before a headless run sends anything: the plan as text, the credentials' expiry, and the typed confirmation on a
terminal (or the refusal without one)."""

from __future__ import annotations

from tui_app.cleanup import CleanupPlan
from tui_app.commands.streams import Streams
from tui_app.credentials import Credentials
from tui_app.ids import Plan, shown
from tui_app.problems import EXIT_AUTH, OperatorError
from tui_app.settings import Target

SAMPLE_IDS = 5


def check_expiry(credentials: Credentials, io: Streams) -> None:
    if credentials.expired and not credentials.refreshable:
        raise OperatorError(f"the credentials {credentials.describe()}; get new ones and run again", EXIT_AUTH)
    if credentials.expiring_soon and not credentials.refreshable:
        io.warn(f"warning: the credentials {credentials.describe()}; a long run may stop part-way")


def not_sent_text(plan: Plan) -> str:
    """What of the input will not be sent, with bad input and valid IDs left out by choice kept apart."""
    parts = []
    if plan.invalid_count:
        parts.append(f"{plan.invalid_count} skipped line(s) (not IDs)")
    if plan.excluded_count:
        parts.append(f"{plan.excluded_count} excluded")
    parts.append(f"{plan.duplicate_count} duplicate(s) dropped")
    return ", ".join(parts)


def print_plan(plan: Plan, target: Target, credentials: Credentials | None, io: Streams) -> None:
    io.say(f"Plan: {plan.summary()}")
    io.say(f"Target: {target.describe()} (profile {target.profile})")
    io.say(f"Credentials: {credentials.describe() if credentials else 'none found'}")
    invalid = [entry for entry in plan.skipped if not entry.excluded]
    excluded = [entry for entry in plan.skipped if entry.excluded]
    if invalid:
        io.say(f"Skipped ({len(invalid)}), never sent:")
        for entry in invalid:
            io.say(f"  line {entry.line}: {shown(entry.text)!r}: {entry.reason}")
    if excluded:
        io.say(f"Excluded ({len(excluded)}), valid IDs not sent:")
        for entry in excluded:
            io.say(f"  line {entry.line}: {entry.text}: {entry.reason}")
    if plan.warnings:
        io.say(f"Unusual IDs ({len(plan.warnings)}), will be sent:")
        for task_id, warning in plan.warnings.items():
            io.say(f"  line {plan.id_lines[task_id]}: {task_id}: {warning}")
    if plan.duplicates:
        io.say(
            f"Duplicates ({plan.duplicate_count}), each sent once: "
            + ", ".join(f"{i} x{n + 1}" for i, n in list(plan.duplicates.items())[:10])
            + (" …" if len(plan.duplicates) > 10 else "")
        )


def confirm_on_terminal(
    ids: list[str],
    plan: Plan,
    target: Target,
    credentials: Credentials,
    concurrency: int,
    io: Streams,
    cleanup: CleanupPlan | None = None,
) -> bool:
    count = len(ids)
    sample = ", ".join(ids[:SAMPLE_IDS]) + (f" and {count - SAMPLE_IDS} more" if count > SAMPLE_IDS else "")
    io.say(f"About to DELETE {count} batch task(s).")
    io.say(f"  target:      {target.describe()} (profile {target.profile})")
    io.say(f"  credentials: {credentials.describe()}")
    io.say(f"  IDs:         {sample}")
    io.say(f"  also:        {not_sent_text(plan)}, {len(plan.warnings)} unusual ID(s); {concurrency} at a time")
    if cleanup is not None and cleanup.stop_running:
        known = f"{len(cleanup.to_stop)} with running jobs (seen at the preview), and any" if cleanup.to_stop else "any"
        io.say(f"  stop first:  {known} refused for running jobs will be STOPPED, then deleted")
    if cleanup is not None and cleanup.clean_leftovers:
        io.say("  leftovers:   the jobs a partial delete leaves will be listed and deleted one by one")
    try:
        answer = io.ask(f"Type {count} to delete them, anything else to abort: ")
    except EOFError:
        return False
    return answer.strip() == str(count)


def require_terminal(what: str, io: Streams) -> None:
    if not io.interactive():
        raise OperatorError(
            f"refusing to {what} without confirmation: stdin is not a terminal. Pass --yes to "
            "confirm in scripts; nothing was sent"
        )


__all__ = ["check_expiry", "confirm_on_terminal", "not_sent_text", "print_plan", "require_terminal"]
