"""Runs many deletes: bounded concurrency, the gateway's rules (one request proves the credentials before the
fan-out; pacing to the rate it admits: pacing.py), retries, the auth stop or pause, holds, cancel.

UI-agnostic: progress goes out as typed events through `on_event`. Every ID handed to `run` ends in exactly
one `OutcomeRecord`, written to the journal (if any) before its event is emitted. An ID whose request may have
reached the server without an answer is never recorded as failed or "not deleted" on the strength of a later
throttle, credential rejection or stop: only a definite answer about the task settles it; otherwise `unknown`
(id_outcomes.py). An endpoint nothing reaches (no DNS, refused, no route) stops the run after its first IDs.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from tui_app.cleanup import BatchCleanup, CleanupPlan
from tui_app.domain.errors import ApiError, Transport
from tui_app.domain.models import DeleteResult
from tui_app.i18n import N_, _
from tui_app.id_outcomes import STOP_REASONS, Ended, Ending, IdProgress, describe, error_record, success_record
from tui_app.outcomes import Attempt, Note, Outcome, OutcomeRecord, RunStatus, count_outcomes
from tui_app.pacing import Admission, PaceChange
from tui_app.problems import JournalWriteError
from tui_app.retry_policy import RetryPolicy
from tui_app.run_events import (
    EngineEvent,
    Finished,
    OutcomeEvent,
    Paced,
    Paused,
    Resumed,
    RunStarted,
    RunSummary,
    Throttled,
)
from tui_app.run_ports import Deleter, OutcomeSink
from tui_app.vias.auth import RequestAuth

T = TypeVar("T")
MAX_CONCURRENCY = 64
DEFAULT_CONCURRENCY = 16  # see docs/performance.md: throughput is C / latency up to the quota
UNREACHABLE_AFTER = 3  # IDs in a row that no attempt reached, once the endpoint had answered before: stop
_NEVER_REACHED = frozenset({Transport.CONNECT, Transport.DNS, Transport.CONNECT_TIMEOUT, Transport.PROXY_UNREACHABLE})


class DeleteEngine:
    def __init__(
        self,
        client: Deleter,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        policy: RetryPolicy | None = None,
        on_event: Callable[[EngineEvent], None] | None = None,
        journal: OutcomeSink | None = None,
        pause_on_auth: bool = False,
        rand: Callable[[], float] = random.random,
        cleanup: CleanupPlan | None = None,
    ) -> None:
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise ValueError(_("concurrency must be between 1 and {maximum}").format(maximum=MAX_CONCURRENCY))
        self.client = client
        self.concurrency = concurrency
        self.policy = policy or RetryPolicy()
        self._emit = on_event or (lambda event: None)
        self._journal = journal
        self._pause_on_auth = pause_on_auth
        self._rand = rand
        self.cleanup = cleanup  # stop running batches first, delete what partial deletes leave (cleanup.py)
        self.records: dict[str, OutcomeRecord] = {}
        self.unrecorded: list[OutcomeRecord] = []
        self.started_at: float | None = None  # time.monotonic() at the first dispatch
        self.admission = Admission(concurrency)
        self._pending: deque[str] = deque()
        self._stop: RunStatus | None = None
        self._stop_error: ApiError | None = None
        self._journal_error: str | None = None
        self._crash: BaseException | None = None  # the first internal error; run() re-raises it once all is settled
        self._total = 0
        self._in_flight: set[asyncio.Future[object]] = set()
        self._aborted = False
        self._abort_at: float | None = None
        self._wake: asyncio.Future[None] | None = None
        self._previously_sent: frozenset[str] = frozenset()
        self._answered_any = False  # the endpoint answered something (HTTP) in this run
        self._unreached = 0  # IDs in a row that ended with no attempt reaching the endpoint
        self._last_pace: float | None = None

    @property
    def paused(self) -> bool:
        """Waiting for new credentials (the console)."""
        return self.admission.paused

    @property
    def held(self) -> bool:
        return self.admission.held

    @property
    def journal(self) -> OutcomeSink | None:
        return self._journal

    @property
    def stop_status(self) -> RunStatus | None:
        """Why the run stopped, once it has."""
        return self._stop

    @property
    def stop_error(self) -> ApiError | None:
        return self._stop_error

    def journalled(self, write: Callable[[], None]) -> None:
        """A journal write of a step: a failure stops the run, like any journal failure."""
        try:
            write()
        except JournalWriteError as exc:
            self._journal_failed(exc)

    # --- control (call from the same event loop) --------------------------------------------------

    def hold(self) -> None:
        """Send nothing new while the operator answers a question; requests in flight finish and are recorded."""
        self.admission.set_held(True)

    def release_hold(self) -> None:
        self.admission.set_held(False)

    def cancel(self, grace: float = 5.0, status: RunStatus = RunStatus.CANCELLED) -> None:
        """Stop dispatching now; requests in flight get `grace` seconds, then are recorded `unknown`.

        A second call with a shorter grace (a second Ctrl-C) brings the deadline forward.
        """
        self._halt(status)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, grace)
        if self._abort_at is not None and deadline >= self._abort_at:
            return
        self._abort_at = deadline
        if grace <= 0:
            self._abort_in_flight()
        else:
            loop.call_at(deadline, self._abort_in_flight)

    def resume(self, auth: RequestAuth | None = None) -> None:
        """Continue after an auth pause, with new credentials if given (they prove themselves with one request)."""
        if auth is not None:
            self.client.set_auth(auth)
        if self.paused:
            self._stop_error = None
            self.admission.set_paused(False)
            self._emit(Resumed())

    # --- running -----------------------------------------------------------------------------------

    async def run(self, ids: Sequence[str], previously_sent: frozenset[str] = frozenset()) -> RunSummary:
        """Delete `ids`. `previously_sent` are IDs an interrupted run sent without hearing back (a resume)."""
        self._previously_sent = previously_sent
        self._wake = asyncio.get_running_loop().create_future()
        self._pending = deque(dict.fromkeys(ids))  # an ID is sent at most once per run, even if repeated
        self._total = len(self._pending)
        self.started_at = time.monotonic()
        self._emit(RunStarted(self._total, self.concurrency))
        workers = [asyncio.create_task(self._worker()) for _worker in range(min(self.concurrency, self._total))]
        try:
            # return_exceptions: one worker failing must not leave the others running unwatched
            results = await asyncio.gather(*workers, return_exceptions=True)
        except asyncio.CancelledError:
            self._halt(RunStatus.INTERRUPTED)
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            self._settle_leftovers()
            raise
        for result in results:
            if isinstance(result, BaseException) and self._crash is None:
                self._crash = result
                self._halt(RunStatus.CRASHED)
        self._settle_leftovers()
        if self._crash is not None:
            raise self._crash  # every ID has its outcome; the front end reports the crash
        summary = RunSummary(
            self._total,
            self._stop or RunStatus.FINISHED,
            time.monotonic() - self.started_at,
            count_outcomes(self.records.values()),
            self._stop_error,
            list(self.unrecorded),
            self._journal_error,
        )
        self._emit(Finished(summary))
        return summary

    async def _worker(self) -> None:
        while self._pending and self._stop is None:
            task_id = self._pending.popleft()
            record = await self._delete_one(task_id)
            if record is not None:
                self.finish(record)

    async def _delete_one(self, task_id: str) -> OutcomeRecord | None:
        """Send (and retry) one delete (with its stop and leftover jobs when the run cleans up)."""
        progress = IdProgress(unanswered=task_id in self._previously_sent)
        try:
            return await self._delete_or_settle(task_id, progress)
        finally:
            self.admission.settled(task_id)

    async def _delete_or_settle(self, task_id: str, progress: IdProgress) -> OutcomeRecord | None:
        try:
            if self.cleanup is not None:
                return await BatchCleanup(self, self.cleanup, task_id, progress).run()
            return await self.delete_batch(task_id, progress)
        except asyncio.CancelledError:  # the whole run was cancelled from outside: still one outcome
            if progress.in_flight:
                note = Note(N_("interrupted while the request was in flight; the task may be deleted"))
                record = OutcomeRecord(task_id, Outcome.UNKNOWN, progress.attempts, progress.error, note=note)
            else:
                record = progress.stopped(task_id, self._stop, self._stop_error)
            self.finish(record)
            raise
        except Exception as exc:  # a bug: this ID still ends in one honest outcome, and the run stops
            if self._crash is None:
                self._crash = exc
            self._halt(RunStatus.CRASHED)
            if progress.in_flight or progress.unanswered:
                note = Note(
                    N_("an internal error ({error}) after it was sent; the task may be deleted"),
                    error=type(exc).__name__,
                )
                record = OutcomeRecord(task_id, Outcome.UNKNOWN, progress.attempts, progress.error, note=note)
            else:
                record = progress.stopped(task_id, self._stop, self._stop_error)
            self.finish(record)
            return None

    async def delete_batch(self, task_id: str, progress: IdProgress) -> OutcomeRecord:
        """The batch DELETE, retried by the rules, and the outcome it ends in."""
        journal = self._journal
        answer = await self.exchange(
            task_id,
            progress,
            lambda: self.client.delete_batch_task(task_id),
            (lambda n: journal.sent(task_id, n)) if journal is not None else None,
        )
        if answer is Ended.STOPPED:
            return progress.stopped(task_id, self._stop, self._stop_error)
        if answer is Ended.ABORTED:
            note = Note(N_("cancelled while the request was in flight; the task may be deleted"))
            return OutcomeRecord(task_id, Outcome.UNKNOWN, progress.attempts, progress.error, note=note)
        if isinstance(answer, DeleteResult):
            return success_record(task_id, answer, progress.attempts, progress.error is not None)
        assert isinstance(answer, ApiError)
        return error_record(task_id, answer, progress)

    async def exchange(
        self,
        owner: str,
        progress: IdProgress,
        send: Callable[[], Awaitable[T | ApiError]],
        journal_sent: Callable[[int], None] | None,
        *,
        label: str = "",
    ) -> T | ApiError | Ended:
        """One request by the gateway's rules, retried until it is answered for good: admitted (paced, one at a time
        until the credentials are proven, nothing while held or paused), journalled as sent before it goes,
        throttling paced, 5xx and lost answers retried with backoff, an auth rejection pausing (the console) or
        stopping the run, an unusable endpoint stopping it. Returns the success, the final ApiError (with why in
        `progress.ending`), or how it ended without one."""
        while True:
            if not await self.admission.acquire(owner):
                return Ended.STOPPED
            answer = await self._attempt(progress, send, journal_sent, label)
            if isinstance(answer, Ended):
                return answer
            if not isinstance(answer, ApiError):
                self._reached()
                return answer
            ending = self._on_error(owner, answer, progress)
            if ending is not None:
                progress.ending = ending
                return answer
            if answer.is_throttle or (answer.is_auth and self.paused):
                continue  # paced, or paused for new credentials: the admission decides when
            progress.failures += 1
            if progress.failures >= self.policy.max_attempts:
                progress.ending = Ending.GAVE_UP
                self._count_unreached(answer, progress)
                return answer
            await self.sleep(self.policy.backoff(progress.failures, self._rand))

    async def _attempt(
        self,
        progress: IdProgress,
        send: Callable[[], Awaitable[T | ApiError]],
        journal_sent: Callable[[int], None] | None,
        label: str,
    ) -> T | ApiError | Ended:
        """One request, admitted already: journalled as sent first, then sent, then what came back."""
        attempts = progress.attempts
        number = len(attempts) + 1
        if journal_sent is not None:
            try:
                journal_sent(number)
            except JournalWriteError as exc:  # unrecorded, so never sent
                self.admission.release()
                self._journal_failed(exc)
                return Ended.STOPPED
        started = time.monotonic()
        run_clock = self.started_at or started
        # A task of its own, so that the end of a cancel's grace can abort it without cancelling the worker.
        request: asyncio.Future[T | ApiError] = asyncio.ensure_future(send())
        self._in_flight.add(request)  # type: ignore[arg-type]
        progress.in_flight = True
        try:
            answer = await request
        except asyncio.CancelledError:
            self.admission.release()
            if not (self._aborted and request.cancelled()):
                request.cancel()
                raise  # the worker itself is being cancelled (the whole run was): still in flight, unknown
            progress.in_flight = False
            answer_text = f"{label}: no answer (cancelled)" if label else "no answer (cancelled)"
            attempts.append(Attempt(number, started - run_clock, time.monotonic() - started, answer_text))
            return Ended.ABORTED
        finally:
            self._in_flight.discard(request)
        progress.in_flight = False
        said = describe(answer)
        attempts.append(
            Attempt(number, started - run_clock, time.monotonic() - started, f"{label}: {said}" if label else said)
        )
        change = self.admission.answered(answer if isinstance(answer, ApiError) else None)
        self.admission.release()
        if change is not None:
            self._paced(change)
        return answer

    def _on_error(self, owner: str, error: ApiError, progress: IdProgress) -> Ending | None:
        """Why an error answer ends the exchange, or None to send again."""
        progress.error = error
        if error.answered:
            self._reached()
        if error.is_not_found:
            return Ending.NOT_FOUND
        if error.may_have_acted:
            progress.unanswered = True
        if error.is_auth:
            self._stop_error = error
            if self._pause_on_auth:
                if not self.paused:
                    self.admission.set_paused(True)
                    self._emit(Paused(_(STOP_REASONS[RunStatus.AUTH_FAILED]), error))
                return None  # that attempt did not act: sent again with the new credentials
            self._halt(RunStatus.AUTH_FAILED, error)
            return Ending.AUTH
        if error.is_target_failure:
            self._halt(RunStatus.TARGET_FAILED, error)
            return Ending.TARGET
        if error.is_throttle:
            progress.throttles += 1
            if progress.throttles > self.policy.max_throttled:
                return Ending.THROTTLED
            if error.retry_after is not None:
                delay = min(error.retry_after, self.policy.max_retry_after)
                self.admission.retry_after(delay)
                self._emit(Throttled(owner, delay))
            return None
        if not error.is_retryable:  # a refusal of the request itself
            return Ending.REFUSED
        return None

    def _count_unreached(self, error: ApiError, progress: IdProgress) -> None:
        reached_nothing = all(a.answer.startswith("no answer") for a in progress.attempts)
        if reached_nothing and not error.delivered and error.transport in _NEVER_REACHED:
            self._unreached += 1
            if not self._answered_any or self._unreached >= UNREACHABLE_AFTER:
                self._halt(RunStatus.TARGET_FAILED, error)  # nothing reaches the endpoint: stop, do not loop

    def _reached(self) -> None:
        self._answered_any = True
        self._unreached = 0

    def _paced(self, change: PaceChange) -> None:
        """Tell the front ends about pacing: every decrease, and rises of a tenth or more."""
        last = self._last_pace
        if last is None or change.rate < last or change.rate >= 1.1 * last:
            self._last_pace = change.rate
            self._emit(Paced(change.rate, change.limit))

    async def sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the run stops."""
        assert self._wake is not None
        if self._stop is None:
            await asyncio.wait((self._wake,), timeout=seconds)

    def _halt(self, status: RunStatus, error: ApiError | None = None) -> None:
        """Stop dispatching; the first reason wins."""
        if self._stop is None:
            self._stop = status
            if error is not None:
                self._stop_error = error
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)
        self.admission.stop()

    def _journal_failed(self, exc: JournalWriteError) -> None:
        if self._journal_error is None:
            self._journal_error = str(exc)
        self._halt(RunStatus.JOURNAL_FAILED)

    def _abort_in_flight(self) -> None:
        self._aborted = True
        for request in list(self._in_flight):
            request.cancel()

    def _settle_leftovers(self) -> None:
        while self._pending:
            task_id = self._pending.popleft()
            progress = IdProgress(unanswered=task_id in self._previously_sent)
            self.finish(progress.stopped(task_id, self._stop, self._stop_error))

    def finish(self, record: OutcomeRecord) -> None:
        if record.id in self.records:
            return  # exactly one outcome per ID
        self.records[record.id] = record
        if self._journal is not None:
            try:
                self._journal.outcome(record)
            except JournalWriteError as exc:
                self.unrecorded.append(record)
                self._journal_failed(exc)
        self._emit(OutcomeEvent(record, len(self.records), self._total))


__all__ = ["DEFAULT_CONCURRENCY", "MAX_CONCURRENCY", "DeleteEngine", "Deleter", "OutcomeSink"]
