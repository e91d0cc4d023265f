"""`vias-tui runs` and `vias-tui report`: views of the run journals."""

from __future__ import annotations

import argparse

from tui_app.commands.options import add_globals, complete_run_ids, with_completer
from tui_app.commands.streams import Streams
from tui_app.i18n import _, ngettext

HONOURED = frozenset({"output"})


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    runs = sub.add_parser("runs", help=_("list recent runs from their journals"))
    add_globals(runs, HONOURED, on_subcommand=True)
    runs.add_argument("--limit", type=int, default=20, help=_("how many of the newest runs (default 20)"))
    runs.set_defaults(command="runs", honoured=HONOURED, handler=list_)
    report = sub.add_parser(
        "report",
        help=_("export the report of a run from its journal"),
        description=_(
            "Write a run's report (one row per input entry) to a file, or to stdout. With --output json, "
            "stdout gets the run as one JSON document instead."
        ),
    )
    add_globals(report, HONOURED, on_subcommand=True)
    which = report.add_mutually_exclusive_group()
    with_completer(
        which.add_argument("run_id", nargs="?", help=_("run ID or a unique prefix (default: the latest)")),
        complete_run_ids,
    )
    which.add_argument("--last", action="store_true", help=_("the most recent run (the default)"))
    report.add_argument("-o", "--to", dest="path", metavar="PATH", help=_("where to write (default: stdout)"))
    report.add_argument("--format", choices=["jsonl", "csv"], help=_("default: from PATH's suffix, else jsonl"))
    report.set_defaults(command="report", honoured=HONOURED, handler=report_)


def list_(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.commands.documents import log_document
    from tui_app.ids import escaped, padded
    from tui_app.paths import default_runs_dir
    from tui_app.problems import EXIT_OK, OperatorError
    from tui_app.run_lock import is_live, read_owner
    from tui_app.runlog import list_runs, read_run

    directory = default_runs_dir()
    paths = list_runs(directory)[: max(1, args.limit)]
    documents = []
    if not paths:
        io.say(_("No runs recorded yet (journals live in {directory}).").format(directory=directory))
    for path in paths:
        try:
            log = read_run(path)
        except OperatorError as exc:
            io.say(_("{run}  unreadable: {reason}").format(run=path.stem, reason=exc))
            documents.append({"run_id": path.stem, "unreadable": str(exc)})
            continue
        for warning in log.warnings[:3]:
            io.warn(_("warning: {warning}").format(warning=warning))
        live = is_live(path)
        documents.append(log_document(log, live=live))
        if live:
            owner = read_owner(path)
            state = _("running (process {pid})").format(pid=owner.pid) if owner else _("running")
        else:
            state = log.status.value  # the run's status word, as in its journal and JSON
        left = len(log.unsettled())
        resumable = (
            _("  ({count} to resume: vias-tui resume {run})").format(count=left, run=log.run_id)
            if left and not live
            else ""
        )
        io.say(  # journals are files anyone with the account can edit: nothing in them may steer the terminal
            _("{run}  {started}  {state} {endpoint} project {project}  {summary}{resumable}").format(
                run=escaped(log.run_id),
                started=escaped(log.header.get("started_at", "?")),
                state=padded(state, 14),
                endpoint=escaped(log.endpoint),
                project=escaped(log.project_id),
                summary=log.summary_line(),
                resumable=resumable,
            )
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
        io.warn(_("warning: {warning}").format(warning=warning))
    rows = log.rows()
    if args.path and args.path != "-":
        path = write_report(Path(args.path), rows, args.format or guess_format(Path(args.path)))
        io.say(
            ngettext(
                "Wrote the report of run {run} ({count} row) to {path}",
                "Wrote the report of run {run} ({count} rows) to {path}",
                len(rows),
            ).format(run=log.run_id, count=len(rows), path=path)
        )
    elif not io.json_output:
        io.stdout.write(render_report(rows, args.format or "jsonl"))
    if io.json_output:
        io.document({"command": "report", **log_document(log), "entries": [entry(record) for record in rows]})
    return EXIT_OK


__all__ = ["list_", "register", "report_"]
