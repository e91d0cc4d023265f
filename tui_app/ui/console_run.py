"""A run as the console drives it: a RunSession opened off the event loop (it may wait for a lock or reserve disk
space), engine events turned into typed messages, outcomes batched ten times a second for the table."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from textual.message_pump import MessagePump

from tui_app.cleanup import CleanupPlan
from tui_app.credentials import Credentials
from tui_app.domain.errors import ApiError
from tui_app.engine import DeleteEngine
from tui_app.i18n import _
from tui_app.ids import Plan
from tui_app.outcomes import OutcomeRecord, RunStatus
from tui_app.problems import OperatorError
from tui_app.resolve import Resolution
from tui_app.run_events import EngineEvent, Finished, OutcomeEvent, Paused, Resumed, RunStarted, Throttled
from tui_app.runlog import RunLog
from tui_app.session import RunSession, RunSpec
from tui_app.settings import describe_source
from tui_app.ui import messages
from tui_app.ui.context import ConsoleContext
from tui_app.ui.screens.confirm import ConfirmRequest

FLUSH_INTERVAL = 0.1  # seconds between table updates while a run streams outcomes


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
    cleanup: CleanupPlan | None = None  # stop running batches first; delete the jobs partial deletes left

    def names(self) -> dict[str, str]:
        return {i: t.name for i, t in self.resolution.found.items()} if self.resolution else {}


@dataclass
class ConsoleRun:
    """One run's link between the session and the screen that shows it."""

    context: ConsoleContext
    request: RunRequest
    credentials: Credentials
    target: MessagePump  # where messages go
    session: RunSession | None = None
    buffer: list[OutcomeRecord] = field(default_factory=list)
    _stop: tuple[float, RunStatus] | None = None  # asked for before the engine existed
    _held: bool = False

    @property
    def held(self) -> bool:
        return self._held

    def hold(self) -> None:
        """Nothing new is sent while the operator decides (also if the engine starts meanwhile)."""
        self._held = True
        if self.session is not None:
            self.session.hold()

    def release_hold(self) -> None:
        self._held = False
        if self.session is not None:
            self.session.release_hold()

    def stop(self, grace: float, status: RunStatus = RunStatus.CANCELLED) -> None:
        """Cancel (or quit): at once if the engine runs, else as soon as it starts (it then sends nothing)."""
        self._stop = (grace, status)
        if self.session is not None and self.session.started:
            self.session.cancel(grace, status)

    def _engine_ready(self, engine: DeleteEngine) -> None:
        if self._held:
            engine.hold()
        if self._stop is not None:
            engine.cancel(*self._stop)

    async def execute(self) -> None:
        context, request = self.context, self.request
        assert context.target is not None
        spec = RunSpec(
            context.target,
            self.credentials.auth(),
            context.concurrency,
            context.timeout,
            "console",
            policy=context.policy,
            pause_on_auth=True,
            runs_dir=context.runs_dir,
            cleanup=request.cleanup,
        )
        try:
            if request.journal is not None:
                session = await asyncio.to_thread(RunSession.open_resume, spec, request.journal, request.ids)
            else:
                session = await asyncio.to_thread(RunSession.open_new, spec, request.plan, request.names())
        except OperatorError as exc:
            self.target.post_message(messages.RunRefused(str(exc)))
            return
        self.session = session
        try:
            result = await session.run(self._event, on_engine=self._engine_ready)
        except Exception as exc:  # a bug, not an operator mistake: say so; the session closed the journal
            self.target.post_message(messages.RunCrashed(f"{type(exc).__name__}: {exc}"))
            raise
        self.target.post_message(messages.RunEnded(result))

    def _event(self, event: EngineEvent) -> None:
        """Called by the engine: buffer outcomes, post the rest as messages."""
        post = self.target.post_message
        if isinstance(event, OutcomeEvent):
            self.buffer.append(event.record)
        elif isinstance(event, RunStarted):
            post(messages.RunBegan(event.total))
        elif isinstance(event, Throttled):
            post(messages.RunThrottled(event.delay))
        elif isinstance(event, Paused):
            post(messages.RunPaused(event.error))
        elif isinstance(event, Resumed):
            post(messages.RunResumed())
        elif isinstance(event, Finished):
            pass  # RunEnded follows once the journal is closed

    def take_outcomes(self) -> list[OutcomeRecord]:
        records, self.buffer = self.buffer, []
        return records


def confirmation(request: RunRequest, context: ConsoleContext, credentials: Credentials) -> ConfirmRequest:
    """What the confirmation shows for this request: the target, the credentials, the concurrency, warnings."""
    assert context.target is not None
    plan = request.plan
    warnings: list[str] = []
    if credentials.expiring_soon and not credentials.refreshable:
        warnings.append(
            _("The credentials {credentials}: a long run may stop part-way.").format(credentials=credentials.describe())
        )
    if plan.warnings:
        warnings.append(
            _(
                "{count:,} ID(s) are not 32-character hex IDs like VIAS's own (e.g. {example}). They will be sent."
            ).format(count=len(plan.warnings), example=next(iter(plan.warnings)))
        )
    if request.previously_sent:
        warnings.append(
            _(
                "{count:,} of these were sent by the interrupted run without an answer; they may already be gone "
                "(then they show as not_found)."
            ).format(count=len(request.previously_sent))
        )
    project = context.target.project_id
    target = (
        _("DEMO fake VIAS, project {project}").format(project=project) if context.demo else context.target.describe()
    )
    source = _("demo") if context.concurrency_source == "demo" else describe_source(context.concurrency_source)
    return ConfirmRequest(
        ids=request.ids,
        target=target,
        profile=context.profile,
        credentials=credentials.describe(),
        concurrency=_("{count} at a time ({source})").format(count=context.concurrency, source=source),
        title=request.title,
        skipped=len(plan.skipped),
        duplicates=plan.duplicate_count,
        warnings=warnings,
        resolution=request.resolution,
        hidden_marked=request.hidden_marked,
        excluded=plan.excluded_count,
        leftovers=request.cleanup is not None and request.cleanup.clean_leftovers,
    )


def resume_request(log: RunLog) -> tuple[str, RunRequest]:
    """The question the console asks about an interrupted run, and the request that resumes it."""
    left = log.unsettled()
    question = _(
        "An interrupted run was found: {run}, started {started}, against this target. {left:,} of {planned:,} ID(s) "
        "have no final outcome ({unanswered:,} were sent without an answer).\n\nResume it? You will confirm the "
        "count before anything is sent."
    ).format(
        run=log.run_id,
        started=log.header.get("started_at"),
        left=len(left),
        planned=len(log.planned),
        unanswered=len(log.unanswered()),
    )
    request = RunRequest(
        left,
        Plan.from_ids(left),
        _("Resume run {run}").format(run=log.run_id),
        new_batch=False,
        journal=log.path,
        previously_sent=log.unanswered(),
    )
    return question, request


def preview_rejected(error: ApiError) -> str:
    """Why the credentials screen opens instead of the confirmation: the preview's request was refused."""
    hint = error.hint()
    if hint:
        return _(
            "The credentials were rejected while looking the IDs up ({error}). {hint} Nothing was deleted: get new "
            "credentials, then ctrl+d again."
        ).format(error=error.one_line(), hint=hint)
    return _(
        "The credentials were rejected while looking the IDs up ({error}). Nothing was deleted: get new credentials, "
        "then ctrl+d again."
    ).format(error=error.one_line())
