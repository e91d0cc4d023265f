"""Runs many deletes: bounded concurrency, retries that respect throttling, auth stop or pause, cancel.

UI-agnostic: progress goes out as typed events through `on_event`. Every ID handed to `run` ends in exactly
one `OutcomeRecord`, written to the journal (if any) before its event is emitted. An ID whose request may have
reached the server without an answer is never recorded as failed or "not deleted" on the strength of a later
throttle, credential rejection or stop: only a definite answer about the task settles it; otherwise `unknown`.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tui_app.domain.errors import ApiError
from tui_app.domain.models import DeleteResult
from tui_app.outcomes import Attempt, Outcome, OutcomeRecord, RunStatus, count_outcomes
from tui_app.problems import JournalWriteError
from tui_app.run_events import (
    EngineEvent,
    Finished,
    OutcomeEvent,
    Paused,
    Resumed,
    RunStarted,
    RunSummary,
    Throttled,
)
from tui_app.vias.auth import RequestAuth

MAX_CONCURRENCY = 64
DEFAULT_CONCURRENCY = 16  # see the README's Performance section: throughput is C / latency up to the quota


class Deleter(Protocol):
    async def delete_batch_task(self, task_id: str) -> DeleteResult | ApiError: ...

    def set_auth(self, auth: RequestAuth) -> None: ...


class OutcomeSink(Protocol):
    """Where the engine records what it does (the journal). Raises JournalWriteError when it cannot."""

    def sent(self, task_id: str, attempt: int) -> None: ...

    def outcome(self, record: OutcomeRecord) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # for 5xx, timeouts and connection errors
    max_throttled: int = 12  # 429s tolerated for one ID before giving up on it
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def backoff(self, failures: int, rand: Callable[[], float] = random.random) -> float:
        """Exponential backoff with jitter (never zero, so retries still spread out)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(0, failures - 1))
        return float(ceiling * (0.5 + rand() / 2))

    def throttle_delay(self, error: ApiError, throttles: int, rand: Callable[[], float] = random.random) -> float:
        """How long to wait after a 429: the server's Retry-After (capped), else the backoff."""
        if error.retry_after is not None:
            return min(error.retry_after, self.max_retry_after)
        return self.backoff(throttles, rand)


@dataclass
class IdProgress:
    """What is known about one ID while its attempts run (kept across a pause for new credentials)."""

    attempts: list[Attempt] = field(default_factory=list)
    error: ApiError | None = None
    unanswered: bool = False  # an attempt (here or in an interrupted run) may have reached the server unanswered
    in_flight: bool = False
    failures: int = 0
    throttles: int = 0


_STOP_REASONS = {
    RunStatus.CANCELLED: "the run was cancelled",
    RunStatus.INTERRUPTED: "the run was interrupted",
    RunStatus.AUTH_FAILED: "the credentials were rejected",
    RunStatus.TARGET_FAILED: "the endpoint is unusable",
    RunStatus.JOURNAL_FAILED: "the journal could not be written",
    RunStatus.CRASHED: "the run stopped on an internal error",
}
LOST_ANSWER = (
    "an earlier attempt may have reached the service unanswered (no answer, or a gateway's 502/504); "
    "the task may be gone"
)


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
    ) -> None:
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency must be between 1 and {MAX_CONCURRENCY}")
        self.client = client
        self.concurrency = concurrency
        self.policy = policy or RetryPolicy()
        self._emit = on_event or (lambda event: None)
        self._journal = journal
        self._pause_on_auth = pause_on_auth
        self._rand = rand
        self.records: dict[str, OutcomeRecord] = {}
        self.unrecorded: list[OutcomeRecord] = []
        self.paused = False
        self.started_at: float | None = None  # time.monotonic() at the first dispatch
        self._pending: deque[str] = deque()
        self._carried: dict[str, IdProgress] = {}  # IDs sent back to the queue by an auth pause
        self._throttle_until = 0.0
        self._stop: RunStatus | None = None
        self._stop_error: ApiError | None = None
        self._journal_error: str | None = None
        self._crash: BaseException | None = None  # the first internal error; run() re-raises it once all is settled
        self._total = 0
        self._gate: asyncio.Event | None = None
        self._in_flight: set[asyncio.Future[DeleteResult | ApiError]] = set()
        self._aborted = False
        self._abort_at: float | None = None
        self._wake: asyncio.Future[None] | None = None
        self._previously_sent: frozenset[str] = frozenset()

    @property
    def stopping(self) -> bool:
        return self._stop is not None

    # --- control (call from the same event loop) --------------------------------------------------

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
        """Continue after an auth pause, with new credentials if given."""
        if auth is not None:
            self.client.set_auth(auth)
        if self.paused and self._gate is not None:
            self.paused = False
            self._stop_error = None
            self._gate.set()
            self._emit(Resumed())

    # --- running -----------------------------------------------------------------------------------

    async def run(self, ids: Sequence[str], previously_sent: frozenset[str] = frozenset()) -> RunSummary:
        """Delete `ids`. `previously_sent` are IDs an interrupted run sent without hearing back (a resume)."""
        self._previously_sent = previously_sent
        loop = asyncio.get_running_loop()
        self._gate = asyncio.Event()
        self._gate.set()
        self._wake = loop.create_future()
        self._pending = deque(dict.fromkeys(ids))  # an ID is sent at most once per run, even if repeated
        self._total = len(self._pending)
        self.started_at = time.monotonic()
        self._emit(RunStarted(self._total, self.concurrency))
        workers = [asyncio.create_task(self._worker()) for _ in range(min(self.concurrency, self._total))]
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
        assert self._gate is not None
        while self._pending and self._stop is None:
            if not self._gate.is_set():
                await self._gate.wait()
                continue
            task_id = self._pending.popleft()
            record = await self._delete_one(task_id)
            if record is not None:
                self._finish(record)

    async def _delete_one(self, task_id: str) -> OutcomeRecord | None:
        """Send (and retry) one delete. None means it went back to the queue (auth pause)."""
        progress = self._carried.pop(task_id, None) or IdProgress(unanswered=task_id in self._previously_sent)
        try:
            return await self._send_until_settled(task_id, progress)
        except asyncio.CancelledError:  # the whole run was cancelled from outside: still one outcome
            if progress.in_flight:
                record = OutcomeRecord(
                    task_id,
                    Outcome.UNKNOWN,
                    progress.attempts,
                    progress.error,
                    note="interrupted while the request was in flight; the task may be deleted",
                )
            else:
                record = self._stopped_record(task_id, progress)
            self._finish(record)
            raise
        except Exception as exc:  # a bug: this ID still ends in one honest outcome, and the run stops
            if self._crash is None:
                self._crash = exc
            self._halt(RunStatus.CRASHED)
            if progress.in_flight or progress.unanswered:
                record = OutcomeRecord(
                    task_id,
                    Outcome.UNKNOWN,
                    progress.attempts,
                    progress.error,
                    note=f"an internal error ({type(exc).__name__}) after it was sent; the task may be deleted",
                )
            else:
                record = self._stopped_record(task_id, progress)
            self._finish(record)
            return None

    async def _send_until_settled(self, task_id: str, progress: IdProgress) -> OutcomeRecord | None:
        assert self._gate is not None
        attempts = progress.attempts
        while True:
            await self._wait_for_throttle()
            if self._stop is not None:
                return self._stopped_record(task_id, progress)
            if not self._gate.is_set():  # paused for new credentials: keep its place in the queue
                self._requeue(task_id, progress)
                return None
            number = len(attempts) + 1
            if self._journal is not None:
                try:
                    self._journal.sent(task_id, number)
                except JournalWriteError as exc:  # unrecorded, so never sent
                    self._journal_failed(exc)
                    return self._stopped_record(task_id, progress)
            started = time.monotonic()
            run_clock = self.started_at or started
            # A task of its own, so that the end of a cancel's grace can abort it without cancelling the worker.
            request = asyncio.ensure_future(self.client.delete_batch_task(task_id))
            self._in_flight.add(request)
            progress.in_flight = True
            try:
                answer = await request
            except asyncio.CancelledError:
                if not (self._aborted and request.cancelled()):
                    request.cancel()
                    raise  # the worker itself is being cancelled (the whole run was): still in flight, unknown
                progress.in_flight = False
                attempts.append(
                    Attempt(number, started - run_clock, time.monotonic() - started, "no answer (cancelled)")
                )
                return OutcomeRecord(
                    task_id,
                    Outcome.UNKNOWN,
                    attempts,
                    progress.error,
                    note="cancelled while the request was in flight; the task may be deleted",
                )
            finally:
                self._in_flight.discard(request)
            progress.in_flight = False
            attempts.append(Attempt(number, started - run_clock, time.monotonic() - started, _describe(answer)))

            if isinstance(answer, DeleteResult):
                return _success_record(task_id, answer, attempts, progress.error is not None)
            error = progress.error = answer
            if error.is_not_found:
                note = (
                    "an earlier attempt went unanswered; it probably deleted the task" if progress.unanswered else None
                )
                return OutcomeRecord(task_id, Outcome.NOT_FOUND, attempts, error, note=note)
            if error.may_have_acted:
                progress.unanswered = True
            if error.is_auth:
                return self._on_auth_failure(task_id, error, progress)
            if error.is_target_failure:
                self._halt(RunStatus.TARGET_FAILED, error)
                return self._settle(task_id, progress, Outcome.FAILED, None)
            if error.is_throttle:
                progress.throttles += 1
                if progress.throttles > self.policy.max_throttled:
                    note = f"still throttled after {progress.throttles} tries"
                    if not progress.unanswered:
                        note += "; the service did not act"
                    return self._settle(task_id, progress, Outcome.FAILED, note)
                self._throttle(task_id, error, progress.throttles)
                continue
            if not error.is_retryable:  # a refusal of the request itself: the task was not deleted
                if progress.unanswered and error.settles_after_lost_answer:
                    return OutcomeRecord(
                        task_id,
                        Outcome.FAILED,
                        attempts,
                        error,
                        note="an earlier attempt went unanswered; this answer says it was refused",
                    )
                return self._settle(task_id, progress, Outcome.FAILED, None)
            progress.failures += 1
            if progress.failures < self.policy.max_attempts:
                await self._sleep(self.policy.backoff(progress.failures, self._rand))
                continue
            return self._settle(task_id, progress, Outcome.FAILED, f"gave up after {progress.failures} tries")

    def _settle(self, task_id: str, progress: IdProgress, outcome: Outcome, note: str | None) -> OutcomeRecord:
        """The final record after an error answer; `unknown` instead when an earlier attempt went unanswered."""
        if progress.unanswered:
            why = f"; then {note}" if note else ""
            return OutcomeRecord(
                task_id, Outcome.UNKNOWN, progress.attempts, progress.error, note=f"{LOST_ANSWER}{why}"
            )
        return OutcomeRecord(task_id, outcome, progress.attempts, progress.error, note=note)

    def _on_auth_failure(self, task_id: str, error: ApiError, progress: IdProgress) -> OutcomeRecord | None:
        assert self._gate is not None
        self._stop_error = error
        if self._pause_on_auth:
            self._requeue(task_id, progress)  # the server did not act on this attempt: send it again later
            if not self.paused:
                self.paused = True
                self._gate.clear()
                self._emit(Paused("the credentials were rejected", error))
            return None
        self._halt(RunStatus.AUTH_FAILED, error)
        if progress.unanswered:
            return self._settle(task_id, progress, Outcome.CANCELLED, "the credentials were rejected")
        return OutcomeRecord(
            task_id, Outcome.CANCELLED, progress.attempts, error, note="the credentials were rejected; not deleted"
        )

    def _requeue(self, task_id: str, progress: IdProgress) -> None:
        self._carried[task_id] = progress
        self._pending.appendleft(task_id)

    def _throttle(self, task_id: str, error: ApiError, throttles: int) -> None:
        delay = self.policy.throttle_delay(error, throttles, self._rand)
        until = time.monotonic() + delay
        if until > self._throttle_until + 0.05:
            self._throttle_until = until
            self._emit(Throttled(task_id, delay))

    async def _wait_for_throttle(self) -> None:
        while self._stop is None and (wait := self._throttle_until - time.monotonic()) > 0:
            await self._sleep(wait)

    async def _sleep(self, seconds: float) -> None:
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
        if self._gate is not None:
            self._gate.set()

    def _journal_failed(self, exc: JournalWriteError) -> None:
        if self._journal_error is None:
            self._journal_error = str(exc)
        self._halt(RunStatus.JOURNAL_FAILED)

    def _abort_in_flight(self) -> None:
        self._aborted = True
        for request in list(self._in_flight):
            request.cancel()

    def _stopped_record(self, task_id: str, progress: IdProgress) -> OutcomeRecord:
        """The outcome of an ID the run stopped before it was settled."""
        why = _STOP_REASONS.get(self._stop or RunStatus.INTERRUPTED, "the run stopped")
        if self._stop is RunStatus.TARGET_FAILED and self._stop_error is not None:
            why += f" ({self._stop_error.hint() or self._stop_error.one_line()})"
        attempts, error = progress.attempts, progress.error
        if progress.unanswered:
            if not attempts:
                return OutcomeRecord(
                    task_id, Outcome.UNKNOWN, note="sent by an interrupted run, never answered; not sent again"
                )
            return OutcomeRecord(task_id, Outcome.UNKNOWN, attempts, error, note=f"{LOST_ANSWER}; then {why}")
        if not attempts:
            return OutcomeRecord(task_id, Outcome.CANCELLED, note=f"not sent: {why}")
        if error is None or error.is_throttle or error.is_auth or not error.delivered:
            answers = "throttled" if error is not None and error.is_throttle else "refused"
            return OutcomeRecord(
                task_id,
                Outcome.CANCELLED,
                attempts,
                error,
                note=f"sent {len(attempts)} time(s) and {answers} without acting; then {why}",
            )
        return OutcomeRecord(task_id, Outcome.FAILED, attempts, error, note=f"{why} before a retry")

    def _settle_leftovers(self) -> None:
        while self._pending:
            task_id = self._pending.popleft()
            progress = self._carried.pop(task_id, None) or IdProgress(unanswered=task_id in self._previously_sent)
            self._finish(self._stopped_record(task_id, progress))

    def _finish(self, record: OutcomeRecord) -> None:
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


def _success_record(task_id: str, result: DeleteResult, attempts: list[Attempt], retried: bool) -> OutcomeRecord:
    if not result.body_ok:
        why = result.problem or "the body was not the documented JSON"
        head = "HTTP 200 but " if result.http_status == 200 else ""
        return OutcomeRecord(task_id, Outcome.UNKNOWN, attempts, result=result, note=f"{head}{why}; check the task")
    outcome = Outcome.PARTIAL if result.is_partial else Outcome.DELETED
    note = "deleted on a retry" if retried and outcome is Outcome.DELETED else None
    return OutcomeRecord(task_id, outcome, attempts, result=result, note=note)


def _describe(answer: DeleteResult | ApiError) -> str:
    # Interned: a long run keeps one per attempt, and nearly all of them read "HTTP 200".
    if isinstance(answer, DeleteResult):
        return sys.intern(f"HTTP {answer.http_status}")
    if answer.http_status is None:
        return sys.intern(f"no answer ({answer.transport})")
    return sys.intern(f"HTTP {answer.http_status}" + (f" {answer.code}" if answer.code else ""))
