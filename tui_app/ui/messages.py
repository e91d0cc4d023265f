"""Typed messages the workers post; only their handlers touch widgets. Dataclasses, as in Textual's own docs."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tui_app.credentials import CredentialLookup
from tui_app.domain.errors import ApiError
from tui_app.outcomes import OutcomeRecord
from tui_app.runlog import RunLog
from tui_app.session import SessionResult


@dataclass
class RunBegan(Message):
    total: int


@dataclass
class OutcomesArrived(Message):
    records: list[OutcomeRecord]


@dataclass
class RunThrottled(Message):
    delay: float


@dataclass
class RunPaused(Message):
    error: ApiError


@dataclass
class RunResumed(Message):
    pass


@dataclass
class RunEnded(Message):
    result: SessionResult


@dataclass
class RunRefused(Message):
    """The run could not start (a check before anything was sent failed): one line saying why."""

    reason: str


@dataclass
class RunCrashed(Message):
    error: str


@dataclass
class InterruptedRunFound(Message):
    log: RunLog


@dataclass
class CredentialsLooked(Message):
    lookup: CredentialLookup
