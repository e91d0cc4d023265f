"""Stop, leftovers and jobs over TCP: stop then delete, partial deletes that leave jobs, job listing, job delete."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.test_fake_support import BATCHES, JOBS, keyed_store, token_headers
from tui_app.fake import (
    FakeStore,
    FakeTask,
    FakeVias,
    FaultPlan,
    JobCount,
    JobPaging,
    JobState,
    RequestKind,
    seed_tasks,
)


def one_batch(store: FakeStore, status: dict[str, int], **fields: object) -> FakeTask:
    task = FakeTask(
        id="b" * 32,
        name="face-gate-a-night",
        alg_name="Face detection",
        video_group_name="Gate A",
        video_source_name="Gate A cam 1",
        type="Face",
        created_at_ms=1_788_000_000_000,
        status_info=dict(status),
        alg_title="人脸检测",
    )
    for key, value in fields.items():
        setattr(task, key, value)
    return store.add_task(task)


async def jobs_of(client: httpx.AsyncClient, url: str, batch_id: str, **query: object) -> httpx.Response:
    return await client.get(f"{url}{JOBS}", params={"batch_id": batch_id, **query})


async def test_stop_then_delete_when_running_batches_are_refused() -> None:
    store = keyed_store(0)
    store.refuse_running = True
    task = one_batch(store, {"running": 3, "stopped": 2, "upgrading": 1})
    async with FakeVias(store) as server, httpx.AsyncClient(headers=token_headers()) as client:
        listed = (await jobs_of(client, server.url, task.id, page_size=50)).json()
        running = [j["id"] for j in listed["tasks"] if j["state"] == "RUNNING"]
        refused = await client.delete(f"{server.url}{BATCHES}/{task.id}")
        stop = await client.put(f"{server.url}{BATCHES}/{task.id}/action/stop")
        after_stop = dict(task.status_info)
        deleted = await client.delete(f"{server.url}{BATCHES}/{task.id}")
        kinds = [r.kind for r in server.requests]
    assert refused.status_code == 400 and refused.json()["error_code"] == "VIAS.00010001"
    assert "3 running jobs" in refused.json()["detail"] and all(i in refused.json()["detail"] for i in running)
    body = stop.json()
    assert stop.status_code == 200 and body["id"] == task.id
    assert (body["total_count"], body["failed_count"], body["succeed_count"]) == (6, 1, 5)
    assert body["error_list"] == [
        f"job {j['id']} is being upgraded" for j in listed["tasks"] if j["state"] == "UPGRADING"
    ]
    assert after_stop == {"upgrading": 1, "stopped": 5}
    assert deleted.status_code == 200 and deleted.json()["failed_count"] == 1  # the job being upgraded stays once
    assert kinds == ["job_list", "batch_delete", "batch_stop", "batch_delete"]


async def test_a_stop_clears_refuse_delete_and_start_runs_stopped_jobs_again() -> None:
    store = keyed_store(0)
    task = one_batch(store, {"running": 2, "stopped": 1}, refuse_delete=True)
    async with FakeVias(store) as server, httpx.AsyncClient(headers=token_headers()) as client:
        first = await client.delete(f"{server.url}{BATCHES}/{task.id}")
        await client.put(f"{server.url}{BATCHES}/{task.id}/action/stop")
        assert task.status_info == {"stopped": 3} and not task.refuse_delete
        start = await client.put(f"{server.url}{BATCHES}/{task.id}/action/start")
        assert start.status_code == 200 and task.status_info == {"running": 3}
        unknown = await client.put(f"{server.url}{BATCHES}/{'c' * 32}/action/stop")
        odd = await client.put(f"{server.url}{BATCHES}/{task.id}/action/pause")
    assert first.status_code == 400 and "running jobs" in first.json()["detail"]
    assert unknown.status_code == 400 and unknown.json()["error_code"] == "VIAS.00010002"
    assert odd.status_code == 400 and odd.json()["error_code"] == "VIAS.00010001"


async def test_stopping_takes_the_stop_delay_and_blocks_a_refusing_delete_until_then() -> None:
    store = keyed_store(0)
    store.refuse_running, store.stop_delay = True, 0.4
    task = one_batch(store, {"running": 2})
    async with FakeVias(store) as server, httpx.AsyncClient(headers=token_headers()) as client:
        await client.put(f"{server.url}{BATCHES}/{task.id}/action/stop")
        states = {j["state"] for j in (await jobs_of(client, server.url, task.id)).json()["tasks"]}
        early = await client.delete(f"{server.url}{BATCHES}/{task.id}")
        await asyncio.sleep(0.5)
        listed = (await client.get(f"{server.url}{BATCHES}")).json()["batch_task_list"]
        late = await client.delete(f"{server.url}{BATCHES}/{task.id}")
    assert states == {"STOPPING"} and early.status_code == 400 and "2 running jobs" in early.json()["detail"]
    assert listed[0]["batch_task_status_info"] == {"stopped": 2} and late.status_code == 200


async def test_a_partial_delete_leaves_jobs_that_list_show_and_delete_one_by_one() -> None:
    store = keyed_store(0)
    task = one_batch(store, {"running": 4, "stopped": 2}, fail_jobs=3)
    async with FakeVias(store) as server, httpx.AsyncClient(headers=token_headers()) as client:
        partial = (await client.delete(f"{server.url}{BATCHES}/{task.id}")).json()
        batch = (await client.get(f"{server.url}{BATCHES}")).json()["batch_task_list"]
        left = (await jobs_of(client, server.url, task.id, sort_dir="asc")).json()
        by_state = {j["state"]: j["id"] for j in left["tasks"]}
        shown = await client.get(f"{server.url}{JOBS}/{by_state['UPGRADING']}")
        upgrading = [await client.delete(f"{server.url}{JOBS}/{by_state['UPGRADING']}") for _ in range(2)]
        failed = [j["id"] for j in left["tasks"] if j["state"] == "FAILED"]
        others = [await client.delete(f"{server.url}{JOBS}/{job_id}") for job_id in failed]
        gone = await client.get(f"{server.url}{JOBS}/{by_state['FAILED']}")
        listed = (await client.get(f"{server.url}{BATCHES}")).json()
        job_seen = server.seen(RequestKind.JOB_DELETE)
    assert (partial["total_count"], partial["failed_count"], partial["succeed_count"]) == (6, 3, 3)
    assert sorted(partial["error_list"]) == sorted(
        [f"job {j['id']}: release of analysis resources timed out" for j in left["tasks"] if j["state"] == "FAILED"]
        + [f"job {by_state['UPGRADING']} is being upgraded"]
    )
    assert batch[0]["id"] == task.id and batch[0]["num_task"] == 3
    assert batch[0]["batch_task_status_info"] == {"upgrading": 1, "failed": 2}
    assert left["count"] == 3 and {j["state"] for j in left["tasks"]} == {"FAILED", "UPGRADING"}
    assert set(left["tasks"][0]) >= {"id", "name", "state", "title", "created_at", "service_id", "type"}
    assert left["tasks"][0]["title"] == "人脸检测"
    assert shown.status_code == 200 and shown.json()["state"] == "UPGRADING" and shown.json()["project_id"]
    assert [r.status_code for r in upgrading] == [400, 200]
    assert "is being upgraded" in upgrading[0].json()["detail"]
    assert [r.status_code for r in others] == [200, 200]  # the last job deleted: the batch went with it
    assert gone.status_code == 400 and gone.json()["error_code"] == "VIAS.00010007"
    assert listed == {"count": 0, "batch_task_list": []}
    assert all(r.task_id == task.id and r.job_id for r in job_seen)


async def test_a_job_being_upgraded_refuses_once_even_before_any_job_was_listed() -> None:
    store = keyed_store(0)
    task = one_batch(store, {"upgrading": 1, "stopped": 2})
    async with FakeVias(store) as server, httpx.AsyncClient(headers=token_headers()) as client:
        first = (await client.delete(f"{server.url}{BATCHES}/{task.id}")).json()
        second = (await client.delete(f"{server.url}{BATCHES}/{task.id}")).json()
    assert (first["failed_count"], first["succeed_count"]) == (1, 2) and "is being upgraded" in first["error_list"][0]
    assert (second["total_count"], second["failed_count"]) == (1, 0) and task.id not in store.tasks


async def test_an_empty_batch_can_stay_listed_until_deleted_again() -> None:
    store = keyed_store(0)
    store.empty_batch_stays, store.leftover_states = True, (JobState.FAILED,)
    task = one_batch(store, {"stopped": 2}, fail_jobs=1)
    async with FakeVias(store) as server, httpx.AsyncClient(headers=token_headers()) as client:
        await client.delete(f"{server.url}{BATCHES}/{task.id}")
        [job] = (await jobs_of(client, server.url, task.id)).json()["tasks"]
        assert (await client.delete(f"{server.url}{JOBS}/{job['id']}")).status_code == 200
        empty = (await client.get(f"{server.url}{BATCHES}")).json()["batch_task_list"]
        final = (await client.delete(f"{server.url}{BATCHES}/{task.id}")).json()
    assert empty[0]["num_task"] == 0 and empty[0]["batch_task_status_info"] == {}
    assert final["total_count"] == 0 and task.id not in store.tasks


@pytest.mark.parametrize(
    ("paging", "count", "pages", "expected_counts"),
    [
        (JobPaging.FROM_0, JobCount.TOTAL, [0, 1, 2, 3], [23, 23, 23, 23]),
        (JobPaging.FROM_1, JobCount.PAGE, [1, 2, 3, 4], [10, 10, 3, 0]),
        (JobPaging.OFFSET, JobCount.TOTAL, [0, 10, 20, 30], [23, 23, 23, 23]),
    ],
)
async def test_jobs_page_by_the_chosen_rules(
    paging: JobPaging, count: JobCount, pages: list[int], expected_counts: list[int]
) -> None:
    store = keyed_store(0)
    store.job_paging, store.job_count = paging, count
    task = one_batch(store, {"running": 13, "stopped": 10})
    async with FakeVias(store) as server, httpx.AsyncClient(headers=token_headers()) as client:
        answers = [(await jobs_of(client, server.url, task.id, page=p, page_size=10)).json() for p in pages]
    assert [len(a["tasks"]) for a in answers] == [10, 10, 3, 0]
    assert [a["count"] for a in answers] == expected_counts
    assert [a["page"] for a in answers] == pages and {a["page_size"] for a in answers} == {10}
    ids = [j["id"] for a in answers for j in a["tasks"]]
    assert len(set(ids)) == 23  # every job once, none twice


async def test_job_filters_sorting_and_bounds() -> None:
    store = keyed_store(0)
    task = one_batch(store, {"running": 6, "stopped": 2})
    async with FakeVias(store) as server, httpx.AsyncClient(headers=token_headers()) as client:
        url = server.url
        running = (await jobs_of(client, url, task.id, task_state="running")).json()
        named = (await jobs_of(client, url, task.id, task_name="-007")).json()
        asc = (await jobs_of(client, url, task.id, sort_dir="asc")).json()["tasks"]
        desc = (await jobs_of(client, url, task.id)).json()["tasks"]
        small = (await jobs_of(client, url, task.id, page_size=1)).json()
        other = (await jobs_of(client, url, "f" * 32)).json()
        bad = await jobs_of(client, url, task.id, page="two")
    assert running["count"] == 6 and {j["state"] for j in running["tasks"]} == {"RUNNING"}
    assert [j["name"] for j in named["tasks"]] == ["face-gate-a-night-007"]
    assert [j["id"] for j in asc] == [j["id"] for j in reversed(desc)]
    assert small["page_size"] == 5 and len(small["tasks"]) == 5
    assert other == {"count": 0, "tasks": [], "page": 0, "page_size": 10}
    assert bad.status_code == 400 and bad.json()["error_code"] == "VIAS.00010001"


async def test_counters_edited_by_a_test_are_honoured_by_the_jobs() -> None:
    store = keyed_store(0)
    task = one_batch(store, {"stopped": 2})
    async with FakeVias(store) as server, httpx.AsyncClient(headers=token_headers()) as client:
        before = (await jobs_of(client, server.url, task.id)).json()["tasks"]
        task.status_info["running"] = 4
        after = (await jobs_of(client, server.url, task.id)).json()["tasks"]
    assert [j["state"] for j in before] == ["STOPPED"] * 2
    assert sorted(j["state"] for j in after) == ["RUNNING"] * 4 + ["STOPPED"] * 2
    assert {j["id"] for j in before} <= {j["id"] for j in after}  # the jobs that were there stay the same


async def test_faults_reach_stops_and_job_deletes() -> None:
    store = keyed_store(0)
    task = one_batch(store, {"running": 2}, fail_jobs=1)
    store.leftover_states = (JobState.FAILED,)
    faults = FaultPlan(stop_script={task.id: ["drop-after", "ok"]})
    async with FakeVias(store, faults) as server, httpx.AsyncClient(headers=token_headers()) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.put(f"{server.url}{BATCHES}/{task.id}/action/stop")
        stopped_anyway = dict(task.status_info)
        await client.delete(f"{server.url}{BATCHES}/{task.id}")
        [job] = (await jobs_of(client, server.url, task.id)).json()["tasks"]
        faults.job_script[job["id"]] = ["500", "ok"]
        first = await client.delete(f"{server.url}{JOBS}/{job['id']}")
        second = await client.delete(f"{server.url}{JOBS}/{job['id']}")
        answers = [(r.kind, r.answer) for r in server.requests]
    assert stopped_anyway == {"stopped": 2}  # drop-after: it acted, then the connection dropped
    assert first.status_code == 500 and second.status_code == 200
    assert answers == [
        ("batch_stop", "drop-after"),
        ("batch_delete", "200"),
        ("job_list", "200"),
        ("job_delete", "500"),
        ("job_delete", "200"),
    ]


async def test_title_filters_by_the_algorithms_title_not_the_name() -> None:
    store = keyed_store(0)
    seed_tasks(store, 40)
    async with FakeVias(store) as server, httpx.AsyncClient(headers=token_headers()) as client:
        by_title = (
            await client.get(f"{server.url}{BATCHES}", params={"title": "人脸检测", "is_paged": "false"})
        ).json()
        by_name = (await client.get(f"{server.url}{BATCHES}", params={"title": "face", "is_paged": "false"})).json()
    faces = [t for t in store.tasks.values() if t.alg_name == "Face detection"]
    assert faces and by_title["count"] == len(faces)
    assert {t["alg_name"] for t in by_title["batch_task_list"]} == {"Face detection"}
    assert by_name["count"] == 0  # "face" is in the names, not in any title


async def test_seeding_creates_no_jobs_and_plain_deletes_never_do() -> None:
    store = FakeStore()
    seed_tasks(store, 2_000, special=False)
    ids = list(store.tasks)[:50]
    async with FakeVias(store) as server, httpx.AsyncClient() as client:
        from tui_app.fake import DEMO_TOKEN

        await client.get(f"{server.url}{BATCHES}", headers={"X-Auth-Token": DEMO_TOKEN})
        for task_id in ids:
            await client.delete(f"{server.url}{BATCHES}/{task_id}", headers={"X-Auth-Token": DEMO_TOKEN})
    assert all(task.jobs is None for task in store.tasks.values()) and not set(ids) & set(store.tasks)
