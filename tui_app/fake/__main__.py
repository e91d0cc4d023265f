"""`python -m tui_app.fake --port 0` runs the fake VIAS on loopback and prints its URL."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from tui_app.fake.faults import FAULTS, FaultPlan
from tui_app.fake.server import FakeVias
from tui_app.fake.store import DEMO_PROJECT_ID, DEMO_TOKEN, FakeStore, seed_tasks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui_app.fake", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost", "::1"])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--tasks", type=int, default=60, help="demo batch tasks to seed")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--token", action="append", default=[], help="accept this token too (repeatable)")
    parser.add_argument(
        "--every",
        action="append",
        default=[],
        metavar="N:FAULT",
        help=f"every Nth delete answers with FAULT ({', '.join(FAULTS)})",
    )
    parser.add_argument("--auth-fail-after", type=int, default=None, help="answer 401 after N deletes")
    args = parser.parse_args(argv)

    every: dict[int, str] = {}
    for item in args.every:
        period, _, fault = item.partition(":")
        if not period.isdigit() or fault not in FAULTS:
            parser.error(f"--every wants N:FAULT with FAULT one of {', '.join(FAULTS)}")
        every[int(period)] = fault
    store = FakeStore()
    store.tokens.update(args.token)
    seed_tasks(store, args.tasks, args.seed)
    faults = FaultPlan(latency=args.latency, every=every, auth_fail_after=args.auth_fail_after)
    return asyncio.run(_serve(FakeVias(store, faults, host=args.host, port=args.port)))


async def _serve(server: FakeVias) -> int:
    await server.start()
    print(server.url, flush=True)
    print(
        f"project {DEMO_PROJECT_ID}; demo token {DEMO_TOKEN}; {len(server.store.tasks)} tasks",
        file=sys.stderr,
        flush=True,
    )
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, done.set)
    await done.wait()
    await server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
