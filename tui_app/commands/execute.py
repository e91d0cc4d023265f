"""Driving a confirmed headless run to its end: progress, signals, the summary, outcomes the journal could not take,
the report, the JSON document and the exit code."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path

from tui_app.commands.documents import run_document
from tui_app.commands.progress import ProgressPrinter
from tui_app.commands.streams import Streams
from tui_app.outcomes import Outcome, RunStatus
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
                f"interrupted: sending nothing more; waiting up to {GRACE_SECONDS:g}s for requests in "
                "flight (Ctrl-C again to stop now)"
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
                io.say(f"Report:  {written}")
            except OperatorError as exc:
                io.warn(f"vias-tui: {exc}")
        if io.json_output:
            io.document(run_document(result, session.spec.target, session.spec.command, code, written))
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
    summary, status = result.summary, result.status
    run_counts = ", ".join(f"{n} {o.value}" for o, n in summary.counts.items() if n) or "nothing"
    excluded = sum(1 for record in result.log.skipped if record.excluded)
    invalid = len(result.log.skipped) - excluded
    tails = []
    if invalid:
        tails.append(f"{invalid} skipped input line(s) never sent")
    if excluded:
        tails.append(f"{excluded} excluded, never sent")
    rows = result.log.rows()
    stopped = sum(1 for record in rows if record.stopped)
    jobs = [job for record in rows for job in record.jobs]
    if stopped:
        tails.append(f"{stopped} stopped first")
    if jobs:
        gone = sum(1 for job in jobs if job.outcome in (Outcome.DELETED, Outcome.NOT_FOUND))
        tails.append(f"{gone} of {len(jobs)} leftover job(s) deleted")
    tail = f" ({'; '.join(tails)})" if tails else ""
    error = summary.stop_error
    resume = f"vias-tui resume {result.log.run_id}"
    if status is RunStatus.JOURNAL_FAILED:
        head = (
            f"Stopped: the journal could not be written ({result.journal_error}). {run_counts}. Free some "
            f"space, then resume the rest ({resume}); outcomes the journal could not take are listed on stderr."
        )
    elif interrupted or status is RunStatus.INTERRUPTED:
        head = f"Interrupted after {summary.elapsed:.1f}s: {run_counts}. Resume the rest with {resume}."
    elif status is RunStatus.AUTH_FAILED:
        hint = error.hint() if error is not None and error.is_key_locked else None
        head = (
            f"Stopped: the credentials were rejected ({error.one_line() if error else 'HTTP 401'}). "
            + (f"{hint} " if hint else "")
            + f"{run_counts}. Get new credentials (vias-tui token login / token set / aksk set), then {resume}."
        )
    elif status is RunStatus.TARGET_FAILED and error is not None:
        head = (
            f"Stopped: the endpoint is unusable ({error.one_line()}). {error.hint() or ''} {run_counts}. "
            f"Fix the target, then {resume}."
        )
    elif status is RunStatus.FINISHED and summary.all_gone:
        head = f"All {summary.total} deleted or already gone in {summary.elapsed:.2f}s: {run_counts}."
    else:
        head = f"Finished with problems in {summary.elapsed:.1f}s: {run_counts}. Not everything was deleted."
    return head + tail


def print_summary(result: SessionResult, io: Streams, interrupted: bool = False) -> None:
    io.say(summary_text(result, interrupted))
    io.say(f"Journal: {result.journal}")


def print_unrecorded(result: SessionResult, io: Streams) -> None:
    if not result.unrecorded:
        return
    io.warn(
        f"vias-tui: {len(result.unrecorded)} outcome(s) could not be written to the journal "
        f"({result.journal_error}); they are only here:"
    )
    for record in result.unrecorded:
        io.warn(f"{record.outcome.value:<9} {record.id}  {record.describe()}")


__all__ = ["GRACE_SECONDS", "execute", "exit_code", "print_summary", "summary_text"]
