"""Progress of a headless run on stderr: a live line on a terminal; on a pipe, plain lines every 10% and a line for
each problem as it happens."""

from __future__ import annotations

import time
from typing import TextIO

from tui_app.i18n import _
from tui_app.ids import padded
from tui_app.outcomes import GONE, Outcome, describe_counts
from tui_app.run_events import EngineEvent, OutcomeEvent, Paced, RunStarted, Throttled

PROBLEM_LINES = 20  # problems printed as they happen; the rest are in the report


class ProgressPrinter:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        try:
            self.tty = out.isatty()
        except (ValueError, OSError):
            self.tty = False
        self.total = 0
        self.done = 0
        self.counts: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
        self.problems = 0
        self.started = time.monotonic()
        self.pace: str | None = None
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
                    self.say(f"{padded(record.outcome.describe(), 9)} {record.id}  {record.describe()}")
                elif self.problems == PROBLEM_LINES + 1:
                    self.say(_("… more problems: see the report / journal"))
            self._progress()
        elif isinstance(event, RunStarted):
            self.total = event.total
            self.started = time.monotonic()
        elif isinstance(event, Throttled):
            self.say(_("throttled by the service: waiting {seconds:.1f}s (Retry-After)").format(seconds=event.delay))
        elif isinstance(event, Paced):
            self.pace = event.describe()
            self.say(_("throttled by the service: {pace}").format(pace=self.pace))

    def status(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate > 0 else 0
        counts = describe_counts(self.counts, " · ") or _("starting")
        line = _("[{done}/{total}] {counts} · {rate:.1f}/s · ETA {eta:.0f}s").format(
            done=self.done, total=self.total, counts=counts, rate=rate, eta=eta
        )
        return f"{line} · {self.pace}" if self.pace else line

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


__all__ = ["PROBLEM_LINES", "ProgressPrinter"]
