"""A fixed journal for the results snapshot: every outcome, an error with every field, fixed timings."""

from __future__ import annotations

from pathlib import Path

from tui_app.domain.errors import ApiError, Transport
from tui_app.domain.models import DeleteResult
from tui_app.ids import parse
from tui_app.journal import RunJournal
from tui_app.outcomes import Attempt, Outcome, OutcomeRecord, RunStatus
from tui_app.paths import private_dir

IDS = [f"{n:02d}{'7c1e5a9b' * 3}{n:06d}" for n in range(1, 9)]


def results_journal(directory: Path, project_id: str) -> Path:
    plan = parse("\n".join([*IDS, "c0ffee?force=true"]))
    journal = RunJournal.create(
        private_dir(directory),
        plan,
        endpoint="http://127.0.0.1:1",
        project_id=project_id,
        profile="demo",
        concurrency=4,
        command="test",
        run_id="20261128T090000Z-snap00",
    )
    one = [Attempt(1, 0.01, 0.152, "HTTP 200")]
    records = [
        OutcomeRecord(IDS[0], Outcome.DELETED, one, result=DeleteResult(IDS[0], 200, 4, 4, 0, [], "req-0001")),
        OutcomeRecord(IDS[1], Outcome.DELETED, one, result=DeleteResult(IDS[1], 200, 2, 2, 0, [], "req-0002")),
        OutcomeRecord(
            IDS[2],
            Outcome.PARTIAL,
            one,
            result=DeleteResult(
                IDS[2], 200, 3, 2, 1, ["job 03a1: release of analysis resources timed out"], "req-0003"
            ),
        ),
        OutcomeRecord(
            IDS[3],
            Outcome.NOT_FOUND,
            [Attempt(1, 0.02, 0.098, "HTTP 400 VIAS.00010002")],
            error=ApiError(400, "VIAS.00010002", "The object does not exist.", request_id="req-0004"),
        ),
        OutcomeRecord(
            IDS[4],
            Outcome.UNKNOWN,
            [Attempt(n, 0.1 * n, 10.0, "no answer (timeout)") for n in (1, 2)],
            error=ApiError(None, message="timed out", transport=Transport.TIMEOUT),
            note="no definite answer after retries; the task may or may not be deleted",
        ),
        OutcomeRecord(
            IDS[5],
            Outcome.FAILED,
            [Attempt(1, 0.03, 0.121, "HTTP 400 VIAS.00010001")],
            error=ApiError(
                400,
                "VIAS.00010001",
                "Invalid parameters.",
                f"batch task {IDS[5]} has 3 running jobs",
                [IDS[5]],
                "A batch task with running jobs cannot be deleted.",
                "Stop the batch task, then delete it.",
                "req-0006",
            ),
        ),
        OutcomeRecord(
            IDS[6],
            Outcome.FAILED,
            [Attempt(n, 0.2 * n, 0.05, "HTTP 502") for n in (1, 2, 3, 4)],
            error=ApiError(502, raw_body="<html><body><h1>502 Bad Gateway</h1></body></html>", request_id="req-0007"),
            note="gave up after 4 tries",
        ),
        OutcomeRecord(IDS[7], Outcome.CANCELLED, note="not sent: the run was cancelled"),
    ]
    for record in records:
        journal.outcome(record)
    journal.finish(RunStatus.CANCELLED, {})
    journal.close()
    return journal.path
