"""`vias-tui delete`: the headless contract. Same run session, engine and journal as the console.

Exit codes: 0 every valid ID deleted or already gone; 1 any partial/failed/unknown/cancelled; 2 usage, input or
environment error, refused, or not confirmed (nothing sent); 3 no usable or rejected credentials; 4 the journal
could not be written mid-run; 130 interrupted.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui_app.commands.options import RUN, add_globals, target_from
from tui_app.commands.streams import Streams
from tui_app.i18n import _

if TYPE_CHECKING:
    from tui_app.credentials import Credentials
    from tui_app.ids import Plan
    from tui_app.settings import Target

HONOURED = RUN | {"output"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "delete",
        help=_("delete batch tasks headless (for scripts)"),
        description=_("Delete the batch tasks listed in a file (or stdin) without the console."),
    )
    add_globals(parser, HONOURED, on_subcommand=True)
    parser.add_argument("--ids-file", required=True, metavar="PATH", help=_("file with IDs, or - for stdin"))
    parser.add_argument(
        "--yes", action="store_true", help=_("do not ask for confirmation (required without a terminal)")
    )
    parser.add_argument("--dry-run", action="store_true", help=_("show what would be sent; send nothing"))
    parser.add_argument(
        "--preview",
        action="store_true",
        help=_("first list the project's batch tasks and show what each ID is (name, jobs, state)"),
    )
    parser.add_argument(
        "--keep-not-found",
        action="store_true",
        help=_("with --preview: also send IDs the listing did not find (excluded by default)"),
    )
    parser.add_argument(
        "--exclude-running", action="store_true", help=_("with --preview: do not send tasks that have running jobs")
    )
    parser.add_argument(
        "--stop-running",
        action="store_true",
        help=_("stop a batch that has running jobs (seen at --preview, or refused for them) first, then delete it"),
    )
    parser.add_argument(
        "--clean-leftovers",
        action="store_true",
        help=_(
            "when a delete answers partial, list the jobs the batch still has and delete each, then say whether "
            "any remain"
        ),
    )
    parser.add_argument(
        "--allow-overlap",
        action="store_true",
        help=_("send IDs even while another live run against the same target has them unsettled"),
    )
    parser.add_argument("--report", metavar="PATH", help=_("write a report of every entry to PATH"))
    parser.add_argument("--format", choices=["jsonl", "csv"], help=_("report format (default: from PATH's suffix)"))
    parser.set_defaults(command="delete", honoured=HONOURED, handler=run)


def run(args: argparse.Namespace, io: Streams) -> int:
    from pathlib import Path

    from tui_app.cleanup import CleanupPlan
    from tui_app.commands.confirm import check_expiry, confirm_on_terminal, print_plan, require_terminal
    from tui_app.commands.execute import execute
    from tui_app.credentials import auth_mode, find_credentials
    from tui_app.engine import DEFAULT_CONCURRENCY
    from tui_app.ids import parse, read_ids_text
    from tui_app.problems import EXIT_AUTH, EXIT_OK, EXIT_USAGE, OperatorError
    from tui_app.sdk_credentials import ambient_secrets
    from tui_app.session import RunSession, RunSpec, preflight, refuse_overlap
    from tui_app.settings import concurrency_setting, selected_profile

    if args.stop_running and args.exclude_running:
        raise OperatorError(_("--stop-running and --exclude-running ask opposite things; give one"))
    target = target_from(args)
    profile = selected_profile(args.profile)
    concurrency, _source = concurrency_setting(args.concurrency, profile, DEFAULT_CONCURRENCY)
    plan = parse(read_ids_text(args.ids_file, io.stdin))
    lookup = find_credentials(target.profile, auth_mode(args.auth, profile.auth))
    credentials = lookup.credentials
    plan = plan.without_secrets((credentials.secrets() if credentials else []) + ambient_secrets())
    names: dict[str, str] = {}
    to_stop: frozenset[str] = frozenset()
    if args.preview and plan.valid:
        if credentials is None:
            io.warn(
                _("Preview skipped: listing needs credentials ({why})").format(
                    why=lookup.explain_missing(target.profile)
                )
            )
        else:
            from tui_app.commands.preview import apply_preview, print_preview, run_preview

            resolution = run_preview(target, credentials, plan.valid, args.timeout, io)
            print_preview(resolution, io)
            plan, names = apply_preview(
                plan, resolution, keep_not_found=args.keep_not_found, exclude_running=args.exclude_running
            )
            to_stop = frozenset(resolution.running) & set(plan.valid) if args.stop_running else frozenset()
    if args.dry_run:
        print_dry_run(plan, target, credentials, io)
        return EXIT_OK
    if not plan.valid:
        print_plan(plan, target, credentials, io)
        raise OperatorError(_("no valid IDs to delete; nothing was sent"))
    if credentials is None:
        raise OperatorError(lookup.explain_missing(target.profile), EXIT_AUTH)
    check_expiry(credentials, io)
    spec = RunSpec(
        target,
        credentials.auth(),
        concurrency,
        args.timeout,
        "delete",
        allow_overlap=args.allow_overlap,
        report=Path(args.report) if args.report else None,
        cleanup=CleanupPlan(args.stop_running, args.clean_leftovers, to_stop),
    )
    preflight(spec)  # the CA bundle, the report path and the runs directory, before asking anything
    if not args.allow_overlap:
        refuse_overlap(spec, plan.valid)  # before asking; the session checks again, atomically, when it starts
    if not args.yes:
        require_terminal("delete", io)
        if not confirm_on_terminal(plan.valid, plan, target, credentials, concurrency, io, spec.cleanup):
            io.warn(_("Not confirmed; nothing was sent."))
            return EXIT_USAGE
    session = RunSession.open_new(spec, plan, names)
    return execute(session, io, report=args.report, report_format=args.format)


def print_dry_run(plan: Plan, target: Target, credentials: Credentials | None, io: Streams) -> None:
    from tui_app.commands.confirm import print_plan
    from tui_app.commands.documents import in_english
    from tui_app.vias.client import ViasClient

    def shown() -> str:
        return credentials.label() if credentials else _("(no credentials found)")

    print_plan(plan, target, credentials, io)
    base = target.endpoint.base_url
    io.say(
        _("Requests that would be sent ({count}), authenticated with {credentials}:").format(
            count=len(plan.valid), credentials=shown()
        )
    )
    for task_id in plan.valid:
        io.say(f"  DELETE {base}{ViasClient.delete_path_for(target.project_id, task_id)}")
    io.say(_("Dry run: nothing was sent."))
    if io.json_output:
        document = {
            "command": "delete",
            "dry_run": True,
            "target": {"endpoint": base, "project_id": target.project_id, "profile": target.profile},
            "credentials": in_english(shown),
            "requests": [
                {"method": "DELETE", "url": base + ViasClient.delete_path_for(target.project_id, task_id)}
                for task_id in plan.valid
            ],
            "skipped": [
                {"line": item.line, "text": item.text, "reason": item.reason, "excluded": item.excluded}
                for item in plan.skipped
            ],
        }
        io.document(document)
