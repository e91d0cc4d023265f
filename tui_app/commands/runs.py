"""`vias-tui runs` and `vias-tui report`: views of the run journals."""

from __future__ import annotations

import argparse

from tui_app.commands.options import add_globals
from tui_app.commands.streams import Streams

HONOURED = frozenset({"output"})


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    runs = sub.add_parser("runs", help="list recent runs from their journals")
    add_globals(runs, HONOURED, on_subcommand=True)
    runs.add_argument("--limit", type=int, default=20, help="how many of the newest runs (default 20)")
    runs.set_defaults(command="runs", honoured=HONOURED, handler=list_)
    report = sub.add_parser(
        "report",
        help="export the report of a run from its journal",
        description="Write a run's report (one row per input entry) to a file, or to stdout. With --output json, "
        "stdout gets the run as one JSON document instead.",
    )
    add_globals(report, HONOURED, on_subcommand=True)
    which = report.add_mutually_exclusive_group()
    which.add_argument("run_id", nargs="?", help="run ID or a unique prefix (default: the latest)")
    which.add_argument("--last", action="store_true", help="the most recent run (the default)")
    report.add_argument("-o", "--to", dest="path", metavar="PATH", help="where to write (default: stdout)")
    report.add_argument("--format", choices=["jsonl", "csv"], help="default: from PATH's suffix, else jsonl")
    report.set_defaults(command="report", honoured=HONOURED, handler=report_)


def list_(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.commands.documents import log_document
    from tui_app.ids import escaped
    from tui_app.paths import default_runs_dir
    from tui_app.problems import EXIT_OK, OperatorError
    from tui_app.run_lock import is_live, read_owner
    from tui_app.runlog import list_runs, read_run

    directory = default_runs_dir()
    paths = list_runs(directory)[: max(1, args.limit)]
    documents = []
    if not paths:
        io.say(f"No runs recorded yet (journals live in {directory}).")
    for path in paths:
        try:
            log = read_run(path)
        except OperatorError as exc:
            io.say(f"{path.stem}  unreadable: {exc}")
            documents.append({"run_id": path.stem, "unreadable": str(exc)})
            continue
        for warning in log.warnings[:3]:
            io.warn(f"warning: {warning}")
        live = is_live(path)
        documents.append(log_document(log, live=live))
        if live:
            owner = read_owner(path)
            state = "running" + (f" (process {owner.pid})" if owner else "")
        else:
            state = log.status.value
        left = len(log.unsettled())
        resumable = f"  ({left} to resume: vias-tui resume {log.run_id})" if left and not live else ""
        io.say(  # journals are files anyone with the account can edit: nothing in them may steer the terminal
            f"{escaped(log.run_id)}  {escaped(log.header.get('started_at', '?'))}  {state:<14} "
            f"{escaped(log.endpoint)} project {escaped(log.project_id)}  {log.summary_line()}{resumable}"
        )
    if io.json_output:
        io.document({"command": "runs", "directory": str(directory), "runs": documents})
    return EXIT_OK


def report_(args: argparse.Namespace, io: Streams) -> int:
    from pathlib import Path

    from tui_app.commands.documents import entry, log_document
    from tui_app.paths import default_runs_dir
    from tui_app.problems import EXIT_OK
    from tui_app.reports import guess_format, render_report, write_report
    from tui_app.runlog import find_run, read_run

    log = read_run(find_run(default_runs_dir(), None if args.last else args.run_id))
    for warning in log.warnings:
        io.warn(f"warning: {warning}")
    rows = log.rows()
    if args.path and args.path != "-":
        path = write_report(Path(args.path), rows, args.format or guess_format(Path(args.path)))
        io.say(f"Wrote the report of run {log.run_id} ({len(rows)} rows) to {path}")
    elif not io.json_output:
        io.stdout.write(render_report(rows, args.format or "jsonl"))
    if io.json_output:
        io.document({"command": "report", **log_document(log), "entries": [entry(record) for record in rows]})
    return EXIT_OK


__all__ = ["list_", "register", "report_"]
