"""`vias-tui resume [RUN_ID | --last]`: finish what an interrupted or cancelled run left unanswered.

Only IDs without a final outcome are sent (never sent, cancelled, unknown); answered ones never again.
The run's own journal is appended to, so `runs` and `report` keep showing one run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from tui_app.commands.delete import check_expiry, confirm_on_terminal, print_plan
from tui_app.commands.runs import find_run
from tui_app.credentials import find_token
from tui_app.ids import Plan
from tui_app.journal import RunJournal
from tui_app.problems import EXIT_AUTH, EXIT_OK, EXIT_USAGE, OperatorError
from tui_app.settings import Profile, Target, check_profile_name, load_profiles
from tui_app.vias.endpoints import parse_endpoint


def run(args: argparse.Namespace) -> int:
    log = find_run(None if args.last else args.run_id)
    ids = log.unsettled()
    if not ids:
        print(f"Nothing to resume: every ID of run {log.run_id} already has a final outcome.")
        return EXIT_OK
    header = log.header
    profile_name = check_profile_name(args.profile or header.get("profile") or "default")
    profile = load_profiles().get(profile_name, Profile(profile_name))
    target = Target(profile_name, parse_endpoint(str(header.get("endpoint", ""))), str(header["project_id"]),
                    {"endpoint": f"run {log.run_id}"}, args.ca_bundle or profile.ca_bundle)
    plan = Plan.from_ids(ids)
    unanswered = log.unanswered()
    print(f"Run {log.run_id} ({header.get('started_at')}): {len(ids)} of {len(log.planned)} ID(s) have no final "
          f"outcome; {len(unanswered)} of them were sent without an answer (they may already be gone).")
    lookup = find_token(profile_name)
    if lookup.info is None:
        raise OperatorError(lookup.explain_missing(profile_name), EXIT_AUTH)
    check_expiry(lookup.info)
    if not args.yes:
        if not sys.stdin.isatty():
            raise OperatorError("refusing to resume without confirmation: stdin is not a terminal. Pass --yes")
        print_plan(plan, target, lookup.info)
        if not confirm_on_terminal(plan, target, lookup.info):
            print("Not confirmed; nothing was sent.", file=sys.stderr)
            return EXIT_USAGE
    from tui_app.commands.headless_run import execute

    journal = RunJournal.reopen(log.path)
    journal.resumed(ids)
    return asyncio.run(execute(plan, target, lookup.info, concurrency=args.concurrency, timeout=args.timeout,
                               report=args.report, report_format=args.format, journal=journal, ids=ids,
                               previously_sent=unanswered))
