"""Typed messages the run worker posts; only their handlers in the app touch widgets."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from tui_app.credentials import TokenLookup
from tui_app.engine import RunSummary
from tui_app.journal import RunLog
from tui_app.outcomes import OutcomeRecord
from tui_app.vias.errors import ApiError


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
    def __init__(self, summary: RunSummary, status: str, journal: Path) -> None:
        super().__init__()
        self.summary = summary
        self.status = status
        self.journal = journal


class RunCrashed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class InterruptedRunFound(Message):
    def __init__(self, log: RunLog) -> None:
        super().__init__()
        self.log = log


class TokenLooked(Message):
    def __init__(self, lookup: TokenLookup) -> None:
        super().__init__()
        self.lookup = lookup
