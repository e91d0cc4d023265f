"""Everything known about one row, as plain text: shown in the details pane and copied to the clipboard.

Never contains the token: records hold none.
"""

from __future__ import annotations

from tui_app.domain.errors import ApiError
from tui_app.domain.models import DeleteResult
from tui_app.outcomes import Attempt, JobRecord, Outcome, OutcomeRecord

OUTCOME_MEANING = {
    Outcome.DELETED: "Deleted: the service answered 200 with no failures.",
    Outcome.PARTIAL: "Partial: the service answered 200 but some jobs of this batch were not deleted.",
    Outcome.NOT_FOUND: "Not found: already gone, or it belongs to another project or region.",
    Outcome.FAILED: "Failed: the service refused or kept failing. The task is most likely still there.",
    Outcome.SKIPPED: "Skipped: not a plain ID (or not a task ID at all), so it was never sent.",
    Outcome.CANCELLED: "Cancelled: never acted on because the run stopped. Safe to retry.",
    Outcome.UNKNOWN: "Unknown: sent, but no answer arrived. Check the task before assuming either way.",
}


EXCLUDED_MEANING = "Skipped: a valid ID left out by choice (at the confirmation, or by a flag); never sent."


def outcome_meaning(record: OutcomeRecord) -> str:
    return EXCLUDED_MEANING if record.excluded else OUTCOME_MEANING[record.outcome]


def job_lines(batch: OutcomeRecord, job: JobRecord) -> list[tuple[str, str]]:
    """A leftover job's row: the job, its batch, what deleting it came to."""
    pairs = [
        ("Job", job.id),
        ("Outcome", f"{job.outcome.value}: {OUTCOME_MEANING[job.outcome].replace('task', 'job')}"),
        ("Name", job.name),
        ("State", job.state),
        ("Batch", batch.id + (f" ({batch.name})" if batch.name else "")),
        ("Note", job.note or ""),
    ]
    if job.error is not None:
        pairs += [
            ("HTTP status", str(job.error.http_status or f"no answer ({job.error.transport})")),
            ("Error code", job.error.code or ""),
            ("Message", job.error.message or ""),
            ("Detail", job.error.detail or ""),
            ("Request ID", job.error.request_id or ""),
        ]
    pairs += [_attempt(a) for a in job.attempts]
    return [(label, value) for label, value in pairs if value]


def _attempt(attempt: Attempt) -> tuple[str, str]:
    return (
        f"Attempt {attempt.number}",
        f"at +{attempt.started:.2f}s, {attempt.duration * 1000:.0f} ms: {attempt.answer}",
    )


def details_lines(record: OutcomeRecord, job: JobRecord | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs, in reading order; empty values are left out."""
    if job is not None:
        return job_lines(record, job)
    error, result = record.error, record.result
    pairs = _record_lines(record)
    if error is not None:
        pairs += _error_lines(error)
    if result is not None:
        pairs += _result_lines(result)
    raw = (error.raw_body if error else None) or (result.raw_body if result else None)
    if raw is not None:
        pairs.append(("Raw body", raw if raw else "(empty)"))
    pairs += [_attempt(attempt) for attempt in record.attempts]
    return [(label, value) for label, value in pairs if value]


def _record_lines(record: OutcomeRecord) -> list[tuple[str, str]]:
    """What the row is and came to, before any answer's details."""
    pairs = [
        ("ID", record.id if record.outcome is not Outcome.SKIPPED else repr(record.text or record.id)),
        ("Outcome", f"{record.outcome.value}: {outcome_meaning(record)}"),
        ("Name", record.name or ""),
        ("Input line", str(record.line) if record.line is not None else ""),
        ("Note", record.note or ""),
        ("Stopped", "this run stopped it first (it had running jobs), then deleted it" if record.stopped else ""),
    ]
    if record.jobs:
        gone = sum(1 for job in record.jobs if job.outcome in (Outcome.DELETED, Outcome.NOT_FOUND))
        pairs.append(("Leftover jobs", f"{gone} of {len(record.jobs)} deleted (the rows under this one)"))
    return pairs


def _error_lines(error: ApiError) -> list[tuple[str, str]]:
    status = str(error.http_status) if error.http_status else f"no answer ({error.transport})"
    return [
        ("HTTP status", status),
        ("Error code", error.code or ""),
        ("Message", error.message or ""),
        ("Detail", error.detail or ""),
        ("Reason", error.reason or ""),
        ("Advice", error.advice or ""),
        ("Params", ", ".join(error.params)),
        ("Request ID", error.request_id or ""),
        ("Retry-After", f"{error.retry_after:g}s" if error.retry_after is not None else ""),
        ("Hint", error.hint() or ""),
    ]


def _result_lines(result: DeleteResult) -> list[tuple[str, str]]:
    pairs = [("HTTP status", str(result.http_status)), ("Request ID", result.request_id or "")]
    if result.total_count is not None:
        pairs.append(
            ("Jobs", f"total {result.total_count}, succeeded {result.succeed_count}, failed {result.failed_count}")
        )
    pairs += [(f"Job error {n}", item) for n, item in enumerate(result.error_list, start=1)]
    return pairs


def details_text(record: OutcomeRecord, job: JobRecord | None = None) -> str:
    pairs = details_lines(record, job)
    width = max(len(label) for label, _ in pairs)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in pairs)
