"""100,000 pasted IDs in the console: paste -> counts -> results table filled -> scrolled to the end.

Run alone (its peak RSS is its own): python -m benchmarks.paste100k [--ids 100000]. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time

from textual import events

from benchmarks.common import Heartbeat, wait_until


async def measure(count: int) -> dict[str, object]:
    from tui_app.demo import demo_context
    from tui_app.fake import FakeStore, FakeVias
    from tui_app.ui.app import make_app
    from tui_app.ui.results_model import BatchResults

    server = FakeVias(FakeStore())  # never started: nothing is sent in this benchmark
    server.port = 1
    app = make_app(demo_context(server, text=""))
    text = "\n".join(f"{n:032x}" for n in range(count))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        heartbeat = Heartbeat().start()
        started = time.perf_counter()
        app.ids_pane.text_area.focus()
        app.post_message(events.Paste(text))
        await wait_until(lambda: len(app.ids_pane.plan.valid) == count)
        counts_shown = time.perf_counter() - started
        plan = app.ids_pane.plan
        app.results_pane.show(BatchResults.from_plan(plan))  # what a run does first: one row per ID
        app.action_show_tab("results")
        await pilot.pause()
        await pilot.press("end")
        table = app.results_pane.table
        await wait_until(lambda: table.cursor_row == count - 1)
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
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ids", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.ids))))


if __name__ == "__main__":
    main()
