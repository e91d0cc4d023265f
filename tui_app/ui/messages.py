"""Typed messages the workers post; only their handlers touch widgets."""

from __future__ import annotations

from textual.message import Message

from tui_app.credentials import CredentialLookup
from tui_app.domain.errors import ApiError
from tui_app.outcomes import OutcomeRecord
from tui_app.runlog import RunLog
from tui_app.session import SessionResult


class RunBegan(Message):
    def __init__(self, total: int) -> None:
        super().__init__()
        self.total = total


class OutcomesArrived(Message):
    def __init__(self, records: list[OutcomeRecord]) -> None:
        super().__init__()
        self.records = records


class RunThrottled(Message):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay


class RunPaused(Message):
    def __init__(self, error: ApiError) -> None:
        super().__init__()
        self.error = error


class RunResumed(Message):
    pass


class RunEnded(Message):
    def __init__(self, result: SessionResult) -> None:
        super().__init__()
        self.result = result


class RunRefused(Message):
    """The run could not start (a check before anything was sent failed): one line saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class RunCrashed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class InterruptedRunFound(Message):
    def __init__(self, log: RunLog) -> None:
        super().__init__()
        self.log = log


class CredentialsLooked(Message):
    def __init__(self, lookup: CredentialLookup) -> None:
        super().__init__()
        self.lookup = lookup
