"""The console's main screen: the IDs and Results tabs, the status and progress lines, and the flows that lead to
a run (look up, confirm) or follow one (retry, export, new batch). Running itself is RunScreen's job; app-wide
state (target, credentials, keyring) lives on the app as reactives that this screen watches."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Footer, TabbedContent, TabPane

from tui_app.cleanup import BatchSteps, CleanupPlan
from tui_app.credentials import Credentials
from tui_app.i18n import _
from tui_app.ids import Plan
from tui_app.outcomes import RETRYABLE, Outcome
from tui_app.paths import default_runs_dir
from tui_app.problems import OperatorError
from tui_app.resolve import Resolution
from tui_app.runlog import find_interrupted_run, list_runs, read_run
from tui_app.sdk_credentials import ambient_secrets
from tui_app.ui import batch_files, messages
from tui_app.ui.console_run import FLUSH_INTERVAL, RunRequest, confirmation, preview_rejected, resume_request
from tui_app.ui.results_model import BatchResults
from tui_app.ui.screens.browse import BrowseChoice, BrowseScreen
from tui_app.ui.screens.confirm import ConfirmResult, ConfirmScreen
from tui_app.ui.screens.locate import LocateScreen
from tui_app.ui.screens.preview import PreviewScreen
from tui_app.ui.screens.run_screen import RunScreen
from tui_app.ui.screens.simple import AskScreen
from tui_app.ui.screens.target import TargetChoice, TargetScreen
from tui_app.ui.widgets.ids_pane import IdsPane
from tui_app.ui.widgets.results_pane import ResultsPane
from tui_app.ui.widgets.run_bar import RunBar, status_word
from tui_app.ui.widgets.status_bar import StatusBar, StatusState

# Hidden from the footer while a run goes, so at 80 columns it keeps room for what applies (ctrl+x, F1).
HIDDEN_WHILE_RUNNING = frozenset(
    {
        "confirm_delete",
        "browse",
        "retry_failed",
        "export",
        "new_batch",
        "load_file",
        "set_target",
        "clean_leftovers",
        "locate",
    }
)


class MainScreen(RunScreen):
    BINDINGS = [
        Binding("ctrl+d", "confirm_delete", _("Delete…"), id="delete", priority=True),
        # Not in the footer: the tabs show their keys, and at 80 columns the footer keeps room for F1 and quit.
        Binding("f2", "show_tab('ids')", _("IDs"), id="tab_ids", show=False, priority=True),
        Binding("f3", "show_tab('results')", _("Results"), id="tab_results", show=False, priority=True),
        Binding("f4", "credentials", _("Creds"), id="credentials", priority=True),
        Binding("f5", "browse", _("Browse"), id="browse", priority=True),
        Binding("f6", "set_target", _("Target"), id="target", show=False, priority=True),
        Binding("ctrl+x", "cancel_run", _("Cancel run"), id="cancel_run", priority=True),
        Binding("ctrl+r", "retry_failed", _("Retry"), id="retry_failed", priority=True),
        Binding("ctrl+e", "export", _("Export"), id="export", priority=True),
        Binding("ctrl+k", "clean_leftovers", _("Leftovers…"), id="clean_leftovers", show=False, priority=True),
        Binding("ctrl+l", "locate", _("Locate…"), id="locate", show=False, priority=True),
        Binding("ctrl+o", "load_file", _("Load file"), id="load_file", show=False, priority=True),
        Binding("ctrl+n", "new_batch", _("New batch"), id="new_batch", show=False, priority=True),
        Binding("ctrl+y", "copy_details", _("Copy details"), id="copy_details", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.not_found: list[str] = []  # the latest preview's IDs this project does not have (ctrl+l locates them)

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with TabbedContent(id="tabs", initial="ids"):
            with TabPane(_("IDs (F2)"), id="ids"):
                yield IdsPane(self.context.initial_text, id="ids-pane")
            with TabPane(_("Results (F3)"), id="results"):
                yield ResultsPane(id="results-pane")
        yield RunBar(id="run-bar")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        for name in ("credentials", "keyring", "checking", "target"):
            self.watch(self.app, name, self._render_status, init=False)
        self._render_status()
        self.ids_pane.focus_input()
        self.set_interval(FLUSH_INTERVAL, self.flush_outcomes)
        if self.context.target is None:
            self.run_bar.idle(_("No target yet: press F6 (or ctrl+d) to say where deletes go."))

    def _render_status(self, *_changed: object) -> None:
        app, context = self.vias, self.context
        target = context.target
        self.query_one(StatusBar).show(
            StatusState(
                demo=context.demo,
                profile=context.profile,
                target_label=context.target_label(),
                project=target.project_id if target else None,
                credentials=app.credentials,
                keyring=app.keyring,
                checking=app.checking,
            )
        )
        self.refresh_bindings()

    # --- what blocks a run -----------------------------------------------------------------------------

    def _refusal(self) -> str | None:
        app = self.vias
        if self.running:
            return _("A run is already in progress.")
        if self.context.target is None:
            return _("No target yet: say where deletes go (region or endpoint, and the project).")
        if app.checking:
            return _("Still looking for credentials; try again in a moment.")
        if app.credentials is None:
            return _("No credentials: press F4 to paste a token or access keys (or log in).")
        if app.credentials.expired and not app.credentials.refreshable:
            return _("The credentials {credentials}. Press F4 for new ones.").format(
                credentials=app.credentials.describe()
            )
        return None

    def _explain_refusal(self, problem: str) -> None:
        """Say what blocks, and open the screen that fixes it (the target first: it is what blocks first)."""
        self.notify(problem, severity="warning", timeout=4)
        if self.running or self.vias.checking:
            return
        if self.context.target is None:
            self.action_set_target()
        elif self.vias.credentials is None:
            self.action_credentials()

    def action_set_target(self) -> None:
        def chosen(choice: TargetChoice | None) -> None:
            if choice is None:
                return
            self.context.target = choice.target
            self.vias.target = choice.target
            target = choice.target.describe()
            if choice.saved:
                said = _("Target {target} (saved to profile {profile!r}).").format(
                    target=target, profile=self.context.profile
                )
            else:
                said = _("Target {target} (for this session).").format(target=target)
            self.notify(said, timeout=4)
            self.run_bar.idle()

        self.app.push_screen(TargetScreen(self.context.profile, self.context.target_problem), chosen)

    def action_credentials(self) -> None:
        if self.running:
            self.notify(_("A run is in progress; the credentials can be changed when it ends or pauses."), timeout=4)
            return
        self.vias.open_credentials(None, lambda found: None)

    # --- look up, confirm, run -------------------------------------------------------------------------

    def action_confirm_delete(self) -> None:
        plan = self.ids_pane.current_plan()
        if self.ids_pane.error:
            self.notify(self.ids_pane.error, severity="error")
            return
        if not plan.valid:
            self.notify(_("No valid IDs to delete. Paste IDs into the IDs pane (F2)."), severity="warning", timeout=4)
            return
        self._preview_then_confirm(RunRequest(plan.valid, plan, _("Delete batch tasks"), new_batch=True))

    def _ready_credentials(self) -> Credentials | None:
        """The credentials to run with, or None after saying what blocks (and opening what fixes it)."""
        problem = self._refusal()
        if problem:
            self._explain_refusal(problem)
            return None
        return self.vias.credentials

    def _preview_then_confirm(self, request: RunRequest) -> None:
        """Look the IDs up first (an aid, never a gate), then the confirmation shows what they are."""
        found = self._ready_credentials()
        if found is None:
            return
        plan = request.plan.without_secrets(found.secrets() + ambient_secrets())
        if plan is not request.plan:
            kept = set(plan.valid)
            request = replace(request, ids=[i for i in request.ids if i in kept], plan=plan)
            if not request.ids:
                self.notify(_("The IDs box holds your credentials, not task IDs; nothing was sent."), severity="error")
                return

        def looked_up(resolution: Resolution | None) -> None:
            error = resolution.error if resolution is not None else None
            if resolution is None:
                self.notify(_("Cancelled; nothing was sent."), timeout=3)
            elif error is not None and error.is_auth:  # the one request that tells: no delete follows it
                self.vias.open_credentials(preview_rejected(error), lambda found: None)
            else:
                self._confirm(replace(request, resolution=resolution))

        self.app.push_screen(PreviewScreen(request.ids, lambda: self.context.make_client(found)), looked_up)

    def _confirm(self, request: RunRequest) -> None:
        found = self._ready_credentials()
        if found is None:
            return

        if request.resolution is not None and request.resolution.not_found:
            self.not_found = list(request.resolution.not_found)

        def confirmed(result: ConfirmResult | None) -> None:
            if result is None or result.locate:
                self.notify(_("Not confirmed; nothing was sent."), timeout=3)
                if result is not None:
                    self._locate(result.locate)
                return
            cleanup = request.cleanup
            if result.stop:
                cleanup = CleanupPlan(stop_running=True, to_stop=result.stop)
            confirmed_request = replace(
                request, ids=result.ids, plan=request.plan.without(result.excluded), cleanup=cleanup
            )
            self.start_run(confirmed_request, found)

        self.app.push_screen(ConfirmScreen(confirmation(request, self.context, found)), confirmed)

    # --- after a run -----------------------------------------------------------------------------------

    def action_retry_failed(self) -> None:
        ids = self.results.ids_with(RETRYABLE)
        if not ids:
            self.notify(_("Nothing to retry: no failed, partial, unknown or cancelled IDs."), timeout=3)
            return
        title = _("Retry failed, partial, unknown and cancelled")
        self._preview_then_confirm(RunRequest(ids, Plan.from_ids(ids), title, new_batch=False))

    def action_clean_leftovers(self) -> None:
        """Delete the jobs the partial deletes left: their batches' deletes are never sent again."""
        partial = [
            row.record
            for row in self.results.rows.values()
            if row.record is not None and row.record.result is not None and row.record.outcome is Outcome.PARTIAL
        ]
        if not partial:
            self.notify(_("No partial batches: no partial delete left jobs behind."), timeout=3)
            return
        ids = [record.id for record in partial]
        prior = {record.id: BatchSteps(partial=record.result) for record in partial}
        self._confirm(
            RunRequest(
                ids,
                Plan.from_ids(ids),
                _("Delete the jobs the partial deletes left"),
                new_batch=False,
                cleanup=CleanupPlan(clean_leftovers=True, prior=prior),
            )
        )

    def action_locate(self) -> None:
        """Look for the IDs this project did not have (the last preview's, and the runs' not-found) elsewhere."""
        ids = list(dict.fromkeys([*self.not_found, *self.results.ids_with(frozenset({Outcome.NOT_FOUND}))]))
        if not ids:
            self.notify(_("Nothing to locate: no ID was reported not found in this project."), timeout=3)
            return
        self._locate(ids)

    def _locate(self, ids: list[str]) -> None:
        found = self._ready_credentials()
        if found is None:
            return
        where = self.context.locate_where(found)
        if isinstance(where, str):
            self.notify(where, severity="warning", timeout=5)
            return
        self.app.push_screen(LocateScreen(ids, where))

    def action_export(self) -> None:
        batch_files.ask_export(self)

    def action_load_file(self) -> None:
        batch_files.ask_load(self)

    def action_new_batch(self) -> None:
        if self.ids_pane.has_unrun_text and not self.journals:
            count = len(self.ids_pane.current_plan().valid)
            question = _("Clear the {count:,} ID(s) pasted but never run? (ctrl+z in the IDs box brings them back.)")
            self.app.push_screen(
                AskScreen(question.format(count=count), yes=_("Clear them"), no=_("Keep them")),
                lambda yes: self._new_batch() if yes else None,
            )
            return
        self._new_batch()

    def _new_batch(self) -> None:
        self.results = BatchResults()
        self.journals = []
        self.not_found = []
        self.results_pane.show(self.results, fresh=True)
        self.ids_pane.clear()
        self.run_bar.idle()
        self.query_one(TabbedContent).active = "ids"
        self.ids_pane.focus_input()

    def action_copy_details(self) -> None:
        self.results_pane.copy_details()

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        if tab == "ids":
            self.ids_pane.focus_input()
        else:
            self.results_pane.table.focus()

    # --- Browse, past runs, resuming -------------------------------------------------------------------------

    def action_browse(self) -> None:
        found = self._ready_credentials()
        if found is None:
            return
        self.app.push_screen(BrowseScreen(lambda: self.context.make_client(found)), self._browsed)

    def _browsed(self, choice: BrowseChoice | None) -> None:
        if choice is None:
            return
        ids = [task.id for task in choice.tasks]
        resolution = Resolution(ids, found={task.id: task for task in choice.tasks}, total=choice.total)
        self._confirm(
            RunRequest(
                ids,
                Plan.from_ids(ids),
                _("Delete marked batch tasks"),
                new_batch=True,
                resolution=resolution,
                hidden_marked=choice.hidden,
            )
        )

    def show_run(self, journal: Path) -> None:
        """Show a past run's results (from its journal) to read, export or retry."""
        if self.running:
            self.notify(_("Wait for the run to end first."), timeout=3)
            return
        try:
            log = read_run(journal)
        except OperatorError as exc:
            self.notify(str(exc), severity="error")
            return
        self.results = BatchResults.from_records(log.rows())
        self.journals = [journal]
        self.results_pane.show(self.results, fresh=True)
        label = _("Run {run} ({status}): ").format(run=log.run_id, status=status_word(log.status))
        self.run_bar.show_counts(label, log.counts())
        self.query_one(TabbedContent).active = "results"
        self.results_pane.table.focus()

    def action_open_last_run(self) -> None:
        runs = list_runs(self.context.runs_dir or default_runs_dir())
        if not runs:
            self.notify(_("No runs recorded yet."), timeout=3)
            return
        self.show_run(runs[0])

    @work(exclusive=True, group="resume-lookup", exit_on_error=False)
    async def look_for_interrupted_run(self) -> None:
        target = self.context.target
        if target is None:
            return
        directory = self.context.runs_dir or default_runs_dir()
        log = await asyncio.to_thread(find_interrupted_run, directory, target.endpoint.base_url, target.project_id)
        if log is not None:
            self.post_message(messages.InterruptedRunFound(log))

    def on_interrupted_run_found(self, message: messages.InterruptedRunFound) -> None:
        question, request = resume_request(message.log)

        def answered(resume: bool | None) -> None:
            if resume:
                self.show_run(message.log.path)
                self._confirm(request)

        self.app.push_screen(AskScreen(question, yes=_("Resume"), no=_("Not now")), answered)

    # --- the footer and the palette -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hidden from the footer (and inactive) when they cannot apply, so the footer keeps room for what can.
        if action == "cancel_run":
            return self.running
        if self.running and action in HIDDEN_WHILE_RUNNING:
            return False
        if action in ("retry_failed", "export"):
            return bool(self.journals)
        if action == "clean_leftovers":
            return bool(self.journals) and self.results.counts()[Outcome.PARTIAL] > 0
        return True

    def system_commands(self) -> Iterable[SystemCommand]:
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            yield SystemCommand(
                binding.description.rstrip("…"),
                _("key: {key}").format(key=binding.key),
                lambda action=binding.action: self.run_action(action),
            )
        results = self.results_pane
        yield SystemCommand(_("Filter results"), _("cycle the outcome filter (f in Results)"), results.next_filter)
        yield SystemCommand(_("Sort results"), _("cycle the sort order (s in Results)"), results.next_sort)
        yield SystemCommand(
            _("Open the last run"),
            _("show the latest run's results to export or retry them"),
            self.action_open_last_run,
        )
