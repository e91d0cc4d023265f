"""The jobs inside a fake batch task: their states, IDs and how they answer as a `TaskInfo`.

A batch's jobs are created lazily, the first time anything needs them (a job listing, a stop, a delete that must
name them), from the batch's `status_info` counters; until then a batch is just its counters, so seeding 100,000
batches costs no jobs. Once created, the counters are derived from the jobs. A test that edits `status_info`
directly is honoured: the jobs are reconciled to the counters the next time they are read (jobs of a state that
has too many are dropped from the end, missing ones are added).

Field names and state names follow the official SDK's `TaskInfo` / `ShowTaskInfoResponse`
(huaweicloud-sdk-java-v3, services/vias): states are printed in upper case there (`RUNNING`), the batch's
`batch_task_status_info` keys in lower case (`running`).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum


class JobState(str, Enum):
    PENDING = "pending"
    RECOVERING = "recovering"
    STARTING = "starting"
    UPGRADING = "upgrading"
    CREATE_FAILED = "create_failed"
    START_FAILED = "start_failed"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    ABNORMAL = "abnormal"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DELETING = "deleting"
    FREEZING = "freezing"
    FROZEN = "frozen"
    STOPPED_NO_SERVICE = "stopped_no_service"
    SCHEDULING = "scheduling"
    LACK_OF_RESOURCES = "lack_of_resources"

    @classmethod
    def parse(cls, text: str) -> JobState | None:
        """A state as a client may write it (either case); None when it is none of them."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            return None


# What a stop acts on; a delete with `refuse_running` refuses while any job is ACTIVE.
STOPPABLE = frozenset({JobState.RUNNING, JobState.STARTING, JobState.PENDING})
ACTIVE = STOPPABLE | {JobState.STOPPING}
# Mid-change: a stop or start of such a job fails (and names it in error_list).
BUSY = frozenset({JobState.UPGRADING, JobState.DELETING, JobState.FREEZING})


class JobCount(str, Enum):
    """What `count` in a job listing means. The SDK's ListTasksResponse calls it "the number of entries on the
    current page"; the project's API notes read it as the total. TOTAL is the default."""

    TOTAL = "total"
    PAGE = "page"


class JobPaging(str, Enum):
    """What `page` in a job listing means. The SDK calls it an "offset" without saying of what. The default is
    a page number from 0; the others are a page number from 1 and an item offset."""

    FROM_0 = "page0"
    FROM_1 = "page1"
    OFFSET = "offset"


@dataclass(slots=True)
class FakeJob:
    id: str
    name: str
    state: JobState
    serial: int  # order of creation within its batch
    refusals_left: int = 0  # deletes an UPGRADING job still refuses; at 0 the upgrade is over (STOPPED)
    settles_at: float | None = None  # monotonic time when a STOPPING job becomes STOPPED


def job_id_for(batch_id: str, serial: int) -> str:
    """Deterministic 32-hex job IDs (like the batch IDs), unique per batch and serial."""
    return hashlib.blake2b(f"{batch_id}/{serial}".encode(), digest_size=16).hexdigest()


def stable_uuid(text: str) -> str:
    """A version-4-shaped UUID derived from `text` (service and algorithm IDs of the fake's algorithms)."""
    return str(uuid.UUID(bytes=hashlib.blake2b(text.encode(), digest_size=16).digest(), version=4))


def iso_ms(epoch_ms: int) -> str:
    # TaskInfo.created_at is a string in the SDK; its format is not documented: ISO 8601 UTC is assumed.
    return datetime.fromtimestamp(epoch_ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def state_text(state: JobState, upper: bool) -> str:
    return state.value.upper() if upper else state.value


__all__ = [
    "ACTIVE",
    "BUSY",
    "STOPPABLE",
    "FakeJob",
    "JobCount",
    "JobPaging",
    "JobState",
    "iso_ms",
    "job_id_for",
    "stable_uuid",
    "state_text",
]
