"""Driving a confirmed headless run to its end: progress, signals, the summary, outcomes the journal could not take,
the report, the JSON document and the exit code."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path

from tui_app.commands.documents import in_english, run_document
from tui_app.commands.progress import ProgressPrinter
from tui_app.commands.streams import Streams
from tui_app.domain.errors import ApiError
from tui_app.i18n import _
from tui_app.ids import padded
from tui_app.outcomes import GONE, RunStatus, describe_counts
from tui_app.problems import EXIT_AUTH, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_JOURNAL, EXIT_OK, OperatorError
from tui_app.reports import guess_format, write_report
from tui_app.session import RunSession, SessionResult

GRACE_SECONDS = 3.0  # in-flight requests get this long after Ctrl-C / SIGTERM (a second one: none)


def execute(session: RunSession, io: Streams, *, report: str | None, report_format: str | None) -> int:
    """Run a confirmed session; returns the exit code."""
    progress = ProgressPrinter(io.stderr)
    interrupts = 0

    def on_signal() -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts == 1:
            progress.say(
                _(
                    "interrupted: sending nothing more; waiting up to {seconds:g}s for requests in flight (Ctrl-C "
                    "again to stop now)"
                ).format(seconds=GRACE_SECONDS)
            )
            session.cancel(GRACE_SECONDS, RunStatus.INTERRUPTED)
        else:
            session.cancel(0.0, RunStatus.INTERRUPTED)

    async def drive() -> SessionResult:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, on_signal)
        try:
            return await session.run(progress)
        finally:
            progress.close()

    result = asyncio.run(drive())
    code = exit_code(result, interrupted=interrupts > 0)
    # Outcomes the journal could not take exist only in what follows: a late Ctrl-C must not cut it short.
    with _ignoring(signal.SIGINT):
        print_summary(result, io, interrupted=interrupts > 0)
        print_unrecorded(result, io)
        written: Path | None = None
        if report:
            path = Path(report)
            try:
                written = write_report(path, result.log.rows(), report_format or guess_format(path))
                io.say(_("Report:  {path}").format(path=written))
            except OperatorError as exc:
                io.warn(f"vias-tui: {exc}")
        if io.json_output:
            target, command = session.spec.target, session.spec.command
            io.document(in_english(lambda: run_document(result, target, command, code, written)))
    return code


@contextlib.contextmanager
def _ignoring(sig: signal.Signals) -> Iterator[None]:
    try:
        previous = signal.signal(sig, signal.SIG_IGN)
    except ValueError:  # not the main thread (tests): nothing to guard
        yield
        return
    try:
        yield
    finally:
        signal.signal(sig, previous)


def exit_code(result: SessionResult, interrupted: bool = False) -> int:
    if result.status is RunStatus.JOURNAL_FAILED:
        return EXIT_JOURNAL
    if interrupted or result.status is RunStatus.INTERRUPTED:
        return EXIT_INTERRUPTED
    if result.status is RunStatus.AUTH_FAILED:
        return EXIT_AUTH
    return EXIT_OK if result.status is RunStatus.FINISHED and result.summary.all_gone else EXIT_INCOMPLETE


def summary_text(result: SessionResult, interrupted: bool = False) -> str:
    """The run's last line for people: how it ended, the outcomes, what to do next, and what was never sent."""
    return _summary_head(result, interrupted) + _summary_tail(result)


def _summary_head(result: SessionResult, interrupted: bool) -> str:
    summary, status, error = result.summary, result.status, result.summary.stop_error
    counts = describe_counts(summary.counts) or _("nothing")
    resume = f"vias-tui resume {result.log.run_id}"
    if status is RunStatus.JOURNAL_FAILED:
        return _(
            "Stopped: the journal could not be written ({error}). {counts}. Free some space, then resume the rest "
            "({resume}); outcomes the journal could not take are listed on stderr."
        ).format(error=result.journal_error, counts=counts, resume=resume)
    if interrupted or status is RunStatus.INTERRUPTED:
        return _("Interrupted after {seconds:.1f}s: {counts}. Resume the rest with {resume}.").format(
            seconds=summary.elapsed, counts=counts, resume=resume
        )
    if status is RunStatus.AUTH_FAILED:
        return _rejected_head(error, counts, resume)
    if status is RunStatus.TARGET_FAILED and error is not None:
        hint = error.hint()
        if hint:
            return _(
                "Stopped: the endpoint is unusable ({error}). {hint} {counts}. Fix the target, then {resume}."
            ).format(error=error.one_line(), hint=hint, counts=counts, resume=resume)
        return _("Stopped: the endpoint is unusable ({error}). {counts}. Fix the target, then {resume}.").format(
            error=error.one_line(), counts=counts, resume=resume
        )
    if status is RunStatus.FINISHED and summary.all_gone:
        return _("All {total} deleted or already gone in {seconds:.2f}s: {counts}.").format(
            total=summary.total, seconds=summary.elapsed, counts=counts
        )
    return _("Finished with problems in {seconds:.1f}s: {counts}. Not everything was deleted.").format(
        seconds=summary.elapsed, counts=counts
    )


def _rejected_head(error: ApiError | None, counts: str, resume: str) -> str:
    said = error.one_line() if error else "HTTP 401"
    hint = error.hint() if error is not None and error.is_key_locked else None
    if hint:
        return _(
            "Stopped: the credentials were rejected ({error}). {hint} {counts}. Get new credentials (vias-tui token "
            "login / token set / aksk set), then {resume}."
        ).format(error=said, hint=hint, counts=counts, resume=resume)
    return _(
        "Stopped: the credentials were rejected ({error}). {counts}. Get new credentials (vias-tui token login / "
        "token set / aksk set), then {resume}."
    ).format(error=said, counts=counts, resume=resume)


def _summary_tail(result: SessionResult) -> str:
    """What the outcomes do not say: input never sent, batches stopped first, leftover jobs deleted."""
    excluded = sum(1 for record in result.log.skipped if record.excluded)
    invalid = len(result.log.skipped) - excluded
    records = result.log.records.values()  # only the outcomes written hold stops and jobs: no rows() copies
    stopped = sum(1 for record in records if record.stopped)
    jobs = [job for record in records for job in record.jobs]
    tails = []
    if invalid:
        tails.append(_("{count} skipped input line(s) never sent").format(count=invalid))
    if excluded:
        tails.append(_("{count} excluded, never sent").format(count=excluded))
    if stopped:
        tails.append(_("{count} stopped first").format(count=stopped))
    if jobs:
        gone = sum(1 for job in jobs if job.outcome in GONE)
        tails.append(_("{gone} of {count} leftover job(s) deleted").format(gone=gone, count=len(jobs)))
    return _(" ({details})").format(details=_("; ").join(tails)) if tails else ""


def print_summary(result: SessionResult, io: Streams, interrupted: bool = False) -> None:
    io.say(summary_text(result, interrupted))
    io.say(_("Journal: {path}").format(path=result.journal))


def print_unrecorded(result: SessionResult, io: Streams) -> None:
    if not result.unrecorded:
        return
    io.warn(
        _("vias-tui: {count} outcome(s) could not be written to the journal ({error}); they are only here:").format(
            count=len(result.unrecorded), error=result.journal_error
        )
    )
    for record in result.unrecorded:
        io.warn(f"{padded(record.outcome.describe(), 9)} {record.id}  {record.describe()}")


__all__ = ["GRACE_SECONDS", "execute", "exit_code", "print_summary", "summary_text"]
