"""The append-only run journal (the source of truth for what happened) and reports derived from it.

Each line is written with one `os.write` as soon as it is known, so a process killed with SIGKILL loses
nothing already answered (the kernel has the bytes). A background thread fsyncs, batching lines, so the
journal also survives a machine crash moments later without making every outcome wait for the disk.
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tui_app import __version__
from tui_app.ids import Plan
from tui_app.outcomes import REPORT_FIELDS, Outcome, OutcomeRecord, count_outcomes
from tui_app.paths import private_dir, private_file, state_dir


def runs_dir() -> Path:
    return private_dir(state_dir() / "runs")


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


class RunJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._lock = threading.Lock()
        self._dirty = threading.Event()
        self._closed = False
        self._syncer = threading.Thread(target=self._sync_loop, name="journal-fsync", daemon=True)
        self._syncer.start()

    @classmethod
    def start(cls, plan: Plan, *, endpoint: str, project_id: str, profile: str | None,
              concurrency: int, directory: Path | None = None, run_id: str | None = None,
              names: dict[str, str] | None = None) -> RunJournal:
        run_id = run_id or new_run_id()
        journal = cls(private_file((directory or runs_dir()) / f"{run_id}.jsonl"))
        journal.write({
            "type": "header", "run_id": run_id, "started_at": _now(), "endpoint": endpoint,
            "project_id": project_id, "profile": profile, "tool_version": __version__,
            "concurrency": concurrency,
            "counts": {"valid": len(plan.valid), "duplicates": plan.duplicate_count, "skipped": len(plan.skipped)},
        })
        journal.write({"type": "plan", "ids": plan.valid, "lines": [plan.id_lines.get(i) for i in plan.valid],
                       "names": {i: n for i, n in (names or {}).items() if n}})
        for entry in plan.skipped:
            journal.outcome(OutcomeRecord(entry.text, Outcome.SKIPPED, note=entry.reason, text=entry.text,
                                          line=entry.line))
        return journal

    @classmethod
    def reopen(cls, path: Path) -> RunJournal:
        """Append to an existing journal (a resumed run)."""
        return cls(path)

    @property
    def run_id(self) -> str:
        return self.path.stem

    def write(self, obj: dict[str, Any]) -> None:
        line = (json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        with self._lock:
            os.write(self._fd, line)  # O_APPEND: one write, one whole line
        self._dirty.set()

    def sent(self, task_id: str, attempt: int) -> None:
        self.write({"type": "sent", "id": task_id, "attempt": attempt})

    def outcome(self, record: OutcomeRecord) -> None:
        self.write({"type": "outcome", **record.to_json()})

    def resumed(self, ids: list[str]) -> None:
        self.write({"type": "resume", "at": _now(), "ids": ids})

    def finish(self, status: str, counts: dict[Outcome, int]) -> None:
        self.write({"type": "end", "finished_at": _now(), "status": status,
                    "counts": {k.value: v for k, v in counts.items() if v}})

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._dirty.set()
        self._syncer.join(5)
        os.fsync(self._fd)
        os.close(self._fd)

    def _sync_loop(self) -> None:
        while True:
            self._dirty.wait()
            self._dirty.clear()
            if self._closed:
                return
            try:
                os.fsync(self._fd)
            except OSError:
                return

    def __enter__(self) -> RunJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class RunLog:
    """A journal read back: the plan, the last outcome per ID, and how the run ended."""

    path: Path
    header: dict[str, Any]
    planned: list[str] = field(default_factory=list)
    planned_lines: list[int | None] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # resolved task names, when a preview ran
    records: dict[str, OutcomeRecord] = field(default_factory=dict)
    skipped: list[OutcomeRecord] = field(default_factory=list)
    sent: set[str] = field(default_factory=set)
    end: dict[str, Any] | None = None
    corrupt_lines: int = 0

    @property
    def run_id(self) -> str:
        return str(self.header.get("run_id", self.path.stem))

    def unsettled(self) -> list[str]:
        """IDs a resume should send: never answered (never sent, cancelled, unknown or in flight at a kill)."""
        from tui_app.outcomes import SETTLED

        return [i for i in self.planned if i not in self.records or self.records[i].outcome not in SETTLED]

    def unanswered(self) -> frozenset[str]:
        """IDs sent with no answer heard: an interrupted run may have deleted them."""
        return frozenset(i for i in self.unsettled() if i in self.sent and (
            i not in self.records or self.records[i].outcome is Outcome.UNKNOWN))

    def rows(self) -> list[OutcomeRecord]:
        """One record per input entry, in input order: every planned ID and every skipped line."""
        rows: list[tuple[float, OutcomeRecord]] = [(r.line or 0, r) for r in self.skipped]
        for task_id, line in zip(self.planned, self.planned_lines, strict=False):
            record = self.records.get(task_id) or OutcomeRecord(
                task_id, Outcome.UNKNOWN if task_id in self.sent else Outcome.CANCELLED,
                note="sent, but the run ended before an answer was recorded" if task_id in self.sent
                else "never sent: the run ended first")
            if record.name is None and task_id in self.names:
                record.name = self.names[task_id]
            rows.append((line if line is not None else float("inf"), record))
        rows.sort(key=lambda pair: pair[0])  # stable: a resumed run's IDs keep their order
        return [record for _, record in rows]

    def counts(self) -> dict[Outcome, int]:
        return count_outcomes(self.rows())


def read_run(path: Path) -> RunLog:
    log: RunLog | None = None
    corrupt = 0
    with open(path, encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            try:
                obj = json.loads(raw)
            except ValueError:
                corrupt += 1  # a line cut short by a crash: everything before it still counts
                continue
            kind = obj.get("type")
            if kind == "header":
                log = RunLog(path, obj)
            elif log is None:
                corrupt += 1
            elif kind == "plan":
                log.planned = list(obj.get("ids", []))
                log.planned_lines = list(obj.get("lines") or [None] * len(log.planned))
                log.names = dict(obj.get("names") or {})
            elif kind == "sent":
                log.sent.add(obj["id"])
            elif kind == "outcome":
                record = OutcomeRecord.from_json(obj)
                if record.outcome is Outcome.SKIPPED:
                    log.skipped.append(record)
                else:
                    log.records[record.id] = record
            elif kind == "resume":
                log.end = None
            elif kind == "end":
                log.end = obj
    if log is None:
        raise ValueError(f"{path} is not a vias-tui journal (no header line)")
    log.corrupt_lines = corrupt
    return log


def find_interrupted_run(endpoint: str, project_id: str, directory: Path | None = None) -> RunLog | None:
    """The newest run against this target, if it ended without finishing and has IDs left to send."""
    for path in list_runs(directory)[:20]:
        try:
            log = read_run(path)
        except (OSError, ValueError):
            continue
        if log.header.get("endpoint") != endpoint or log.header.get("project_id") != project_id:
            continue
        interrupted = log.end is None or log.end.get("status") in ("interrupted", "cancelled", "auth_failed")
        return log if interrupted and log.unsettled() else None
    return None


def merged_rows(paths: list[Path]) -> list[OutcomeRecord]:
    """One batch run and its retries as one report: the first run's rows, each replaced by its latest outcome."""
    logs = [read_run(path) for path in paths]
    latest: dict[str, OutcomeRecord] = {}
    for log in logs[1:]:
        latest.update(log.records)
    return [row if row.outcome is Outcome.SKIPPED else latest.get(row.id, row) for row in logs[0].rows()]


def list_runs(directory: Path | None = None) -> list[Path]:
    directory = directory or runs_dir()
    return sorted(directory.glob("*.jsonl"), reverse=True)


# --- reports ---------------------------------------------------------------------------------------


def render_report(records: Iterable[OutcomeRecord], fmt: str) -> str:
    rows = [r.report_row() for r in records]
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(REPORT_FIELDS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "error_list": " | ".join(row["error_list"])})
        return out.getvalue()
    raise ValueError(f"unknown report format {fmt!r}; use jsonl or csv")


def write_report(path: Path, records: Iterable[OutcomeRecord], fmt: str) -> Path:
    text = render_report(records, fmt)
    path = path.expanduser()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return path


def guess_format(path: Path, default: str = "jsonl") -> str:
    suffix = path.suffix.lower()
    return "csv" if suffix == ".csv" else "jsonl" if suffix in (".jsonl", ".json", ".ndjson") else default


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
