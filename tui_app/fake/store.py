"""The fake VIAS's in-memory state: batch tasks, tokens, IAM users. Deterministic for a given seed."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

DEMO_TOKEN = "demo-token-MIIDemoOnlyNotARealIamToken0000"
DEMO_PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
DEMO_REGION = "cn-north-4"
DEMO_IAM_USER = ("demo-account", "demo-user", "demo-password")

_ALGORITHMS = (
    "Face detection",
    "Vehicle attributes",
    "Helmet detection",
    "Smoke and fire",
    "Intrusion",
    "Crowd counting",
    "Licence plates",
    "Loitering",
)
_PLACES = ("Gate A", "Gate B", "Warehouse 3", "Parking B2", "Lobby", "Dock 7", "Canteen", "Perimeter north")
_PURPOSES = ("night shift", "trial", "audit 2026Q3", "old cameras", "pilot", "temp", "migration", "drill")
_TYPES = ("Face", "Vehicle", "Safety", "Behaviour")


@dataclass
class FakeTask:
    id: str
    name: str
    alg_name: str
    video_group_name: str
    video_source_name: str
    type: str
    created_at_ms: int
    status_info: dict[str, int]
    company: str = "huawei"
    refuse_delete: bool = False  # behaves like a batch with running jobs that VIAS will not delete
    fail_jobs: int = 0  # a delete answers 200 but this many jobs fail (a partial delete)

    @property
    def num_task(self) -> int:
        return sum(self.status_info.values())

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "batch_task_name": self.name,
            "video_source_name": self.video_source_name,
            "video_group_name": self.video_group_name,
            "alg_name": self.alg_name,
            "company": self.company,
            "type": self.type,
            "num_task": self.num_task,
            "created_at": self.created_at_ms,
            "batch_task_status_info": dict(self.status_info),
        }


@dataclass
class FakeStore:
    project_id: str = DEMO_PROJECT_ID
    tasks: dict[str, FakeTask] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=lambda: {DEMO_TOKEN})
    iam_users: dict[tuple[str, str], str] = field(
        default_factory=lambda: {(DEMO_IAM_USER[0], DEMO_IAM_USER[1]): DEMO_IAM_USER[2]}
    )
    not_found_status: int = 400  # VIAS may answer an unknown ID with 400 VIAS.00010002 or a 404
    # Access keys: AK -> (SK, the security token temporary keys must come with, when they expire)
    access_keys: dict[str, tuple[str, str | None, datetime | None]] = field(default_factory=dict)
    metadata_agency: bool = True  # the metadata service hands out temporary keys (an ECS with an agency)
    metadata_session_tokens: bool = True  # it wants a session token (PUT .../api/token) before answering
    temporary_key_ttl: float = 3600.0

    def add_task(self, task: FakeTask) -> FakeTask:
        self.tasks[task.id] = task
        return task

    def add_keys(self, ak: str, sk: str, security_token: str | None = None, expires_at: datetime | None = None) -> None:
        self.access_keys[ak] = (sk, security_token, expires_at)

    def issue_temporary_keys(self) -> tuple[str, str, str, datetime]:
        """What the metadata service hands an ECS with an agency: AK, SK, security token, expiry."""
        ak = "TMPAK" + secrets.token_hex(8).upper()
        sk = secrets.token_urlsafe(30)
        token = "gQ" + secrets.token_urlsafe(120)
        expires = datetime.now(timezone.utc) + timedelta(seconds=self.temporary_key_ttl)
        self.add_keys(ak, sk, token, expires)
        return ak, sk, token, expires

    def issue_token(self) -> tuple[str, datetime]:
        token = "MIIfake" + secrets.token_urlsafe(96)
        self.tokens.add(token)
        return token, datetime.now(timezone.utc) + timedelta(hours=24)


def make_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def seed_tasks(store: FakeStore, count: int, seed: int = 7, *, special: bool = True) -> list[str]:
    """Fill the store with realistic tasks. With `special`, a few refuse deletion or delete partially."""
    rng = random.Random(seed)
    base = datetime(2026, 9, 1, tzinfo=timezone.utc)
    ids: list[str] = []
    for index in range(count):
        alg = rng.choice(_ALGORITHMS)
        place = rng.choice(_PLACES)
        states = {
            "running": rng.choice((0, 0, 0, 2, 5, 12)),
            "stopped": rng.choice((0, 1, 3, 8)),
            "succeeded": rng.choice((0, 4, 10)),
            "failed": rng.choice((0, 0, 1)),
        }
        if not any(states.values()):
            states["stopped"] = 1
        created = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 80))
        task = FakeTask(
            id=make_id(rng),
            name="-".join(part.lower().replace(" ", "-") for part in (alg, place, rng.choice(_PURPOSES))),
            alg_name=alg,
            video_group_name=place,
            video_source_name=f"{place} cam {rng.randint(1, 24)}",
            type=rng.choice(_TYPES),
            created_at_ms=int(created.timestamp() * 1000),
            status_info={k: v for k, v in states.items() if v},
        )
        if special and index % 17 == 5:
            task.refuse_delete = True
            task.status_info["running"] = max(task.status_info.get("running", 0), 3)
        elif special and index % 23 == 11:
            task.status_info["stopped"] = task.status_info.get("stopped", 0) + 2
            task.fail_jobs = max(1, task.num_task // 3)
        store.add_task(task)
        ids.append(task.id)
    return ids
