"""`vias-tui delete` as scripts and operators use it: exit codes, messages, confirmation, reports."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SECRET_TOKEN, assert_no_token, run_cli, target_args
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread

TOKEN_ENV = {"VIAS_AUTH_TOKEN": SECRET_TOKEN}


def ids_file(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_deletes_everything_and_exits_0(fake_thread: FakeVias, store: FakeStore, tmp_path: Path) -> None:
    ids = list(store.tasks)[:10]
    report = tmp_path / "report.jsonl"
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        ids_file(tmp_path, ids),
        "--yes",
        "--report",
        str(report),
        env=TOKEN_ENV,
    )
    assert result.code == 0, result.err
    assert "All 10 deleted or already gone" in result.out
    assert "Journal:" in result.out and "Report:" in result.out
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert [r["outcome"] for r in rows] == ["deleted"] * 10
    assert len(fake_thread.deletes_seen()) == 10


def test_problems_exit_1_and_never_say_done(fake_thread: FakeVias, store: FakeStore, tmp_path: Path) -> None:
    ids = list(store.tasks)[:3]
    store.tasks[ids[0]].refuse_delete = True
    store.tasks[ids[1]].fail_jobs = 1
    report = tmp_path / "r.csv"
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        ids_file(tmp_path, [*ids, "bad/line", "feedfacefeedfacefeedfacefeedface"]),
        "--yes",
        "--report",
        str(report),
        env=TOKEN_ENV,
    )
    assert result.code == 1
    assert "Finished with problems" in result.out and "Not everything was deleted" in result.out
    assert "1 failed" in result.out and "1 partial" in result.out and "1 not_found" in result.out
    assert "1 skipped input line" in result.out
    assert "failed" in result.err and "VIAS.00010001" in result.err  # the problem line as it happened
    text = report.read_text()
    assert text.splitlines()[0].startswith("id,name,outcome,http_status,error_code")
    assert "bad/line,,skipped" in text


def test_no_yes_and_no_terminal_refuses_and_sends_nothing(
    fake_thread: FakeVias, store: FakeStore, tmp_path: Path
) -> None:
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        ids_file(tmp_path, list(store.tasks)[:2]),
        env=TOKEN_ENV,
        stdin="",
    )
    assert result.code == 2 and "--yes" in result.err and "Traceback" not in result.err
    assert fake_thread.requests == []


def test_no_token_exits_3_with_one_line(fake_thread: FakeVias, store: FakeStore, tmp_path: Path) -> None:
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        ids_file(tmp_path, list(store.tasks)[:2]),
        "--yes",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert result.code == 3
    assert "VIAS_AUTH_TOKEN" in result.err and "headless" in result.err and "Traceback" not in result.err
    assert fake_thread.requests == []


def test_rejected_token_exits_3_and_cancels_the_rest(store: FakeStore, tmp_path: Path) -> None:
    with running_in_thread(FakeVias(store, FaultPlan(auth_fail_after=3))) as server:
        result = run_cli(
            "delete",
            *target_args(server),
            "--ids-file",
            ids_file(tmp_path, list(store.tasks)[:20]),
            "--yes",
            "--concurrency",
            "2",
            env=TOKEN_ENV,
        )
        assert result.code == 3
        assert "credentials were rejected" in result.out and "APIG.0307" in result.out
        assert len(server.deletes_seen()) <= 3 + 2


def test_dry_run_sends_nothing_and_masks_the_token(fake_thread: FakeVias, store: FakeStore, tmp_path: Path) -> None:
    ids = list(store.tasks)[:3]
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        ids_file(tmp_path, [*ids, "x?y=1"]),
        "--dry-run",
        env=TOKEN_ENV,
    )
    assert result.code == 0
    assert f"DELETE {fake_thread.url}/v2/" in result.out and "nothing was sent" in result.out
    assert "MIIs…(" in result.out
    assert_no_token(result.out)
    assert "'?'" in result.out
    assert fake_thread.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--endpoint", "http://10.1.2.3:80", "--project-id", "proj0001"], "refusing plain http"),
        (["--region", "mars-1", "--project-id", "proj0001"], "unknown region"),
        (["--region", "cn-north-4"], "no project ID"),
        (["--region", "cn-north-4", "--project-id", "../x"], "project ID"),
    ],
)
def test_bad_targets_are_one_line_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli("delete", *args, "--ids-file", ids_file(tmp_path, ["abcd1234"]), "--yes", env=TOKEN_ENV)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_missing_ids_file_and_no_valid_ids(fake_thread: FakeVias, tmp_path: Path) -> None:
    missing = run_cli("delete", *target_args(fake_thread), "--ids-file", str(tmp_path / "nope"), "--yes", env=TOKEN_ENV)
    assert missing.code == 2 and "cannot read IDs" in missing.err
    empty = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        ids_file(tmp_path, ["# nothing", "a/b"]),
        "--yes",
        env=TOKEN_ENV,
    )
    assert empty.code == 2 and "no valid IDs" in empty.err and fake_thread.requests == []


def test_ids_from_stdin(fake_thread: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:2]
    result = run_cli(
        "delete", *target_args(fake_thread), "--ids-file", "-", "--yes", env=TOKEN_ENV, stdin=",".join(ids)
    )
    assert result.code == 0 and len(fake_thread.deletes_seen()) == 2


def test_concurrency_is_bounded() -> None:
    result = run_cli(
        "delete", "--region", "cn-north-4", "--project-id", "proj0001", "--ids-file", "-", "--concurrency", "65"
    )
    assert result.code == 2 and "between 1 and 64" in result.err


def _on_terminal(args: list[str], answer: str, env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal, answer its prompt, return (exit code, screen text)."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_app", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, **env},
        cwd=ROOT,
    )
    os.close(secondary)
    screen = b""
    deadline = time.monotonic() + 30
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
        if not answered and b"anything else to abort" in screen:
            os.write(primary, answer.encode() + b"\r")
            answered = True
        if proc.poll() is not None and not ready:
            break
    proc.wait(10)
    os.close(primary)
    return proc.returncode, screen.decode(errors="replace")


@pytest.mark.parametrize(("answer", "code"), [("2", 0), ("3", 2), ("yes", 2)])
def test_terminal_confirmation_needs_the_exact_count(
    fake_thread: FakeVias, store: FakeStore, tmp_path: Path, answer: str, code: int
) -> None:
    ids = list(store.tasks)[:2]
    exit_code, screen = _on_terminal(
        ["delete", *target_args(fake_thread), "--ids-file", ids_file(tmp_path, ids)], answer, TOKEN_ENV
    )
    assert "About to DELETE 2 batch task(s)" in screen and "Type 2 to delete" in screen
    assert exit_code == code
    assert len(fake_thread.deletes_seen()) == (2 if code == 0 else 0)
    assert_no_token(screen)


def test_sigint_mid_run_exits_130_with_the_journal_intact(store: FakeStore, tmp_path: Path) -> None:
    import signal

    ids = list(store.tasks)[:40]
    with running_in_thread(FakeVias(store, FaultPlan(latency=0.1))) as server:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tui_app",
                "delete",
                *target_args(server),
                "--ids-file",
                ids_file(tmp_path, ids),
                "--yes",
                "--concurrency",
                "2",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **TOKEN_ENV},
            cwd=ROOT,
        )
        deadline = time.monotonic() + 20
        while len(server.deletes_seen()) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        sent = {r.task_id for r in server.deletes_seen()}
    assert proc.returncode == 130, err
    assert "Interrupted" in out and "Traceback" not in err
    journal = Path(out.split("Journal: ")[1].split()[0])
    from tui_app.outcomes import Outcome
    from tui_app.runlog import read_run

    log = read_run(journal)
    assert log.end["status"] == "interrupted"
    rows = {r.id: r.outcome for r in log.rows()}
    assert len(rows) == 40
    assert all(rows[i] is Outcome.CANCELLED for i in ids if i not in sent)
    assert all(rows[i] in (Outcome.DELETED, Outcome.UNKNOWN) for i in sent)


def test_a_late_ctrl_c_cannot_cut_the_summary_short() -> None:
    import os
    import signal
    import time

    from tui_app.commands.execute import _ignoring

    with _ignoring(signal.SIGINT):
        os.kill(os.getpid(), signal.SIGINT)  # would raise KeyboardInterrupt while the summary prints
        time.sleep(0.05)
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN  # restored afterwards
