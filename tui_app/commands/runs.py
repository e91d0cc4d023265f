"""`vias-tui runs` and `vias-tui report`: views of the run journals."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui_app.ids import escaped
from tui_app.paths import default_runs_dir
from tui_app.problems import EXIT_OK, OperatorError
from tui_app.reports import FORMATS, guess_format, render_report, write_report
from tui_app.run_lock import is_live, read_owner
from tui_app.runlog import find_run, list_runs, read_run


def list_(args: argparse.Namespace) -> int:
    directory = default_runs_dir()
    paths = list_runs(directory)[: max(1, args.limit)]
    if not paths:
        print(f"No runs recorded yet (journals live in {directory}).")
        return EXIT_OK
    for path in paths:
        try:
            log = read_run(path)
        except OperatorError as exc:
            print(f"{path.stem}  unreadable: {exc}")
            continue
        for warning in log.warnings[:3]:
            print(f"warning: {warning}", file=sys.stderr)
        live = is_live(path)
        if live:
            owner = read_owner(path)
            state = "running" + (f" (process {owner.pid})" if owner else "")
        else:
            state = log.status.value
        left = len(log.unsettled())
        resumable = f"  ({left} to resume: vias-tui resume {log.run_id})" if left and not live else ""
        print(  # journals are files anyone with the account can edit: nothing in them may steer the terminal
            f"{escaped(log.run_id)}  {escaped(log.header.get('started_at', '?'))}  {state:<14} "
            f"{escaped(log.endpoint)} project {escaped(log.project_id)}  {log.summary_line()}{resumable}"
        )
    return EXIT_OK


def report(args: argparse.Namespace) -> int:
    log = read_run(find_run(default_runs_dir(), args.run_id))
    for warning in log.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    rows = log.rows()
    if args.output == "-":
        sys.stdout.write(render_report(rows, args.format or "jsonl"))
        return EXIT_OK
    path = write_report(Path(args.output), rows, args.format or guess_format(Path(args.output)))
    print(f"Wrote the report of run {log.run_id} ({len(rows)} rows) to {path}")
    return EXIT_OK


__all__ = ["FORMATS", "list_", "report"]
