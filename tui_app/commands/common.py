"""What the headless commands share: the plan and confirmation on a terminal, progress on stderr, signals, the
run session driven to its end, the summary, the report and the exit code."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from tui_app.credentials import Credentials
from tui_app.ids import Plan, shown
from tui_app.outcomes import GONE, Outcome, RunStatus
from tui_app.problems import (
    EXIT_AUTH,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_JOURNAL,
    EXIT_OK,
    OperatorError,
)
from tui_app.reports import guess_format, write_report
from tui_app.run_events import EngineEvent, OutcomeEvent, RunStarted, Throttled
from tui_app.session import RunSession, SessionResult
from tui_app.settings import Target

PROBLEM_LINES = 20  # problems printed as they happen; the rest are in the report
GRACE_SECONDS = 3.0  # in-flight requests get this long after Ctrl-C / SIGTERM (a second one: none)
SAMPLE_IDS = 5


class ProgressPrinter:
    """A live line on a terminal; on a pipe, plain lines every 10% and for each problem."""

    def __init__(self, out: TextIO = sys.stderr) -> None:
        self.out = out
        self.tty = out.isatty()
        self.total = 0
        self.done = 0
        self.counts: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
        self.problems = 0
        self.started = time.monotonic()
        self._next_mark = 0.1
        self._last_draw = 0.0

    def __call__(self, event: EngineEvent) -> None:
        if isinstance(event, OutcomeEvent):
            self.done = event.done
            record = event.record
            self.counts[record.outcome] += 1
            if record.outcome not in GONE:
                self.problems += 1
                if self.problems <= PROBLEM_LINES:
                    self.say(f"{record.outcome.value:<9} {record.id}  {record.describe()}")
                elif self.problems == PROBLEM_LINES + 1:
                    self.say("… more problems: see the report / journal")
            self._progress()
        elif isinstance(event, RunStarted):
            self.total = event.total
            self.started = time.monotonic()
        elif isinstance(event, Throttled):
            source = "Retry-After" if event.retry_after else "backoff"
            self.say(f"throttled by the service, backing off {event.delay:.1f}s ({source})")

    def status(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate > 0 else 0
        counts = " · ".join(f"{n} {o.value}" for o, n in self.counts.items() if n)
        return f"[{self.done}/{self.total}] {counts or 'starting'} · {rate:.1f}/s · ETA {eta:.0f}s"

    def _progress(self) -> None:
        if self.tty:
            now = time.monotonic()
            if now - self._last_draw > 0.1 or self.done == self.total:
                self._last_draw = now
                self.out.write("\r\x1b[2K" + self.status())
                self.out.flush()
        elif self.total and self.done / self.total >= self._next_mark:
            while self.done / self.total >= self._next_mark:
                self._next_mark += 0.1
            print(self.status(), file=self.out, flush=True)

    def say(self, text: str) -> None:
        """A line of its own (the live progress line is redrawn after it)."""
        if self.tty:
            self.out.write("\r\x1b[2K")
        print(text, file=self.out, flush=True)

    def close(self) -> None:
        if self.tty and self.done:
            self.out.write("\n")
            self.out.flush()


def check_expiry(credentials: Credentials) -> None:
    if credentials.expired and not credentials.refreshable:
        raise OperatorError(f"the credentials {credentials.describe()}; get new ones and run again", EXIT_AUTH)
    if credentials.expiring_soon and not credentials.refreshable:
        print(f"warning: the credentials {credentials.describe()}; a long run may stop part-way", file=sys.stderr)


def print_plan(plan: Plan, target: Target, credentials: Credentials | None, out: TextIO = sys.stdout) -> None:
    print(f"Plan: {plan.summary()}", file=out)
    print(f"Target: {target.describe()} (profile {target.profile})", file=out)
    print(f"Credentials: {credentials.describe() if credentials else 'none found'}", file=out)
    if plan.skipped:
        print(f"Skipped ({len(plan.skipped)}), never sent:", file=out)
        for entry in plan.skipped:
            print(f"  line {entry.line}: {shown(entry.text)!r}: {entry.reason}", file=out)
    if plan.warnings:
        print(f"Unusual IDs ({len(plan.warnings)}), will be sent:", file=out)
        for task_id, warning in plan.warnings.items():
            print(f"  line {plan.id_lines[task_id]}: {task_id}: {warning}", file=out)
    if plan.duplicates:
        print(
            f"Duplicates ({plan.duplicate_count}), each sent once: "
            + ", ".join(f"{i} x{n + 1}" for i, n in list(plan.duplicates.items())[:10])
            + (" …" if len(plan.duplicates) > 10 else ""),
            file=out,
        )


def confirm_on_terminal(ids: list[str], plan: Plan, target: Target, credentials: Credentials, concurrency: int) -> bool:
    count = len(ids)
    sample = ", ".join(ids[:SAMPLE_IDS]) + (f" and {count - SAMPLE_IDS} more" if count > SAMPLE_IDS else "")
    print(f"About to DELETE {count} batch task(s).")
    print(f"  target:      {target.describe()} (profile {target.profile})")
    print(f"  credentials: {credentials.describe()}")
    print(f"  IDs:         {sample}")
    print(
        f"  also:        {len(plan.skipped)} skipped line(s), {plan.duplicate_count} duplicate(s) dropped, "
        f"{len(plan.warnings)} unusual ID(s); {concurrency} at a time"
    )
    try:
        answer = input(f"Type {count} to delete them, anything else to abort: ")
    except EOFError:
        return False
    return answer.strip() == str(count)


def require_terminal(what: str) -> None:
    if not sys.stdin.isatty():
        raise OperatorError(
            f"refusing to {what} without confirmation: stdin is not a terminal. Pass --yes to "
            "confirm in scripts; nothing was sent"
        )


def execute(session: RunSession, *, report: str | None, report_format: str | None) -> int:
    """Drive a confirmed session to its end: progress, signals, summary, unrecorded outcomes, report, exit code."""
    progress = ProgressPrinter()
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
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, on_signal)
        try:
            return await session.run(progress)
        finally:
            progress.close()

    result = asyncio.run(drive())
    # Outcomes the journal could not take exist only in what follows: a late Ctrl-C must not cut it short.
    with _ignoring(signal.SIGINT):
        print_summary(result, interrupted=interrupts > 0)
        print_unrecorded(result)
        if report:
            path = Path(report)
            try:
                written = write_report(path, result.log.rows(), report_format or guess_format(path))
                print(f"Report:  {written}")
            except OperatorError as exc:
                print(f"vias-tui: {exc}", file=sys.stderr)
    return exit_code(result, interrupted=interrupts > 0)


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


def print_summary(result: SessionResult, interrupted: bool = False) -> None:
    summary, status = result.summary, result.status
    run_counts = ", ".join(f"{n} {o.value}" for o, n in summary.counts.items() if n) or "nothing"
    skipped = len(result.log.skipped)
    tail = f" ({skipped} skipped input line(s) never sent)" if skipped else ""
    error = summary.stop_error
    if status is RunStatus.JOURNAL_FAILED:
        head = (
            f"Stopped: the journal could not be written ({result.journal_error}). {run_counts}. Free some "
            "space, then resume the rest; outcomes the journal could not take are listed on stderr."
        )
    elif interrupted or status is RunStatus.INTERRUPTED:
        head = f"Interrupted after {summary.elapsed:.1f}s: {run_counts}. Resume the rest with vias-tui resume."
    elif status is RunStatus.AUTH_FAILED:
        head = (
            f"Stopped: the credentials were rejected ({error.one_line() if error else 'HTTP 401'}). "
            f"{run_counts}. Get new credentials (vias-tui token login / token set / aksk set), then resume "
            "the rest."
        )
    elif status is RunStatus.TARGET_FAILED and error is not None:
        head = (
            f"Stopped: the endpoint is unusable ({error.one_line()}). {error.hint() or ''} {run_counts}. "
            "Fix the target, then resume the rest."
        )
    elif status is RunStatus.FINISHED and summary.all_gone:
        head = f"All {summary.total} deleted or already gone in {summary.elapsed:.2f}s: {run_counts}."
    else:
        head = f"Finished with problems in {summary.elapsed:.1f}s: {run_counts}. Not everything was deleted."
    print(head + tail)
    print(f"Journal: {result.journal}")


def print_unrecorded(result: SessionResult) -> None:
    if not result.unrecorded:
        return
    print(
        f"vias-tui: {len(result.unrecorded)} outcome(s) could not be written to the journal "
        f"({result.journal_error}); they are only here:",
        file=sys.stderr,
    )
    for record in result.unrecorded:
        print(f"{record.outcome.value:<9} {record.id}  {record.describe()}", file=sys.stderr)


__all__ = [
    "ProgressPrinter",
    "check_expiry",
    "confirm_on_terminal",
    "execute",
    "exit_code",
    "print_plan",
    "print_summary",
    "require_terminal",
]
