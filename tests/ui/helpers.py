"""Building the console against a fake VIAS for Pilot tests, and small waits that poll instead of sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual import events
from textual.pilot import Pilot

from tui_app.demo import demo_context
from tui_app.engine import RetryPolicy
from tui_app.fake import FakeVias
from tui_app.ui.app import ViasApp, make_app

FAST = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05)


def console(server: FakeVias, text: str = "", **overrides) -> ViasApp:
    context = demo_context(server, text=text)
    context.policy = FAST
    for key, value in overrides.items():
        setattr(context, key, value)
    return make_app(context)


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Let the app run until `condition` holds (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


async def paste(pilot: Pilot, app: ViasApp, text: str) -> None:
    """A bracketed paste, as a terminal delivers one, into the IDs box."""
    app.ids_pane.text_area.focus()
    app.post_message(events.Paste(text))  # the driver hands pastes to the App, which forwards to the focus
    await pilot.pause(0.3)


async def type_text(pilot: Pilot, text: str) -> None:
    for char in text:
        await pilot.press(char)


async def confirm(pilot: Pilot, app: ViasApp, count: int) -> None:

    await pilot.press("ctrl+d")
    await confirm_screen_ready(pilot, app)
    await type_text(pilot, str(count))
    await pilot.press("enter")


async def confirm_screen_ready(pilot: Pilot, app: ViasApp) -> None:
    """The confirmation is up and its input has focus (keys typed earlier would go elsewhere)."""
    from tui_app.ui.screens.confirm import ConfirmScreen

    def ready() -> bool:
        screen = app.screen
        return isinstance(screen, ConfirmScreen) and screen.focused is not None \
            and screen.focused.id == "confirm-input"

    await until(pilot, ready)


async def run_finished(pilot: Pilot, app: ViasApp) -> None:
    await until(pilot, lambda: app.last_status is not None and not app.running, timeout=30)
