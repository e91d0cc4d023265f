"""Before a headless run sends anything: the plan as text, the credentials' expiry, and the typed confirmation on a
terminal (or the refusal without one)."""

from __future__ import annotations

from tui_app.cleanup import CleanupPlan
from tui_app.commands.streams import Streams
from tui_app.credentials import Credentials
from tui_app.i18n import _
from tui_app.ids import Plan, padded, shown
from tui_app.problems import EXIT_AUTH, OperatorError
from tui_app.settings import Target

SAMPLE_IDS = 5
LABEL_CELLS = 13  # the confirmation's labels, padded by terminal cells (CJK takes two)


def check_expiry(credentials: Credentials, io: Streams) -> None:
    if credentials.expired and not credentials.refreshable:
        raise OperatorError(
            _("the credentials {credentials}; get new ones and run again").format(credentials=credentials.describe()),
            EXIT_AUTH,
        )
    if credentials.expiring_soon and not credentials.refreshable:
        io.warn(
            _("warning: the credentials {credentials}; a long run may stop part-way").format(
                credentials=credentials.describe()
            )
        )


def not_sent_text(plan: Plan) -> str:
    """What of the input will not be sent, with bad input and valid IDs left out by choice kept apart."""
    parts = []
    if plan.invalid_count:
        parts.append(_("{count} skipped line(s) (not IDs)").format(count=plan.invalid_count))
    if plan.excluded_count:
        parts.append(_("{count} excluded").format(count=plan.excluded_count))
    parts.append(_("{count} duplicate(s) dropped").format(count=plan.duplicate_count))
    return _(", ").join(parts)


def print_plan(plan: Plan, target: Target, credentials: Credentials | None, io: Streams) -> None:
    io.say(_("Plan: {summary}").format(summary=plan.summary()))
    io.say(_("Target: {target} (profile {profile})").format(target=target.describe(), profile=target.profile))
    io.say(
        _("Credentials: {credentials}").format(credentials=credentials.describe() if credentials else _("none found"))
    )
    invalid = [entry for entry in plan.skipped if not entry.excluded]
    excluded = [entry for entry in plan.skipped if entry.excluded]
    if invalid:
        io.say(_("Skipped ({count}), never sent:").format(count=len(invalid)))
        for entry in invalid:
            io.say(
                _("  line {line}: {text!r}: {reason}").format(
                    line=entry.line, text=shown(entry.text), reason=entry.reason
                )
            )
    if excluded:
        io.say(_("Excluded ({count}), valid IDs not sent:").format(count=len(excluded)))
        for entry in excluded:
            io.say(_("  line {line}: {text}: {reason}").format(line=entry.line, text=entry.text, reason=entry.reason))
    if plan.warnings:
        io.say(_("Unusual IDs ({count}), will be sent:").format(count=len(plan.warnings)))
        for task_id, warning in plan.warnings.items():
            io.say(
                _("  line {line}: {text}: {reason}").format(line=plan.id_lines[task_id], text=task_id, reason=warning)
            )
    if plan.duplicates:
        repeated = ", ".join(f"{i} x{n + 1}" for i, n in list(plan.duplicates.items())[:10])
        io.say(
            _("Duplicates ({count}), each sent once: {ids}").format(
                count=plan.duplicate_count, ids=repeated + (" …" if len(plan.duplicates) > 10 else "")
            )
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
    sample = ", ".join(ids[:SAMPLE_IDS])
    if count > SAMPLE_IDS:
        sample = _("{ids} and {count} more").format(ids=sample, count=count - SAMPLE_IDS)
    io.say(_("About to DELETE {count} batch task(s).").format(count=count))
    rows = [
        (_("target:"), _("{target} (profile {profile})").format(target=target.describe(), profile=target.profile)),
        (_("credentials:"), credentials.describe()),
        (_("IDs:"), sample),
        (
            _("also:"),
            _("{not_sent}, {unusual} unusual ID(s); {concurrency} at a time").format(
                not_sent=not_sent_text(plan), unusual=len(plan.warnings), concurrency=concurrency
            ),
        ),
    ]
    if cleanup is not None and cleanup.stop_running:
        stop = (
            _(
                "{count} with running jobs (seen at the preview), and any refused for running jobs will be STOPPED, "
                "then deleted"
            ).format(count=len(cleanup.to_stop))
            if cleanup.to_stop
            else _("any refused for running jobs will be STOPPED, then deleted")
        )
        rows.append((_("stop first:"), stop))
    if cleanup is not None and cleanup.clean_leftovers:
        rows.append((_("leftovers:"), _("the jobs a partial delete leaves will be listed and deleted one by one")))
    for label, value in rows:
        io.say(f"  {padded(label, LABEL_CELLS)}{value}")
    try:
        answer = io.ask(_("Type {count} to delete them, anything else to abort: ").format(count=count))
    except EOFError:
        return False
    return answer.strip() == str(count)


def require_terminal(what: str, io: Streams) -> None:
    if not io.interactive():
        raise OperatorError(
            _(
                "refusing to {command} without confirmation: stdin is not a terminal. Pass --yes to confirm in "
                "scripts; nothing was sent"
            ).format(command=what)
        )


__all__ = ["check_expiry", "confirm_on_terminal", "not_sent_text", "print_plan", "require_terminal"]
