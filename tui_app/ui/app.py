"""The console: paste IDs, confirm, delete in the background, read outcomes and errors, export, retry."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane

from tui_app.credentials import KeyringStatus, TokenInfo, TokenLookup, find_token
from tui_app.engine import (
    DeleteEngine,
    EngineEvent,
    Finished,
    OutcomeEvent,
    Paused,
    Resumed,
    RetryPolicy,
    RunStarted,
    Throttled,
)
from tui_app.ids import Plan, read_ids_text
from tui_app.journal import RunJournal, guess_format, merged_rows, write_report
from tui_app.outcomes import RETRYABLE, OutcomeRecord
from tui_app.problems import OperatorError
from tui_app.resolve import Resolution
from tui_app.secret import Token
from tui_app.settings import Target
from tui_app.ui import messages as M
from tui_app.ui.details import details_text
from tui_app.ui.results_model import BatchResults, ResultRow
from tui_app.ui.screens.browse import BrowseChoice, BrowseScreen
from tui_app.ui.screens.confirm import ConfirmRequest, ConfirmResult, ConfirmScreen
from tui_app.ui.screens.credentials import CredentialsContext, CredentialsScreen
from tui_app.ui.screens.preview import PreviewScreen
from tui_app.ui.screens.simple import AskScreen, HelpScreen, PathScreen
from tui_app.ui.widgets.ids_pane import IdsPane
from tui_app.ui.widgets.results_pane import ResultsPane
from tui_app.ui.widgets.run_bar import RunBar
from tui_app.ui.widgets.status_bar import StatusBar
from tui_app.vias.client import ViasClient

FLUSH_INTERVAL = 0.1  # seconds between table updates while a run streams outcomes
CANCEL_GRACE = 5.0


@dataclass
class RunRequest:
    """What a confirmed run will send, and where it is recorded."""

    ids: list[str]
    plan: Plan
    title: str
    new_batch: bool  # a fresh batch replaces the results; a retry or resume updates them in place
    journal: Path | None = None  # resume: append to this run's journal
    previously_sent: frozenset[str] = frozenset()
    resolution: Resolution | None = None  # what the IDs are, when they were looked up
    hidden_marked: int = 0  # from Browse: marked rows its filter hides


@dataclass
class ConsoleContext:
    """Everything the console needs from the command line; tests build one directly."""

    profile: str
    target: Target | None
    target_problem: str | None = None
    demo: bool = False
    session_token: Token | None = None
    initial_text: str = ""
    concurrency: int = 4
    timeout: float = 30.0
    policy: RetryPolicy | None = None
    iam_endpoint: str | None = None
    iam_region: str | None = None
    iam_account: str | None = None
    iam_user: str | None = None
    use_env_token: bool = True
    demo_hint: str | None = None
    steady_cursor: bool = False  # no blinking cursors: deterministic snapshots and screenshots

    def target_label(self) -> str:
        if self.target is None:
            return "no target"
        if self.demo:
            return "fake VIAS on loopback"
        return self.target.endpoint.label

    def make_client(self, token: Token) -> ViasClient:
        assert self.target is not None
        return ViasClient(self.target.endpoint, self.target.project_id, token, timeout=self.timeout,
                          connect_timeout=min(10.0, self.timeout), ca_bundle=self.target.ca_bundle,
                          max_connections=self.concurrency)


class ViasApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "vias-tui"
    BINDINGS = [
        Binding("ctrl+d", "confirm_delete", "Delete…", id="delete", priority=True),
        Binding("f2", "show_tab('ids')", "IDs", id="tab_ids", priority=True),
        Binding("f3", "show_tab('results')", "Results", id="tab_results", priority=True),
        Binding("f4", "credentials", "Token", id="credentials", priority=True),
        Binding("f5", "browse", "Browse", id="browse", priority=True),
        Binding("ctrl+x", "cancel_run", "Cancel run", id="cancel_run", priority=True),
        Binding("ctrl+r", "retry_failed", "Retry failed", id="retry_failed", priority=True),
        Binding("ctrl+e", "export", "Export", id="export", priority=True),
        Binding("ctrl+o", "load_file", "Load file", id="load_file", show=False, priority=True),
        Binding("ctrl+n", "new_batch", "New batch", id="new_batch", show=False, priority=True),
        Binding("ctrl+y", "copy_details", "Copy details", id="copy_details", show=False, priority=True),
        Binding("f1", "help", "Help", id="help", priority=True),
        Binding("question_mark", "help", "Help", id="help_question", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__()
        self.context = context
        self.token: TokenInfo | None = TokenInfo(context.session_token, "session") if context.session_token else None
        self.keyring: KeyringStatus | None = None
        self.checking_token = context.session_token is None
        self.engine: DeleteEngine | None = None
        self.results = BatchResults()
        self.journals: list[Path] = []  # this batch's runs, oldest first: the export merges them
        self._buffer: list[OutcomeRecord] = []
        self.last_status: str | None = None
        self._pause_reason: str | None = None
        self._names: dict[str, str] = {}  # task names from the latest preview, for the details pane

    def _fatal_error(self) -> None:
        """Textual's crash report prints local variables; ours must not (a frame may hold the raw token)."""
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with TabbedContent(id="tabs", initial="ids"):
            with TabPane("IDs (F2)", id="ids"):
                yield IdsPane(self.context.initial_text, id="ids-pane")
            with TabPane("Results (F3)", id="results"):
                yield ResultsPane(id="results-pane")
        yield RunBar(id="run-bar")
        yield Footer()

    def _steady_cursors(self, screen: Screen | None = None) -> None:
        for widget in (screen or self.screen).query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        # Everything alive after the first frame (modules, classes, Textual's internals) lives as long as the
        # app: take it out of the garbage collector's full scans, which otherwise stall the UI at 100k IDs.
        self.call_after_refresh(gc.freeze)
        if self.context.steady_cursor:
            self._steady_cursors()
            self.screen_change_signal.subscribe(self, lambda screen: self.call_after_refresh(self._steady_cursors,
                                                                                            screen))
        if self.context.demo:
            self.sub_title = "DEMO: fake VIAS, nothing leaves this machine"
        self._render_status()
        self.ids_pane.focus_input()
        self.set_interval(FLUSH_INTERVAL, self._flush)
        self._look_up_token()
        if self.context.target is not None and not self.context.demo:
            self._look_for_interrupted_run()
        if self.context.target is None and self.context.target_problem:
            self.notify(self.context.target_problem, title="No target yet", severity="warning", timeout=15)

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
        return self.engine is not None

    def _render_status(self) -> None:
        target = self.context.target
        self.query_one(StatusBar).show(demo=self.context.demo, profile=self.context.profile,
                                       target_label=self.context.target_label(),
                                       project=target.project_id if target else None, token=self.token,
                                       keyring=self.keyring, checking=self.checking_token)

    # --- token state --------------------------------------------------------------------------------

    @work(exclusive=True, group="token-lookup", exit_on_error=False)
    async def _look_up_token(self) -> None:
        session = self.token.token if self.token and self.token.source == "session" else None
        if not self.context.use_env_token and session is not None:
            from tui_app.credentials import probe_keyring

            status = await asyncio.to_thread(probe_keyring)
            self.post_message(M.TokenLooked(TokenLookup(TokenInfo(session, "session"), status)))
            return
        lookup = await asyncio.to_thread(find_token, self.context.profile, session)
        self.post_message(M.TokenLooked(lookup))

    def on_token_looked(self, message: M.TokenLooked) -> None:
        self.checking_token = False
        self.keyring = message.lookup.keyring
        if message.lookup.info is not None:
            self.token = message.lookup.info
        elif self.token is not None and self.token.source != "session":
            self.token = None
        self._render_status()

    @work(exclusive=True, group="resume-lookup", exit_on_error=False)
    async def _look_for_interrupted_run(self) -> None:
        from tui_app.journal import find_interrupted_run

        target = self.context.target
        assert target is not None
        log = await asyncio.to_thread(find_interrupted_run, target.endpoint.base_url, target.project_id)
        if log is not None:
            self.post_message(M.InterruptedRunFound(log))

    def on_interrupted_run_found(self, message: M.InterruptedRunFound) -> None:
        log = message.log
        left = log.unsettled()
        question = (f"An interrupted run was found: {log.run_id}, started {log.header.get('started_at')}, "
                    f"against this target. {len(left):,} of {len(log.planned):,} ID(s) have no final outcome "
                    f"({len(log.unanswered()):,} were sent without an answer).\n\nResume it? You will confirm "
                    "the count before anything is sent.")

        def answered(resume: bool | None) -> None:
            if not resume:
                return
            self.show_run(log.path)
            self._confirm(RunRequest(left, Plan.from_ids(left), f"Resume run {log.run_id}", new_batch=False,
                                     journal=log.path, previously_sent=log.unanswered()))

        self.push_screen(AskScreen(question, yes="Resume", no="Not now"), answered)

    def _credentials_context(self, reason: str | None = None) -> CredentialsContext:
        context = self.context
        return CredentialsContext(profile=context.profile, current=self.token, keyring=self.keyring,
                                  iam_endpoint=context.iam_endpoint, iam_region=context.iam_region,
                                  iam_account=context.iam_account, iam_user=context.iam_user, reason=reason,
                                  demo_hint=context.demo_hint)

    def action_credentials(self) -> None:
        if self.running and not (self.engine and self.engine.paused):
            self.notify("A run is in progress; the token can be changed when it ends or pauses.")
            return
        self.push_screen(CredentialsScreen(self._credentials_context()), self._credentials_closed)

    def _credentials_closed(self, info: TokenInfo | None) -> None:
        if info is not None:
            self.token = info
            self.notify(f"Using token {info.describe()}", title="Token")
        self._render_status()
        if self.engine is not None and self.engine.paused:
            if info is None:
                self.push_screen(AskScreen("The run is paused because the token was rejected.\n"
                                           "Cancel the run? Everything not yet sent is recorded as cancelled.",
                                           yes="Cancel the run", no="Back to the token"), self._paused_choice)
            else:
                self.engine.resume(info.token)

    def _paused_choice(self, cancel: bool | None) -> None:
        if self.engine is None:
            return
        if cancel:
            self.engine.cancel(grace=CANCEL_GRACE)
        else:
            self.push_screen(CredentialsScreen(self._credentials_context(self._pause_reason)),
                             self._credentials_closed)

    # --- confirm and run --------------------------------------------------------------------------------

    def _refusal(self) -> str | None:
        if self.running:
            return "A run is already in progress."
        if self.context.target is None:
            return self.context.target_problem or "No target: pass --region/--endpoint and --project-id."
        if self.checking_token:
            return "Still checking the keyring for a token; try again in a moment."
        if self.token is None:
            return "No token: press F4 to paste one (or log in), or set VIAS_AUTH_TOKEN."
        if self.token.expired:
            return f"The token {self.token.describe()}. Press F4 for a new one."
        return None

    def _confirm(self, request: RunRequest) -> None:
        problem = self._refusal()
        if problem:
            self.notify(problem, severity="error", timeout=8)
            if self.token is None and not self.checking_token and not self.running:
                self.action_credentials()
            return
        assert self.context.target is not None and self.token is not None
        ids, plan = request.ids, request.plan
        warnings: list[str] = []
        if self.token.expiring_soon:
            warnings.append(f"The token {self.token.describe()}: a long run may stop part-way.")
        if plan.warnings:
            warnings.append(f"{len(plan.warnings):,} ID(s) are not 32-character hex IDs like VIAS's own "
                            f"(e.g. {next(iter(plan.warnings))}). They will be sent.")
        if request.previously_sent:
            warnings.append(f"{len(request.previously_sent):,} of these were sent by the interrupted run without an "
                            "answer; they may already be gone (then they show as not_found).")
        screen = ConfirmRequest(ids=ids, target=self.context.target.describe() if not self.context.demo
                                else f"DEMO fake VIAS, project {self.context.target.project_id}",
                                profile=self.context.profile, token=self.token.describe(), title=request.title,
                                skipped=len(plan.skipped), duplicates=plan.duplicate_count, warnings=warnings,
                                resolution=request.resolution, hidden_marked=request.hidden_marked)

        def confirmed(result: ConfirmResult | None) -> None:
            if result is None:
                self.notify("Not confirmed; nothing was sent.")
                return
            self._start_run(replace(request, ids=result.ids, plan=request.plan.without(result.excluded)))

        self.push_screen(ConfirmScreen(screen), confirmed)

    def action_confirm_delete(self) -> None:
        plan = self.ids_pane.current_plan()
        if self.ids_pane.error:
            self.notify(self.ids_pane.error, severity="error")
            return
        if not plan.valid:
            self.notify("No valid IDs to delete. Paste IDs into the IDs pane (F2).", severity="warning")
            return
        self._preview_then_confirm(RunRequest(plan.valid, plan, "Delete batch tasks", new_batch=True))

    def _preview_then_confirm(self, request: RunRequest) -> None:
        """Look the IDs up first (an aid, never a gate), then the confirmation shows what they are."""
        problem = self._refusal()
        if problem:
            self._confirm(request)  # explains the refusal (and offers the token screen)
            return
        assert self.token is not None
        token = self.token.token

        def looked_up(resolution: Resolution | None) -> None:
            if resolution is None:
                self.notify("Cancelled; nothing was sent.")
            else:
                self._confirm(replace(request, resolution=resolution))

        self.push_screen(PreviewScreen(request.ids, lambda: self.context.make_client(token)), looked_up)

    def action_browse(self) -> None:
        problem = self._refusal()
        if problem:
            self.notify(problem, severity="error", timeout=8)
            return
        assert self.token is not None
        token = self.token.token
        self.push_screen(BrowseScreen(lambda: self.context.make_client(token)), self._browsed)

    def _browsed(self, choice: BrowseChoice | None) -> None:
        if choice is None:
            return
        ids = [task.id for task in choice.tasks]
        resolution = Resolution(ids, found={task.id: task for task in choice.tasks}, total=choice.total)
        self._confirm(RunRequest(ids, Plan.from_ids(ids), "Delete marked batch tasks", new_batch=True,
                                 resolution=resolution, hidden_marked=choice.hidden))

    def action_retry_failed(self) -> None:
        if self.running:
            self.notify("Wait for the run to end (or cancel it with ctrl+x).")
            return
        ids = self.results.ids_with(RETRYABLE)
        if not ids:
            self.notify("Nothing to retry: no failed, unknown or cancelled IDs.")
            return
        self._confirm(RunRequest(ids, Plan.from_ids(ids), "Retry failed, unknown and cancelled", new_batch=False))

    def _start_run(self, request: RunRequest) -> None:
        if request.resolution is not None:
            self._names.update((i, t.name) for i, t in request.resolution.found.items())
        if request.new_batch:
            self.results = BatchResults.from_plan(request.plan)
            self.journals = []
        else:
            self.results.reset(request.ids)
        self.results_pane.show(self.results)
        self.query_one(TabbedContent).active = "results"
        self.results_pane.table.focus()
        assert self.token is not None
        self._run(request, self.token.token)

    @work(exclusive=True, group="delete", exit_on_error=False)
    async def _run(self, request: RunRequest, token: Token) -> None:
        target = self.context.target
        assert target is not None
        if request.journal is not None:
            journal = RunJournal.reopen(request.journal)
            journal.resumed(request.ids)
        else:
            names = {i: t.name for i, t in request.resolution.found.items()} if request.resolution else None
            journal = RunJournal.start(request.plan, endpoint=target.endpoint.base_url,
                                       project_id=target.project_id, profile=self.context.profile,
                                       concurrency=self.context.concurrency, names=names)
        if journal.path not in self.journals:
            self.journals.append(journal.path)
        status = "interrupted"
        try:
            async with self.context.make_client(token) as client:
                self.engine = DeleteEngine(client, concurrency=self.context.concurrency, policy=self.context.policy,
                                           on_event=self._engine_event, journal=journal, pause_on_auth=True)
                summary = await self.engine.run(request.ids, request.previously_sent)
            status = summary.status
            self.post_message(M.RunEnded(summary, status, journal.path))
        except Exception as exc:  # a bug, not an operator mistake: say so, keep the journal
            self.post_message(M.RunCrashed(f"{type(exc).__name__}: {exc}"))
            raise
        finally:
            journal.finish(status, _counts(self.engine) if self.engine else {})
            journal.close()

    def _engine_event(self, event: EngineEvent) -> None:
        """Called by the engine inside the worker: buffer outcomes, post the rest as messages."""
        if isinstance(event, OutcomeEvent):
            self._buffer.append(event.record)
        elif isinstance(event, RunStarted):
            self.post_message(M.RunBegan(event.total))
        elif isinstance(event, Throttled):
            self.post_message(M.RunThrottled(event.delay))
        elif isinstance(event, Paused):
            self.post_message(M.RunPaused(event.error))
        elif isinstance(event, Resumed):
            self.post_message(M.RunResumed())
        elif isinstance(event, Finished):
            pass  # RunEnded follows once the journal is closed

    def _flush(self) -> None:
        if not self._buffer:
            return
        records, self._buffer = self._buffer, []
        self.post_message(M.OutcomesArrived(records))

    def on_run_began(self, message: M.RunBegan) -> None:
        self.run_bar.start(message.total)
        self.refresh_bindings()

    def _apply_records(self, records: list[OutcomeRecord]) -> list[ResultRow]:
        for record in records:
            if record.name is None and record.id in self._names:
                record.name = self._names[record.id]  # the journal already has it from the plan
        return [self.results.apply(record) for record in records]

    def on_outcomes_arrived(self, message: M.OutcomesArrived) -> None:
        rows = self._apply_records(message.records)
        self.results_pane.update_rows(rows)
        if self.engine is not None:
            self.run_bar.progress(len(self.engine.records), _counts(self.engine))

    def on_run_throttled(self, message: M.RunThrottled) -> None:
        self.run_bar.throttled(message.delay)

    def on_run_paused(self, message: M.RunPaused) -> None:
        self._pause_reason = (f"The token was rejected ({message.error.one_line()}). Sending is paused: nothing "
                              "more goes out. Paste or log in for a new token to resume where it stopped, or "
                              "press Escape to choose to cancel the run.")
        self.run_bar.paused("the token was rejected")
        self.notify("The token was rejected; the run is paused.", severity="error", timeout=10)
        self.push_screen(CredentialsScreen(self._credentials_context(self._pause_reason)), self._credentials_closed)

    def on_run_resumed(self, message: M.RunResumed) -> None:
        self.run_bar.resumed()
        self.notify("Resumed with the new token.")

    def on_run_ended(self, message: M.RunEnded) -> None:
        self._flush_now()
        self.engine = None
        self.last_status = message.status
        self.refresh_bindings()
        self.run_bar.finish(message.summary, message.status)
        self.results_pane.rebuild()
        summary = message.summary
        if summary.all_gone and message.status == "finished":
            self.notify(f"All {summary.total:,} deleted or already gone.", title="Run finished")
        else:
            self.notify("Not everything was deleted. Filter with f, retry with ctrl+r, export with ctrl+e.",
                        title="Run finished with problems", severity="warning", timeout=10)

    def on_run_crashed(self, message: M.RunCrashed) -> None:
        self.engine = None
        self.run_bar.idle(f"The run stopped on an internal error: {message.error}. The journal is intact.")
        self.notify(message.error, title="Internal error", severity="error", timeout=20)

    def _flush_now(self) -> None:
        if self._buffer:
            records, self._buffer = self._buffer, []
            self._apply_records(records)

    # --- cancel, export, load, new batch, copy ----------------------------------------------------------

    def action_cancel_run(self) -> None:
        if self.engine is None:
            self.notify("No run in progress.")
            return
        pending = self.results.pending()
        self.push_screen(AskScreen(f"Cancel the run? Nothing more will be sent. About {pending:,} ID(s) not yet "
                                   f"answered are recorded as cancelled (or unknown if in flight after "
                                   f"{CANCEL_GRACE:g}s).", yes="Cancel the run", no="Keep running"),
                         self._cancel_confirmed)

    def _cancel_confirmed(self, yes: bool | None) -> None:
        if yes and self.engine is not None:
            self.engine.cancel(grace=CANCEL_GRACE)
            self.notify("Cancelling: nothing more is being sent.")

    def action_export(self) -> None:
        if not self.journals:
            self.notify("Nothing to export yet: run a batch first.")
            return
        default = f"vias-report-{self.journals[0].stem}.csv"
        self.push_screen(PathScreen("Export the report", "Path to write; .csv for CSV, .jsonl for JSON Lines. "
                                    "Every input line is a row (skipped ones too).", default), self._export_to)

    def _export_to(self, path: str | None) -> None:
        if not path:
            return
        if self.running:
            self.notify("The run is still going; this report shows it so far.", severity="warning")
        target = Path(path).expanduser()
        try:
            written = write_report(target, merged_rows(self.journals), guess_format(target, "csv"))
        except (OSError, ValueError) as exc:
            self.notify(f"Could not write {target}: {getattr(exc, 'strerror', None) or exc}", severity="error")
            return
        self.notify(f"Wrote {written}", title="Report exported")

    def action_load_file(self) -> None:
        self.push_screen(PathScreen("Load IDs from a file", "The file's IDs replace the text in the IDs pane."),
                         self._load_from)

    def _load_from(self, path: str | None) -> None:
        if not path:
            return
        try:
            text = read_ids_text(path)
        except OperatorError as exc:
            self.notify(str(exc), severity="error")
            return
        self.ids_pane.set_text(text)
        self.query_one(TabbedContent).active = "ids"
        self.notify(f"Loaded {path}: {self.ids_pane.plan.summary()}")

    def show_run(self, journal: Path) -> None:
        """Show a past run's results (from its journal) to read, export or retry."""
        from tui_app.journal import read_run

        if self.running:
            self.notify("Wait for the run to end first.")
            return
        try:
            log = read_run(journal)
        except (OSError, ValueError) as exc:
            self.notify(f"Cannot read {journal}: {exc}", severity="error")
            return
        self.results = BatchResults.from_records(log.rows())
        self.journals = [journal]
        self.results_pane.show(self.results)
        state = log.end.get("status", "finished") if log.end else "interrupted"
        self.run_bar.show_counts(f"Run {log.run_id} ({state}): ", log.counts())
        self.query_one(TabbedContent).active = "results"
        self.results_pane.table.focus()

    def action_open_last_run(self) -> None:
        from tui_app.journal import list_runs

        runs = list_runs()
        if not runs:
            self.notify("No runs recorded yet.")
            return
        self.show_run(runs[0])

    def action_new_batch(self) -> None:
        if self.running:
            self.notify("Wait for the run to end (or cancel it with ctrl+x).")
            return
        self.results = BatchResults()
        self.journals = []
        self.results_pane.show(self.results)
        self.ids_pane.set_text("")
        self.run_bar.idle()
        self.query_one(TabbedContent).active = "ids"
        self.ids_pane.focus_input()

    def action_copy_details(self) -> None:
        row = self.results_pane.selected_row()
        if row is None or row.record is None:
            self.notify("Select a row with an outcome in Results (F3) first.")
            return
        text = details_text(row.record)
        self.copy_to_clipboard(text)
        self.notify(f"Copied the details of {row.id} ({len(text)} characters) via OSC 52.")

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        if tab == "ids":
            self.ids_pane.focus_input()
        else:
            self.results_pane.table.focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_sections(self)))

    async def action_quit(self) -> None:
        if self.running:
            self.push_screen(AskScreen("A run is in progress. Quit anyway? Nothing more is sent; answers not yet "
                                       "received are recorded as unknown in the journal.", yes="Quit",
                                       no="Keep running"), self._quit_confirmed)
            return
        self.exit(0)

    def _quit_confirmed(self, yes: bool | None) -> None:
        if yes:
            if self.engine is not None:
                self.engine.cancel(grace=0)
            self.exit(130)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hidden from the footer (and inactive) when they cannot apply; the key then reaches the focused widget.
        if action in ("confirm_delete", "browse") and isinstance(self.screen, BrowseScreen):
            return False  # Browse's own ctrl+d deletes the marked rows
        if action == "cancel_run":
            return self.running
        if action in ("retry_failed", "export"):
            return bool(self.journals) and not self.running
        return True


    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action not in ("quit", "help"):
                yield SystemCommand(binding.description.rstrip("…"), f"key: {binding.key}",
                                    lambda action=binding.action: self.run_action(action))
        yield SystemCommand("Filter results", "cycle the outcome filter (f in Results)",
                            self.results_pane.next_filter)
        yield SystemCommand("Sort results", "cycle the sort order (s in Results)", self.results_pane.next_sort)
        yield SystemCommand("Open the last run", "show the latest run's results to export or retry them",
                            self.action_open_last_run)
        yield SystemCommand("Help", "every key (F1 or ?)", self.action_help)


def _counts(engine: DeleteEngine):
    from tui_app.outcomes import count_outcomes

    return count_outcomes(engine.records.values())


def help_sections(app: ViasApp) -> list[tuple[str, list[tuple[str, str]]]]:
    def keys(binding: Binding) -> str:
        return ", ".join(app.get_key_display(binding.with_key(k)) for k in binding.key.split(","))

    from tui_app.ui.widgets.results_pane import ResultsTable

    by_action: dict[str, list[Binding]] = {}
    for binding in app.BINDINGS:
        if isinstance(binding, Binding):
            by_action.setdefault(binding.action, []).append(binding)
    main = [(", ".join(keys(b) for b in group), group[0].description) for group in by_action.values()]
    results = [(keys(b), b.description) for b in ResultsTable.BINDINGS if isinstance(b, Binding)]
    results += [("up/down, pgup/pgdn", "move through rows; the details pane follows"),
                ("click a header", "sort by that column")]
    confirm = [("type the count, enter", "confirm the delete (anything else does nothing)"),
               ("space on a checkbox", "exclude not-found IDs (default) / tasks with running jobs"),
               ("escape", "cancel: nothing is sent"),
               ("s (while looking up)", "skip the preview and confirm on the IDs alone")]
    from tui_app.ui.screens.browse import BrowseScreen as _Browse

    browse = [(keys(b), b.description) for b in _Browse.BINDINGS if isinstance(b, Binding)]
    return [("Everywhere", main), ("Results table", results), ("Confirmation", confirm), ("Browse (F5)", browse),
            ("IDs pane", [("paste", "bracketed paste of any size; lines are parsed as you go"),
                          ("tab", "leave the text box")])]


def make_app(context: ConsoleContext) -> ViasApp:
    """The factory the CLI and the tests share."""
    return ViasApp(context)
