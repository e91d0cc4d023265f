"""Killed and interrupted runs lose nothing, and a resume never sends an answered ID again."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import CLI_ROOT, TOKEN_ENV, cli_command, cli_env, run_cli, seeded_store, target_args, wait_for
from tests.ui.helpers import console, run_finished, screen_ready, type_text
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread
from tui_app.ids import parse
from tui_app.journal import RunJournal
from tui_app.outcomes import SETTLED, Outcome, OutcomeRecord, RunStatus
from tui_app.paths import default_runs_dir, private_dir
from tui_app.runlog import list_runs, read_run
from tui_app.ui.screens.confirm import ConfirmScreen
from tui_app.ui.screens.simple import AskScreen


def start_delete(server: FakeVias, ids_file: Path) -> subprocess.Popen[str]:
    args = cli_command("delete", *target_args(server), "--ids-file", str(ids_file), "--yes", "--concurrency", "4")
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(TOKEN_ENV), cwd=CLI_ROOT
    )


def wait_for_deletes(server: FakeVias, count: int) -> None:
    wait_for(lambda: len(server.deletes_seen()) >= count, what="the run under way")


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
        log = read_run(list_runs(default_runs_dir())[0])
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
    assert final.status is RunStatus.FINISHED and not final.unsettled()
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
        log = read_run(list_runs(default_runs_dir())[0])
        assert log.status is RunStatus.INTERRUPTED
        counts = log.counts()
        assert counts[Outcome.CANCELLED] > 0 and sum(counts.values()) == 80
        assert run_cli("resume", log.run_id[:12], "--yes", env=TOKEN_ENV).code == 0
        assert not read_run(log.path).unsettled()
        again = run_cli("resume", "--last", "--yes", env=TOKEN_ENV)
        assert again.code == 0 and "Nothing to resume" in again.out
        assert max(Counter(r.task_id for r in server.deletes_seen()).values()) == 1


def test_resume_asks_like_any_run(big_store: FakeStore, fake_thread: FakeVias) -> None:
    plan = parse("\n".join(list(big_store.tasks)[:3]))
    RunJournal.create(
        private_dir(default_runs_dir()),
        plan,
        endpoint=fake_thread.url,
        project_id="proj0001",
        profile="default",
        concurrency=1,
        command="test",
    ).close()
    refused = run_cli("resume", "--last", env=TOKEN_ENV, stdin="")
    assert refused.code == 2 and "--yes" in refused.err
    assert run_cli("resume", "nosuchrun", env=TOKEN_ENV).code == 2
    assert run_cli("resume", env=TOKEN_ENV).code == 2  # name a run or --last


async def test_console_offers_to_resume_an_interrupted_run(store: FakeStore) -> None:
    ids = list(store.tasks)[:10]
    async with FakeVias(store) as server:
        app = console(server, "")
        app.context.demo = False  # a real target: the console looks for interrupted runs against it
        assert app.context.target is not None and app.context.runs_dir is not None
        journal = RunJournal.create(
            private_dir(app.context.runs_dir),
            parse("\n".join(ids)),
            endpoint=server.url,
            project_id=app.context.target.project_id,
            profile="demo",
            concurrency=2,
            command="test",
        )
        for task_id in ids[:4]:
            journal.sent(task_id, 1)
            journal.outcome(OutcomeRecord(task_id, Outcome.DELETED))
            del store.tasks[task_id]
        journal.sent(ids[4], 1)  # in flight when the process died
        journal.close()
        async with app.run_test(size=(100, 32)) as pilot:
            screen = await screen_ready(pilot, AskScreen)
            question = str(screen.query_one("#ask-question").render())
            assert "interrupted run" in question and "6 of 10" in question and "1 were sent" in question
            await pilot.press("y")
            confirm = await screen_ready(pilot, ConfirmScreen)
            assert "Resume run" in str(confirm.query_one("#confirm-title").render())
            await type_text(pilot, "6")
            await pilot.press("enter")
            await run_finished(pilot, app)
        sent = [r.task_id for r in server.deletes_seen()]
    assert sorted(sent) == sorted(ids[4:])
    log = read_run(journal.path)
    assert not log.unsettled() and log.status is RunStatus.FINISHED
    assert sum(log.counts().values()) == 10
