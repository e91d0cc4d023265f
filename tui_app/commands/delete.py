"""`vias-tui delete`: the headless contract. Same run session, engine and journal as the console.

Exit codes: 0 every valid ID deleted or already gone; 1 any partial/failed/unknown/cancelled; 2 usage, input or
environment error, refused, or not confirmed (nothing sent); 3 no usable or rejected credentials; 4 the journal
could not be written mid-run; 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from tui_app.commands.common import (
    check_expiry,
    confirm_on_terminal,
    execute,
    print_plan,
    require_terminal,
)
from tui_app.credentials import Credentials, auth_mode, find_credentials
from tui_app.engine import DEFAULT_CONCURRENCY
from tui_app.ids import Plan, parse, read_ids_text
from tui_app.problems import EXIT_AUTH, EXIT_OK, EXIT_USAGE, OperatorError
from tui_app.sdk_credentials import ambient_secrets
from tui_app.session import RunSession, RunSpec, preflight, refuse_overlap
from tui_app.settings import Target, concurrency_setting, resolve_target, selected_profile
from tui_app.vias.client import ViasClient


def run(args: argparse.Namespace) -> int:
    target = resolve_target(
        args.profile, region=args.region, endpoint=args.endpoint, project_id=args.project_id, ca_bundle=args.ca_bundle
    )
    profile = selected_profile(args.profile)
    concurrency, _ = concurrency_setting(args.concurrency, profile, DEFAULT_CONCURRENCY)
    plan = parse(read_ids_text(args.ids_file))
    lookup = find_credentials(target.profile, auth_mode(args.auth, profile.auth))
    credentials = lookup.credentials
    plan = plan.without_secrets((credentials.secrets() if credentials else []) + ambient_secrets())
    names: dict[str, str] = {}
    if args.preview and plan.valid:
        if credentials is None:
            print(
                f"Preview skipped: listing needs credentials ({lookup.explain_missing(target.profile)})",
                file=sys.stderr,
            )
        else:
            from tui_app.commands.preview import apply_preview, print_preview, run_preview

            resolution = asyncio.run(run_preview(target, credentials, plan.valid, args.timeout))
            print_preview(resolution)
            plan, names = apply_preview(
                plan, resolution, keep_not_found=args.keep_not_found, exclude_running=args.exclude_running
            )
    if args.dry_run:
        print_dry_run(plan, target, credentials)
        return EXIT_OK
    if not plan.valid:
        print_plan(plan, target, credentials)
        raise OperatorError("no valid IDs to delete; nothing was sent")
    if credentials is None:
        raise OperatorError(lookup.explain_missing(target.profile), EXIT_AUTH)
    check_expiry(credentials)
    spec = RunSpec(
        target,
        credentials.auth(),
        concurrency,
        args.timeout,
        "delete",
        allow_overlap=args.allow_overlap,
        report=Path(args.report) if args.report else None,
    )
    preflight(spec)  # the CA bundle, the report path and the runs directory, before asking anything
    if not args.allow_overlap:
        refuse_overlap(spec, plan.valid)  # before asking; the session checks again, atomically, when it starts
    if not args.yes:
        require_terminal("delete")
        if not confirm_on_terminal(plan.valid, plan, target, credentials, concurrency):
            print("Not confirmed; nothing was sent.", file=sys.stderr)
            return EXIT_USAGE
    session = RunSession.open_new(spec, plan, names)
    return execute(session, report=args.report, report_format=args.format)


def print_dry_run(plan: Plan, target: Target, credentials: Credentials | None) -> None:
    print_plan(plan, target, credentials)
    shown = credentials.label() if credentials else "(no credentials found)"
    base = target.endpoint.base_url
    print(f"Requests that would be sent ({len(plan.valid)}), authenticated with {shown}:")
    for task_id in plan.valid:
        print(f"  DELETE {base}{ViasClient.delete_path_for(target.project_id, task_id)}")
    print("Dry run: nothing was sent.")
