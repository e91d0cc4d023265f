"""Killed and interrupted runs lose nothing, and a resume never sends an answered ID again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT, SECRET_TOKEN, run_cli, seeded_store, target_args
from tests.ui.helpers import confirm_screen_ready, console, run_finished, type_text, until
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread
from tui_app.ids import parse
from tui_app.journal import RunJournal, list_runs, read_run
from tui_app.outcomes import SETTLED, Outcome, OutcomeRecord

TOKEN_ENV = {"VIAS_AUTH_TOKEN": SECRET_TOKEN}


def start_delete(server: FakeVias, ids_file: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tui_app", "delete", *target_args(server), "--ids-file",
                             str(ids_file), "--yes", "--concurrency", "4"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **TOKEN_ENV}, cwd=ROOT)


def wait_for_deletes(server: FakeVias, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(server.deletes_seen()) < count:
        assert time.monotonic() < deadline, "the run never got going"
        time.sleep(0.01)


@pytest.fixture
def big_store() -> FakeStore:
    return seeded_store(80)


def test_sigkill_then_resume_sends_no_answered_id_again(big_store: FakeStore, tmp_path: Path) -> None:
    ids = list(big_store.tasks)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(ids))
    with running_in_thread(FakeVias(big_store, FaultPlan(latency=0.05))) as server:
        proc = start_delete(server, ids_file)
        wait_for_deletes(server, 25)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        log = read_run(list_runs()[0])
        answered = {i for i, r in log.records.items() if r.outcome in SETTLED}
        assert log.end is None and len(answered) >= 20
        listed = run_cli("runs")
        assert "interrupted" in listed.out and f"vias-tui resume {log.run_id}" in listed.out

        resumed = run_cli("resume", "--last", "--yes", env=TOKEN_ENV)
        assert resumed.code == 0, resumed.out + resumed.err
        sent = Counter(r.task_id for r in server.deletes_seen())
    assert all(sent[i] == 1 for i in answered)  # nothing answered is ever sent again
    assert set(sent) == set(ids)
    final = read_run(log.path)
    assert final.end["status"] == "finished" and not final.unsettled()
    rows = final.rows()
    assert len(rows) == 80 and all(r.outcome in (Outcome.DELETED, Outcome.NOT_FOUND) for r in rows)
    for row in rows:  # IDs in flight at the kill were deleted by the first process: said so, not hidden
        if row.outcome is Outcome.NOT_FOUND:
            assert "probably deleted" in row.note


def test_sigterm_exits_130_and_resume_finishes_the_rest(big_store: FakeStore, tmp_path: Path) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(big_store.tasks))
    with running_in_thread(FakeVias(big_store, FaultPlan(latency=0.05))) as server:
        proc = start_delete(server, ids_file)
        wait_for_deletes(server, 10)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 130 and "Interrupted" in out and "Traceback" not in err
        log = read_run(list_runs()[0])
        assert log.end["status"] == "interrupted"
        counts = log.counts()
        assert counts[Outcome.CANCELLED] > 0 and sum(counts.values()) == 80
        assert run_cli("resume", log.run_id[:12], "--yes", env=TOKEN_ENV).code == 0
        assert not read_run(log.path).unsettled()
        again = run_cli("resume", "--last", "--yes", env=TOKEN_ENV)
        assert again.code == 0 and "Nothing to resume" in again.out
        assert max(Counter(r.task_id for r in server.deletes_seen()).values()) == 1


def test_resume_asks_like_any_run(big_store: FakeStore) -> None:
    plan = parse("\n".join(list(big_store.tasks)[:3]))
    with RunJournal.start(plan, endpoint="http://127.0.0.1:9", project_id="proj0001", profile="default",
                          concurrency=1):
        pass
    refused = run_cli("resume", "--last", env=TOKEN_ENV, stdin="")
    assert refused.code == 2 and "--yes" in refused.err
    assert run_cli("resume", "nosuchrun", env=TOKEN_ENV).code == 2
    assert run_cli("resume", env=TOKEN_ENV).code == 2  # name a run or --last


async def test_console_offers_to_resume_an_interrupted_run(store: FakeStore) -> None:
    ids = list(store.tasks)[:10]
    async with FakeVias(store) as server:
        app = console(server, "")
        app.context.demo = False  # a real target: the console looks for interrupted runs against it
        journal = RunJournal.start(parse("\n".join(ids)), endpoint=server.url, project_id=app.context.target.project_id,
                                   profile="demo", concurrency=2)
        for task_id in ids[:4]:
            journal.sent(task_id, 1)
            journal.outcome(OutcomeRecord(task_id, Outcome.DELETED))
            del store.tasks[task_id]
        journal.sent(ids[4], 1)  # in flight when the process died
        journal.close()
        from tui_app.ui.screens.simple import AskScreen

        async with app.run_test(size=(100, 32)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, AskScreen))
            question = str(app.screen.query_one("Static").render())
            assert "interrupted run" in question and "6 of 10" in question and "1 were sent" in question
            await pilot.press("y")
            await confirm_screen_ready(pilot, app)
            assert "Resume run" in str(app.screen.query_one("#confirm-title").render())
            await type_text(pilot, "6")
            await pilot.press("enter")
            await run_finished(pilot, app)
        sent = [r.task_id for r in server.deletes_seen()]
    assert sorted(sent) == sorted(ids[4:])
    log = read_run(journal.path)
    assert not log.unsettled() and log.end["status"] == "finished"
    assert sum(log.counts().values()) == 10
