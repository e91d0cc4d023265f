"""Realistic, deterministic demo data: the same seed gives the same batches, byte for byte.

Seeding stays cheap (the scale benchmarks seed 100,000 batches): a batch is its counters only; its jobs are
created when first needed (jobs.py). Adding a field here must not draw from the random generator, or every
seeded name, count and ID (and the UI snapshots made from them) would change.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from tui_app.fake.store import FakeStore, FakeTask

# Algorithm -> its Chinese title (what the list's `title` filter and TaskInfo.title carry).
ALG_TITLES = {
    "Face detection": "人脸检测",
    "Vehicle attributes": "车辆属性识别",
    "Helmet detection": "安全帽检测",
    "Smoke and fire": "烟火检测",
    "Intrusion": "区域入侵检测",
    "Crowd counting": "人群计数",
    "Licence plates": "车牌识别",
    "Loitering": "徘徊检测",
}
_ALGORITHMS = tuple(ALG_TITLES)
_PLACES = ("Gate A", "Gate B", "Warehouse 3", "Parking B2", "Lobby", "Dock 7", "Canteen", "Perimeter north")
_PURPOSES = ("night shift", "trial", "audit 2026Q3", "old cameras", "pilot", "temp", "migration", "drill")
_TYPES = ("Face", "Vehicle", "Safety", "Behaviour")


def make_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def seed_tasks(
    store: FakeStore, count: int, seed: int = 7, *, special: bool = True, project_id: str | None = None
) -> list[str]:
    """Fill a project (the default one unless told) with realistic batches. With `special`, every 17th (from
    the 6th) refuses deletion as if it had running jobs, and every 23rd (from the 12th) deletes partially."""
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
            alg_title=ALG_TITLES[alg],
        )
        if special and index % 17 == 5:
            task.refuse_delete = True
            task.status_info["running"] = max(task.status_info.get("running", 0), 3)
        elif special and index % 23 == 11:
            task.status_info["stopped"] = task.status_info.get("stopped", 0) + 2
            task.fail_jobs = max(1, task.num_task // 3)
        store.add_task(task, project_id)
        ids.append(task.id)
    return ids


def seed_projects(store: FakeStore, projects: list[tuple[str, int]], seed: int = 7, *, special: bool = True) -> None:
    """Add projects by name ("cn-east-3", "cn-east-3_ops") with `count` batches each; each project gets its own
    seed (so its IDs differ from every other project's)."""
    for offset, (name, count) in enumerate(projects, start=1):
        project = store.add_project(name)
        seed_tasks(store, count, seed * 1000 + offset, special=special, project_id=project.id)


__all__ = ["ALG_TITLES", "make_id", "seed_projects", "seed_tasks"]
