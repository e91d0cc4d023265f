"""A loopback fake VIAS (and IAM, and the ECS metadata service) for the demo, the tests and the benchmarks.

docs/fake.md is its reference: what it serves, its switches, and what was assumed where the public docs are silent.
"""

from tui_app.fake.aklock import AkLockPolicy
from tui_app.fake.faults import FaultPlan
from tui_app.fake.gateway import GatewayPolicy
from tui_app.fake.jobs import FakeJob, JobCount, JobPaging, JobState
from tui_app.fake.ratelimit import Period, RateLimit
from tui_app.fake.routes import RequestKind
from tui_app.fake.runner import running_in_thread
from tui_app.fake.seeding import seed_projects, seed_tasks
from tui_app.fake.server import FakeVias, SeenRequest
from tui_app.fake.store import (
    DEMO_AK,
    DEMO_MFA_PASSCODE,
    DEMO_PROJECT_ID,
    DEMO_REGION,
    DEMO_SK,
    DEMO_TOKEN,
    FakeProject,
    FakeStore,
    FakeTask,
    MfaDevice,
)

__all__ = [
    "DEMO_AK",
    "DEMO_MFA_PASSCODE",
    "DEMO_PROJECT_ID",
    "DEMO_REGION",
    "DEMO_SK",
    "DEMO_TOKEN",
    "AkLockPolicy",
    "FakeJob",
    "FakeProject",
    "FakeStore",
    "FakeTask",
    "FakeVias",
    "FaultPlan",
    "GatewayPolicy",
    "JobCount",
    "JobPaging",
    "JobState",
    "MfaDevice",
    "Period",
    "RateLimit",
    "RequestKind",
    "SeenRequest",
    "running_in_thread",
    "seed_projects",
    "seed_tasks",
]
