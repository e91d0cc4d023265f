"""What a run tells its front ends while it goes (typed events) and when it ends (the summary).

The engine emits these through `on_event`; the CLI's progress printer and the console's run screen read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui_app.domain.errors import ApiError
from tui_app.i18n import _
from tui_app.outcomes import Outcome, OutcomeRecord, RunStatus


@dataclass(frozen=True)
class RunStarted:
    total: int
    concurrency: int


@dataclass(frozen=True)
class Throttled:
    """The service said when to come back (Retry-After): the whole run waits that long before sending again."""

    task_id: str
    delay: float


@dataclass(frozen=True)
class Paced:
    """The run paces its requests to what the gateway admits (after a 429), or stopped pacing (`rate` None)."""

    rate: float | None  # requests per second
    limit: float | None = None  # the limit the gateway named in its answer, per second, when it named one

    def describe(self) -> str:
        if self.rate is None:
            return _("no longer throttled")
        if self.limit is not None:
            return _("throttled: pacing at ~{rate:.0f}/s (the gateway's limit: {limit:g}/s)").format(
                rate=self.rate, limit=self.limit
            )
        return _("throttled: pacing at ~{rate:.0f}/s").format(rate=self.rate)


@dataclass(frozen=True)
class OutcomeEvent:
    record: OutcomeRecord
    done: int
    total: int


@dataclass(frozen=True)
class Paused:
    reason: str
    error: ApiError


@dataclass(frozen=True)
class Resumed:
    pass


@dataclass(frozen=True)
class Finished:
    summary: RunSummary


EngineEvent = RunStarted | Throttled | Paced | OutcomeEvent | Paused | Resumed | Finished


@dataclass
class RunSummary:
    total: int
    status: RunStatus
    elapsed: float
    counts: dict[Outcome, int] = field(default_factory=dict)
    stop_error: ApiError | None = None  # what stopped the run: rejected credentials or an unusable endpoint
    unrecorded: list[OutcomeRecord] = field(default_factory=list)  # outcomes the journal could not take
    journal_error: str | None = None

    @property
    def all_gone(self) -> bool:
        return self.counts.get(Outcome.DELETED, 0) + self.counts.get(Outcome.NOT_FOUND, 0) == self.total
