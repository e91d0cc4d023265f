"""The headless command where operators and attackers break things: a full disk, two terminals at once, devices
and FIFOs as input, broken CA bundles, state and profile files of the wrong kind, planted links, Ctrl-C twice.
Each case: one clear line, the documented exit code, nothing lost, nothing sent twice."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import (
    CLI_ROOT,
    TOKEN_ENV,
    cli_command,
    cli_env,
    run_cli,
    seeded_store,
    target_args,
    wait_for,
)
from tests.hostile_server import Behaviour, running_hostile
from tui_app.fake import DEMO_PROJECT_ID, FakeStore, FakeVias, FaultPlan, running_in_thread
from tui_app.ids import parse
from tui_app.journal import RunJournal
from tui_app.paths import private_dir
from tui_app.runlog import read_run

TASK = "0d47bbf52962414bb7ae27fb6ea24230"


def write_ids(tmp_path: Path, ids: list[str], name: str = "ids.txt") -> str:
    path = tmp_path / name
    path.write_text("\n".join(ids) + "\n")
    return str(path)


def journals(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "state").rglob("*.jsonl"))


def one_line_error(err: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and len(lines) == 1 and lines[0].startswith("vias-tui: "), err


@contextlib.contextmanager
def tmpfs(path: Path, size: str, *options: str) -> Iterator[Path]:
    """A small file system of its own (needs root, as CI has); skipped with the reason elsewhere."""
    path.mkdir(parents=True, exist_ok=True)
    required = os.environ.get("VIAS_REQUIRE_TMPFS") == "1"
    if os.geteuid() != 0:
        (pytest.fail if required else pytest.skip)("mounting a tmpfs needs root (CI runs as root)")
    opts = ",".join([f"size={size}", "mode=0700", *options])
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        (pytest.fail if required else pytest.skip)(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(directory: Path, leave: int) -> None:
    """Fill the file system of `directory` until only `leave` bytes are free (0: until it refuses more)."""
    info = os.statvfs(directory)
    left = info.f_bavail * info.f_frsize - leave
    with open(directory / "filler", "wb", buffering=0) as handle:
        while left > 0:
            try:
                left -= handle.write(b"\0" * min(left, 4096))
            except OSError:
                return  # full


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env({**TOKEN_ENV, **(env or {})}),
        cwd=CLI_ROOT,
    )


# --- a full disk -----------------------------------------------------------------------------------------


def test_no_room_for_the_journal_refuses_before_sending(store: FakeStore, tmp_path: Path) -> None:
    ids = seeded_store(500).tasks
    with tmpfs(tmp_path / "state", "64k"), running_in_thread(FakeVias(store)) as server:
        result = run_cli(
            "delete",
            *target_args(server),
            "--ids-file",
            write_ids(tmp_path, list(ids)),
            "--yes",
            env={**TOKEN_ENV, "XDG_STATE_HOME": str(tmp_path / "state")},
        )
        assert server.requests == []
        leftovers = list((tmp_path / "state").rglob("*.jsonl"))
    assert result.code == 2 and "not enough free space" in result.err and "Nothing was sent" in result.err
    one_line_error(result.err)
    assert leftovers == []  # no orphan journal for `runs` to offer


def test_a_disk_that_fills_up_loses_no_answered_outcome(tmp_path: Path) -> None:
    store = seeded_store(500)
    state = tmp_path / "state"
    with tmpfs(state, "2m"), running_in_thread(FakeVias(store, FaultPlan(latency=0.01))) as server:
        runs = private_dir(state / "vias-tui" / "runs")
        proc = start(
            "delete",
            *target_args(server),
            "--ids-file",
            write_ids(tmp_path, list(store.tasks)),
            "--yes",
            "--concurrency",
            "4",
            env={"XDG_STATE_HOME": str(state)},
        )
        wait_for(lambda: len(server.deletes_seen()) >= 50, what="the run under way")
        fill(state, leave=0)  # another process takes every free byte mid-run
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        log = read_run(next(runs.glob("*.jsonl")))
        sent = Counter(r.task_id for r in server.deletes_seen())
        again = run_cli("resume", "--last", "--yes", env={**TOKEN_ENV, "XDG_STATE_HOME": str(state)})
    assert len(log.records) == 500 and not log.unsettled() and not log.warnings
    assert set(sent.values()) == {1} and "Nothing to resume" in again.out


def test_when_even_the_reservation_runs_out_the_rest_is_printed_and_nothing_is_torn(tmp_path: Path) -> None:
    big = {"error_code": "VIAS.00010001", "error_msg": "x" * 1900, "detail": "y" * 1900, "reason": "z" * 1900}
    ids = [f"{n:032x}" for n in range(1, 101)]
    state = tmp_path / "state"
    with tmpfs(state, "1m"), running_hostile("json", status=400, body=big) as server:
        private_dir(state / "vias-tui" / "runs")
        fill(state, leave=200 * 1024)  # room for the reservation; the outcomes are far bigger than planned
        result = run_cli(
            "delete",
            *target_args(server.url),
            "--ids-file",
            write_ids(tmp_path, ids),
            "--yes",
            "--concurrency",
            "2",
            env={**TOKEN_ENV, "XDG_STATE_HOME": str(state)},
        )
        sent = len(server.requests)
        journal = next((state / "vias-tui" / "runs").glob("*.jsonl"))
        data = journal.read_bytes()
        log = read_run(journal)
    assert result.code == 4 and "Traceback" not in result.err
    assert "could not be written to the journal" in result.err
    listing = result.err.split("could not be written to the journal", 1)[1].splitlines()[1:]
    printed = {line.split()[1] for line in listing if line.strip()}
    recorded = set(log.records)
    assert recorded | printed == set(ids) and not recorded & printed  # each outcome is somewhere, once
    assert data.endswith(b"\n") and not log.warnings  # never a torn line
    assert sent < len(ids)  # sending stopped at once


# --- two terminals at once ------------------------------------------------------------------------------


def test_two_resumes_of_one_run_never_send_an_id_twice(tmp_path: Path) -> None:
    store = seeded_store(80)
    ids = list(store.tasks)
    runs = private_dir(tmp_path / "state" / "vias-tui" / "runs")
    with running_in_thread(FakeVias(store, FaultPlan(latency=0.1))) as server:
        RunJournal.create(
            runs,
            parse("\n".join(ids)),
            endpoint=server.url,
            project_id=target_args(server)[3],
            profile="default",
            concurrency=2,
            command="test",
        ).close()  # interrupted before sending
        first, second = (
            start("resume", "--last", "--yes", "--concurrency", "2"),
            start("resume", "--last", "--yes", "--concurrency", "2"),
        )
        outputs = [proc.communicate(timeout=60) for proc in (first, second)]
        sent = Counter(r.task_id for r in server.deletes_seen())
    codes = sorted(proc.returncode for proc in (first, second))
    assert codes == [0, 2], outputs
    refused = next(err for (out, err), proc in zip(outputs, (first, second), strict=True) if proc.returncode == 2)
    assert "in use by process" in refused and "Traceback" not in refused
    assert set(sent) == set(ids) and set(sent.values()) == {1}


@pytest.mark.parametrize("spelling", ["same", "other"])
def test_two_deletes_of_the_same_ids_at_once_send_each_once(tmp_path: Path, spelling: str) -> None:
    store = seeded_store(60)
    path = write_ids(tmp_path, list(store.tasks))
    with running_in_thread(FakeVias(store, FaultPlan(latency=0.1))) as server:
        first = start("delete", *target_args(server), "--ids-file", path, "--yes", "--concurrency", "2")
        wait_for(lambda: len(server.deletes_seen()) >= 2, what="the first run under way")
        args = target_args(server)
        if spelling == "other":  # the same service, spelled differently: still the same tasks
            args[1] = args[1].replace("127.0.0.1", "LOCALHOST") + "/"
        second = start("delete", *args, "--ids-file", path, "--yes", "--concurrency", "2")
        (_, second_err) = second.communicate(timeout=60)
        first.communicate(timeout=60)
        sent = Counter(r.task_id for r in server.deletes_seen())
    assert first.returncode == 0 and second.returncode == 2
    assert "still being deleted by run" in second_err and "--allow-overlap" in second_err
    assert set(sent.values()) == {1}


# --- input that is not a file of IDs ----------------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_as_the_ids_file_is_refused_quickly(fake_thread: FakeVias, tmp_path: Path, device: str) -> None:
    link = tmp_path / "ids.txt"
    link.symlink_to(device)
    started = time.monotonic()
    result = run_cli("delete", *target_args(fake_thread), "--ids-file", str(link), "--yes", env=TOKEN_ENV)
    assert result.code == 2 and "holds more than 20,000,000 bytes" in result.err
    one_line_error(result.err)
    assert time.monotonic() - started < 20 and fake_thread.requests == []


def test_an_endless_fifo_is_refused(fake_thread: FakeVias, tmp_path: Path) -> None:
    fifo = tmp_path / "ids.fifo"
    os.mkfifo(fifo)
    stop = threading.Event()

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError, OSError), open(fifo, "wb") as handle:
            line = (TASK + "\n").encode() * 1000
            for _ in range(2000):  # bounded: 66 MB at most
                if stop.is_set():
                    return
                handle.write(line)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        result = run_cli("delete", *target_args(fake_thread), "--ids-file", str(fifo), "--yes", env=TOKEN_ENV)
    finally:
        stop.set()
        writer.join(10)
    assert result.code == 2 and "holds more than" in result.err and fake_thread.requests == []


# --- the environment --------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [None, "this is not a certificate\n"])
def test_an_unusable_ca_bundle_is_one_line_and_no_journal(
    fake_thread: FakeVias, tmp_path: Path, content: str | None
) -> None:
    bundle = tmp_path / "ca.pem"
    if content is not None:
        bundle.write_text(content)
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ca-bundle",
        str(bundle),
        "--ids-file",
        write_ids(tmp_path, [TASK]),
        "--yes",
        env=TOKEN_ENV,
    )
    assert result.code == 2 and "CA bundle" in result.err and "nothing was sent" in result.err
    one_line_error(result.err)
    assert journals(tmp_path) == [] and fake_thread.requests == []
    assert "to resume" not in run_cli("runs").out


def test_a_state_dir_that_is_a_file(fake_thread: FakeVias, tmp_path: Path) -> None:
    state = tmp_path / "state-file"
    state.write_text("")
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        write_ids(tmp_path, [TASK]),
        "--yes",
        env={**TOKEN_ENV, "XDG_STATE_HOME": str(state)},
    )
    assert result.code == 2 and "Traceback" not in result.err and fake_thread.requests == []
    one_line_error(result.err)


def test_a_read_only_state_dir(fake_thread: FakeVias, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "state", "1m", "ro"):
        result = run_cli(
            "delete", *target_args(fake_thread), "--ids-file", write_ids(tmp_path, [TASK]), "--yes", env=TOKEN_ENV
        )
    assert result.code == 2 and "Traceback" not in result.err and fake_thread.requests == []
    one_line_error(result.err)


def test_a_runs_dir_that_is_a_link_is_refused(fake_thread: FakeVias, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (tmp_path / "state" / "vias-tui").mkdir(parents=True)
    (tmp_path / "state" / "vias-tui" / "runs").symlink_to(elsewhere)
    result = run_cli(
        "delete", *target_args(fake_thread), "--ids-file", write_ids(tmp_path, [TASK]), "--yes", env=TOKEN_ENV
    )
    assert result.code == 2 and "is a link" in result.err and fake_thread.requests == []
    one_line_error(result.err)


@pytest.mark.parametrize("kind", ["wrong shape", "directory"])
def test_a_broken_profiles_file(fake_thread: FakeVias, tmp_path: Path, kind: str) -> None:
    profiles = tmp_path / "config" / "vias-tui" / "profiles.toml"
    profiles.parent.mkdir(parents=True)
    if kind == "directory":
        profiles.mkdir()
    else:
        profiles.write_text('profiles = "x"\n')
    for args in (
        ["profile", "list"],
        ["delete", *target_args(fake_thread), "--ids-file", write_ids(tmp_path, [TASK]), "--yes"],
    ):
        result = run_cli(*args, env=TOKEN_ENV)
        assert result.code == 2, result.err
        one_line_error(result.err)
    assert fake_thread.requests == []


def test_journal_lines_of_the_wrong_shape_are_warned_about(tmp_path: Path) -> None:
    runs = private_dir(tmp_path / "state" / "vias-tui" / "runs")
    journal = RunJournal.create(
        runs, parse(TASK), endpoint="https://x", project_id="proj0001", profile="p", concurrency=1, command="test"
    )
    journal.write({"type": "outcome", "id": TASK, "outcome": 3})
    journal.close()
    for args in (["runs"], ["report", "-o", "-"]):
        result = run_cli(*args)
        assert result.code == 0 and "Traceback" not in result.err
        assert f"{journal.path} line 3" in result.err


def test_an_edited_journal_cannot_steer_a_resume(fake_thread: FakeVias, store: FakeStore, tmp_path: Path) -> None:
    runs = private_dir(tmp_path / "state" / "vias-tui" / "runs")
    good = list(store.tasks)[:2]
    project = target_args(fake_thread)[3]
    journal = RunJournal.create(
        runs,
        parse("\n".join(good)),
        endpoint=fake_thread.url,
        project_id=project,
        profile="p",
        concurrency=1,
        command="test",
    )
    journal.close()
    text = journal.path.read_text()
    journal.path.write_text(text.replace(f'"{good[1]}"', '"../../../v3/x"'))  # an ID a paste could not give
    result = run_cli("resume", "--last", "--yes", env=TOKEN_ENV)
    assert result.code == 0 and "not plain IDs" in result.err and "Traceback" not in result.err, result.err
    assert [r.task_id for r in fake_thread.deletes_seen()] == [good[0]]
    assert all("v3" not in r.path for r in fake_thread.requests)
    journal.path.write_text(text.replace(f'"{project}"', '"../other"'))
    result = run_cli("resume", "--last", "--yes", env=TOKEN_ENV)
    assert result.code == 2 and "not a project ID" in result.err, result.err
    one_line_error(result.err)
    nested = runs / "20000101T000000Z-nested.jsonl"
    nested.write_text("[" * 100_000 + "\n")
    assert run_cli("runs").code in (0, 2) and "Traceback" not in run_cli("runs").err


def test_a_report_into_a_missing_directory_is_refused_before_sending(fake_thread: FakeVias, tmp_path: Path) -> None:
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        write_ids(tmp_path, [TASK]),
        "--yes",
        "--report",
        str(tmp_path / "no" / "such" / "r.csv"),
        env=TOKEN_ENV,
    )
    assert result.code == 2 and "does not exist" in result.err and fake_thread.requests == []
    one_line_error(result.err)


def test_a_planted_link_a_device_or_a_fifo_at_the_report_path_is_refused_before_sending(
    fake_thread: FakeVias, store: FakeStore, tmp_path: Path
) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    link = tmp_path / "report.csv"
    link.symlink_to(precious)
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    ids = list(store.tasks)[:2]
    for report, kind in ((link, "symbolic link"), (Path("/dev/null"), "device"), (fifo, "FIFO")):
        result = run_cli(
            "delete",
            *target_args(fake_thread),
            "--ids-file",
            write_ids(tmp_path, ids),
            "--yes",
            "--report",
            str(report),
            env=TOKEN_ENV,
        )
        assert result.code == 2 and kind in result.err and "nothing was sent" in result.err, result.err
        one_line_error(result.err)
    assert fake_thread.requests == []
    assert precious.read_text() == "keep me" and link.is_symlink() and stat.S_ISFIFO(fifo.lstat().st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_loose_mode_report_becomes_private(fake_thread: FakeVias, store: FakeStore, tmp_path: Path) -> None:
    loose = tmp_path / "loose.jsonl"
    loose.write_text("old")
    loose.chmod(0o666)
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        write_ids(tmp_path, list(store.tasks)[:2]),
        "--yes",
        "--report",
        str(loose),
        env=TOKEN_ENV,
    )
    assert result.code == 0, result.err
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600 and "outcome" in loose.read_text()


def test_csv_cells_cannot_become_formulas(tmp_path: Path) -> None:
    body = {
        "error_code": "VIAS.00010001",
        "error_msg": '=HYPERLINK("http://evil","x")',
        "detail": "+1",
        "reason": "@SUM(A1)",
        "advice": "-2",
    }
    report = tmp_path / "r.csv"
    with running_hostile("json", status=400, body=body) as server:
        run_cli(
            "delete",
            *target_args(server.url),
            "--ids-file",
            write_ids(tmp_path, [TASK]),
            "--yes",
            "--report",
            str(report),
            env=TOKEN_ENV,
        )
    row = report.read_text().splitlines()[1]
    assert "'=HYPERLINK" in row and ",'+1," in row and ",'@SUM(A1)," in row and ",'-2," in row


def test_ctrl_c_twice_stops_at_once(tmp_path: Path) -> None:
    ids = [f"{n:032x}" for n in range(1, 6)]
    gone = Behaviour("json", status=400, body={"error_code": "VIAS.00010002", "error_msg": "gone"})
    # The first is answered (it proves the credentials); the four after it go out together and drip.
    with running_hostile(
        "drip", interval=5.0, per_path={f"/v2/{DEMO_PROJECT_ID}/batch-tasks/{ids[0]}": gone}
    ) as server:
        proc = start(
            "delete",
            *target_args(server.url),
            "--ids-file",
            write_ids(tmp_path, ids),
            "--yes",
            "--concurrency",
            "4",
            "--timeout",
            "60",
        )
        wait_for(lambda: len(server.requests) >= 5, what="requests in flight")
        proc.send_signal(signal.SIGINT)
        time.sleep(0.2)
        sent_second = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent_second
    assert proc.returncode == 130 and "Traceback" not in err
    assert took < 1.5, f"the second Ctrl-C took {took:.1f}s to stop"
    log = read_run(journals(tmp_path)[0])
    assert [log.records[i].outcome.value for i in ids] == ["not_found"] + ["unknown"] * 4
