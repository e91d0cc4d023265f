"""What the engine needs from the outside, as protocols: something that deletes (the VIAS client, or a test's
stand-in) and somewhere to record what it does (the journal). The engine imports neither the client's nor the
journal's module for them."""

from __future__ import annotations

from typing import Protocol

from tui_app.domain.errors import ApiError
from tui_app.domain.models import DeleteResult
from tui_app.outcomes import JobRecord, OutcomeRecord
from tui_app.vias.auth import RequestAuth


class Deleter(Protocol):
    async def delete_batch_task(self, task_id: str) -> DeleteResult | ApiError: ...

    def set_auth(self, auth: RequestAuth) -> None: ...


class OutcomeSink(Protocol):
    """Where the engine records what it does (the journal). Raises JournalWriteError when it cannot."""

    def sent(self, task_id: str, attempt: int, *, step: str | None = None, job: str | None = None) -> None: ...

    def outcome(self, record: OutcomeRecord) -> None: ...

    def step(self, task_id: str, step: str, data: dict[str, object]) -> None: ...

    def job(self, task_id: str, record: JobRecord) -> None: ...


__all__ = ["Deleter", "OutcomeSink"]
