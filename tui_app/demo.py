"""Demo mode: a fake VIAS on 127.0.0.1 seeded with realistic tasks in several projects and regions, demo access
keys (the demo IAM login gives a token too), and a sample paste."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from tui_app.credentials import Credentials, CredentialSource
from tui_app.fake import DEMO_PROJECT_ID, DEMO_TOKEN, FakeStore, FakeVias, FaultPlan, seed_projects, seed_tasks
from tui_app.fake.store import DEMO_AK, DEMO_IAM_USER, DEMO_REGION, DEMO_SK
from tui_app.i18n import _
from tui_app.secret import Secret
from tui_app.settings import Target
from tui_app.ui.context import ConsoleContext
from tui_app.vias.auth import AccessKeys
from tui_app.vias.endpoints import Endpoint, parse_endpoint

DEMO_TASKS = 60
ELSEWHERE = "0123456789abcdef0123456789abcdef"  # the paste's "unknown" ID: in another region, for Locate
DEMO_PROJECTS = [("cn-east-3", 12), ("cn-east-3_ops", 4), ("ap-southeast-1", 5)]


def demo_runs_dir() -> Path:
    """Demo journals go to a temporary directory, never among the operator's real runs."""
    return Path(tempfile.mkdtemp(prefix="vias-tui-demo-")) / "runs"


def demo_server(latency: float = 0.15) -> FakeVias:
    """The fake with demo data; a little latency and the odd throttle so a run looks like a real one."""
    store = FakeStore()
    seed_tasks(store, DEMO_TASKS, seed=7, special=True)
    seed_projects(store, DEMO_PROJECTS, seed=7, special=False)
    east = store.find_project(name="cn-east-3")
    assert east is not None
    first = next(iter(east.tasks.values()))
    elsewhere = replace(
        first, id=ELSEWHERE, name="ticket OPS-4821 leftovers", status_info=dict(first.status_info), jobs=None
    )
    store.add_task(elsewhere, east.id)
    return FakeVias(store, FaultPlan(latency=latency, every={19: "429", 23: "503"}, retry_after=1.0))


def demo_paste(server: FakeVias, count: int = 24) -> str:
    """What an operator might paste: real IDs, a repeat, an unknown ID, and lines that must never be sent."""
    ids = list(server.store.tasks)[:count]
    lines = ["# batch tasks from ticket OPS-4821 (pasted from the old console)", *ids[:10], ids[3]]
    lines += [
        "0123456789abcdef0123456789abcdef",
        "../../v2/other-project/batch-tasks/x",
        "c0ffee?force=true",
        *ids[10:],
        '"legacy task 7"',
    ]
    return "\n".join(lines) + "\n"


def demo_context(
    server: FakeVias, *, text: str | None = None, concurrency: int = 4, runs_dir: Path | None = None
) -> ConsoleContext:
    """A console context against the demo fake: the demo token for this session, the sample paste loaded."""
    user = DEMO_IAM_USER
    return ConsoleContext(
        profile="demo",
        target=Target("demo", parse_endpoint(server.url, DEMO_REGION), DEMO_PROJECT_ID),
        demo=True,
        session_credentials=Credentials(CredentialSource.SESSION, keys=AccessKeys(DEMO_AK, Secret(DEMO_SK))),
        initial_text=demo_paste(server) if text is None else text,
        concurrency=concurrency,
        concurrency_source="demo",
        timeout=10.0,
        iam_endpoint=server.url,
        iam_region=DEMO_REGION,
        iam_account=user[0],
        iam_user=user[1],
        look_for_credentials=False,
        demo_hint=_("Demo IAM login: account {account}, user {user}, password {password}.").format(
            account=user[0], user=user[1], password=user[2]
        ),
        runs_dir=runs_dir or demo_runs_dir(),
        region_endpoints=lambda region: Endpoint(f"{server.url}/_region/{region}", region),
    )


__all__ = [
    "DEMO_AK",
    "DEMO_PROJECT_ID",
    "DEMO_REGION",
    "DEMO_SK",
    "DEMO_TOKEN",
    "demo_context",
    "demo_paste",
    "demo_server",
]
