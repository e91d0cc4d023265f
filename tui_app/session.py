"""One run session, from start to end, for both front ends (the CLI and the console are thin callers).

Order matters and is the point of this module:
  1. check what can be checked before anything exists: the TLS context (CA bundle), the report path, the runs
     directory;
  2. under a directory-wide start lock: refuse to overlap a live run's unsettled IDs, then create (or lock and
     reopen) the journal, with room on the disk reserved for the whole run;
  3. build the client and the engine and run;
  4. always write how the run ended and close the journal (in `finally`), and report from what the run holds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui_app.cleanup import CleanupPlan
from tui_app.domain.errors import ApiError, Transport
from tui_app.engine import DeleteEngine
from tui_app.i18n import _
from tui_app.ids import Plan
from tui_app.journal import RunJournal, clean_stale_files, reserve_size
from tui_app.outcomes import Outcome, OutcomeRecord, RunStatus, count_outcomes
from tui_app.paths import check_output_path, default_runs_dir, private_dir
from tui_app.problems import JournalWriteError, OperatorError
from tui_app.retry_policy import RetryPolicy
from tui_app.run_events import EngineEvent, Paused, RunSummary
from tui_app.run_lock import RunBusy, read_owner, start_lock
from tui_app.runlog import RunLog, overlapping_live_run, read_run
from tui_app.sdk_credentials import ambient_secrets
from tui_app.settings import Target
from tui_app.vias.auth import RequestAuth
from tui_app.vias.client import ViasClient
from tui_app.vias.http import HttpSettings
from tui_app.vias.wire import tls_context

AUTO_REFRESH_INTERVAL = 60.0  # refreshed keys rejected again within this time: stop (or ask) instead of looping


@dataclass
class RunSpec:
    """How to run: where, with what, how fast. The plan comes separately (a new run or a resume)."""

    target: Target
    auth: RequestAuth
    concurrency: int
    timeout: float
    command: str  # "delete", "resume" or "console": named when another process is refused
    policy: RetryPolicy | None = None
    pause_on_auth: bool = False  # the console pauses for new credentials; the CLI stops
    allow_overlap: bool = False
    runs_dir: Path | None = None
    report: Path | None = None  # checked before anything is sent
    cleanup: CleanupPlan | None = None  # stop running batches first; delete what partial deletes leave
    http: HttpSettings | None = None  # set by preflight(): timeouts, TLS, the proxy
    reached: bool = False  # preflight() connected to the endpoint once

    def directory(self) -> Path:
        return private_dir(self.runs_dir or default_runs_dir())


@dataclass
class SessionResult:
    summary: RunSummary
    status: RunStatus
    journal: Path
    log: RunLog  # the whole run (earlier runs of a resumed journal included): the report is a view of it
    unrecorded: list[OutcomeRecord] = field(default_factory=list)
    journal_error: str | None = None


def preflight(spec: RunSpec) -> HttpSettings:
    """Everything that can fail before a journal exists, once. OperatorError with one line when something does:
    an unusable CA bundle or proxy URL, a report path, the runs directory, and an endpoint (or proxy) that cannot
    be reached at all (no such host, refused, a proxy's 407, an untrusted certificate): exit 2, nothing sent.

    Returns how every connection is made (the TLS context is built only for https: loading the trust store costs
    ~30 ms)."""
    if spec.http is None:
        target = spec.target
        tls = tls_context(target.ca_bundle) if target.endpoint.base_url.startswith("https:") else None
        spec.http = target.http(spec.timeout, max_connections=spec.concurrency, tls=tls)
    if spec.report is not None:
        try:
            check_output_path(spec.report)
        except OperatorError as exc:
            raise OperatorError(_("{problem}; nothing was sent").format(problem=exc)) from None
    spec.directory()
    if not spec.reached:
        problem = _unreachable(spec)
        if problem is not None:
            said = _("nothing was sent") in problem  # a hint may say so already
            raise OperatorError(
                problem if said else _("{problem}; nothing was sent").format(problem=problem.rstrip("。. "))
            )
        spec.reached = True
    return spec.http


def _unreachable(spec: RunSpec) -> str | None:
    """One connection to the endpoint (through the proxy, the tunnel and TLS), opened and closed before anything
    exists: why the endpoint cannot be reached, or None. In a thread of its own, with its own event loop (the
    console calls this from a worker thread; the CLI before its loop starts)."""

    async def connect() -> ApiError | None:
        assert spec.http is not None
        client = ViasClient(spec.target.endpoint, spec.target.project_id, spec.auth, http=spec.http)
        async with client:
            return await client.connect_ahead()

    assert spec.http is not None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reach") as pool:
        error = pool.submit(asyncio.run, connect()).result()
    return None if error is None else unreachable_text(spec.target, error, spec.http.connect_limit)


def unreachable_text(target: Target, error: ApiError, connect_limit: float) -> str:
    """The one line for an endpoint nothing reaches: the host, what happened, the likely cause."""
    parts = urlsplit(target.endpoint.base_url)
    host = parts.hostname or target.endpoint.base_url
    where = f"{host}:{parts.port}" if parts.port else host
    kind = error.transport
    if kind is Transport.DNS:
        why = _(
            "the host name {host} does not resolve: a wrong region or endpoint, or a network that reaches Huawei "
            "Cloud only through a proxy (set HTTPS_PROXY, or --proxy URL)"
        ).format(host=host)
    elif kind is Transport.CONNECT:
        why = _("{where} refused the connection ({reason}): a wrong endpoint or port, or a firewall").format(
            where=where, reason=error.message
        )
    elif kind is Transport.CONNECT_TIMEOUT:
        why = _(
            "no connection to {where} within {seconds:g}s: no route to it (a firewall?), or a network that "
            "needs a proxy (set HTTPS_PROXY, or --proxy URL)"
        ).format(where=where, seconds=connect_limit)
    else:
        hint = error.hint()
        said = error.message or str(kind)
        why = _("{error}. {hint}").format(error=said, hint=hint) if hint else f"{said}."
    return _("cannot reach {endpoint}: {why}").format(endpoint=target.endpoint.label, why=why)


class RunSession:
    def __init__(
        self,
        spec: RunSpec,
        journal: RunJournal,
        log: RunLog,
        ids: list[str],
        previously_sent: frozenset[str],
        http: HttpSettings,
        *,
        resuming: bool = False,
    ) -> None:
        self.spec = spec
        self.resuming = resuming
        self.journal = journal
        self.log = log
        self._ids = list(ids)
        self.previously_sent = previously_sent
        self._http = http
        self.engine: DeleteEngine | None = None
        self.auth = spec.auth
        self._closed = False
        self._last_auto_refresh = -AUTO_REFRESH_INTERVAL
        self._tasks: set[asyncio.Task[None]] = set()

    # --- opening --------------------------------------------------------------------------------------

    @classmethod
    def open_new(cls, spec: RunSpec, plan: Plan, names: dict[str, str] | None = None) -> RunSession:
        http = preflight(spec)
        directory = spec.directory()
        target = spec.target
        # As the front ends did: no secret is recorded, whichever front end opened the session.
        plan = plan.without_secrets(spec.auth.secrets() + ambient_secrets())
        with start_lock(directory):
            clean_stale_files(directory)
            if not spec.allow_overlap:
                refuse_overlap(spec, plan.valid)
            journal = RunJournal.create(
                directory,
                plan,
                endpoint=target.endpoint.base_url,
                project_id=target.project_id,
                profile=target.profile,
                concurrency=spec.concurrency,
                command=spec.command,
                names=names,
                cleanup=_cleanup_header(spec.cleanup),
            )
        header = {
            "run_id": journal.run_id,
            "endpoint": target.endpoint.base_url,
            "project_id": target.project_id,
            "profile": target.profile,
        }
        log = RunLog.for_plan(journal.path, header, plan, names)
        return cls(spec, journal, log, list(plan.valid), frozenset(), http)

    @classmethod
    def open_resume(cls, spec: RunSpec, path: Path, only: Collection[str] | None = None) -> RunSession:
        """Lock a run's journal and take what it left unsettled (of `only`, when given: never more than the
        operator confirmed). Nothing is written until `run()`."""
        http = preflight(spec)
        directory = spec.directory()
        with start_lock(directory):
            journal = RunJournal.open_existing(path, spec.command)
            try:
                clean_stale_files(directory)
                log = read_run(path)  # read again under the lock: another process may just have finished it
                ids = log.unsettled()
                if only is not None:
                    wanted = set(only)
                    ids = [i for i in ids if i in wanted]
                if not spec.allow_overlap and ids:
                    refuse_overlap(spec, ids, path)
                journal.reserve(reserve_size(len(ids)))
            except BaseException:
                journal.close()
                raise
        spec.cleanup = _resumed_cleanup(log)  # the run's own options; what it did already is never done again
        return cls(spec, journal, log, ids, log.unanswered(), http, resuming=True)

    @property
    def run_id(self) -> str:
        return self.journal.run_id

    @property
    def ids(self) -> list[str]:
        """What this session sends (a copy: what it sends is fixed when it opens)."""
        return list(self._ids)

    # --- control -------------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self.engine is not None and self.engine.paused

    @property
    def started(self) -> bool:
        """The engine runs (control calls act at once; before, a front end keeps them until it starts)."""
        return self.engine is not None

    def progress(self) -> tuple[int, dict[Outcome, int]]:
        """How many IDs have a final outcome in this run so far, and how many of each."""
        if self.engine is None:
            return 0, dict.fromkeys(Outcome, 0)
        records = self.engine.records
        return len(records), count_outcomes(records.values())

    def cancel(self, grace: float, status: RunStatus = RunStatus.CANCELLED) -> None:
        if self.engine is not None:
            self.engine.cancel(grace, status)

    def hold(self) -> None:
        """Send nothing new while the operator answers a question (requests in flight finish and are recorded)."""
        if self.engine is not None:
            self.engine.hold()

    def release_hold(self) -> None:
        if self.engine is not None:
            self.engine.release_hold()

    def resume_with(self, auth: RequestAuth) -> None:
        if self.engine is not None:
            self.auth = auth
            self.engine.resume(auth)

    def _events(self, on_event: Callable[[EngineEvent], None] | None) -> Callable[[EngineEvent], None]:
        """Rejected temporary keys from the metadata service: refresh them once and resume by themselves."""

        def forward(event: EngineEvent) -> None:
            if (
                isinstance(event, Paused)
                and self.auth.refreshable
                and time.monotonic() - self._last_auto_refresh >= AUTO_REFRESH_INTERVAL
            ):
                self._last_auto_refresh = time.monotonic()
                task = asyncio.get_running_loop().create_task(self._refresh_then_resume(event, on_event))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                return
            if isinstance(event, Paused) and not self.spec.pause_on_auth:
                assert self.engine is not None
                self.engine.cancel(0.0, RunStatus.AUTH_FAILED)  # the CLI stops; only the console asks
                return
            if on_event is not None:
                on_event(event)

        return forward

    async def _refresh_then_resume(self, paused: Paused, on_event: Callable[[EngineEvent], None] | None) -> None:
        assert self.engine is not None
        if await self.auth.refresh():
            self.engine.resume()
            return
        if self.spec.pause_on_auth:
            if on_event is not None:
                on_event(paused)
        else:
            self.engine.cancel(0.0, RunStatus.AUTH_FAILED)

    # --- running ----------------------------------------------------------------------------------------

    async def run(
        self,
        on_event: Callable[[EngineEvent], None] | None = None,
        on_engine: Callable[[DeleteEngine], None] | None = None,
    ) -> SessionResult:
        spec = self.spec
        summary: RunSummary | None = None
        status = RunStatus.CRASHED
        journal_error: str | None = None
        try:
            if self.resuming:
                self.journal.resumed(self._ids)
            async with ViasClient(spec.target.endpoint, spec.target.project_id, spec.auth, http=self._http) as client:
                self.engine = DeleteEngine(
                    client,
                    concurrency=spec.concurrency,
                    policy=spec.policy,
                    on_event=self._events(on_event),
                    journal=self.journal,
                    pause_on_auth=spec.pause_on_auth or self.auth.refreshable,
                    cleanup=spec.cleanup if spec.cleanup is not None and spec.cleanup.active else None,
                )
                if on_engine is not None:
                    on_engine(self.engine)
                summary = await self.engine.run(self._ids, self.previously_sent)
            status = summary.status
        except JournalWriteError as exc:  # even the resume marker could not be written: nothing was sent
            journal_error = str(exc)
            status = RunStatus.JOURNAL_FAILED
        except asyncio.CancelledError:
            status = RunStatus.INTERRUPTED
            raise
        finally:
            records = self.engine.records if self.engine is not None else {}
            try:
                self.journal.finish(status, count_outcomes(records.values()))
            except JournalWriteError as exc:
                journal_error = journal_error or str(exc)
            self.close()
            self.log.apply(records.values())
        if summary is None:
            summary = RunSummary(len(self._ids), status, 0.0, count_outcomes([]), journal_error=journal_error)
        return SessionResult(
            summary,
            status,
            self.journal.path,
            self.log,
            list(summary.unrecorded),
            summary.journal_error or journal_error,
        )

    def __enter__(self) -> RunSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the journal (also when the run was never started: not confirmed)."""
        if not self._closed:
            self._closed = True
            self.journal.close()


def _cleanup_header(plan: CleanupPlan | None) -> dict[str, Any] | None:
    """What the journal's header says of the run's cleanup options (a resume goes on with them)."""
    if plan is None or not plan.active:
        return None
    return {
        "stop_running": plan.stop_running,
        "clean_leftovers": plan.clean_leftovers,
        "stop": sorted(plan.to_stop),
    }


def _resumed_cleanup(log: RunLog) -> CleanupPlan | None:
    options = log.cleanup
    plan = CleanupPlan(
        stop_running=options.get("stop_running") is True,
        clean_leftovers=options.get("clean_leftovers") is True,
        to_stop=frozenset(str(i) for i in options.get("stop") or [] if isinstance(i, str)),
        prior=dict(log.steps),
    )
    return plan if plan.active or log.steps else None


def refuse_overlap(spec: RunSpec, ids: list[str], exclude: Path | None = None) -> None:
    """RunBusy, naming the run and its process, when a live run in the same project has these IDs unsettled."""
    target = spec.target
    hit = overlapping_live_run(spec.directory(), target.project_id, ids, exclude)
    if hit is None:
        return
    log, overlap = hit
    owner = read_owner(log.path)
    who = owner.describe() if owner is not None else _("another process")
    raise RunBusy(
        _(
            "{count:,} of these IDs are still being deleted by run {run} ({who}) in the same project; wait for it "
            "to finish, or pass --allow-overlap to send them anyway"
        ).format(count=overlap, run=log.run_id, who=who)
    )


__all__ = ["RunSession", "RunSpec", "SessionResult", "preflight", "refuse_overlap"]
