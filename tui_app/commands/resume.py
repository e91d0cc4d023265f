"""`vias-tui resume [RUN_ID | --last]`: finish what an interrupted or cancelled run left unanswered.

Only IDs without a final outcome are sent (never sent, cancelled, unknown); answered ones never again. The run's
journal is locked first (a second resume of the same run is refused, naming the process that has it) and
appended to, so `runs` and `report` keep showing one run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui_app.commands.common import check_expiry, confirm_on_terminal, execute, print_plan, require_terminal
from tui_app.credentials import auth_mode, find_credentials
from tui_app.engine import DEFAULT_CONCURRENCY
from tui_app.ids import Plan
from tui_app.paths import default_runs_dir
from tui_app.problems import EXIT_AUTH, EXIT_OK, EXIT_USAGE, OperatorError
from tui_app.runlog import find_run, read_run
from tui_app.session import RunSession, RunSpec
from tui_app.settings import Profile, Target, check_profile_name, concurrency_setting, load_profiles
from tui_app.vias.endpoints import parse_endpoint


def run(args: argparse.Namespace) -> int:
    directory = default_runs_dir()
    path = find_run(directory, None if args.last else args.run_id)
    log = read_run(path)
    for warning in log.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not log.unsettled():
        print(f"Nothing to resume: every ID of run {log.run_id} already has a final outcome.")
        return EXIT_OK
    profile_name = check_profile_name(args.profile or str(log.header.get("profile") or "default"))
    profile = load_profiles().get(profile_name, Profile(profile_name))
    target = Target(
        profile_name,
        parse_endpoint(log.endpoint),
        log.project_id,
        {"endpoint": f"run {log.run_id}"},
        args.ca_bundle or profile.ca_bundle,
    )
    lookup = find_credentials(profile_name, auth_mode(args.auth, profile.auth))
    credentials = lookup.credentials
    if credentials is None:
        raise OperatorError(lookup.explain_missing(profile_name), EXIT_AUTH)
    check_expiry(credentials)
    concurrency, _ = concurrency_setting(args.concurrency, profile, DEFAULT_CONCURRENCY)
    spec = RunSpec(
        target,
        credentials.auth(),
        concurrency,
        args.timeout,
        "resume",
        allow_overlap=args.allow_overlap,
        report=Path(args.report) if args.report else None,
    )
    session = RunSession.open_resume(spec, path)  # locks the run: a second resume is refused from here on
    try:
        ids = session.ids
        if not ids:
            print(f"Nothing to resume: every ID of run {log.run_id} already has a final outcome.")
            session.close()
            return EXIT_OK
        print(
            f"Run {log.run_id} ({log.header.get('started_at')}): {len(ids)} of {len(session.log.planned)} ID(s) "
            f"have no final outcome; {len(session.previously_sent)} of them were sent without an answer "
            "(they may already be gone)."
        )
        if not args.yes:
            require_terminal("resume")
            plan = Plan.from_ids(ids)
            print_plan(plan, target, credentials)
            if not confirm_on_terminal(ids, plan, target, credentials, concurrency):
                print("Not confirmed; nothing was sent.", file=sys.stderr)
                session.close()
                return EXIT_USAGE
    except BaseException:
        session.close()
        raise
    return execute(session, report=args.report, report_format=args.format)
