"""Progress of the current run: a bar, counts per outcome, rate, ETA, and throttling shown as such."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from tui_app.engine import RunSummary
from tui_app.outcomes import Outcome
from tui_app.ui.widgets.results_pane import OUTCOME_STYLES


class RunBar(Horizontal):
    DEFAULT_CSS = """
    RunBar { height: 1; padding: 0 1; background: $boost; }
    RunBar ProgressBar { width: auto; margin-right: 1; }
    RunBar ProgressBar Bar { width: 20; }
    RunBar #run-text { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=None, show_eta=False, id="run-progress")
        yield Static("Ready: paste IDs, then ctrl+d to delete.", id="run-text")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self._started = 0.0
        self._total = 0
        self._throttled_until = 0.0
        self._paused = False

    def _text(self, text: Text | str) -> None:
        self.query_one("#run-text", Static).update(text)

    def start(self, total: int) -> None:
        self._started, self._total, self._paused = time.monotonic(), total, False
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=total, progress=0)
        self._text(f"Starting {total:,} delete(s)…")

    def throttled(self, delay: float) -> None:
        self._throttled_until = time.monotonic() + delay

    def paused(self, why: str) -> None:
        self._paused = True
        self._text(Text(f"Paused: {why}. Nothing is being sent. F4: new token · ctrl+x: cancel", style="bold red"))

    def resumed(self) -> None:
        self._paused = False

    def progress(self, done: int, counts: dict[Outcome, int]) -> None:
        if self._paused:
            return
        self.query_one(ProgressBar).update(progress=done)
        text = Text(f"{done:,}/{self._total:,} ", style="bold")
        text.append_text(counts_text(counts))
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = done / elapsed
        if rate > 0 and done < self._total:
            text.append(f" · {rate:.1f}/s · ETA {(self._total - done) / rate:.0f}s", style="dim")
        wait = self._throttled_until - time.monotonic()
        if wait > 0:
            text.append(f" · throttled, backing off {wait:.1f}s", style="bold yellow")
        self._text(text)

    def finish(self, summary: RunSummary, status: str) -> None:
        self.query_one(ProgressBar).update(progress=sum(summary.counts.values()))
        if status == "auth_failed":
            head = Text("Stopped, token rejected: ", style="bold red")
        elif status == "target_failed":
            head = Text("Stopped, endpoint unusable: ", style="bold red")
        elif status == "cancelled":
            head = Text("Cancelled: ", style="bold magenta")
        elif summary.all_gone:
            head = Text("All deleted or gone: ", style="bold green")
        else:
            head = Text("NOT all deleted: ", style="bold red")
        head.append_text(counts_text(summary.counts))
        self._text(head)

    def show_counts(self, label: str, counts: dict[Outcome, int]) -> None:
        self.query_one(ProgressBar).display = False
        text = Text(label, style="bold")
        text.append_text(counts_text(counts))
        self._text(text)

    def idle(self, message: str = "Ready: paste IDs, then ctrl+d to delete.") -> None:
        self.query_one(ProgressBar).display = False
        self._text(message)


def counts_text(counts: dict[Outcome, int]) -> Text:
    text = Text()
    parts = [(n, outcome) for outcome, n in counts.items() if n]
    for index, (n, outcome) in enumerate(parts):
        if index:
            text.append(" · ", style="dim")
        text.append(f"{n:,} {outcome.value}", style=OUTCOME_STYLES[outcome.value])
    return text
