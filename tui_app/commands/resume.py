"""`vias-tui resume [RUN_ID | --last]`: finish what an interrupted or cancelled run left unanswered.

Only IDs without a final outcome are sent (never sent, cancelled, unknown); answered ones never again. The run's
journal is locked first (a second resume of the same run is refused, naming the process that has it) and
appended to, so `runs` and `report` keep showing one run. A run resumes against its own target: `--region`,
`--endpoint` and `--project-id` do not apply (refused rather than ignored).
"""

from __future__ import annotations

import argparse

from tui_app.commands.options import add_globals, complete_run_ids, with_completer
from tui_app.commands.streams import Streams
from tui_app.i18n import _

HONOURED = frozenset({"profile", "auth", "timeout", "concurrency", "ca_bundle", "proxy", "output"})


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "resume",
        help=_("send again what an interrupted or cancelled run left unanswered"),
        description=_(
            "Re-plan the IDs of a run that have no final outcome (never sent, cancelled, unknown), confirm, and "
            "append to the same journal. The run's own target is used."
        ),
    )
    add_globals(parser, HONOURED, on_subcommand=True)
    which = parser.add_mutually_exclusive_group(required=True)
    with_completer(
        which.add_argument("run_id", nargs="?", help=_("run ID (or a unique prefix), see `vias-tui runs`")),
        complete_run_ids,
    )
    which.add_argument("--last", action="store_true", help=_("the most recent run"))
    parser.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    parser.add_argument(
        "--allow-overlap",
        action="store_true",
        help=_("send IDs even while another live run against the same target has them unsettled"),
    )
    parser.add_argument("--report", metavar="PATH", help=_("write a report of the whole run to PATH"))
    parser.add_argument("--format", choices=["jsonl", "csv"])
    parser.set_defaults(command="resume", honoured=HONOURED, handler=run)


def run(args: argparse.Namespace, io: Streams) -> int:
    from pathlib import Path

    from tui_app.commands.confirm import check_expiry, confirm_on_terminal, print_plan, require_terminal
    from tui_app.commands.execute import execute
    from tui_app.credentials import auth_mode, find_credentials
    from tui_app.engine import DEFAULT_CONCURRENCY
    from tui_app.ids import Plan
    from tui_app.paths import default_runs_dir
    from tui_app.problems import EXIT_AUTH, EXIT_OK, EXIT_USAGE, OperatorError
    from tui_app.runlog import find_run, read_run
    from tui_app.session import RunSession, RunSpec
    from tui_app.settings import (
        Profile,
        Target,
        check_profile_name,
        concurrency_setting,
        explicit_proxy,
        load_profiles,
    )
    from tui_app.vias.endpoints import parse_endpoint

    path = find_run(default_runs_dir(), None if args.last else args.run_id)
    log = read_run(path)
    for warning in log.warnings:
        io.warn(_("warning: {warning}").format(warning=warning))
    if not log.unsettled():
        io.say(_("Nothing to resume: every ID of run {run} already has a final outcome.").format(run=log.run_id))
        return EXIT_OK
    profile_name = check_profile_name(args.profile or str(log.header.get("profile") or "default"))
    profile = load_profiles().get(profile_name, Profile(profile_name))
    target = Target(
        profile_name,
        parse_endpoint(log.endpoint),
        log.project_id,
        {"endpoint": f"run {log.run_id}"},  # a source name: English, as Target.sources are
        args.ca_bundle or profile.ca_bundle,
        explicit_proxy(args.proxy, profile),
    )
    lookup = find_credentials(profile_name, auth_mode(args.auth, profile.auth))
    credentials = lookup.credentials
    if credentials is None:
        raise OperatorError(lookup.explain_missing(profile_name), EXIT_AUTH)
    check_expiry(credentials, io)
    concurrency, _source = concurrency_setting(args.concurrency, profile, DEFAULT_CONCURRENCY)
    spec = RunSpec(
        target,
        credentials.auth(),
        concurrency,
        args.timeout,
        "resume",
        allow_overlap=args.allow_overlap,
        report=Path(args.report) if args.report else None,
    )
    with RunSession.open_resume(spec, path) as session:  # locks the run: a second resume is refused from here on
        ids = session.ids
        if not ids:
            io.say(_("Nothing to resume: every ID of run {run} already has a final outcome.").format(run=log.run_id))
            return EXIT_OK
        io.say(
            _(
                "Run {run} ({started}): {count} of {planned} ID(s) have no final outcome; {sent} of them were sent "
                "without an answer (they may already be gone)."
            ).format(
                run=log.run_id,
                started=log.header.get("started_at"),
                count=len(ids),
                planned=len(session.log.planned),
                sent=len(session.previously_sent),
            )
        )
        if not args.yes:
            require_terminal("resume", io)
            plan = Plan.from_ids(ids)
            print_plan(plan, target, credentials, io)
            if not confirm_on_terminal(ids, plan, target, credentials, concurrency, io):
                io.warn(_("Not confirmed; nothing was sent."))
                return EXIT_USAGE
        return execute(session, io, report=args.report, report_format=args.format)
