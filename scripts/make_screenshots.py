"""Regenerate screenshots/*.svg from the demo console (Textual's save_screenshot under run_test).

    python scripts/make_screenshots.py [--out screenshots]

Run it after any UI change. Uses the built-in fake VIAS on 127.0.0.1 and the demo token (shown masked).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keyring
from keyring.backends import fail

from tui_app.demo import demo_context, demo_server, isolate_demo_state
from tui_app.outcomes import Outcome
from tui_app.ui.app import make_app
from tui_app.ui.screens.browse import BrowseScreen
from tui_app.ui.screens.confirm import ConfirmScreen
from tui_app.ui.screens.credentials import CredentialsScreen

SIZE = (120, 36)


async def wait_for(pilot, condition, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise RuntimeError("the demo did not reach the expected state")
        await pilot.pause(0.05)


async def shoot(out: Path) -> list[Path]:
    keyring.set_keyring(fail.Keyring())  # what an operator sees on a headless box
    written: list[Path] = []
    server = demo_server(latency=0.25)
    await server.start()
    try:
        context = demo_context(server, concurrency=2)
        context.steady_cursor = True
        app = make_app(context)

        def save(name: str) -> None:
            app.save_screenshot(filename=f"{name}.svg", path=str(out))
            written.append(out / f"{name}.svg")

        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: not app.checking_token)
            await pilot.pause(0.3)
            save("01-ids-pane-with-bad-lines")
            await pilot.press("ctrl+d")
            # the input gets focus in on_mount, after the preview's exclusions set the count to type
            await wait_for(
                pilot,
                lambda: (
                    isinstance(app.screen, ConfirmScreen)
                    and app.screen.focused is not None
                    and app.screen.focused.id == "confirm-input"
                ),
            )
            count = str(app.screen.count)  # after the preview's default exclusions
            await pilot.press(*count[:-1])
            await pilot.pause(0.2)
            save("02-confirmation")
            await pilot.press(count[-1], "enter")
            await wait_for(pilot, lambda: app.engine is not None and len(app.engine.records) >= 8)
            await pilot.pause(0.2)
            save("03-run-in-progress")
            await wait_for(pilot, lambda: app.last_status is not None and not app.running)
            rows = [row.key for row in app.results_pane.rows_shown()]
            failed = next(
                i for i, key in enumerate(rows) if (r := app.results.rows[key].record) and r.outcome is Outcome.FAILED
            )
            app.results_pane.table.move_cursor(failed)
            await pilot.pause(0.2)
            save("04-results-error-details")
            await pilot.press("f4")
            await wait_for(
                pilot, lambda: isinstance(app.screen, CredentialsScreen) and app.screen.context.keyring is not None
            )
            await pilot.pause(0.2)
            save("05-credentials-no-keyring")
            await pilot.press("escape", "f1")
            await pilot.pause(0.2)
            save("06-help")
            await pilot.press("escape", "f5")
            await wait_for(pilot, lambda: isinstance(app.screen, BrowseScreen) and app.screen.tasks)
            await pilot.press("space", "space", "down", "space")
            await pilot.pause(0.2)
            save("07-browse")
    finally:
        await server.stop()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    isolate_demo_state()
    for path in asyncio.run(shoot(out)):
        print(path)


if __name__ == "__main__":
    main()
