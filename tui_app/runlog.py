"""Run journals read back: the plan, the last outcome per ID, how the run ended; finding runs to resume and live
runs that a new one would overlap. Reading never trusts a line: one of the wrong shape is skipped with a warning
naming the file and line, and everything else still counts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Any

from tui_app.cleanup import BatchSteps
from tui_app.domain.identifiers import is_project_id
from tui_app.domain.models import DeleteResult
from tui_app.i18n import N_, _
from tui_app.ids import Plan, id_problem, shown
from tui_app.outcomes import (
    SETTLED,
    JobRecord,
    Note,
    Outcome,
    OutcomeRecord,
    RunStatus,
    count_outcomes,
    describe_counts,
    skipped_record,
)
from tui_app.problems import OperatorError
from tui_app.run_lock import is_live
from tui_app.vias.endpoints import endpoint_key

WARNINGS_KEPT = 20


@dataclass
class RunLog:
    """A journal read back (or a run in progress, kept in memory): the plan and what happened to each ID."""

    path: Path
    header: dict[str, Any]
    planned: list[str] = field(default_factory=list)
    planned_lines: list[int | None] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # resolved task names, when a preview ran
    records: dict[str, OutcomeRecord] = field(default_factory=dict)
    skipped: list[OutcomeRecord] = field(default_factory=list)
    sent: set[str] = field(default_factory=set)  # batch deletes sent (answered or not)
    steps: dict[str, BatchSteps] = field(default_factory=dict)  # stops and partial deletes answered, leftover jobs
    end: dict[str, Any] | None = None
    corrupt_lines: int = 0
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def for_plan(cls, path: Path, header: dict[str, Any], plan: Plan, names: dict[str, str] | None) -> RunLog:
        """What a new run's journal holds before the first request, without reading it back."""
        skipped = [skipped_record(s.line, s.text, s.reason, s.excluded) for s in plan.skipped]
        return cls(
            path,
            header,
            list(plan.valid),
            [plan.id_lines.get(i) for i in plan.valid],
            {i: n for i, n in (names or {}).items() if n},
            skipped=skipped,
        )

    @property
    def run_id(self) -> str:
        return str(self.header.get("run_id", self.path.stem))

    @property
    def endpoint(self) -> str:
        return str(self.header.get("endpoint", ""))

    @property
    def project_id(self) -> str:
        return str(self.header.get("project_id", ""))

    @property
    def status(self) -> RunStatus:
        """How it ended; a run without an end line was interrupted (or is still running)."""
        return RunStatus.parse(self.end.get("status")) if self.end else RunStatus.INTERRUPTED

    def apply(self, records: Iterable[OutcomeRecord]) -> None:
        """Outcomes of a run in progress (the same objects the engine holds; every planned ID has one, so the
        `sent` set, which only fills in for IDs without an outcome, is not needed)."""
        for record in records:
            self.records[record.id] = record

    def unsettled(self) -> list[str]:
        """IDs a resume should send: never answered (never sent, cancelled, unknown or in flight at a kill)."""
        return [i for i in self.planned if i not in self.records or self.records[i].outcome not in SETTLED]

    def unanswered(self) -> frozenset[str]:
        """IDs sent with no answer heard: an interrupted run may have deleted them (a batch whose delete answered
        partial before its leftover jobs were done is not one of them: it is never sent again)."""
        return frozenset(
            i
            for i in self.unsettled()
            if i in self.sent
            and (i not in self.records or self.records[i].outcome is Outcome.UNKNOWN)
            and not (i in self.steps and self.steps[i].partial is not None)
        )

    @property
    def cleanup(self) -> dict[str, Any]:
        """The run's cleanup options (stop_running, clean_leftovers, stop: the IDs to stop), from its header."""
        options = self.header.get("cleanup")
        return options if isinstance(options, dict) else {}

    def rows(self) -> list[OutcomeRecord]:
        """One record per input entry, in input order: every planned ID and every skipped line."""
        rows: list[tuple[float, OutcomeRecord]] = [(r.line or 0, r) for r in self.skipped]
        lines = self.planned_lines if len(self.planned_lines) == len(self.planned) else [None] * len(self.planned)
        for task_id, line in zip(self.planned, lines, strict=True):
            record = self._outcome_of(task_id)
            name = record.name if record.name is not None else self.names.get(task_id)
            if (record.line is None and line is not None) or record.name != name:  # a copy: records stay as written
                record = replace(record, line=record.line if record.line is not None else line, name=name)
            rows.append((line if line is not None else float("inf"), record))
        rows.sort(key=lambda pair: pair[0])  # stable: a resumed run's IDs keep their order
        return [record for _line, record in rows]

    def _outcome_of(self, task_id: str) -> OutcomeRecord:
        """A planned ID's record as written, or what the journal says of an ID without one."""
        return self.records.get(task_id) or OutcomeRecord(
            task_id,
            Outcome.UNKNOWN if task_id in self.sent else Outcome.CANCELLED,
            note=Note(N_("sent, but the run ended before an answer was recorded"))
            if task_id in self.sent
            else Note(N_("never sent: the run ended first")),
        )

    def counts(self) -> dict[Outcome, int]:
        # Without rows()'s copies and sort: a 100,000-ID run is counted without a second set of records.
        return count_outcomes(chain(self.skipped, map(self._outcome_of, self.planned)))

    def summary_line(self) -> str:
        """ "3 deleted, 1 failed" for people (in the interface language)."""
        return describe_counts(self.counts()) or _("empty")


def read_run(path: Path) -> RunLog:
    """Raises OperatorError when the file cannot be read or is not a journal at all."""
    log: RunLog | None = None
    corrupt = 0
    warnings: list[str] = []

    def warn(number: int, why: str) -> None:
        nonlocal corrupt
        corrupt += 1
        if len(warnings) < WARNINGS_KEPT:
            warnings.append(_("{path} line {line}: {why}; skipped").format(path=path, line=number, why=why))

    try:
        handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise OperatorError(_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)) from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                obj = json.loads(raw)
            except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
                warn(number, _("not JSON (a line cut short by a crash?)"))
                continue
            if not isinstance(obj, dict):
                warn(number, _("not a journal entry"))
                continue
            kind = obj.get("type")
            try:
                if kind == "header":
                    if log is None:
                        log = RunLog(path, obj)
                    continue
                if log is None:
                    warn(number, _("an entry before the header"))
                    continue
                _apply_line(log, kind, obj)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                warn(
                    number,
                    _("an entry of the wrong shape ({error}: {detail})").format(
                        error=type(exc).__name__, detail=str(exc)[:80]
                    ),
                )
    if log is None:
        raise OperatorError(_("{path} is not a vias-tui journal (no header line)").format(path=path))
    if not is_project_id(log.project_id):
        raise OperatorError(
            _(
                "{path} names the project {project!r}, which is not a project ID; the journal was edited or damaged"
            ).format(path=path, project=shown(log.project_id))
        )
    # A resume sends these IDs: anything a paste could not have produced stays out, whatever the file says.
    bad = [i for i, task_id in enumerate(log.planned) if id_problem(task_id) is not None]
    if bad:
        corrupt += 1
        if len(warnings) < WARNINGS_KEPT:
            warnings.append(
                _(
                    "{path}: {count:,} planned ID(s) are not plain IDs (e.g. {example!r}); left out (the journal was "
                    "edited or damaged)"
                ).format(path=path, count=len(bad), example=shown(log.planned[bad[0]]))
            )
        drop = set(bad)
        log.planned = [task_id for i, task_id in enumerate(log.planned) if i not in drop]
        log.planned_lines = [line for i, line in enumerate(log.planned_lines) if i not in drop]
    log.corrupt_lines, log.warnings = corrupt, warnings
    return log


def _apply_line(log: RunLog, kind: object, obj: dict[str, Any]) -> None:
    apply = _APPLY.get(kind) if isinstance(kind, str) else None
    if apply is None:
        raise ValueError(_("unknown entry type {kind!r}").format(kind=kind))
    apply(log, obj)


def _apply_plan(log: RunLog, obj: dict[str, Any]) -> None:
    ids = obj["ids"]
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise TypeError(_("the plan's ids are not a list of strings"))
    lines = obj.get("lines")
    names = obj.get("names") or {}
    log.planned = list(ids)
    log.planned_lines = (
        [int(n) if n is not None else None for n in lines]
        if isinstance(lines, list) and len(lines) == len(ids)
        else [None] * len(ids)
    )
    log.names = {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}


def _apply_sent(log: RunLog, obj: dict[str, Any]) -> None:
    task_id = _text_id(obj["id"])
    step = obj.get("step")
    if step is None:
        log.sent.add(task_id)
    elif step == "job_delete":
        log.steps.setdefault(task_id, BatchSteps()).jobs_sent.add(str(obj["job"]))


def _apply_step(log: RunLog, obj: dict[str, Any]) -> None:
    steps = log.steps.setdefault(_text_id(obj["id"]), BatchSteps())
    if obj["step"] == "stop":
        steps.stopped = True
    elif obj["step"] == "delete":
        steps.partial = DeleteResult.from_json(obj["answer"])


def _apply_job(log: RunLog, obj: dict[str, Any]) -> None:
    job = JobRecord.from_json(obj)
    log.steps.setdefault(_text_id(obj["batch"]), BatchSteps()).jobs[job.id] = job


def _apply_outcome(log: RunLog, obj: dict[str, Any]) -> None:
    record = OutcomeRecord.from_json(obj)
    if record.outcome is Outcome.SKIPPED:
        log.skipped.append(record)
    else:
        log.records[record.id] = record


def _apply_resume(log: RunLog, obj: dict[str, Any]) -> None:
    log.end = None


def _apply_end(log: RunLog, obj: dict[str, Any]) -> None:
    RunStatus(obj["status"])  # a wrong word is a wrong shape
    log.end = obj


_APPLY: dict[str, Callable[[RunLog, dict[str, Any]], None]] = {
    "plan": _apply_plan,
    "sent": _apply_sent,
    "step": _apply_step,
    "job": _apply_job,
    "outcome": _apply_outcome,
    "resume": _apply_resume,
    "end": _apply_end,
}


def _text_id(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(_("id is not text"))
    return value


def list_runs(directory: Path) -> list[Path]:
    """Journals, newest first (run IDs start with their UTC start time)."""
    try:
        return sorted(directory.glob("*.jsonl"), reverse=True)
    except OSError:
        return []


def find_run(directory: Path, run_id: str | None) -> Path:
    paths = list_runs(directory)
    if not paths:
        raise OperatorError(_("no runs recorded yet (journals live in {directory})").format(directory=directory))
    if run_id is None:
        return paths[0]
    matches = [p for p in paths if p.stem == run_id or p.stem.startswith(run_id)]
    if not matches:
        raise OperatorError(_("no run matches {run!r}; see `vias-tui runs`").format(run=run_id))
    if len(matches) > 1:
        raise OperatorError(_("more than one run matches {run!r}; see `vias-tui runs`").format(run=run_id))
    return matches[0]


def runs_against(paths: Iterable[Path], project_id: str, endpoint: str | None = None) -> Iterator[RunLog]:
    """The readable journals among `paths` of runs against this project (and endpoint, however it was spelled)."""
    project = project_id.lower()
    key = endpoint_key(endpoint) if endpoint is not None else None
    for path in paths:
        try:
            log = read_run(path)
        except OperatorError:
            continue
        if log.project_id.lower() == project and (key is None or endpoint_key(log.endpoint) == key):
            yield log


def find_interrupted_run(directory: Path, endpoint: str, project_id: str) -> RunLog | None:
    """The newest run against this target, if it stopped early, has IDs left to send and is not running now."""
    for log in runs_against(list_runs(directory)[:20], project_id, endpoint):
        if log.status.stopped_early and log.unsettled() and not is_live(log.path):
            return log
        return None
    return None


def overlapping_live_run(
    directory: Path, project_id: str, ids: Iterable[str], exclude: Path | None = None
) -> tuple[RunLog, int] | None:
    """A run some process is writing right now against the same project whose unsettled IDs meet `ids`.

    Matched by project alone: one project reached by two spellings of its endpoint (or a regional alias) is
    still one set of tasks, and refusing a rare false overlap is cheaper than deleting twice.
    """
    wanted = set(ids)
    live = [path for path in list_runs(directory) if path != exclude and is_live(path)]
    for log in runs_against(live, project_id):
        overlap = len(wanted.intersection(log.unsettled()))
        if overlap:
            return log, overlap
    return None


def merged_rows(paths: list[Path]) -> list[OutcomeRecord]:
    """One batch run and its retries as one report: the first run's rows, each replaced by its latest outcome."""
    logs = [read_run(path) for path in paths]
    latest: dict[str, OutcomeRecord] = {}
    for log in logs[1:]:
        latest.update(log.records)
    return [row if row.outcome is Outcome.SKIPPED else latest.get(row.id, row) for row in logs[0].rows()]
