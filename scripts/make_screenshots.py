"""Regenerate screenshots/*.svg from the demo console (Textual's save_screenshot under run_test).

    python scripts/make_screenshots.py [--out screenshots]

It then runs itself again with `--lang zh-CN` for the Chinese screenshots (zh-CN-*.svg): Textual reads the key
bindings' descriptions when the console's classes are defined, so the language is chosen before they are imported,
as `vias-tui --lang zh-CN` does.

Run it after any UI change. Uses the built-in fake VIAS on 127.0.0.1 and the demo's access keys (the access key
ID shown masked, the secret never); no keyring (what an operator sees on a headless box); journals in a temporary
directory. The confirmation's code is fixed (it is random per dialog) so that the SVGs only change with the UI.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui_app import i18n
from tui_app.language_choice import option_value

LANG = i18n.normalize(option_value(sys.argv[1:], "--lang") or "en") or i18n.ENGLISH
i18n.use(LANG)  # before the console's modules are imported (see the docstring)

import keyring  # noqa: E402
from keyring.backends import fail  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from tui_app.demo import demo_context, demo_server  # noqa: E402
from tui_app.fake import FakeVias  # noqa: E402
from tui_app.outcomes import Outcome  # noqa: E402
from tui_app.ui.app import ViasApp, make_app  # noqa: E402
from tui_app.ui.input_rhythm import BURST_GAP  # noqa: E402
from tui_app.ui.screens import confirm  # noqa: E402
from tui_app.ui.screens.browse import BrowseScreen  # noqa: E402
from tui_app.ui.screens.confirm import READ_TIME, ConfirmScreen  # noqa: E402
from tui_app.ui.screens.credentials import CredentialsScreen  # noqa: E402
from tui_app.ui.screens.locate import LocateScreen  # noqa: E402
from tui_app.ui.screens.simple import HelpScreen  # noqa: E402
from tui_app.ui.screens.target import TargetScreen  # noqa: E402
from tui_app.ui.widgets.toggle import TextToggle  # noqa: E402

SIZE = (120, 36)


async def wait_for(pilot: Pilot[object], condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Bounded: a demo that never gets there fails the script instead of hanging it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise RuntimeError("the demo did not reach the expected state")
        await pilot.pause(0.02)


async def by_hand(pilot: Pilot[Any], *keys: str) -> None:
    """Keys as a person types them: the confirmation refuses a count whose keys came in a burst."""
    for key in keys:
        await pilot.pause(3 * BURST_GAP)
        await pilot.press(key)


def ready(app: ViasApp, kind: type) -> Callable[[], bool]:
    def check() -> bool:
        screen = app.screen
        return isinstance(screen, kind) and screen.is_mounted and screen.focused is not None

    return check


def demo_app(server: FakeVias, runs: Path, **overrides: object) -> ViasApp:
    context = demo_context(server, concurrency=2, runs_dir=runs)
    context.steady_cursor = True
    for key, value in overrides.items():
        setattr(context, key, value)
    return make_app(context)


async def settled(pilot: Pilot[object], app: ViasApp) -> None:
    await wait_for(pilot, lambda: not app.checking and app.main.ids_pane.up_to_date)
    await pilot.wait_for_scheduled_animations()


async def shoot(out: Path, runs: Path) -> list[Path]:
    written: list[Path] = []
    server = demo_server(latency=0.25)
    await server.start()

    def saver(app: ViasApp) -> Callable[[str], None]:
        def save(name: str) -> None:
            app.save_screenshot(filename=f"{name}.svg", path=str(out))
            written.append(out / f"{name}.svg")

        return save

    try:
        app = demo_app(server, runs)
        save = saver(app)
        async with app.run_test(size=SIZE) as pilot:
            main = app.main
            await settled(pilot, app)
            save("01-ids-pane-with-bad-lines")
            await pilot.press("ctrl+d")
            await wait_for(pilot, ready(app, ConfirmScreen))
            screen = app.screen
            assert isinstance(screen, ConfirmScreen)
            count = str(screen.count)  # after the preview's default exclusions
            await pilot.pause(READ_TIME)  # the confirmation refuses a count typed before it could be read
            await by_hand(pilot, *count[:-1])
            save("02-confirmation")
            await by_hand(pilot, count[-1], "enter")
            await wait_for(pilot, lambda: main.run is not None and main.results.pending() < len(main.results) - 8)
            await pilot.pause(0.3)
            save("03-run-in-progress")
            await wait_for(pilot, lambda: main.last_status is not None and not main.running)
            rows = [row.key for row in main.results_pane.rows_shown()]
            failed = next(
                i for i, key in enumerate(rows) if (r := main.results.rows[key].record) and r.outcome is Outcome.FAILED
            )
            main.results_pane.table.move_cursor(failed)
            await pilot.pause(0.2)
            save("04-results-error-details")
            await pilot.press("f4")
            await wait_for(pilot, lambda: ready(app, CredentialsScreen)() and app.screen.context.keyring is not None)  # type: ignore[attr-defined]
            await pilot.pause(0.2)
            save("05-credentials-no-keyring")
            await pilot.press("escape", "f1")
            await wait_for(pilot, ready(app, HelpScreen))
            save("06-help")
            await pilot.press("escape", "f5")
            await wait_for(pilot, lambda: isinstance(app.screen, BrowseScreen) and bool(app.screen.tasks))
            await pilot.press("space", "space", "down", "space")
            await pilot.pause(0.2)
            save("07-browse")

        small = demo_app(server, runs)
        save = saver(small)
        async with small.run_test(size=(80, 24)) as pilot:
            await settled(pilot, small)
            await pilot.press("ctrl+d")
            await wait_for(pilot, ready(small, ConfirmScreen))
            await pilot.press("1")
            save("08-confirmation-80x24")

        first_run = demo_app(server, runs, target=None, demo=False, profile="default")
        save = saver(first_run)
        async with first_run.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: not first_run.checking)
            await pilot.press("ctrl+d")
            await wait_for(pilot, ready(first_run, TargetScreen))
            save("09-first-run-no-target")

        os.environ["NO_COLOR"] = "1"  # Textual reads it when the app is built
        try:
            mono = demo_app(server, runs)
        finally:
            del os.environ["NO_COLOR"]
        save = saver(mono)
        async with mono.run_test(size=(100, 30)) as pilot:
            await settled(pilot, mono)
            mono.main.action_open_last_run()
            await wait_for(pilot, lambda: mono.main.results_pane.table.row_count > 0)
            mono.main.results_pane.table.move_cursor(2)
            await pilot.pause(0.2)
            save("10-results-no-colour")

        await cleanup_shots(server, runs, saver)
    finally:
        await server.stop()
    return written


async def confirm_by_hand(pilot: Pilot[Any], app: ViasApp) -> None:
    screen = app.screen
    assert isinstance(screen, ConfirmScreen)
    await pilot.pause(READ_TIME)
    await by_hand(pilot, *str(screen.count), "enter")


async def cleanup_shots(server: FakeVias, runs: Path, saver: Callable[[ViasApp], Callable[[str], None]]) -> None:
    """Stop the batches with running jobs, delete the jobs partial deletes left, locate an ID elsewhere."""
    app = demo_app(server, runs)
    save = saver(app)
    async with app.run_test(size=SIZE) as pilot:
        main = app.main
        await settled(pilot, app)
        await pilot.press("ctrl+d")
        await wait_for(pilot, ready(app, ConfirmScreen))
        app.screen.query_one("#stop-running", TextToggle).value = True
        await pilot.pause(0.2)
        save("11-confirmation-stop-running")
        await confirm_by_hand(pilot, app)
        await wait_for(pilot, lambda: main.last_status is not None and not main.running, timeout=60)
        await pilot.press("ctrl+k")
        await wait_for(pilot, ready(app, ConfirmScreen))
        await confirm_by_hand(pilot, app)
        await wait_for(pilot, lambda: not main.running and any(r.job for r in main.results_pane.rows_shown()), 60)
        rows = main.results_pane.rows_shown()
        main.results_pane.table.move_cursor(next(i for i, row in enumerate(rows) if row.job is not None))
        await pilot.pause(0.3)
        save("12-results-leftover-jobs")
        main.action_locate()
        await wait_for(pilot, lambda: isinstance(app.screen, LocateScreen) and app.screen.finished)
        await pilot.pause(0.2)
        save("13-locate")


async def shoot_chinese(out: Path, runs: Path) -> list[Path]:
    """The screens an operator meets first, in Chinese: the IDs pane, the confirmation at 80x24, Locate, results."""
    written: list[Path] = []
    server = demo_server(latency=0.05)
    await server.start()
    try:
        app = demo_app(server, runs)

        def save(name: str) -> None:
            app.save_screenshot(filename=f"zh-CN-{name}.svg", path=str(out))
            written.append(out / f"zh-CN-{name}.svg")

        async with app.run_test(size=(80, 24)) as pilot:
            main = app.main
            await settled(pilot, app)
            save("01-ids-pane-80x24")
            await pilot.press("ctrl+d")
            await wait_for(pilot, ready(app, ConfirmScreen))
            await pilot.press("1")
            save("02-confirmation-80x24")
            await pilot.press("ctrl+l")
            await wait_for(pilot, lambda: isinstance(app.screen, LocateScreen) and app.screen.finished)
            await pilot.pause(0.2)
            save("03-locate-80x24")
            await pilot.press("escape", "ctrl+d")
            await wait_for(pilot, ready(app, ConfirmScreen))
            await confirm_by_hand(pilot, app)
            await wait_for(pilot, lambda: main.last_status is not None and not main.running, timeout=60)
            rows = [row.key for row in main.results_pane.rows_shown()]
            failed = next(
                i for i, key in enumerate(rows) if (r := main.results.rows[key].record) and r.outcome is Outcome.FAILED
            )
            main.results_pane.table.move_cursor(failed)
            await pilot.pause(0.3)
            save("04-results-80x24")
    finally:
        await server.stop()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "screenshots"))
    parser.add_argument("--lang", choices=["en", "zh-CN"], default="en", help="zh-CN: only the Chinese screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if i18n.catalog_missing():
        raise SystemExit("the Chinese catalog is not compiled: pip install -e . (or pybabel compile) first")
    keyring.set_keyring(fail.Keyring())
    confirm.new_code = lambda: "K7QA"  # the SVGs change only when the UI does
    with tempfile.TemporaryDirectory(prefix="vias-tui-shots-") as tmp:
        shots = shoot_chinese if LANG == i18n.CHINESE else shoot
        for path in asyncio.run(shots(out, Path(tmp) / "runs")):
            print(path)
    if LANG == i18n.ENGLISH:
        chinese = [sys.executable, __file__, "--lang", "zh-CN", "--out", str(out)]
        raise SystemExit(subprocess.run(chinese, check=False).returncode)


if __name__ == "__main__":
    main()
