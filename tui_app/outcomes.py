"""The vocabulary of a run: what happened to one ID (exactly one outcome, with everything known about how it
got there) and how a whole run ended."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from tui_app.domain.errors import ApiError
from tui_app.domain.models import DeleteResult
from tui_app.i18n import N_, _


class Outcome(str, Enum):
    DELETED = "deleted"  # 200, no failures inside
    PARTIAL = "partial"  # 200 with failed_count > 0 or a non-empty error_list
    NOT_FOUND = "not_found"  # the service says the task does not exist (already gone, or wrong project)
    FAILED = "failed"  # an error answer, after any retries
    SKIPPED = "skipped"  # invalid input, never sent
    CANCELLED = "cancelled"  # never acted on because the run stopped
    UNKNOWN = "unknown"  # sent, but no answer known: the task may or may not be deleted

    def __str__(self) -> str:
        return self.value

    def describe(self) -> str:
        """The outcome as a person reads it, in the interface language (the value stays English for machines)."""
        return _(_OUTCOME_WORDS[self])


# The outcome words people read; reports, JSON and the journal keep the English names.
_OUTCOME_WORDS = {
    Outcome.DELETED: N_("deleted"),
    Outcome.PARTIAL: N_("partial"),
    Outcome.NOT_FOUND: N_("not_found"),
    Outcome.FAILED: N_("failed"),
    Outcome.SKIPPED: N_("skipped"),
    Outcome.CANCELLED: N_("cancelled"),
    Outcome.UNKNOWN: N_("unknown"),
}
_COUNTED = {
    Outcome.DELETED: N_("{count} deleted"),
    Outcome.PARTIAL: N_("{count} partial"),
    Outcome.NOT_FOUND: N_("{count} not_found"),
    Outcome.FAILED: N_("{count} failed"),
    Outcome.SKIPPED: N_("{count} skipped"),
    Outcome.CANCELLED: N_("{count} cancelled"),
    Outcome.UNKNOWN: N_("{count} unknown"),
}


def describe_counts(counts: Mapping[Outcome, int], separator: str | None = None) -> str:
    """ "3 deleted, 1 failed" in the interface language: the outcomes that occurred, in their order; "" for none.
    `separator` defaults to the language's list comma."""
    parts = [_(_COUNTED[outcome]).format(count=n) for outcome, n in counts.items() if n]
    return (_(", ") if separator is None else separator).join(parts)


class Note(str):
    """A note on an outcome, English as it is recorded (journal, report, JSON: what machines read never changes with
    the language) and in the interface language where a person reads it (`human`).

    The message (marked with N_) and its fields are kept for the translation; a field that is a Note is translated
    too. A note read back from a journal is plain text again: `human` then translates it when it is a whole message
    of the catalog (the fixed notes), else shows it as recorded."""

    message: str
    fields: dict[str, object]

    def __new__(cls, message: str, **fields: object) -> Note:
        note = super().__new__(cls, message.format(**fields))
        note.message, note.fields = message, fields
        return note

    def __reduce__(self) -> tuple[Callable[..., Note], tuple[str, dict[str, object]]]:
        """Copied and pickled as its message and fields (str's own way would pass the English text as the message)."""
        return _note, (self.message, self.fields)

    def translated(self) -> str:
        return _(self.message).format(
            **{key: value.translated() if isinstance(value, Note) else value for key, value in self.fields.items()}
        )


def _note(message: str, fields: dict[str, object]) -> Note:
    return Note(message, **fields)


def human(note: str | None) -> str:
    """A note for people, in the interface language ("" for none)."""
    if not note:
        return ""
    return note.translated() if isinstance(note, Note) else _(note)


class RunStatus(str, Enum):
    """How a run ended; written in the journal's end line and shown by every front end."""

    FINISHED = "finished"  # every ID was taken to an outcome
    CANCELLED = "cancelled"  # the operator cancelled it
    INTERRUPTED = "interrupted"  # Ctrl-C, SIGTERM or quitting the console; or the process died (no end line)
    AUTH_FAILED = "auth_failed"  # the credentials were rejected
    TARGET_FAILED = "target_failed"  # the endpoint cannot work for any ID (untrusted certificate, no such API)
    JOURNAL_FAILED = "journal_failed"  # the journal could not be written (disk full, I/O error)
    CRASHED = "crashed"  # an internal error

    def __str__(self) -> str:
        return self.value

    @property
    def stopped_early(self) -> bool:
        return self is not RunStatus.FINISHED

    @classmethod
    def parse(cls, value: object) -> RunStatus:
        """A status read back from a journal; an unknown word (a newer version's) counts as interrupted."""
        try:
            return cls(value)
        except ValueError:
            return cls.INTERRUPTED


# Outcomes a resume does not send again. `unknown` and `cancelled` are re-planned.
SETTLED = frozenset({Outcome.DELETED, Outcome.PARTIAL, Outcome.NOT_FOUND, Outcome.FAILED, Outcome.SKIPPED})
# Outcomes counted as success for exit codes and summaries.
GONE = frozenset({Outcome.DELETED, Outcome.NOT_FOUND})
# Outcomes the console's retry offers to send again (a partial batch still exists, with the jobs it kept).
RETRYABLE = frozenset({Outcome.FAILED, Outcome.PARTIAL, Outcome.UNKNOWN, Outcome.CANCELLED})

REPORT_FIELDS = (
    "id",
    "name",
    "outcome",
    "http_status",
    "error_code",
    "error_msg",
    "detail",
    "reason",
    "advice",
    "request_id",
    "attempts",
    "total_count",
    "succeed_count",
    "failed_count",
    "error_list",
    "note",
    "kind",  # batch, or job: a job a partial delete left, deleted by --clean-leftovers (a row after its batch)
    "batch_id",  # a job row's batch
    "stopped",  # the run stopped the batch (it had running jobs) before deleting it
)


@dataclass(frozen=True, slots=True)  # slots: a 100,000-ID run keeps every attempt until it ends
class Attempt:
    number: int
    started: float  # seconds since the run started
    duration: float
    answer: str  # "HTTP 200", "HTTP 429 APIG.0308", "no answer (timeout)"

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "started": round(self.started, 4),
            "duration": round(self.duration, 4),
            "answer": self.answer,
        }


@dataclass(slots=True)
class JobRecord:
    """One job a partial delete left, and what deleting it came to (a child row under its batch)."""

    id: str
    name: str
    state: str
    outcome: Outcome  # deleted, not_found, failed, cancelled or unknown
    attempts: list[Attempt] = field(default_factory=list)
    error: ApiError | None = None
    note: str | None = None

    def describe(self) -> str:
        """One line on what happened to the job, for people."""
        if self.error is not None:
            return _said(self.error, self.note)
        return human(self.note) or self.outcome.describe()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "outcome": self.outcome.value,
            "attempts": [a.to_json() for a in self.attempts],
        }
        if self.error is not None:
            data["error"] = self.error.to_json()
        if self.note is not None:
            data["note"] = self.note
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobRecord:
        return cls(
            _text(data["id"]),
            str(data.get("name") or ""),
            str(data.get("state") or ""),
            Outcome(data["outcome"]),
            [_attempt(a) for a in data.get("attempts") or []],
            ApiError.from_json(data["error"]) if data.get("error") else None,
            _optional_text(data.get("note")),
        )


@dataclass(slots=True)
class OutcomeRecord:
    id: str
    outcome: Outcome
    attempts: list[Attempt] = field(default_factory=list)
    error: ApiError | None = None
    result: DeleteResult | None = None
    note: str | None = None
    text: str | None = None  # the original input, for skipped entries
    line: int | None = None
    name: str | None = None  # the task's name when it was resolved
    excluded: bool = False  # skipped: a valid ID left out by choice (at the confirmation or by a flag)
    stopped: bool = False  # this run stopped the batch (it had running jobs) before deleting it
    # The jobs a partial delete left, and their deletes; a tuple by default: no empty list per ID in a long run.
    jobs: Sequence[JobRecord] = ()

    @property
    def http_status(self) -> int | None:
        if self.error is not None:
            return self.error.http_status
        return self.result.http_status if self.result else None

    @property
    def error_code(self) -> str | None:
        return self.error.code if self.error else None

    def describe(self) -> str:
        """One line on what happened, for progress lines and table cells."""
        if self.error is not None and self.outcome is not Outcome.SKIPPED:
            return _said(self.error, self.note)
        result = self.result
        if self.outcome is Outcome.PARTIAL and result is not None:
            failed, total = result.failed_count or len(result.error_list), result.total_count
            if result.error_list:
                return _("{failed} of {total} jobs not deleted: {first}").format(
                    failed=failed, total=total, first=result.error_list[0]
                )
            return _("{failed} of {total} jobs not deleted").format(failed=failed, total=total)
        return human(self.note)

    def report_row(self) -> dict[str, Any]:
        error, result = self.error, self.result
        return {
            "id": self.id if self.outcome is not Outcome.SKIPPED else (self.text or self.id),
            "name": self.name,
            "outcome": self.outcome.value,
            "http_status": self.http_status,
            "error_code": error.code if error else None,
            "error_msg": (error.message or error.raw_body) if error else None,
            "detail": error.detail if error else None,
            "reason": error.reason if error else None,
            "advice": error.advice if error else None,
            "request_id": (error.request_id if error else None) or (result.request_id if result else None),
            "attempts": len(self.attempts),
            "total_count": result.total_count if result else None,
            "succeed_count": result.succeed_count if result else None,
            "failed_count": result.failed_count if result else None,
            "error_list": list(result.error_list) if result else [],
            "note": self.note,
            "kind": "batch",
            "batch_id": None,
            "stopped": self.stopped,
        }

    def report_rows(self) -> list[dict[str, Any]]:
        """The batch's row, then a row for each job a partial delete left."""
        rows = [self.report_row()]
        for job in self.jobs:
            error = job.error
            rows.append(
                {
                    **dict.fromkeys(REPORT_FIELDS),
                    "id": job.id,
                    "name": job.name,
                    "outcome": job.outcome.value,
                    "http_status": error.http_status if error else (200 if job.outcome is Outcome.DELETED else None),
                    "error_code": error.code if error else None,
                    "error_msg": (error.message or error.raw_body) if error else None,
                    "detail": error.detail if error else None,
                    "reason": error.reason if error else None,
                    "advice": error.advice if error else None,
                    "request_id": error.request_id if error else None,
                    "attempts": len(job.attempts),
                    "error_list": [],
                    "note": job.note,
                    "kind": "job",
                    "batch_id": self.id,
                    "stopped": False,
                }
            )
        return rows

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "outcome": self.outcome.value,
            "attempts": [a.to_json() for a in self.attempts],
        }
        for key in ("note", "text", "line", "name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.excluded:
            data["excluded"] = True
        if self.stopped:
            data["stopped"] = True
        if self.jobs:
            data["jobs"] = [job.to_json() for job in self.jobs]
        if self.error is not None:
            data["error"] = self.error.to_json()
        if self.result is not None:
            data["result"] = self.result.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutcomeRecord:
        """Raises ValueError, KeyError or TypeError on a line of the wrong shape (the reader skips it)."""
        error = ApiError.from_json(data["error"]) if data.get("error") else None
        result = DeleteResult.from_json(data["result"]) if data.get("result") else None
        attempts = data.get("attempts") or []
        if not isinstance(attempts, list):
            raise TypeError(_("attempts is not a list"))
        line = data.get("line")
        return cls(
            id=_text(data["id"]),
            outcome=Outcome(data["outcome"]),
            attempts=[_attempt(a) for a in attempts],
            error=error,
            result=result,
            note=_optional_text(data.get("note")),
            text=_optional_text(data.get("text")),
            line=int(line) if line is not None else None,
            name=_optional_text(data.get("name")),
            excluded=data.get("excluded") is True,
            stopped=data.get("stopped") is True,
            jobs=[JobRecord.from_json(job) for job in data.get("jobs") or []],
        )


def _said(error: ApiError, note: str | None) -> str:
    """What the service answered, and the note on it when there is one."""
    if note:
        return _("{answer} ({note})").format(answer=error.one_line(), note=human(note))
    return error.one_line()


def _attempt(data: dict[str, Any]) -> Attempt:
    return Attempt(int(data["number"]), float(data["started"]), float(data["duration"]), str(data["answer"]))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(_("expected text, got {kind}").format(kind=type(value).__name__))
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def skipped_record(line: int, text: str, reason: str, excluded: bool = False) -> OutcomeRecord:
    """The record of an input entry that was never sent: bad input, or a valid ID left out by choice."""
    return OutcomeRecord(text, Outcome.SKIPPED, note=reason, text=text, line=line, excluded=excluded)


def count_outcomes(records: Iterable[OutcomeRecord]) -> dict[Outcome, int]:
    counts = dict.fromkeys(Outcome, 0)
    for record in records:
        counts[record.outcome] += 1
    return counts
