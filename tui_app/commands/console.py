"""`vias-tui` with no command: the console. `--demo` runs everything against a built-in fake VIAS."""

from __future__ import annotations

import argparse
import asyncio

from tui_app.problems import EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.demo:
        return run_headless_demo()
    from tui_app.cli import build_parser

    build_parser().print_help()
    return EXIT_OK


def run_headless_demo() -> int:
    from tui_app.commands.headless_run import execute
    from tui_app.credentials import TokenInfo
    from tui_app.demo import DEMO_PROJECT_ID, DEMO_REGION, DEMO_TOKEN, demo_paste, demo_server, isolate_demo_state
    from tui_app.fake import running_in_thread
    from tui_app.ids import parse
    from tui_app.secret import Token
    from tui_app.settings import Target
    from tui_app.vias.endpoints import parse_endpoint

    isolate_demo_state()
    with running_in_thread(demo_server()) as server:
        target = Target("demo", parse_endpoint(server.url, DEMO_REGION), DEMO_PROJECT_ID)
        plan = parse(demo_paste(server))
        print(f"DEMO: a fake VIAS on {server.url} (nothing leaves this machine). Plan: {plan.summary()}")
        for entry in plan.skipped:
            print(f"  skipped line {entry.line}: {entry.text!r}: {entry.reason}")
        info = TokenInfo(Token(DEMO_TOKEN), "session")
        return asyncio.run(execute(plan, target, info, concurrency=4, timeout=10, report=None, report_format=None))
