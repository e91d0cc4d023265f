"""100,000 pasted IDs in the console: paste -> counts -> results table filled -> scrolled to the end.

    python -m benchmarks.paste100k [--ids 100000]       (prints one JSON line)

The real app (make_app with the demo context) under Textual's run_test at 120x40; the paste arrives as one
bracketed-paste event in the IDs box. Then the results table is filled the way a run fills it first (one row per
ID), shown, and scrolled to the last row with the End key. A heartbeat measures the event loop's lag meanwhile.
run.py runs it as a process of its own under the rusage wrapper, so the peak RSS is this process's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import tempfile
import time
from pathlib import Path

from textual import events

from benchmarks.common import Heartbeat, wait_until


async def measure(count: int) -> dict[str, object]:
    from tui_app.demo import demo_context
    from tui_app.fake import FakeStore, FakeVias
    from tui_app.ui.app import make_app
    from tui_app.ui.results_model import BatchResults

    server = FakeVias(FakeStore())  # never started: nothing is sent in this benchmark
    server.port = 1
    text = "\n".join(f"{n:032x}" for n in range(count))
    with tempfile.TemporaryDirectory(prefix="bench-paste-") as tmp:
        app = make_app(demo_context(server, text="", runs_dir=Path(tmp) / "runs"))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.3)
            main = app.main
            heartbeat = Heartbeat().start()
            started = time.perf_counter()
            main.ids_pane.text_area.focus()
            app.post_message(events.Paste(text))
            await wait_until(lambda: len(main.ids_pane.plan.valid) == count, timeout=120)
            counts_shown = time.perf_counter() - started
            plan = main.ids_pane.plan
            main.results_pane.show(BatchResults.from_plan(plan), fresh=True)  # what a run does first
            main.action_show_tab("results")
            await pilot.pause()
            await pilot.press("end")
            table = main.results_pane.table
            await wait_until(lambda: table.cursor_row == count - 1, timeout=120)
            await pilot.pause()
            total = time.perf_counter() - started
            lag = heartbeat.stop()
            scrolled_to = int(table.scroll_offset.y)
    return {
        "ids": count,
        "counts_shown_s": counts_shown,
        "table_shown_s": total,
        "lag": lag,
        "scrolled_to_row": scrolled_to,
        "peak_rss_mb_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ids", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.ids))))


if __name__ == "__main__":
    main()
