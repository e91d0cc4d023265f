"""The journal: every answered outcome survives SIGKILL, a write never leaves a torn line, the disk's room is
reserved, one writer per run; reading back skips lines of the wrong shape with a warning."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.test_adversity_cli import fill, tmpfs
from tui_app import journal as journal_module
from tui_app.domain.errors import ApiError
from tui_app.domain.models import DeleteResult
from tui_app.ids import parse
from tui_app.journal import RunJournal, reserve_size
from tui_app.outcomes import Outcome, OutcomeRecord, RunStatus
from tui_app.paths import private_dir
from tui_app.problems import JournalWriteError, OperatorError
from tui_app.run_lock import RunBusy, is_live
from tui_app.runlog import read_run

IDS = [f"{n:032x}" for n in range(1, 6)]


def new_journal(directory: Path, ids: list[str] = IDS, **kwargs: object) -> RunJournal:
    return RunJournal.create(
        directory,
        parse("\n".join(ids)),
        endpoint="https://x",
        project_id="proj0001",
        profile="p",
        concurrency=4,
        command="test",
        **kwargs,
    )  # type: ignore[arg-type]


def test_header_plan_skipped_and_outcomes_round_trip(tmp_path: Path) -> None:
    plan = parse("\n".join(IDS) + "\nbad/id\n")
    with RunJournal.create(
        tmp_path, plan, endpoint="https://x", project_id="proj0001", profile="p", concurrency=4, command="test"
    ) as journal:
        journal.sent(IDS[0], 1)
        journal.outcome(
            OutcomeRecord(
                IDS[0], Outcome.DELETED, result=DeleteResult(IDS[0], total_count=2, succeed_count=2, failed_count=0)
            )
        )
        journal.sent(IDS[1], 1)
        journal.outcome(
            OutcomeRecord(IDS[1], Outcome.FAILED, error=ApiError(400, "VIAS.00010001", "bad", request_id="r1"))
        )
        journal.sent(IDS[2], 1)
        journal.finish(RunStatus.CANCELLED, {Outcome.DELETED: 1})
    log = read_run(journal.path)
    assert log.header["project_id"] == "proj0001" and log.planned == IDS
    assert log.status is RunStatus.CANCELLED
    rows = log.rows()
    assert [r.outcome for r in rows] == [
        Outcome.DELETED,
        Outcome.FAILED,
        Outcome.UNKNOWN,
        Outcome.CANCELLED,
        Outcome.CANCELLED,
        Outcome.SKIPPED,
    ]  # input order
    assert rows[-1].text == "bad/id" and "'/'" in rows[-1].note
    assert log.unsettled() == IDS[2:]
    assert rows[1].error.request_id == "r1"
    assert not journal.ballast_path.exists() and not journal.path.with_suffix(".owner").exists()


def test_files_are_private(tmp_path: Path) -> None:
    runs = private_dir(tmp_path / "runs")
    with new_journal(runs) as journal:
        assert stat.S_IMODE(journal.ballast_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(runs.stat().st_mode) == 0o700


def test_room_for_the_run_is_reserved_and_released(tmp_path: Path) -> None:
    journal = new_journal(tmp_path, [f"{n:032x}" for n in range(1, 101)])
    try:
        assert journal.ballast_path.stat().st_blocks * 512 >= reserve_size(100)  # allocated, not sparse
    finally:
        journal.close()
    assert not journal.ballast_path.exists()


class FlakyWrite:
    """os.write that writes part of the data and then fails the way a full or broken disk does."""

    def __init__(self, fail_after: int, errno_: int, partial: int = 7) -> None:
        self.calls, self.fail_after, self.errno, self.partial = 0, fail_after, errno_, partial
        self.real = os.write

    def __call__(self, fd: int, data: bytes) -> int:
        self.calls += 1
        if self.calls == self.fail_after:
            return self.real(fd, bytes(data)[: self.partial])  # a short write...
        if self.calls > self.fail_after:
            raise OSError(self.errno, os.strerror(self.errno))  # ...then the disk refuses the rest
        return self.real(fd, data)


@pytest.mark.parametrize("errno_", [errno.EIO, errno.ENOSPC])
def test_a_failed_write_is_rolled_back_never_torn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, errno_: int) -> None:
    journal = new_journal(tmp_path)
    journal.outcome(OutcomeRecord(IDS[0], Outcome.DELETED))
    good = journal.path.read_bytes()
    monkeypatch.setattr(journal_module, "RESERVE_STEP", 1 << 30)  # one release empties the ballast
    flaky = FlakyWrite(fail_after=1, errno_=errno_)
    monkeypatch.setattr(journal_module.os, "write", flaky)
    with pytest.raises(JournalWriteError, match="cannot write the journal"):
        journal.outcome(OutcomeRecord(IDS[1], Outcome.DELETED, note="x" * 200))
        journal.outcome(OutcomeRecord(IDS[2], Outcome.DELETED, note="x" * 200))
    monkeypatch.undo()
    assert journal.path.read_bytes() == good or journal.path.read_bytes().endswith(b"\n")
    data = journal.path.read_bytes()
    assert data.endswith(b"\n") and all(json.loads(line) for line in data.splitlines())
    journal.close()
    assert read_run(journal.path).warnings == []


def test_enospc_releases_ballast_and_the_outcome_in_hand_is_written(tmp_path: Path) -> None:
    """On a real, full file system: the journal's reserved room is given back to record the outcome in hand."""
    with tmpfs(tmp_path / "small", "2m") as small:
        journal = new_journal(small)
        try:
            reserved = journal.ballast_path.stat().st_size
            fill(small, 0)  # nothing left but the journal's reserve
            with pytest.raises(OSError):
                (small / "one-more").write_bytes(b"x" * 8192)
            for n, task_id in enumerate(IDS):
                journal.outcome(OutcomeRecord(task_id, Outcome.DELETED, note="n" * 3000 + str(n)))
            assert journal.ballast_path.stat().st_size < reserved  # the reserve paid for them
        finally:
            journal.close()
        assert {r.outcome for r in read_run(journal.path).records.values()} == {Outcome.DELETED}
        assert len(read_run(journal.path).records) == len(IDS)


def test_no_room_for_the_reservation_refuses_before_anything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal_module.os, "posix_fallocate", no_space)
    with pytest.raises(OperatorError, match=r"not enough free space.*Nothing was sent"):
        new_journal(tmp_path)
    assert list(tmp_path.iterdir()) == []  # no orphan journal that `runs` would offer to resume


def test_reopening_repairs_a_torn_tail(tmp_path: Path) -> None:
    with new_journal(tmp_path) as journal:
        journal.outcome(OutcomeRecord(IDS[0], Outcome.DELETED))
    with open(journal.path, "ab") as handle:
        handle.write(b'{"type": "outcome", "id": "000')  # a crash mid-write (an older version, or a kill)
    assert read_run(journal.path).corrupt_lines == 1
    with RunJournal.open_existing(journal.path, "test") as reopened:
        assert reopened.repaired_bytes > 0
        reopened.resumed(IDS[1:])
    log = read_run(journal.path)
    assert log.corrupt_lines == 0 and log.records[IDS[0]].outcome is Outcome.DELETED
    assert journal.path.read_bytes().endswith(b"\n")


def test_one_writer_per_run(tmp_path: Path) -> None:
    journal = new_journal(tmp_path)
    try:
        assert is_live(journal.path)
        with pytest.raises(RunBusy, match=f"process {os.getpid()}"):
            RunJournal.open_existing(journal.path, "test")
    finally:
        journal.close()
    assert not is_live(journal.path)
    RunJournal.open_existing(journal.path, "test").close()


def test_lines_of_the_wrong_shape_are_skipped_with_the_file_and_line(tmp_path: Path) -> None:
    with new_journal(tmp_path) as journal:
        journal.outcome(OutcomeRecord(IDS[0], Outcome.DELETED))
        journal.write({"type": "outcome", "id": 7, "outcome": "deleted"})
        journal.write({"type": "outcome", "id": IDS[1], "outcome": "exploded"})
        journal.write({"type": "sent", "id": ["x"]})
        journal.write({"type": "outcome", "id": IDS[2], "outcome": "failed", "error": "not an object"})
        journal.write({"type": "end", "status": "sideways"})
        journal.write({"type": "plan", "ids": "abc"})
    with open(journal.path, "a") as handle:
        handle.write("[1, 2, 3]\n")
    log = read_run(journal.path)
    assert log.records[IDS[0]].outcome is Outcome.DELETED and log.planned == IDS
    assert log.corrupt_lines == 7
    assert all(str(journal.path) in w and "line" in w for w in log.warnings)
    assert "line 4" in log.warnings[0]  # header, plan, the first outcome, then the first bad line


def test_not_a_journal_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"type": "outcome"}\n')
    with pytest.raises(OperatorError, match="not a vias-tui journal"):
        read_run(path)


WRITER = """
import sys, time
from pathlib import Path
from tui_app.ids import parse
from tui_app.journal import RunJournal
from tui_app.outcomes import Outcome, OutcomeRecord
ids = [f"{n:032x}" for n in range(1, 1001)]
journal = RunJournal.create(Path(sys.argv[1]), parse("\\n".join(ids)), endpoint="e", project_id="proj0001",
                            profile=None, concurrency=4, command="test", run_id="killed")
for n, task_id in enumerate(ids):
    journal.sent(task_id, 1)
    journal.outcome(OutcomeRecord(task_id, Outcome.DELETED))
    print(n, flush=True)   # the parent kills us once it has seen enough answered outcomes
    time.sleep(0.002)
"""


def test_sigkilled_writer_leaves_every_answered_outcome_readable(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    acknowledged = -1
    deadline = time.monotonic() + 30
    while acknowledged < 200 and time.monotonic() < deadline:
        acknowledged = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    log = read_run(tmp_path / "killed.jsonl")
    assert log.end is None  # it never finished
    answered = [r for r in log.rows() if r.outcome is Outcome.DELETED]
    assert len(answered) >= acknowledged + 1  # every outcome reported before the kill is on disk
    assert log.unsettled() == log.planned[len(answered) :]
    assert not is_live(tmp_path / "killed.jsonl")  # the kernel dropped the lock with the process


def test_fsync_runs_on_a_timer_not_per_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(journal_module.os, "fsync", lambda fd: (calls.append(fd), real(fd))[1])
    monkeypatch.setattr(journal_module, "FSYNC_INTERVAL", 0.05)
    journal = new_journal(tmp_path)
    for n in range(2000):
        journal.sent(IDS[n % 5], n)
    time.sleep(0.2)
    journal.close()
    assert 1 <= len(calls) <= 10
