"""Snapshots of the console in Simplified Chinese at 80x24: the main screen and the confirmation (as it first shows,
and asking for the code), where CJK characters take two cells and the labels, the prompt and the buttons must still
fit. The console's modules are imported in Chinese for each (tests/ui/chinese.py).

Update after an intended UI change with: python -m pytest tests/ui/test_snapshots_zh.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.chinese import chinese_console, module
from tests.ui.helpers import until
from tui_app.demo import demo_context, demo_paste, demo_server
from tui_app.fake import FakeStore, FakeVias, running_in_thread, seed_tasks
from tui_app.paths import default_runs_dir

SIZE = (80, 24)


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The Chinese console's `tui_app.ui.app`; the confirmation's code fixed (it is random per dialog)."""
    with chinese_console() as ui:
        monkeypatch.setattr(module("tui_app.ui.screens.confirm"), "new_code", lambda: "K7QA")
        yield ui


def make(ui: Any, server: FakeVias, text: str | None = None) -> Any:
    context = demo_context(server, text=text, runs_dir=default_runs_dir())
    context.steady_cursor = True
    return ui.make_app(context)


async def settle(pilot: Pilot[Any]) -> None:
    app: Any = pilot.app

    def ready() -> bool:
        panes = app.main.query("IdsPane")
        return not app.checking and bool(panes) and panes.first().up_to_date

    await until(pilot, ready)
    await pilot.wait_for_scheduled_animations()


async def open_confirm(pilot: Pilot[Any]) -> Any:
    await settle(pilot)
    await pilot.press("ctrl+d")
    kind = module("tui_app.ui.screens.confirm").ConfirmScreen
    await until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen.is_mounted)
    await pilot.pause()
    return pilot.app.screen


def test_main_screen_zh(snap_compare: Any, no_keyring: None, chinese: Any) -> None:
    store = FakeStore()
    seed_tasks(store, 60, seed=7, special=True)
    server = FakeVias(store)  # never started: only its (seeded) IDs are used
    server.port = 1
    assert snap_compare(make(chinese, server, demo_paste(server)), terminal_size=SIZE, run_before=settle)


def test_confirmation_zh(snap_compare: Any, no_keyring: None, chinese: Any) -> None:
    async def typed(pilot: Pilot[Any]) -> None:
        await open_confirm(pilot)
        await pilot.press("2")

    with running_in_thread(demo_server(latency=0)) as server:
        assert snap_compare(make(chinese, server), terminal_size=SIZE, run_before=typed)


def test_confirmation_asking_for_the_code_zh(snap_compare: Any, no_keyring: None, chinese: Any) -> None:
    """The longest prompt: the count came too early, so the dialog asks for the code and says why."""

    async def too_early(pilot: Pilot[Any]) -> None:
        screen = await open_confirm(pilot)
        screen.shown_at += 3600  # whatever the machine's speed, the count comes before it could be read
        pilot.app.input_rhythm.gap = 0.0  # and not in a burst: the reason shown is always the same
        for key in str(screen.count):
            await pilot.press(key)
        await pilot.press("enter")
        await until(pilot, lambda: screen.asked)
        await pilot.pause()

    with running_in_thread(demo_server(latency=0)) as server:
        assert snap_compare(make(chinese, server), terminal_size=SIZE, run_before=too_early)
