"""Everything known about one row, as plain text: shown in the details pane and copied to the clipboard.

Never contains the token: records hold none.
"""

from __future__ import annotations

from tui_app.domain.errors import ApiError
from tui_app.domain.models import DeleteResult, job_state_label
from tui_app.i18n import N_, _
from tui_app.ids import cells, padded
from tui_app.outcomes import Attempt, JobRecord, Outcome, OutcomeRecord

# The meanings are sentences for people; the outcome's name before them ("failed: ...") stays the machine's, as in
# reports and the journal.
OUTCOME_MEANING = {
    Outcome.DELETED: N_("Deleted: the service answered 200 with no failures."),
    Outcome.PARTIAL: N_("Partial: the service answered 200 but some jobs of this batch were not deleted."),
    Outcome.NOT_FOUND: N_("Not found: already gone, or it belongs to another project or region."),
    Outcome.FAILED: N_("Failed: the service refused or kept failing. The task is most likely still there."),
    Outcome.SKIPPED: N_("Skipped: not a plain ID (or not a task ID at all), so it was never sent."),
    Outcome.CANCELLED: N_("Cancelled: never acted on because the run stopped. Safe to retry."),
    Outcome.UNKNOWN: N_("Unknown: sent, but no answer arrived. Check the task before assuming either way."),
}
# The same for a leftover job (a job's delete ends deleted, not_found, failed, cancelled or unknown).
JOB_MEANING = {
    **OUTCOME_MEANING,
    Outcome.FAILED: N_("Failed: the service refused or kept failing. The job is most likely still there."),
    Outcome.UNKNOWN: N_("Unknown: sent, but no answer arrived. Check the job before assuming either way."),
}
EXCLUDED_MEANING = N_("Skipped: a valid ID left out by choice (at the confirmation, or by a flag); never sent.")
# The label of the line the details pane colours like the outcome.
OUTCOME_LABEL = N_("Outcome")


def outcome_meaning(record: OutcomeRecord) -> str:
    return _(EXCLUDED_MEANING) if record.excluded else _(OUTCOME_MEANING[record.outcome])


def _outcome_line(outcome: Outcome, meaning: str) -> tuple[str, str]:
    return _(OUTCOME_LABEL), _("{outcome}: {meaning}").format(outcome=outcome.value, meaning=meaning)


def _no_answer(error: ApiError) -> str:
    return (
        str(error.http_status) if error.http_status else _("no answer ({transport})").format(transport=error.transport)
    )


def job_lines(batch: OutcomeRecord, job: JobRecord) -> list[tuple[str, str]]:
    """A leftover job's row: the job, its batch, what deleting it came to."""
    batch_text = batch.id if not batch.name else _("{id} ({name})").format(id=batch.id, name=batch.name)
    pairs = [
        (_("Job"), job.id),
        _outcome_line(job.outcome, _(JOB_MEANING[job.outcome])),
        (_("Name"), job.name),
        (_("State"), job_state_label(job.state)),
        (_("Batch"), batch_text),
        (_("Note"), job.note or ""),
    ]
    if job.error is not None:
        pairs += [
            (_("HTTP status"), _no_answer(job.error)),
            (_("Error code"), job.error.code or ""),
            (_("Message"), job.error.message or ""),
            (_("Detail"), job.error.detail or ""),
            (_("Request ID"), job.error.request_id or ""),
        ]
    pairs += [_attempt(a) for a in job.attempts]
    return [(label, value) for label, value in pairs if value]


def _attempt(attempt: Attempt) -> tuple[str, str]:
    return (
        _("Attempt {number}").format(number=attempt.number),
        _("at +{start:.2f}s, {milliseconds:.0f} ms: {answer}").format(
            start=attempt.started, milliseconds=attempt.duration * 1000, answer=attempt.answer
        ),
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
        pairs.append((_("Raw body"), raw if raw else _("(empty)")))
    pairs += [_attempt(attempt) for attempt in record.attempts]
    return [(label, value) for label, value in pairs if value]


def _record_lines(record: OutcomeRecord) -> list[tuple[str, str]]:
    """What the row is and came to, before any answer's details."""
    stopped = _("this run stopped it first (it had running jobs), then deleted it")
    pairs = [
        ("ID", record.id if record.outcome is not Outcome.SKIPPED else repr(record.text or record.id)),
        _outcome_line(record.outcome, outcome_meaning(record)),
        (_("Name"), record.name or ""),
        (_("Input line"), str(record.line) if record.line is not None else ""),
        (_("Note"), record.note or ""),
        (_("Stopped"), stopped if record.stopped else ""),
    ]
    if record.jobs:
        gone = sum(1 for job in record.jobs if job.outcome in (Outcome.DELETED, Outcome.NOT_FOUND))
        pairs.append(
            (
                _("Leftover jobs"),
                _("{gone} of {total} deleted (the rows under this one)").format(gone=gone, total=len(record.jobs)),
            )
        )
    return pairs


def _error_lines(error: ApiError) -> list[tuple[str, str]]:
    retry_after = _("{seconds:g}s").format(seconds=error.retry_after) if error.retry_after is not None else ""
    return [
        (_("HTTP status"), _no_answer(error)),
        (_("Error code"), error.code or ""),
        (_("Message"), error.message or ""),
        (_("Detail"), error.detail or ""),
        (_("Reason"), error.reason or ""),
        (_("Advice"), error.advice or ""),
        (_("Params"), ", ".join(error.params)),
        (_("Request ID"), error.request_id or ""),
        ("Retry-After", retry_after),  # the header's name
        (_("Hint"), error.hint() or ""),
    ]


def _result_lines(result: DeleteResult) -> list[tuple[str, str]]:
    pairs = [(_("HTTP status"), str(result.http_status)), (_("Request ID"), result.request_id or "")]
    if result.total_count is not None:
        jobs = _("total {total}, succeeded {succeeded}, failed {failed}").format(
            total=result.total_count, succeeded=result.succeed_count, failed=result.failed_count
        )
        pairs.append((_("Jobs"), jobs))
    pairs += [(_("Job error {number}").format(number=n), item) for n, item in enumerate(result.error_list, start=1)]
    return pairs


def details_text(record: OutcomeRecord, job: JobRecord | None = None) -> str:
    pairs = details_lines(record, job)
    width = max(cells(label) for label, _value in pairs)
    return "\n".join(f"{padded(label, width)}  {value}" for label, value in pairs)
