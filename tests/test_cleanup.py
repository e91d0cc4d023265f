"""Finishing a cleanup against the fake VIAS over TCP: stop running batches then delete them, delete the jobs a
partial delete leaves, and resume after kill -9 between the steps without repeating an answered one."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from tests.helpers import CLI_ROOT, TOKEN_ENV, cli_env, run_cli, seeded_store, target_args, wait_for
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread
from tui_app.fake.routes import RequestKind


def _ids_file(tmp_path: Path, ids: list[str]) -> str:
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(ids) + "\n")
    return str(path)


def _report(tmp_path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]


def _running_store(count: int = 4) -> FakeStore:
    store = seeded_store(count)
    store.refuse_running = True  # a batch with running jobs is refused (400 naming them), as VIAS may
    for task in store.tasks.values():
        task.status_info = {"running": 2, "stopped": 1}
    return store


def test_stop_running_after_the_preview_stops_then_deletes(tmp_path: Path) -> None:
    store = _running_store()
    ids = list(store.tasks)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["delete", *target_args(server), "--ids-file", _ids_file(tmp_path, ids), "--yes", "--preview"]
        result = run_cli(*args, "--stop-running", "--report", str(tmp_path / "r.jsonl"), env=TOKEN_ENV)
        assert result.code == 0, result.out + result.err
        kinds = [r.kind for r in server.requests if r.kind in ("batch_stop", "batch_delete")]
    assert kinds.count("batch_stop") == 4 and kinds.count("batch_delete") == 4
    for task_id in ids:  # each stop came before its delete
        order = [r.kind for r in server.requests if r.task_id == task_id and r.kind in ("batch_stop", "batch_delete")]
        assert order == ["batch_stop", "batch_delete"]
    rows = _report(tmp_path)
    assert {row["outcome"] for row in rows} == {"deleted"} and all(row["stopped"] for row in rows)
    assert not store.tasks


def test_a_refusal_for_running_jobs_stops_then_deletes_without_a_preview(tmp_path: Path) -> None:
    store = _running_store(2)
    ids = list(store.tasks)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["delete", *target_args(server), "--ids-file", _ids_file(tmp_path, ids), "--yes", "--stop-running"]
        result = run_cli(*args, env=TOKEN_ENV)
        assert result.code == 0, result.out + result.err
        assert len(server.seen(RequestKind.BATCH_STOP)) == 2
        assert len(server.deletes_seen()) == 4  # refused, stopped, deleted


def test_without_the_flag_nothing_is_stopped_and_the_refusal_is_kept(tmp_path: Path) -> None:
    store = _running_store(2)
    ids = list(store.tasks)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["delete", *target_args(server), "--ids-file", _ids_file(tmp_path, ids), "--yes", "--preview"]
        result = run_cli(*args, "--report", str(tmp_path / "r.jsonl"), env=TOKEN_ENV)
        assert result.code == 1
        assert server.seen(RequestKind.BATCH_STOP) == []
    rows = _report(tmp_path)
    assert {row["outcome"] for row in rows} == {"failed"} and all("running" in str(row["detail"]) for row in rows)


def test_a_stop_that_fails_leaves_the_batch_failed_with_the_services_detail(tmp_path: Path) -> None:
    store = _running_store(1)
    task_id = next(iter(store.tasks))
    with running_in_thread(FakeVias(store, FaultPlan(stop_script={task_id: ["500"]}))) as server:
        args = ["delete", *target_args(server), "--ids-file", _ids_file(tmp_path, [task_id]), "--yes", "--preview"]
        result = run_cli(*args, "--stop-running", "--report", str(tmp_path / "r.jsonl"), env=TOKEN_ENV)
        assert result.code == 1
        assert server.deletes_seen() == []  # never deleted
    row = _report(tmp_path)[0]
    assert (
        row["outcome"] == "failed" and row["error_code"] == "VIAS.00010006" and "stopping it failed" in str(row["note"])
    )


def test_clean_leftovers_deletes_the_jobs_a_partial_delete_left(tmp_path: Path) -> None:
    store = seeded_store(3)
    ids = list(store.tasks)
    store.tasks[ids[0]].status_info = {"stopped": 4}
    store.tasks[ids[0]].fail_jobs = 3  # three jobs stay behind ("being upgraded": each refuses its first delete)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["delete", *target_args(server), "--ids-file", _ids_file(tmp_path, ids), "--yes", "--clean-leftovers"]
        result = run_cli(*args, "--report", str(tmp_path / "r.jsonl"), "--output", "json", env=TOKEN_ENV)
        assert result.code == 0, result.out + result.err
        job_deletes = server.seen(RequestKind.JOB_DELETE)
    assert ids[0] not in store.tasks  # no job remains, so the batch is gone
    rows = _report(tmp_path)
    batch = next(row for row in rows if row["id"] == ids[0])
    jobs = [row for row in rows if row["kind"] == "job"]
    assert batch["outcome"] == "deleted" and "leftover job(s) were deleted" in str(batch["note"])
    assert (
        len(jobs) == 3
        and {job["batch_id"] for job in jobs} == {ids[0]}
        and {job["outcome"] for job in jobs} == {"deleted"}
    )
    assert len({r.job_id for r in job_deletes}) == 3
    document = json.loads(result.out)
    entry = next(e for e in document["entries"] if e["id"] == ids[0])
    assert len(entry["leftover_jobs"]) == 3


def test_a_job_that_stays_refused_leaves_the_batch_partial_with_why(tmp_path: Path) -> None:
    store = seeded_store(1)
    task_id = next(iter(store.tasks))
    store.tasks[task_id].status_info = {"stopped": 3}
    store.tasks[task_id].fail_jobs = 2
    store.upgrading_refusals = 99  # its leftover jobs never stop being upgraded
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["delete", *target_args(server), "--ids-file", _ids_file(tmp_path, [task_id]), "--yes"]
        result = run_cli(*args, "--clean-leftovers", "--report", str(tmp_path / "r.jsonl"), env=TOKEN_ENV)
        assert result.code == 1
        assert len(server.deletes_seen()) == 1  # the batch's own delete: once
    batch = _report(tmp_path)[0]
    assert batch["outcome"] == "partial" and "remain" in str(batch["note"])


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui_app", *args],
        env=cli_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=CLI_ROOT,
    )


def test_kill_9_between_the_stop_and_the_delete_then_resume_stops_nothing_twice(tmp_path: Path) -> None:
    store = _running_store(1)
    task_id = next(iter(store.tasks))
    faults = FaultPlan(script={task_id: ["hang", "ok"]})  # the stop is answered; the delete never is
    with running_in_thread(FakeVias(store, faults)) as server:
        args = ["delete", *target_args(server), "--ids-file", _ids_file(tmp_path, [task_id]), "--yes", "--preview"]
        proc = _start([*args, "--stop-running"], TOKEN_ENV)
        wait_for(lambda: len(server.deletes_seen()) == 1, what="the delete in flight after the stop")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        resumed = run_cli("resume", "--last", "--yes", "--report", str(tmp_path / "r.jsonl"), env=TOKEN_ENV)
        assert resumed.code == 0, resumed.out + resumed.err
        assert len(server.seen(RequestKind.BATCH_STOP)) == 1  # answered: never stopped again
        assert len(server.deletes_seen()) == 2
    assert _report(tmp_path)[0]["outcome"] == "deleted"


def test_kill_9_between_a_partial_answer_and_its_job_deletes_then_resume(tmp_path: Path) -> None:
    store = seeded_store(1)
    task_id = next(iter(store.tasks))
    store.tasks[task_id].status_info = {"stopped": 3}
    store.tasks[task_id].fail_jobs = 2
    store.upgrading_refusals = 0
    hang_all_jobs = FaultPlan()
    with running_in_thread(FakeVias(store, hang_all_jobs)) as server:
        server.faults.job_script = _JobsHang()  # every job delete hangs in the first run
        args = ["delete", *target_args(server), "--ids-file", _ids_file(tmp_path, [task_id]), "--yes"]
        proc = _start([*args, "--clean-leftovers"], TOKEN_ENV)
        wait_for(lambda: len(server.seen(RequestKind.JOB_DELETE)) >= 1, what="a job delete in flight")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        server.faults.job_script = {}
        resumed = run_cli("resume", "--last", "--yes", "--report", str(tmp_path / "r.jsonl"), env=TOKEN_ENV)
        assert resumed.code == 0, resumed.out + resumed.err
        assert len(server.deletes_seen()) == 1  # the batch answered partial once: its delete is never sent again
    assert task_id not in store.tasks
    rows = _report(tmp_path)
    assert rows[0]["outcome"] == "deleted" and [r["kind"] for r in rows[1:]] == ["job", "job"]


class _JobsHang(dict[str, list[str]]):
    """A job_script under which every job's delete hangs."""

    def get(self, key: str, default: object = None) -> list[str]:  # type: ignore[override]
        return ["hang"]
