"""Run a confirmed plan headless: engine + journal + progress on stderr + summary + report + exit code."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tui_app.commands.delete import install_signal_handlers
from tui_app.credentials import TokenInfo
from tui_app.engine import DeleteEngine, EngineEvent, OutcomeEvent, RunStarted, RunSummary, Throttled
from tui_app.ids import Plan
from tui_app.journal import RunJournal, guess_format, read_run, write_report
from tui_app.outcomes import GONE, Outcome
from tui_app.problems import EXIT_AUTH, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_OK
from tui_app.settings import Target
from tui_app.vias.client import ViasClient

PROBLEM_LINES = 20  # problems printed as they happen; the rest are in the report
GRACE_SECONDS = 3.0  # in-flight requests get this long after Ctrl-C / SIGTERM


class Progress:
    """A live line on a terminal; on a pipe, plain lines every 10% and for each problem."""

    def __init__(self, out=sys.stderr) -> None:
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
        if isinstance(event, RunStarted):
            self.total = event.total
            self.started = time.monotonic()
        elif isinstance(event, Throttled):
            source = "Retry-After" if event.retry_after else "backoff"
            self._line(f"throttled by the service, backing off {event.delay:.1f}s ({source})")
        elif isinstance(event, OutcomeEvent):
            self.done = event.done
            record = event.record
            self.counts[record.outcome] += 1
            if record.outcome not in GONE:
                self.problems += 1
                if self.problems <= PROBLEM_LINES:
                    self._line(f"{record.outcome.value:<9} {record.id}  {record.describe()}")
                elif self.problems == PROBLEM_LINES + 1:
                    self._line("… more problems: see the report / journal")
            self._progress()

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

    def _line(self, text: str) -> None:
        if self.tty:
            self.out.write("\r\x1b[2K")
        print(text, file=self.out, flush=True)

    def close(self) -> None:
        if self.tty and self.done:
            self.out.write("\n")
            self.out.flush()


async def execute(plan: Plan, target: Target, token: TokenInfo, *, concurrency: int, timeout: float,
                  report: str | None, report_format: str | None, journal: RunJournal | None = None,
                  ids: list[str] | None = None, previously_sent: frozenset[str] = frozenset(),
                  names: dict[str, str] | None = None) -> int:
    """Send `ids` (default: the plan's valid IDs), journal every outcome, print a truthful summary."""
    ids = plan.valid if ids is None else ids
    journal = journal or RunJournal.start(plan, endpoint=target.endpoint.base_url, project_id=target.project_id,
                                          profile=target.profile, concurrency=concurrency, names=names)
    progress = Progress()
    interrupted = False
    async with ViasClient(target.endpoint, target.project_id, token.token, timeout=timeout,
                          connect_timeout=min(10.0, timeout), ca_bundle=target.ca_bundle,
                          max_connections=concurrency) as client:
        engine = DeleteEngine(client, concurrency=concurrency, on_event=progress, journal=journal)

        def on_signal() -> None:
            nonlocal interrupted
            if interrupted:  # a second Ctrl-C: stop waiting for requests in flight
                engine.cancel(grace=0)
                return
            interrupted = True
            progress._line(f"interrupted: sending nothing more; waiting up to {GRACE_SECONDS:g}s for requests "
                           "in flight (Ctrl-C again to stop now)")
            engine.cancel(grace=GRACE_SECONDS)

        install_signal_handlers(on_signal)
        try:
            summary = await engine.run(ids, previously_sent)
        finally:
            progress.close()
    status = "interrupted" if interrupted else summary.status
    journal.finish(status, summary.counts)
    journal.close()
    log = read_run(journal.path)  # the report is a view of the journal, the source of truth
    print_summary(summary, status, log.counts(), journal.path)
    if report:
        path = write_report(Path(report), log.rows(), report_format or guess_format(Path(report)))
        print(f"Report:  {path}")
    if interrupted:
        return EXIT_INTERRUPTED
    if summary.status == "auth_failed":
        return EXIT_AUTH
    return EXIT_OK if summary.all_gone else EXIT_INCOMPLETE


def print_summary(summary: RunSummary, status: str, counts: dict[Outcome, int], journal_path: Path) -> None:
    run_counts = ", ".join(f"{n} {o.value}" for o, n in summary.counts.items() if n) or "nothing"
    skipped = counts.get(Outcome.SKIPPED, 0)
    tail = f" ({skipped} skipped input line(s) never sent)" if skipped else ""
    if status == "interrupted":
        head = f"Interrupted after {summary.elapsed:.1f}s: {run_counts}."
    elif summary.status == "auth_failed":
        error = summary.stop_error.one_line() if summary.stop_error else "HTTP 401"
        head = (f"Stopped: the token was rejected ({error}). {run_counts}. "
                "Get a new token (vias-tui token login / token set), then resume the rest.")
    elif summary.status == "target_failed" and summary.stop_error is not None:
        head = (f"Stopped: the endpoint is unusable ({summary.stop_error.one_line()}). "
                f"{summary.stop_error.hint() or ''} {run_counts}. Fix the target, then resume the rest.")
    elif summary.all_gone:
        head = f"All {summary.total} deleted or already gone in {summary.elapsed:.2f}s: {run_counts}."
    else:
        head = f"Finished with problems in {summary.elapsed:.1f}s: {run_counts}. Not everything was deleted."
    print(head + tail)
    print(f"Journal: {journal_path}")
