"""Progress of the current run: a bar, counts per outcome, rate, ETA, and throttling shown as such. At 80
columns the bar goes first, so the counts and the ETA always fit."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from tui_app.i18n import N_, _
from tui_app.outcomes import Outcome, RunStatus
from tui_app.run_events import RunSummary
from tui_app.ui.results_model import counted
from tui_app.ui.styles import emphasis, outcome_style

READY = N_("Ready: paste IDs, then ctrl+d to delete.")  # translated where shown
STATUS_WORDS = {  # how a run ended, for people (the journal and JSON keep RunStatus's values)
    RunStatus.FINISHED: N_("finished"),
    RunStatus.CANCELLED: N_("cancelled"),
    RunStatus.INTERRUPTED: N_("interrupted"),
    RunStatus.AUTH_FAILED: N_("auth_failed"),
    RunStatus.TARGET_FAILED: N_("target_failed"),
    RunStatus.JOURNAL_FAILED: N_("journal_failed"),
    RunStatus.CRASHED: N_("crashed"),
}
HEADS = {  # the finished run's line starts with how it ended
    RunStatus.AUTH_FAILED: N_("Stopped, credentials rejected: "),
    RunStatus.TARGET_FAILED: N_("Stopped, endpoint unusable: "),
    RunStatus.JOURNAL_FAILED: N_("Stopped, journal not writable: "),
    RunStatus.CANCELLED: N_("Cancelled: "),
    RunStatus.INTERRUPTED: N_("Interrupted: "),
    RunStatus.CRASHED: N_("Stopped on an internal error: "),
}
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
        yield Static(_(READY), id="run-text")

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
        self._text(_("Starting {count:,} delete(s)… ctrl+x cancels").format(count=total))

    def throttled(self, delay: float) -> None:
        self._throttled_until = time.monotonic() + delay

    def paused(self, why: str) -> None:
        self._paused = True
        self._text(
            Text(
                _("Paused: {why}. Nothing is being sent. F4: new credentials · ctrl+x: cancel").format(why=why),
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
                _("Paused: {question} Nothing new is sent; requests in flight finish and are recorded.").format(
                    question=question
                ),
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
            text.append(" · " + _("{rate:.0f}/s · ETA {eta:.0f}s").format(rate=rate, eta=(self._total - done) / rate))
        wait = self._throttled_until - time.monotonic()
        if wait > 0:
            text.append(
                " · " + _("throttled, backing off {seconds:.1f}s").format(seconds=wait),
                style=emphasis("bold yellow", self.mono),
            )
        self._text(text)

    def finish(self, summary: RunSummary, status: RunStatus) -> None:
        self._running = False
        self.query_one(ProgressBar).update(progress=sum(summary.counts.values()))
        alarm = emphasis("bold red", self.mono, "bold reverse")
        if status in HEADS:
            stopped = status in (RunStatus.CANCELLED, RunStatus.INTERRUPTED)
            label, style = _(HEADS[status]), emphasis("bold magenta", self.mono) if stopped else alarm
        elif summary.all_gone:
            label, style = _("All deleted or gone: "), emphasis("bold green", self.mono)
        else:
            label, style = _("NOT all deleted: "), alarm
        head = Text(label, style=style)
        head.append_text(counts_text(summary.counts, self.mono))
        self._text(head)

    def show_counts(self, label: str, counts: dict[Outcome, int]) -> None:
        self._running = False
        self.query_one(ProgressBar).display = False
        text = Text(label, style="bold")
        text.append_text(counts_text(counts, self.mono))
        self._text(text)

    def idle(self, message: str | None = None) -> None:
        """A line with no run going: `message`, or that the console is ready."""
        self._running = False
        self.query_one(ProgressBar).display = False
        self._text(_(READY) if message is None else message)


def status_word(status: RunStatus) -> str:
    """How a run ended, as people read it."""
    return _(STATUS_WORDS[status])


def counts_text(counts: dict[Outcome, int], mono: bool = False) -> Text:
    text = Text()
    parts = [(n, outcome) for outcome, n in counts.items() if n]
    for index, (n, outcome) in enumerate(parts):
        if index:
            text.append(" · ", style="dim")
        text.append(counted(outcome, n), style=outcome_style(outcome.value, mono))
    return text
