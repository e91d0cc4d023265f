"""Runs many deletes: bounded concurrency, retries that respect throttling, auth stop or pause, cancel.

UI-agnostic: progress goes out as typed events through `on_event`. Every ID handed to `run` ends in
exactly one `OutcomeRecord`, written to the journal (if any) before its event is emitted.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tui_app.outcomes import Attempt, Outcome, OutcomeRecord, count_outcomes
from tui_app.secret import Token
from tui_app.vias.errors import ApiError
from tui_app.vias.models import DeleteResult

MAX_CONCURRENCY = 32
DEFAULT_CONCURRENCY = 4


class Deleter(Protocol):
    async def delete_batch_task(self, task_id: str) -> DeleteResult | ApiError: ...

    def set_token(self, token: Token) -> None: ...


class OutcomeSink(Protocol):
    def sent(self, task_id: str, attempt: int) -> None: ...

    def outcome(self, record: OutcomeRecord) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # for 5xx, timeouts and connection errors
    max_throttled: int = 12  # 429s tolerated for one ID before it is recorded failed
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def backoff(self, failures: int, rand: Callable[[], float] = random.random) -> float:
        """Exponential backoff with full jitter (never zero, so retries still spread out)."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** max(0, failures - 1)))
        return ceiling * (0.5 + rand() / 2)


# --- events ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunStarted:
    total: int
    concurrency: int


@dataclass(frozen=True)
class Throttled:
    task_id: str
    delay: float  # the whole run waits this long before sending again
    retry_after: bool  # the delay came from the server's Retry-After


@dataclass(frozen=True)
class OutcomeEvent:
    record: OutcomeRecord
    done: int
    total: int


@dataclass(frozen=True)
class Paused:
    reason: str
    error: ApiError


@dataclass(frozen=True)
class Resumed:
    pass


@dataclass(frozen=True)
class Finished:
    summary: RunSummary


EngineEvent = RunStarted | Throttled | OutcomeEvent | Paused | Resumed | Finished


@dataclass
class RunSummary:
    total: int
    status: str  # finished | cancelled | auth_failed | target_failed
    elapsed: float
    counts: dict[Outcome, int] = field(default_factory=dict)
    stop_error: ApiError | None = None  # what stopped the run: a rejected token or an unusable endpoint

    @property
    def all_gone(self) -> bool:
        return self.counts.get(Outcome.DELETED, 0) + self.counts.get(Outcome.NOT_FOUND, 0) == self.total


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
        self.paused = False
        self._pending: deque[str] = deque()
        self._throttle_until = 0.0
        self._stopping = False
        self._status = "finished"
        self._auth_error: ApiError | None = None
        self._total = 0
        self._t0 = 0.0
        self._gate: asyncio.Event | None = None
        self._abort: asyncio.Future[None] | None = None
        self._wake: asyncio.Future[None] | None = None
        self._previously_sent: frozenset[str] = frozenset()
        self._target_error: ApiError | None = None

    # --- control (call from the same event loop) --------------------------------------------------

    def cancel(self, grace: float = 5.0) -> None:
        """Stop dispatching now; requests in flight get `grace` seconds, then are recorded `unknown`."""
        if self._stopping:
            return
        self._stopping = True
        if self._status == "finished":
            self._status = "cancelled"
        self._poke()
        if self._gate:
            self._gate.set()
        loop = asyncio.get_running_loop()
        loop.call_later(max(0.0, grace), self._abort_in_flight)

    def resume(self, token: Token | None = None) -> None:
        """Continue after an auth pause, with a new token if given."""
        if token is not None:
            self.client.set_token(token)
        if self.paused and self._gate is not None:
            self.paused = False
            self._auth_error = None
            self._gate.set()
            self._emit(Resumed())

    # --- running -----------------------------------------------------------------------------------

    async def run(self, ids: Sequence[str], previously_sent: frozenset[str] = frozenset()) -> RunSummary:
        """Delete `ids`. `previously_sent` are IDs an interrupted run sent without hearing back (a resume)."""
        self._previously_sent = previously_sent
        loop = asyncio.get_running_loop()
        self._gate = asyncio.Event()
        self._gate.set()
        self._abort = loop.create_future()
        self._wake = loop.create_future()
        self._pending = deque(dict.fromkeys(ids))  # an ID is sent at most once per run, even if repeated
        self._total = len(self._pending)
        self._t0 = time.monotonic()
        self._emit(RunStarted(self._total, self.concurrency))
        workers = [asyncio.create_task(self._worker()) for _ in range(min(self.concurrency, self._total))]
        try:
            await asyncio.gather(*workers)
        except asyncio.CancelledError:
            self._stopping = True
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            self._settle_leftovers("the run was interrupted")
            raise
        self._settle_leftovers(self._leftover_note())
        summary = RunSummary(self._total, self._status, time.monotonic() - self._t0,
                             count_outcomes(self.records.values()), self._auth_error or self._target_error)
        self._emit(Finished(summary))
        return summary

    async def _worker(self) -> None:
        assert self._gate is not None
        while self._pending and not self._stopping:
            if not self._gate.is_set():
                await self._gate.wait()
                continue
            task_id = self._pending.popleft()
            record = await self._delete_one(task_id)
            if record is not None:
                self._finish(record)

    async def _delete_one(self, task_id: str) -> OutcomeRecord | None:
        """Send (and retry) one delete. None means it went back to the queue (auth pause)."""
        progress = _Progress(unanswered=task_id in self._previously_sent)
        try:
            return await self._send_until_settled(task_id, progress)
        except asyncio.CancelledError:  # the whole run was cancelled from outside: still one outcome
            if progress.in_flight:
                record = OutcomeRecord(task_id, Outcome.UNKNOWN, progress.attempts, progress.error,
                                       note="interrupted while the request was in flight; the task may be deleted")
            elif progress.attempts or progress.unanswered:
                record = self._stopped_record(task_id, progress)
            else:
                record = OutcomeRecord(task_id, Outcome.CANCELLED, note="not sent: the run was interrupted")
            self._finish(record)
            raise

    async def _send_until_settled(self, task_id: str, progress: _Progress) -> OutcomeRecord | None:
        assert self._gate is not None and self._abort is not None
        attempts = progress.attempts
        failures = throttles = 0
        while True:
            await self._wait_for_throttle()
            if self._stopping or not self._gate.is_set():
                if not self._stopping and not attempts:
                    self._pending.appendleft(task_id)  # paused before the first send: keep its place
                    return None
                if not self._stopping:
                    await self._gate.wait()
                    continue
                return self._stopped_record(task_id, progress)
            number = len(attempts) + 1
            if self._journal:
                self._journal.sent(task_id, number)
            started = time.monotonic()
            request = asyncio.ensure_future(self.client.delete_batch_task(task_id))
            progress.in_flight = True
            try:
                await asyncio.wait((request, self._abort), return_when=asyncio.FIRST_COMPLETED)
            except asyncio.CancelledError:
                request.cancel()
                raise
            progress.in_flight = False
            if not request.done():
                request.cancel()
                elapsed = time.monotonic() - started
                attempts.append(Attempt(number, started - self._t0, elapsed, "no answer (cancelled)"))
                return OutcomeRecord(task_id, Outcome.UNKNOWN, attempts, progress.error,
                                     note="cancelled while the request was in flight; the task may be deleted")
            answer = request.result()
            attempts.append(Attempt(number, started - self._t0, time.monotonic() - started, _describe(answer)))

            if isinstance(answer, DeleteResult):
                return _success_record(task_id, answer, attempts, progress.error is not None)
            error = progress.error = answer
            if error.is_auth:
                return self._on_auth_failure(task_id, error, attempts)
            if error.is_target_failure:
                return self._on_target_failure(task_id, error, attempts)
            if error.is_not_found:
                note = "an earlier attempt got no answer; it probably deleted the task" if progress.unanswered else None
                return OutcomeRecord(task_id, Outcome.NOT_FOUND, attempts, error, note=note)
            if not error.answered and error.delivered:
                progress.unanswered = True
            if error.is_throttle:
                throttles += 1
                if throttles > self.policy.max_throttled:
                    return OutcomeRecord(task_id, Outcome.FAILED, attempts, error,
                                         note=f"still throttled after {throttles} tries")
                self._throttle(task_id, error, throttles)
                continue
            if not error.is_retryable:  # a definite refusal: the task is there and was not deleted
                return OutcomeRecord(task_id, Outcome.FAILED, attempts, error)
            failures += 1
            if failures < self.policy.max_attempts:
                await self._sleep(self.policy.backoff(failures, self._rand))
                continue
            if progress.unanswered:
                return OutcomeRecord(task_id, Outcome.UNKNOWN, attempts, error,
                                     note="no definite answer after retries; the task may or may not be deleted")
            return OutcomeRecord(task_id, Outcome.FAILED, attempts, error, note=f"gave up after {failures} tries")

    def _on_auth_failure(self, task_id: str, error: ApiError, attempts: list[Attempt]) -> OutcomeRecord | None:
        assert self._gate is not None
        self._auth_error = error
        if self._pause_on_auth:
            self._pending.appendleft(task_id)  # the server did not act: send it again after the new token
            if not self.paused:
                self.paused = True
                self._gate.clear()
                self._emit(Paused("the token was rejected", error))
            return None
        self._status = "auth_failed"
        self._stopping = True
        self._poke()
        return OutcomeRecord(task_id, Outcome.CANCELLED, attempts, error,
                             note="the token was rejected; not deleted")

    def _on_target_failure(self, task_id: str, error: ApiError, attempts: list[Attempt]) -> OutcomeRecord:
        """Stop the run: every other ID would fail the same way."""
        if self._status == "finished":
            self._status = "target_failed"
            self._target_error = error
        self._stopping = True
        self._poke()
        return OutcomeRecord(task_id, Outcome.FAILED, attempts, error)

    def _throttle(self, task_id: str, error: ApiError, throttles: int) -> None:
        from_server = error.retry_after is not None
        delay = (min(error.retry_after or 0.0, self.policy.max_retry_after) if from_server
                 else self.policy.backoff(throttles, self._rand))
        until = time.monotonic() + delay
        if until > self._throttle_until + 0.05:
            self._throttle_until = until
            self._emit(Throttled(task_id, delay, from_server))

    async def _wait_for_throttle(self) -> None:
        while not self._stopping and (wait := self._throttle_until - time.monotonic()) > 0:
            await self._sleep(wait)

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when the run is cancelled."""
        assert self._wake is not None
        if not self._stopping:
            await asyncio.wait((self._wake,), timeout=seconds)

    def _poke(self) -> None:
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    def _abort_in_flight(self) -> None:
        if self._abort is not None and not self._abort.done():
            self._abort.set_result(None)

    def _stopped_record(self, task_id: str, progress: _Progress) -> OutcomeRecord:
        """The outcome of an ID whose retries were cut short by a stop."""
        error, attempts = progress.error, progress.attempts
        if progress.unanswered:
            return OutcomeRecord(task_id, Outcome.UNKNOWN, attempts, error,
                                 note="the run stopped before a retry; an earlier attempt got no answer")
        if error is None or error.is_throttle or not error.delivered:
            return OutcomeRecord(task_id, Outcome.CANCELLED, attempts, error, note=self._leftover_note())
        return OutcomeRecord(task_id, Outcome.FAILED, attempts, error, note="the run stopped before a retry")

    def _leftover_note(self) -> str:
        if self._status == "auth_failed":
            return "not sent: the token was rejected"
        if self._status == "target_failed" and self._target_error is not None:
            return f"not sent: the endpoint is unusable ({self._target_error.hint() or self._target_error.one_line()})"
        return "not sent: the run was cancelled"

    def _settle_leftovers(self, note: str) -> None:
        while self._pending:
            task_id = self._pending.popleft()
            if task_id in self._previously_sent:  # still no answer for what the earlier run sent
                self._finish(OutcomeRecord(task_id, Outcome.UNKNOWN,
                                           note="sent by an interrupted run, never answered; not sent again"))
            else:
                self._finish(OutcomeRecord(task_id, Outcome.CANCELLED, note=note))

    def _finish(self, record: OutcomeRecord) -> None:
        if record.id in self.records:
            return  # exactly one outcome per ID
        self.records[record.id] = record
        if self._journal:
            self._journal.outcome(record)
        self._emit(OutcomeEvent(record, len(self.records), self._total))


@dataclass
class _Progress:
    """What is known about one ID while its attempts run."""

    attempts: list[Attempt] = field(default_factory=list)
    error: ApiError | None = None
    unanswered: bool = False  # an attempt may have reached the server without an answer
    in_flight: bool = False


def _success_record(task_id: str, result: DeleteResult, attempts: list[Attempt], retried: bool) -> OutcomeRecord:
    if not result.body_ok:
        return OutcomeRecord(task_id, Outcome.UNKNOWN, attempts, result=result,
                             note="HTTP 200 but the body was not the documented JSON; check the task")
    outcome = Outcome.PARTIAL if result.is_partial else Outcome.DELETED
    note = "deleted on a retry" if retried and outcome is Outcome.DELETED else None
    return OutcomeRecord(task_id, outcome, attempts, result=result, note=note)


def _describe(answer: DeleteResult | ApiError) -> str:
    if isinstance(answer, DeleteResult):
        return f"HTTP {answer.http_status}"
    if answer.http_status is None:
        return f"no answer ({answer.transport})"
    return f"HTTP {answer.http_status}" + (f" {answer.code}" if answer.code else "")
