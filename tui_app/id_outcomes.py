"""What the engine knows about one ID while its attempts run, and the honest outcome it ends in.

The rule that matters: once a request for an ID may have reached the service without an answer (no answer, or a
gateway's 502/504), only a later definite answer about the task settles it; throttling, a rejected credential or a
stop leave it `unknown`, never `failed`, "not deleted" or `cancelled`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import Enum

from tui_app.domain.errors import ApiError
from tui_app.domain.models import DeleteResult
from tui_app.i18n import N_
from tui_app.outcomes import Attempt, Note, Outcome, OutcomeRecord, RunStatus

# Notes are recorded in English and translated where people read them (outcomes.Note).
STOP_REASONS = {
    RunStatus.CANCELLED: N_("the run was cancelled"),
    RunStatus.INTERRUPTED: N_("the run was interrupted"),
    RunStatus.AUTH_FAILED: N_("the credentials were rejected"),
    RunStatus.TARGET_FAILED: N_("the endpoint is unusable"),
    RunStatus.JOURNAL_FAILED: N_("the journal could not be written"),
    RunStatus.CRASHED: N_("the run stopped on an internal error"),
}
STOPPED = N_("the run stopped")
LOST_ANSWER = N_(
    "an earlier attempt may have reached the service unanswered (no answer, or a gateway's 502/504); "
    "the task may be gone"
)


class Ended(Enum):
    """How a request ended without an answer to read."""

    STOPPED = "stopped"  # the run stopped before it was sent (or it could not be journalled first)
    ABORTED = "aborted"  # cancelled while in flight (the end of a cancel's grace)


class Ending(Enum):
    """Why the last error answer of an exchange is final."""

    NOT_FOUND = "not_found"  # the service says the object does not exist
    AUTH = "auth"  # the credentials were rejected and the run stopped
    TARGET = "target"  # the endpoint cannot work for anything (the run stopped)
    THROTTLED = "throttled"  # throttled more times than the policy allows for one ID
    REFUSED = "refused"  # a refusal of the request itself (a 4xx): sending it again would not help
    GAVE_UP = "gave_up"  # 5xx, timeouts or lost connections up to the policy's attempts


@dataclass
class IdProgress:
    """What is known about one ID while its attempts run (kept across a pause for new credentials)."""

    attempts: list[Attempt] = field(default_factory=list)
    error: ApiError | None = None
    unanswered: bool = False  # an attempt (here or in an interrupted run) may have reached the server unanswered
    in_flight: bool = False
    failures: int = 0
    throttles: int = 0
    ending: Ending | None = None  # why the last exchange ended on an error

    def settle(self, task_id: str, outcome: Outcome, note: Note | None) -> OutcomeRecord:
        """The final record after an error answer; `unknown` instead when an earlier attempt went unanswered."""
        if self.unanswered:
            lost = Note(LOST_ANSWER)
            said = Note(N_("{lost}; then {why}"), lost=lost, why=note) if note else lost
            return OutcomeRecord(task_id, Outcome.UNKNOWN, self.attempts, self.error, note=said)
        return OutcomeRecord(task_id, outcome, self.attempts, self.error, note=note)

    def stopped(self, task_id: str, stop: RunStatus | None, stop_error: ApiError | None) -> OutcomeRecord:
        """The outcome of an ID the run stopped before it was settled."""
        why = Note(STOP_REASONS.get(stop or RunStatus.INTERRUPTED, STOPPED))
        if stop is RunStatus.TARGET_FAILED and stop_error is not None:
            # The hint (or the answer) is quoted in the language it was made in (domain/errors.py translates it).
            why = Note(N_("{reason} ({hint})"), reason=why, hint=stop_error.hint() or stop_error.one_line())
        attempts, error = self.attempts, self.error
        if self.unanswered:
            if not attempts:
                note = Note(N_("sent by an interrupted run, never answered; not sent again"))
                return OutcomeRecord(task_id, Outcome.UNKNOWN, note=note)
            note = Note(N_("{lost}; then {why}"), lost=Note(LOST_ANSWER), why=why)
            return OutcomeRecord(task_id, Outcome.UNKNOWN, attempts, error, note=note)
        if not attempts:
            return OutcomeRecord(task_id, Outcome.CANCELLED, note=Note(N_("not sent: {why}"), why=why))
        if error is None or error.is_throttle or error.is_auth or not error.delivered:
            throttled = error is not None and error.is_throttle
            note = Note(
                N_("sent {count} time(s) and throttled without acting; then {why}")
                if throttled
                else N_("sent {count} time(s) and refused without acting; then {why}"),
                count=len(attempts),
                why=why,
            )
            return OutcomeRecord(task_id, Outcome.CANCELLED, attempts, error, note=note)
        return OutcomeRecord(task_id, Outcome.FAILED, attempts, error, note=Note(N_("{why} before a retry"), why=why))


def success_record(task_id: str, result: DeleteResult, attempts: list[Attempt], retried: bool) -> OutcomeRecord:
    if not result.body_ok:
        why = result.problem or Note(N_("the body was not the documented JSON"))
        unreadable = (
            N_("HTTP 200 but {why}; check the task") if result.http_status == 200 else N_("{why}; check the task")
        )
        return OutcomeRecord(task_id, Outcome.UNKNOWN, attempts, result=result, note=Note(unreadable, why=why))
    outcome = Outcome.PARTIAL if result.is_partial else Outcome.DELETED
    note = Note(N_("deleted on a retry")) if retried and outcome is Outcome.DELETED else None
    return OutcomeRecord(task_id, outcome, attempts, result=result, note=note)


def describe(answer: object) -> str:
    # Interned: a long run keeps one per attempt, and nearly all of them read "HTTP 200".
    if not isinstance(answer, ApiError):
        return sys.intern(f"HTTP {getattr(answer, 'http_status', 200)}")
    if answer.http_status is None:
        return sys.intern(f"no answer ({answer.transport})")
    return sys.intern(f"HTTP {answer.http_status}" + (f" {answer.code}" if answer.code else ""))


def error_record(task_id: str, error: ApiError, progress: IdProgress) -> OutcomeRecord:
    """The outcome of an ID whose last answer was `error`, by why the exchange ended (`progress.ending`)."""
    ending = progress.ending
    if ending is Ending.NOT_FOUND:
        lost = N_("an earlier attempt went unanswered; it probably deleted the task")
        note = Note(lost) if progress.unanswered else None
        return OutcomeRecord(task_id, Outcome.NOT_FOUND, progress.attempts, error, note=note)
    if ending is Ending.AUTH:
        if progress.unanswered:
            return progress.settle(task_id, Outcome.CANCELLED, Note(STOP_REASONS[RunStatus.AUTH_FAILED]))
        note = Note(N_("the credentials were rejected; not deleted"))
        return OutcomeRecord(task_id, Outcome.CANCELLED, progress.attempts, error, note=note)
    if ending is Ending.THROTTLED:
        throttled = (
            N_("still throttled after {count} tries")
            if progress.unanswered
            else N_("still throttled after {count} tries; the service did not act")
        )
        return progress.settle(task_id, Outcome.FAILED, Note(throttled, count=progress.throttles))
    if ending is Ending.REFUSED and progress.unanswered and error.settles_after_lost_answer:
        note = Note(N_("an earlier attempt went unanswered; this answer says it was refused"))
        return OutcomeRecord(task_id, Outcome.FAILED, progress.attempts, error, note=note)
    if ending is Ending.GAVE_UP:
        gave_up = Note(N_("gave up after {count} tries"), count=progress.failures)
        return progress.settle(task_id, Outcome.FAILED, gave_up)
    return progress.settle(task_id, Outcome.FAILED, None)  # refused, or the endpoint is unusable


__all__ = [
    "LOST_ANSWER",
    "STOPPED",
    "STOP_REASONS",
    "Ended",
    "Ending",
    "IdProgress",
    "describe",
    "error_record",
    "success_record",
]
