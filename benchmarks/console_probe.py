"""Benchmark-only wrapper around the real console: `vias-tui` exactly as the CLI builds and runs it, plus a probe.

    python -m benchmarks.console_probe --out PATH -- [vias-tui console arguments]

It calls the real entry point (tui_app.cli.main) with those arguments, so the target, the credentials lookup, the
ConsoleContext, make_app and app.run() are the product's own. The only addition: the app that make_app returns
also runs, on its own event loop, a heartbeat (10 ms sleeps; lag = how late each wake-up is) and a poll of the
main screen every 2 ms (run start: `app.main.run` becomes not None; run end: `app.main.last_status` becomes not
None). When the app exits, the figures go to PATH as JSON. Run it in a real terminal (run.py uses tmux).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from benchmarks.common import percentiles

HEARTBEAT = 0.01
POLL = 0.002


class Probe:
    def __init__(self) -> None:
        self.beats: list[tuple[float, float]] = []  # (loop time of the wake-up, lag in seconds)
        self.run_started: float | None = None
        self.run_ended: float | None = None
        self.engine_started: float | None = None  # the engine's first dispatch (time.monotonic, as loop.time)
        self.status: str | None = None
        self.counts: dict[str, int] = {}
        self.main_mounted: float | None = None  # loop time the main screen was first seen mounted
        self.loop_started: float | None = None

    def attach(self, app: Any) -> None:
        """Run the heartbeat and the poll on the app's own loop, for as long as app.run() runs."""
        original: Callable[..., Awaitable[Any]] = app.run_async

        async def run_async(**kwargs: Any) -> Any:
            loop = asyncio.get_running_loop()
            self.loop_started = loop.time()
            tasks = [loop.create_task(self._heartbeat()), loop.create_task(self._poll(app))]
            try:
                return await original(**kwargs)
            finally:
                for task in tasks:
                    task.cancel()

        app.run_async = run_async  # App.run() awaits self.run_async(): the instance attribute is what it finds

    async def _heartbeat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:  # cancelled when app.run_async returns
            before = loop.time()
            await asyncio.sleep(HEARTBEAT)
            now = loop.time()
            self.beats.append((now, max(0.0, now - before - HEARTBEAT)))

    async def _poll(self, app: Any) -> None:
        loop = asyncio.get_running_loop()
        while True:  # cancelled when app.run_async returns
            await asyncio.sleep(POLL)
            if not app.screen_stack:  # not started yet: app.main would build the screen outside the app
                continue
            main = app.main
            if self.main_mounted is None and main.is_mounted:
                self.main_mounted = loop.time()
            if self.run_started is None:
                if main.run is not None:
                    self.run_started = loop.time()
                continue
            session = main.run.session if main.run is not None else None
            if self.engine_started is None and session is not None and session.engine is not None:
                self.engine_started = session.engine.started_at
            if self.run_ended is None and main.last_status is not None:
                self.run_ended = loop.time()
                self.status = main.last_status.value
                self.counts = {outcome.value: n for outcome, n in main.results.counts().items() if n}

    def report(self) -> dict[str, Any]:
        during = [
            lag
            for at, lag in self.beats
            if self.run_started is not None and self.run_ended is not None and self.run_started <= at <= self.run_ended
        ]
        duration = (
            self.run_ended - self.run_started if self.run_started is not None and self.run_ended is not None else None
        )
        return {
            "run_s": duration,
            "status": self.status,
            "counts": self.counts,
            # run start -> the engine's first dispatch: opening the session (journal, lock, reservation)
            "session_open_s": (
                self.engine_started - self.run_started
                if self.engine_started is not None and self.run_started is not None
                else None
            ),
            "lag_during_run": percentiles(during),
            "lags_during_run": [round(lag, 6) for lag in during],  # raw, so rounds can be pooled
            "lag_whole_session": percentiles([lag for _, lag in self.beats]),
            "main_mounted_after_loop_start_s": (
                self.main_mounted - self.loop_started
                if self.main_mounted is not None and self.loop_started is not None
                else None
            ),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="where to write the figures (JSON) when the app exits")
    parser.add_argument("cli_args", nargs=argparse.REMAINDER, help="after --: the vias-tui console arguments")
    args = parser.parse_args()
    cli_args = args.cli_args[1:] if args.cli_args[:1] == ["--"] else args.cli_args

    import tui_app.ui.app as app_module
    from tui_app import cli

    probe = Probe()
    real_make_app = app_module.make_app

    def make_app(context: Any) -> Any:  # the console command imports make_app from this module when it runs
        app = real_make_app(context)
        probe.attach(app)
        return app

    app_module.make_app = make_app  # type: ignore[assignment]
    code: int | None = None
    error: str | None = None
    try:
        code = cli.main(cli_args)
    except BaseException as exc:  # report it, then let it propagate as the CLI would
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        Path(args.out).write_text(json.dumps({**probe.report(), "exit_code": code, "error": error}))
    return code


if __name__ == "__main__":
    sys.exit(main())
