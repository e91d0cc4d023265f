"""A loopback fake VIAS (and IAM) for the demo, the tests and the benchmarks."""

from tui_app.fake.faults import FaultPlan
from tui_app.fake.runner import running_in_thread
from tui_app.fake.server import FakeVias
from tui_app.fake.store import DEMO_PROJECT_ID, DEMO_REGION, DEMO_TOKEN, FakeStore, seed_tasks

__all__ = [
    "DEMO_PROJECT_ID",
    "DEMO_REGION",
    "DEMO_TOKEN",
    "FakeStore",
    "FakeVias",
    "FaultPlan",
    "running_in_thread",
    "seed_tasks",
]
