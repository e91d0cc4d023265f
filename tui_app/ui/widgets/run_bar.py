"""Progress of the current run: a bar, counts per outcome, rate, ETA, and throttling shown as such. At 80
columns the bar goes first, so the counts and the ETA always fit."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from tui_app.outcomes import Outcome, RunStatus
from tui_app.run_events import RunSummary
from tui_app.ui.styles import emphasis, outcome_style

READY = "Ready: paste IDs, then ctrl+d to delete."
NARROW = 100  # below this many columns the progress bar is hidden


class RunBar(Horizontal):
    DEFAULT_CSS = """
    RunBar { height: 1; padding: 0 1; background: $boost; }
    RunBar ProgressBar { width: auto; margin-right: 1; }
    RunBar ProgressBar Bar { width: 20; }
    RunBar #run-text { width: 1fr; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._started = 0.0
        self._total = 0
        self._throttled_until = 0.0
        self._paused = False
        self._running = False

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=None, show_eta=False, id="run-progress")
        yield Static(READY, id="run-text")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    def on_resize(self) -> None:
        for bar in self.query(ProgressBar):  # none yet while the bar is being composed
            bar.display = self._running and self.size.width >= NARROW

    @property
    def mono(self) -> bool:
        return self.app.no_color

    def _text(self, text: Text | str) -> None:
        self.query_one("#run-text", Static).update(text)

    def start(self, total: int) -> None:
        self._started, self._total, self._paused, self._running = time.monotonic(), total, False, True
        bar = self.query_one(ProgressBar)
        bar.display = self.size.width >= NARROW
        bar.update(total=total, progress=0)
        self._text(f"Starting {total:,} delete(s)… ctrl+x cancels")

    def throttled(self, delay: float) -> None:
        self._throttled_until = time.monotonic() + delay

    def paused(self, why: str) -> None:
        self._paused = True
        self._text(
            Text(
                f"Paused: {why}. Nothing is being sent. F4: new credentials · ctrl+x: cancel",
                style=emphasis("bold red", self.mono, "bold reverse"),
            )
        )

    def resumed(self) -> None:
        self._paused = False

    def held(self, question: str) -> None:
        """Sending is paused while the operator answers `question` (requests in flight finish)."""
        self._paused = True
        self._text(
            Text(
                f"Paused: {question} Nothing new is sent; requests in flight finish and are recorded.",
                style=emphasis("bold yellow", self.mono, "bold reverse"),
            )
        )

    def released(self) -> None:
        self._paused = False

    def progress(self, done: int, counts: dict[Outcome, int]) -> None:
        if self._paused:
            return
        self.query_one(ProgressBar).update(progress=done)
        text = Text(f"{done:,}/{self._total:,} ", style="bold")
        text.append_text(counts_text(counts, self.mono))
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = done / elapsed
        if rate > 0 and done < self._total:
            text.append(f" · {rate:.0f}/s · ETA {(self._total - done) / rate:.0f}s")
        wait = self._throttled_until - time.monotonic()
        if wait > 0:
            text.append(f" · throttled, backing off {wait:.1f}s", style=emphasis("bold yellow", self.mono))
        self._text(text)

    def finish(self, summary: RunSummary, status: RunStatus) -> None:
        self._running = False
        self.query_one(ProgressBar).update(progress=sum(summary.counts.values()))
        alarm = emphasis("bold red", self.mono, "bold reverse")
        heads = {
            RunStatus.AUTH_FAILED: ("Stopped, credentials rejected: ", alarm),
            RunStatus.TARGET_FAILED: ("Stopped, endpoint unusable: ", alarm),
            RunStatus.JOURNAL_FAILED: ("Stopped, journal not writable: ", alarm),
            RunStatus.CANCELLED: ("Cancelled: ", emphasis("bold magenta", self.mono)),
            RunStatus.INTERRUPTED: ("Interrupted: ", emphasis("bold magenta", self.mono)),
            RunStatus.CRASHED: ("Stopped on an internal error: ", alarm),
        }
        if status in heads:
            label, style = heads[status]
        elif summary.all_gone:
            label, style = "All deleted or gone: ", emphasis("bold green", self.mono)
        else:
            label, style = "NOT all deleted: ", alarm
        head = Text(label, style=style)
        head.append_text(counts_text(summary.counts, self.mono))
        self._text(head)

    def show_counts(self, label: str, counts: dict[Outcome, int]) -> None:
        self._running = False
        self.query_one(ProgressBar).display = False
        text = Text(label, style="bold")
        text.append_text(counts_text(counts, self.mono))
        self._text(text)

    def idle(self, message: str = READY) -> None:
        self._running = False
        self.query_one(ProgressBar).display = False
        self._text(message)


def counts_text(counts: dict[Outcome, int], mono: bool = False) -> Text:
    text = Text()
    parts = [(n, outcome) for outcome, n in counts.items() if n]
    for index, (n, outcome) in enumerate(parts):
        if index:
            text.append(" · ", style="dim")
        text.append(f"{n:,} {outcome.value}", style=outcome_style(outcome.value, mono))
    return text
