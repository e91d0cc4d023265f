"""The part of the main screen that runs deletes: a confirmed request becomes a ConsoleRun in a worker, its
messages update the results, the progress line and the credentials screen when they are rejected; cancelling and
quitting wait for answers in flight so every answer is recorded."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import work
from textual.screen import Screen
from textual.widgets import TabbedContent

from tui_app.credentials import Credentials
from tui_app.domain.errors import ApiError
from tui_app.i18n import _
from tui_app.outcomes import Outcome, OutcomeRecord, RunStatus
from tui_app.session import SessionResult
from tui_app.ui import messages
from tui_app.ui.console_run import ConsoleRun, RunRequest
from tui_app.ui.context import ConsoleContext
from tui_app.ui.results_model import BatchResults, ResultRow, counted
from tui_app.ui.screens.simple import AskScreen
from tui_app.ui.widgets.ids_pane import IdsPane
from tui_app.ui.widgets.results_pane import ResultsPane
from tui_app.ui.widgets.run_bar import RunBar

if TYPE_CHECKING:
    from tui_app.ui.app import ViasApp

CANCEL_GRACE = 5.0


def quit_note(result: SessionResult) -> str:
    """The line the terminal gets after quitting mid-run: what was done, and how to finish it."""
    counts = result.summary.counts
    done = _(", ").join(counted(o, n) for o, n in counts.items() if n) or _("nothing answered")
    left = len(result.log.unsettled())
    run = result.log.run_id
    if left:
        return _(
            "vias-tui: quit during run {run}: {done}. Resume the rest ({left:,}) with: vias-tui resume {run}"
        ).format(run=run, done=done, left=left)
    return _("vias-tui: quit during run {run}: {done}.").format(run=run, done=done)


class RunScreen(Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self.results = BatchResults()
        self.journals: list[Path] = []  # this batch's runs, oldest first: the export merges them
        self.run: ConsoleRun | None = None
        self.last_status: RunStatus | None = None
        self.quit_after_run = False
        self._pause_reason: str | None = None
        self._names: dict[str, str] = {}  # task names from the latest preview, for the details pane

    @property
    def vias(self) -> ViasApp:
        return cast("ViasApp", self.app)

    @property
    def context(self) -> ConsoleContext:
        return self.vias.context

    @property
    def ids_pane(self) -> IdsPane:
        return self.query_one(IdsPane)

    @property
    def results_pane(self) -> ResultsPane:
        return self.query_one(ResultsPane)

    @property
    def run_bar(self) -> RunBar:
        return self.query_one(RunBar)

    @property
    def running(self) -> bool:
        return self.run is not None

    # --- starting ---------------------------------------------------------------------------------------

    def start_run(self, request: RunRequest, credentials: Credentials) -> None:
        self._names.update(request.names())
        if request.new_batch:
            self.results = BatchResults.from_plan(request.plan)
            self.journals = []
            self.results_pane.show(self.results, fresh=True)
        else:
            self.results.reset(request.ids)
            self.results_pane.show(self.results)
        self.query_one(TabbedContent).active = "results"
        self.results_pane.table.focus()
        self.last_status = None
        self.run = ConsoleRun(self.context, request, credentials, self)
        self.refresh_bindings()
        self._run_worker(self.run)

    @work(exclusive=True, group="delete", exit_on_error=False)
    async def _run_worker(self, run: ConsoleRun) -> None:
        await run.execute()

    def flush_outcomes(self) -> None:
        if self.run is not None and self.run.buffer:
            self.post_message(messages.OutcomesArrived(self.run.take_outcomes()))

    def _apply_records(self, records: list[OutcomeRecord]) -> list[ResultRow]:
        named = [
            replace(record, name=self._names[record.id])  # the engine's record stays as it is (the journal has it)
            if record.name is None and record.id in self._names
            else record
            for record in records
        ]
        return [self.results.apply(record) for record in named]

    # --- what the run reports -----------------------------------------------------------------------------

    def on_run_began(self, message: messages.RunBegan) -> None:
        self.run_bar.start(message.total)
        session = self.run.session if self.run is not None else None
        if session is not None and session.journal.path not in self.journals:
            self.journals.append(session.journal.path)
        self.refresh_bindings()

    def on_outcomes_arrived(self, message: messages.OutcomesArrived) -> None:
        rows = self._apply_records(message.records)
        self.results_pane.update_rows(rows)
        session = self.run.session if self.run is not None else None
        if session is not None and session.started:
            self.run_bar.progress(*session.progress())

    def on_run_throttled(self, message: messages.RunThrottled) -> None:
        self.run_bar.throttled(message.delay)

    def on_run_paused(self, message: messages.RunPaused) -> None:
        self._pause_reason = _paused_by(message.error)
        self.run_bar.paused(_("the credentials were rejected"))
        self.app.bell()
        self.vias.open_credentials(self._pause_reason, self._credentials_after_pause)

    def _credentials_after_pause(self, found: Credentials | None) -> None:
        session = self.run.session if self.run else None
        if session is None or not session.paused:
            return
        if found is None:
            question = _(
                "The run is paused because the credentials were rejected.\n"
                "Cancel the run? Everything not yet sent is recorded as cancelled."
            )
            self.app.push_screen(
                AskScreen(question, yes=_("Cancel the run"), no=_("Back to the credentials")), self._paused_choice
            )
        else:
            session.resume_with(found.auth())

    def _paused_choice(self, cancel: bool | None) -> None:
        if self.run is None:
            return
        if cancel:
            self.run.stop(CANCEL_GRACE)
        else:
            self.vias.open_credentials(self._pause_reason, self._credentials_after_pause)

    def on_run_resumed(self, message: messages.RunResumed) -> None:
        self.run_bar.resumed()
        self.notify(_("Resumed with the new credentials."), timeout=3)

    def on_run_refused(self, message: messages.RunRefused) -> None:
        self.run = None
        self.refresh_bindings()
        self.run_bar.idle(_("Not started: {reason}").format(reason=message.reason))
        self.notify(message.reason, title=_("Nothing was sent"), severity="error", timeout=8)
        if self.quit_after_run:
            self.app.exit(0)

    def on_run_ended(self, message: messages.RunEnded) -> None:
        result = message.result
        if self.run is not None:
            self._apply_records(self.run.take_outcomes())
        self.run = None
        self.last_status = result.status
        if result.journal not in self.journals:
            self.journals.append(result.journal)
        self.refresh_bindings()
        self.run_bar.finish(result.summary, result.status)
        self.results_pane.rebuild()
        if result.status is RunStatus.JOURNAL_FAILED:
            self.notify(
                _(
                    "The journal could not be written ({error}). Export the report now (ctrl+e, to another disk): it "
                    "is the only full record of this run."
                ).format(error=result.journal_error),
                title=_("Journal failed"),
                severity="error",
                timeout=30,
            )
        elif not (result.summary.all_gone and result.status is RunStatus.FINISHED):
            partial = result.summary.counts.get(Outcome.PARTIAL, 0)
            self.notify(
                _(
                    "Filter with f, retry with ctrl+r, export with ctrl+e. ctrl+k deletes the jobs the partial deletes "
                    "left."
                )
                if partial
                else _("Filter with f, retry with ctrl+r, export with ctrl+e."),
                title=_("Not everything was deleted"),
                severity="warning",
                timeout=3,
            )
        not_found = result.summary.counts.get(Outcome.NOT_FOUND, 0)
        if not_found and result.status is not RunStatus.JOURNAL_FAILED:
            self.notify(
                _(
                    "{count:,} not found in this project (already gone, or elsewhere): ctrl+l looks in your other "
                    "projects and regions."
                ).format(count=not_found),
                timeout=6,
            )
        if self.quit_after_run:
            self.vias.exit_note = quit_note(result)
            self.app.exit(130, return_code=130)

    def on_run_crashed(self, message: messages.RunCrashed) -> None:
        self.run = None
        self.refresh_bindings()
        self.run_bar.idle(
            _("The run stopped on an internal error: {error}. The journal is intact.").format(error=message.error)
        )

    # --- cancelling and quitting ---------------------------------------------------------------------------

    def action_cancel_run(self) -> None:
        if self.run is None:
            self.notify(_("No run in progress."), timeout=3)
            return
        self._hold(_("Cancel?"))
        question = _(
            "Cancel the run? Sending is paused while you decide. About {count:,} ID(s) not yet answered are recorded "
            "as cancelled (or unknown if still in flight after {grace:g}s). No: sending goes on."
        ).format(count=self.results.pending(), grace=CANCEL_GRACE)
        self.app.push_screen(AskScreen(question, yes=_("Cancel the run"), no=_("Keep running")), self._cancel_confirmed)

    def _cancel_confirmed(self, yes: bool | None) -> None:
        if self.run is None:
            return
        if yes:
            self.run.stop(CANCEL_GRACE)
            self.run_bar.idle(
                _("Cancelling: nothing more is sent; waiting up to {grace:g}s for answers…").format(grace=CANCEL_GRACE)
            )
        else:
            self._release_hold()

    def _hold(self, question: str) -> None:
        """Stop sending the moment a question opens: the decision must not race the run."""
        if self.run is not None:
            self.run.hold()
            self.run_bar.held(question)

    def _release_hold(self) -> None:
        if self.run is not None:
            self.run.release_hold()
            self.run_bar.released()

    def request_quit(self) -> None:
        """ctrl+q: straight out when idle; during a run, pause sending and ask once, then stop like ctrl+x and quit
        when it ends (a second ctrl+q: at once)."""
        if self.run is None:
            self.app.exit(0)
            return
        if self.quit_after_run or (isinstance(self.app.screen, AskScreen) and self.run.held):
            self.quit_after_run = True
            self.run.stop(0.0, RunStatus.INTERRUPTED)  # asked already: a second ctrl+q stops at once
            return
        self._hold(_("Quit?"))
        question = _(
            "A run is in progress. Quit? Sending is paused while you decide. Yes: nothing more is sent; requests in "
            "flight get up to {grace:g}s to answer, so every answer is recorded; then the console closes and says how "
            "to resume the rest. No: sending goes on."
        ).format(grace=CANCEL_GRACE)
        self.app.push_screen(AskScreen(question, yes=_("Stop and quit"), no=_("Keep running")), self._quit_confirmed)

    def _quit_confirmed(self, yes: bool | None) -> None:
        if not yes:
            self._release_hold()
            return
        if self.run is None:
            self.app.exit(0)
            return
        self.quit_after_run = True
        self.run.stop(CANCEL_GRACE, RunStatus.INTERRUPTED)
        self.run_bar.idle(
            _("Quitting: waiting up to {grace:g}s for requests in flight (ctrl+q: now)…").format(grace=CANCEL_GRACE)
        )


def _paused_by(error: ApiError) -> str:
    """What the credentials screen says when a run paused on rejected credentials."""
    locked = error.hint() if error.is_key_locked else None
    if locked:
        return _(
            "The credentials were rejected ({error}). {hint} Sending is paused: nothing more goes out. Paste or log in "
            "for new credentials to resume where it stopped, or press Escape to choose to cancel the run."
        ).format(error=error.one_line(), hint=locked)
    return _(
        "The credentials were rejected ({error}). Sending is paused: nothing more goes out. Paste or log in for new "
        "credentials to resume where it stopped, or press Escape to choose to cancel the run."
    ).format(error=error.one_line())
