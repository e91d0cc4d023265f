"""Resolving IDs before deleting: the resolver against the fake over TCP, and `delete --preview`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SECRET_TOKEN, run_cli, seeded_store, target_args
from tui_app.fake import DEMO_PROJECT_ID, FakeStore, FakeVias, FaultPlan, running_in_thread
from tui_app.resolve import resolve
from tui_app.secret import Token
from tui_app.vias.auth import TokenAuth
from tui_app.vias.client import ViasClient
from tui_app.vias.endpoints import parse_endpoint

TOKEN_ENV = {"VIAS_AUTH_TOKEN": SECRET_TOKEN}
UNKNOWN = "feedfacefeedfacefeedfacefeedface"


async def resolve_against(server: FakeVias, ids: list[str]):
    async with ViasClient(parse_endpoint(server.url), DEMO_PROJECT_ID, TokenAuth(Token(SECRET_TOKEN))) as client:
        return await resolve(client.list_batch_tasks, ids)


async def test_found_not_found_and_running() -> None:
    store = seeded_store(450)
    ids = list(store.tasks)[::50]  # spread over three pages
    store.tasks[ids[0]].status_info["running"] = 3
    async with FakeVias(store) as server:
        result = await resolve_against(server, [*ids, UNKNOWN])
    assert result.complete and result.pages == 3 and result.total == 450
    assert set(result.found) == set(ids) and result.not_found == [UNKNOWN]
    assert ids[0] in result.running
    assert result.found[ids[1]].name == store.tasks[ids[1]].name
    assert "1 NOT found (wrong region or project?)" in result.summary()


async def test_stops_paging_once_every_id_is_found() -> None:
    store = seeded_store(10_000)
    async with FakeVias(store) as server:
        ordered = await resolve_against(server, [])
        assert ordered.pages == 0  # nothing to look for, nothing fetched
        newest = sorted(store.tasks.values(), key=lambda t: -t.created_at_ms)[:5]
        result = await resolve_against(server, [t.id for t in newest])
        gets = [r for r in server.requests if r.method == "GET"]
    assert result.complete and result.pages == 1 and len(gets) == 1  # not all 50 pages


async def test_listing_failure_is_reported_not_raised(store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    for fault in ("500", "401"):
        async with FakeVias(store, FaultPlan(list_fault=fault)) as server:
            result = await resolve_against(server, ids)
        assert not result.complete and result.error is not None and result.not_found == []
        assert "Could not list" in result.summary() and "proceed on the IDs alone" in result.summary()


async def test_throttled_listing_waits_and_continues(store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    async with FakeVias(store, FaultPlan(list_fault="429", retry_after=0.05)) as server:

        async def lift_after_two() -> None:
            import asyncio

            while len([r for r in server.requests if r.method == "GET"]) < 2:
                await asyncio.sleep(0.01)
            server.faults.list_fault = None

        import asyncio

        lifter = asyncio.create_task(lift_after_two())
        result = await resolve_against(server, ids)
        await lifter
    assert result.complete and set(result.found) == set(ids)


def test_delete_preview_dry_run_prints_the_table_and_sends_nothing(store: FakeStore, tmp_path: Path) -> None:
    ids = list(store.tasks)[:4]
    store.tasks[ids[2]].status_info["running"] = 7
    path = tmp_path / "ids.txt"
    path.write_text("\n".join([*ids, UNKNOWN]))
    with running_in_thread(FakeVias(store)) as server:
        result = run_cli(
            "delete", *target_args(server), "--ids-file", str(path), "--preview", "--dry-run", env=TOKEN_ENV
        )
        assert server.deletes_seen() == []
    assert result.code == 0
    assert "Preview: 4 of 5 found in this project; 1 NOT found" in result.out
    assert store.tasks[ids[0]].name[:30] in result.out and "7 running" in result.out
    assert f"{UNKNOWN}  NOT FOUND in this project" in result.out
    assert "Requests that would be sent (4)" in result.out  # not-found excluded by default


def test_delete_preview_exclusions_and_names_in_the_report(store: FakeStore, tmp_path: Path) -> None:
    ids = list(store.tasks)[:4]
    store.tasks[ids[1]].status_info["running"] = 2
    for task_id in ids:
        if task_id != ids[1]:
            store.tasks[task_id].status_info.pop("running", None)
    path = tmp_path / "ids.txt"
    path.write_text("\n".join([*ids, UNKNOWN]))
    report = tmp_path / "report.jsonl"
    name = store.tasks[ids[0]].name  # the task is gone after the run; its name stays in the report
    with running_in_thread(FakeVias(store)) as server:
        result = run_cli(
            "delete",
            *target_args(server),
            "--ids-file",
            str(path),
            "--preview",
            "--exclude-running",
            "--yes",
            "--report",
            str(report),
            env=TOKEN_ENV,
        )
        sent = {r.task_id for r in server.deletes_seen()}
    assert result.code == 0, result.out + result.err
    assert sent == {ids[0], ids[2], ids[3]}
    rows = {row["id"]: row for row in map(json.loads, report.read_text().splitlines())}
    assert rows[ids[0]]["name"] == name and rows[ids[0]]["outcome"] == "deleted"
    assert rows[ids[1]]["outcome"] == "skipped" and "--exclude-running" in rows[ids[1]]["note"]
    assert rows[UNKNOWN]["outcome"] == "skipped" and "--keep-not-found" in rows[UNKNOWN]["note"]


def test_delete_preview_when_listing_fails_proceeds_on_ids(store: FakeStore, tmp_path: Path) -> None:
    ids = list(store.tasks)[:2]
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(ids))
    with running_in_thread(FakeVias(store, FaultPlan(list_fault="500"))) as server:
        result = run_cli("delete", *target_args(server), "--ids-file", str(path), "--preview", "--yes", env=TOKEN_ENV)
        assert len(server.deletes_seen()) == 2
    assert result.code == 0 and "Could not list the batch tasks" in result.out
