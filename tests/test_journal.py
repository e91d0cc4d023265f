"""The journal: every answered outcome survives SIGKILL; reports are views of it."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from tui_app.ids import parse
from tui_app.journal import RunJournal, read_run, render_report, runs_dir, write_report
from tui_app.outcomes import REPORT_FIELDS, Outcome, OutcomeRecord
from tui_app.vias.errors import ApiError
from tui_app.vias.models import DeleteResult

IDS = [f"{n:032x}" for n in range(1, 6)]


def test_header_plan_skipped_and_outcomes_round_trip(tmp_path: Path) -> None:
    plan = parse("\n".join(IDS) + "\nbad/id\n")
    with RunJournal.start(plan, endpoint="https://x", project_id="proj0001", profile="p", concurrency=4,
                          directory=tmp_path) as journal:
        journal.sent(IDS[0], 1)
        journal.outcome(OutcomeRecord(IDS[0], Outcome.DELETED, result=DeleteResult(IDS[0], total_count=2,
                                                                                    succeed_count=2, failed_count=0)))
        journal.sent(IDS[1], 1)
        journal.outcome(OutcomeRecord(IDS[1], Outcome.FAILED, error=ApiError(400, "VIAS.00010001", "bad",
                                                                             request_id="r1")))
        journal.sent(IDS[2], 1)
        journal.finish("cancelled", {Outcome.DELETED: 1})
    log = read_run(journal.path)
    assert log.header["project_id"] == "proj0001" and log.planned == IDS
    rows = log.rows()
    assert [r.outcome for r in rows] == [Outcome.DELETED, Outcome.FAILED, Outcome.UNKNOWN,
                                         Outcome.CANCELLED, Outcome.CANCELLED, Outcome.SKIPPED]  # input order
    assert rows[-1].text == "bad/id" and "'/'" in rows[-1].note
    assert log.unsettled() == IDS[2:]
    assert rows[1].error.request_id == "r1"


def test_files_are_private(tmp_path: Path) -> None:
    with RunJournal.start(parse(IDS[0]), endpoint="e", project_id="proj0001", profile=None,
                          concurrency=1) as journal:
        pass
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(runs_dir().stat().st_mode) == 0o700
    report = write_report(tmp_path / "r.csv", read_run(journal.path).rows(), "csv")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600


def test_report_has_every_field_in_both_formats() -> None:
    records = [OutcomeRecord(IDS[0], Outcome.PARTIAL, result=DeleteResult(IDS[0], total_count=3, succeed_count=2,
                                                                          failed_count=1, error_list=["a", "b"])),
               OutcomeRecord("x/y", Outcome.SKIPPED, text="x/y", note="contains '/'")]
    rows = [json.loads(line) for line in render_report(records, "jsonl").splitlines()]
    assert all(tuple(row) == REPORT_FIELDS for row in rows)
    assert rows[0]["error_list"] == ["a", "b"] and rows[0]["failed_count"] == 1
    table = list(csv.DictReader(io.StringIO(render_report(records, "csv"))))
    assert table[0]["error_list"] == "a | b" and table[1]["id"] == "x/y" and table[1]["outcome"] == "skipped"


WRITER = """
import sys, time
from pathlib import Path
from tui_app.ids import parse
from tui_app.journal import RunJournal
from tui_app.outcomes import Outcome, OutcomeRecord
ids = [f"{n:032x}" for n in range(1, 1001)]
journal = RunJournal.start(parse("\\n".join(ids)), endpoint="e", project_id="proj0001", profile=None,
                           concurrency=4, directory=Path(sys.argv[1]), run_id="killed")
for n, task_id in enumerate(ids):
    journal.sent(task_id, 1)
    journal.outcome(OutcomeRecord(task_id, Outcome.DELETED))
    print(n, flush=True)   # the parent kills us once it has seen enough answered outcomes
    time.sleep(0.002)
"""


def test_sigkilled_writer_leaves_every_answered_outcome_readable(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
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
    assert log.unsettled() == log.planned[len(answered):]


def test_a_line_cut_short_does_not_hide_the_rest(tmp_path: Path) -> None:
    with RunJournal.start(parse("\n".join(IDS)), endpoint="e", project_id="proj0001", profile=None,
                          concurrency=1, directory=tmp_path) as journal:
        journal.outcome(OutcomeRecord(IDS[0], Outcome.DELETED))
    with open(journal.path, "a") as handle:
        handle.write('{"type": "outcome", "id": "000')  # a crash mid-write
    log = read_run(journal.path)
    assert log.corrupt_lines == 1 and log.records[IDS[0]].outcome is Outcome.DELETED
