"""`vias-tui delete`: the headless contract. Same engine and journal as the console.

Exit codes: 0 every valid ID deleted or already gone; 1 any partial/failed/unknown/cancelled;
2 usage or input error, or not confirmed (nothing sent); 3 authentication problem; 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from tui_app.credentials import TokenInfo, find_token
from tui_app.ids import Plan, parse, read_ids_text, shown
from tui_app.problems import EXIT_AUTH, EXIT_INCOMPLETE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, OperatorError
from tui_app.settings import Target, resolve_target

SAMPLE_IDS = 5


def run(args: argparse.Namespace) -> int:
    target = resolve_target(args.profile, region=args.region, endpoint=args.endpoint,
                            project_id=args.project_id, ca_bundle=args.ca_bundle)
    plan = parse(read_ids_text(args.ids_file))
    lookup = find_token(target.profile)
    names: dict[str, str] = {}
    if args.preview and plan.valid:
        if lookup.info is None:
            print(f"Preview skipped: listing needs a token ({lookup.explain_missing(target.profile)})",
                  file=sys.stderr)
        else:
            from tui_app.commands.preview import apply_preview, print_preview, run_preview

            resolution = asyncio.run(run_preview(target, lookup.info, plan.valid, args.timeout))
            print_preview(resolution)
            plan, names = apply_preview(plan, resolution, keep_not_found=args.keep_not_found,
                                        exclude_running=args.exclude_running)
    if args.dry_run:
        print_dry_run(plan, target, lookup.info)
        return EXIT_OK
    if not plan.valid:
        print_plan(plan, target, None)
        raise OperatorError("no valid IDs to delete; nothing was sent")
    if lookup.info is None:
        raise OperatorError(lookup.explain_missing(target.profile), EXIT_AUTH)
    check_expiry(lookup.info)
    if not args.yes:
        if not sys.stdin.isatty():
            raise OperatorError("refusing to delete without confirmation: stdin is not a terminal. "
                                "Pass --yes to confirm in scripts; nothing was sent")
        if not confirm_on_terminal(plan, target, lookup.info):
            print("Not confirmed; nothing was sent.", file=sys.stderr)
            return EXIT_USAGE
    from tui_app.commands.headless_run import execute

    return asyncio.run(execute(plan, target, lookup.info, concurrency=args.concurrency, timeout=args.timeout,
                               report=args.report, report_format=args.format, names=names))


def check_expiry(info: TokenInfo) -> None:
    if info.expired:
        raise OperatorError(f"the token {info.describe()}; get a new one (vias-tui token login) and run again",
                            EXIT_AUTH)
    if info.expiring_soon:
        print(f"warning: the token {info.describe()}; a long run may stop part-way", file=sys.stderr)


def print_plan(plan: Plan, target: Target, token: TokenInfo | None, out=sys.stdout) -> None:
    print(f"Plan: {plan.summary()}", file=out)
    print(f"Target: {target.describe()} (profile {target.profile})", file=out)
    print(f"Token: {token.describe() if token else 'none found'}", file=out)
    if plan.skipped:
        print(f"Skipped ({len(plan.skipped)}), never sent:", file=out)
        for entry in plan.skipped:
            print(f"  line {entry.line}: {shown(entry.text)!r}: {entry.reason}", file=out)
    if plan.warnings:
        print(f"Unusual IDs ({len(plan.warnings)}), will be sent:", file=out)
        for task_id, warning in plan.warnings.items():
            print(f"  line {plan.id_lines[task_id]}: {task_id}: {warning}", file=out)
    if plan.duplicates:
        print(f"Duplicates ({plan.duplicate_count}), each sent once: "
              + ", ".join(f"{i} x{n + 1}" for i, n in list(plan.duplicates.items())[:10])
              + (" …" if len(plan.duplicates) > 10 else ""), file=out)


def print_dry_run(plan: Plan, target: Target, token: TokenInfo | None) -> None:
    from tui_app.vias.client import ViasClient  # only for URL building; no connection is made

    print_plan(plan, target, token)
    masked = token.token.masked() if token else "(no token found)"
    base = target.endpoint.base_url
    print(f"Requests that would be sent ({len(plan.valid)}):")
    for task_id in plan.valid:
        path = ViasClient.delete_path_for(target.project_id, task_id)
        print(f"  DELETE {base}{path}  X-Auth-Token: {masked}")
    print("Dry run: nothing was sent.")


def confirm_on_terminal(plan: Plan, target: Target, token: TokenInfo) -> bool:
    count = len(plan.valid)
    sample = ", ".join(plan.valid[:SAMPLE_IDS]) + (f" and {count - SAMPLE_IDS} more" if count > SAMPLE_IDS else "")
    print(f"About to DELETE {count} batch task(s).")
    print(f"  target:  {target.describe()} (profile {target.profile})")
    print(f"  token:   {token.describe()}")
    print(f"  IDs:     {sample}")
    print(f"  also:    {len(plan.skipped)} skipped line(s), {plan.duplicate_count} duplicate(s) dropped, "
          f"{len(plan.warnings)} unusual ID(s)")
    try:
        answer = input(f"Type {count} to delete them, anything else to abort: ")
    except EOFError:
        return False
    return answer.strip() == str(count)


def install_signal_handlers(on_signal) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal)


__all__ = ["EXIT_INCOMPLETE", "EXIT_INTERRUPTED", "confirm_on_terminal", "print_plan", "run"]
