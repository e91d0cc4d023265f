"""The JSON documents of `--output json`: one per command on stdout, `schema_version` first, the same keys and values
whatever the interface language (docs/cli.md, "JSON for scripts", documents the schema)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tui_app import i18n
from tui_app.outcomes import Outcome, OutcomeRecord
from tui_app.runlog import RunLog
from tui_app.session import SessionResult
from tui_app.settings import Target

T = TypeVar("T")


def in_english(build: Callable[[], T]) -> T:
    """What `build()` makes, with the texts it quotes in English: what a document says (an answer's one line, a
    credential's label, why a project could not be searched) is made for people, so it follows the interface
    language; a script reading the document must get the same values in every language. The CLI builds its
    documents at the end, on its one thread."""
    with i18n.restored():
        i18n.use(i18n.ENGLISH)
        return build()


def entry(record: OutcomeRecord) -> dict[str, Any]:
    """One input entry: its outcome and what the service said."""
    error, result = record.error, record.result
    return {
        "id": record.id if record.outcome is not Outcome.SKIPPED else (record.text or record.id),
        "line": record.line,
        "name": record.name,
        "outcome": record.outcome.value,
        "excluded": record.excluded,
        "http_status": record.http_status,
        "error_code": error.code if error else None,
        "error_message": (error.message or error.raw_body or error.one_line()) if error else None,
        "request_id": (error.request_id if error else None) or (result.request_id if result else None),
        "attempts": len(record.attempts),
        "jobs": {"total": result.total_count, "succeeded": result.succeed_count, "failed": result.failed_count}
        if result is not None and result.total_count is not None
        else None,
        "note": record.note,
        "stopped": record.stopped,
        "leftover_jobs": [
            {
                "id": job.id,
                "name": job.name,
                "state": job.state,
                "outcome": job.outcome.value,
                "http_status": job.error.http_status if job.error else None,
                "error_code": job.error.code if job.error else None,
                "error_message": job.error.message if job.error else None,
                "note": job.note,
            }
            for job in record.jobs
        ],
    }


def counts(log: RunLog) -> dict[str, int]:
    tally = log.counts()
    return {outcome.value: tally.get(outcome, 0) for outcome in Outcome}


def log_document(log: RunLog, *, live: bool = False) -> dict[str, Any]:
    """A run as its journal tells it (report, runs)."""
    return {
        "run_id": log.run_id,
        "started_at": log.header.get("started_at"),
        "status": "running" if live else log.status.value,
        "target": {"endpoint": log.endpoint, "project_id": log.project_id, "profile": log.header.get("profile")},
        "journal": str(log.path),
        "counts": counts(log),
        "left_to_resume": 0 if live else len(log.unsettled()),
    }


def run_document(
    result: SessionResult, target: Target, command: str, exit_code: int, report: Path | None
) -> dict[str, Any]:
    """A run just driven by `delete` or `resume`."""
    log = result.log
    return {
        "command": command,
        "run_id": log.run_id,
        "status": result.status.value,
        "exit_code": exit_code,
        "target": {
            "endpoint": target.endpoint.base_url,
            "region": target.endpoint.region,
            "project_id": target.project_id,
            "profile": target.profile,
        },
        "elapsed_seconds": round(result.summary.elapsed, 3),
        "journal": str(result.journal),
        "report": str(report) if report else None,
        "counts": counts(log),
        "entries": [entry(record) for record in log.rows()],
    }


__all__ = ["counts", "entry", "in_english", "log_document", "run_document"]
