"""`vias-tui runs` and `vias-tui report`: views of the run journals."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui_app.journal import RunLog, guess_format, read_run, render_report, runs_dir, write_report
from tui_app.journal import list_runs as journal_paths
from tui_app.problems import EXIT_OK, OperatorError


def find_run(run_id: str | None) -> RunLog:
    paths = journal_paths()
    if not paths:
        raise OperatorError(f"no runs recorded yet (journals live in {runs_dir()})")
    if run_id is None:
        return read_run(paths[0])
    matches = [p for p in paths if p.stem == run_id or p.stem.startswith(run_id)]
    if len(matches) != 1:
        raise OperatorError(f"{'no' if not matches else 'more than one'} run matches {run_id!r}; see `vias-tui runs`")
    return read_run(matches[0])


def list_runs(args: argparse.Namespace) -> int:
    paths = journal_paths()[: max(1, args.limit)]
    if not paths:
        print(f"No runs recorded yet (journals live in {runs_dir()}).")
        return EXIT_OK
    for path in paths:
        try:
            log = read_run(path)
        except (OSError, ValueError) as exc:
            print(f"{path.stem}  unreadable: {exc}")
            continue
        counts = ", ".join(f"{n} {o.value}" for o, n in log.counts().items() if n) or "empty"
        state = log.end.get("status", "finished") if log.end else "interrupted"
        left = len(log.unsettled())
        resumable = f"  ({left} to resume: vias-tui resume {log.run_id})" if left else ""
        print(f"{log.run_id}  {log.header.get('started_at', '?')}  {state:<11} "
              f"{log.header.get('endpoint')} project {log.header.get('project_id')}  {counts}{resumable}")
    return EXIT_OK


def report(args: argparse.Namespace) -> int:
    log = find_run(args.run_id)
    if args.output == "-":
        sys.stdout.write(render_report(log.rows(), args.format or "jsonl"))
        return EXIT_OK
    path = write_report(Path(args.output), log.rows(), args.format or guess_format(Path(args.output)))
    print(f"Wrote the report of run {log.run_id} ({len(log.rows())} rows) to {path}")
    return EXIT_OK
