"""Building the console against a fake VIAS for Pilot tests, and waits on conditions (never fixed sleeps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual import events
from textual.pilot import Pilot
from textual.screen import Screen

from tests.helpers import FAST
from tests.helpers import until as wait_until
from tui_app.demo import demo_context
from tui_app.fake import FakeVias
from tui_app.paths import default_runs_dir
from tui_app.ui.app import ViasApp, make_app
from tui_app.ui.input_rhythm import BURST_GAP
from tui_app.ui.screens import confirm as confirm_screen
from tui_app.ui.screens.confirm import ConfirmScreen

S = TypeVar("S", bound=Screen)  # type: ignore[type-arg]


def console(server: FakeVias, text: str = "", **overrides: object) -> ViasApp:
    """The console against `server` with the demo's token, journals under the test's state directory."""
    context = demo_context(server, text=text, runs_dir=default_runs_dir())
    context.policy = FAST
    for key, value in overrides.items():
        setattr(context, key, value)
    return make_app(context)


async def until(
    pilot: Pilot[object], condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition"
) -> None:
    """Let the app run until `condition` holds (bounded); the app shares this event loop."""
    await wait_until(condition, timeout, what=what)


async def screen_ready(pilot: Pilot[object], kind: type[S], timeout: float = 15.0, *, read: bool = True) -> S:
    """Wait until the screen on top is a `kind`, mounted, with its focus settled; return it.

    A confirmation is returned as read (see `has_been_read`) unless `read` is False: only the type-ahead tests
    want keys typed at Pilot's speed to be refused."""

    def ready() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, kind) and screen.is_mounted and (screen.focused is not None or not screen.focus_chain)

    await until(pilot, ready, timeout, what=f"{kind.__name__} ready")
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    if read and isinstance(screen, ConfirmScreen):
        has_been_read(screen)
    return screen


def has_been_read(screen: ConfirmScreen) -> None:
    """Move the confirmation's shown time back by the type-ahead guard, as if the operator had been reading it
    that long, and take Pilot's keys as typed by hand: Pilot types faster than anyone reads or types, and the
    guards would refuse its count (confirm.READ_TIME, input_rhythm.BURST_GAP). Tests of those guards type with
    `type_by_hand` instead."""
    screen.shown_at -= confirm_screen.READ_TIME
    app = screen.app
    assert isinstance(app, ViasApp)
    app.input_rhythm.gap = 0.0


async def type_by_hand(pilot: Pilot[object], *keys: str) -> None:
    """One key at a time, as a person types: tens of milliseconds apart (input_rhythm.py refuses faster keys)."""
    for key in keys:
        await pilot.pause(3 * BURST_GAP)
        await pilot.press(key)


async def screen_gone(pilot: Pilot[object], kind: type[Screen], timeout: float = 15.0) -> None:  # type: ignore[type-arg]
    await until(pilot, lambda: not isinstance(pilot.app.screen, kind), timeout, what=f"{kind.__name__} closed")


async def paste(pilot: Pilot[object], app: ViasApp, text: str) -> None:
    """A bracketed paste, as a terminal delivers one, into the IDs box; waits until it is parsed."""
    pane = app.main.ids_pane
    pane.focus_input()
    app.post_message(events.Paste(text))  # the driver hands pastes to the App, which forwards to the focus
    before = pane.text
    await until(pilot, lambda: pane.text != before or not text, what="the paste arrived")
    await until(pilot, lambda: pane.up_to_date, what="the paste parsed")


async def parsed(pilot: Pilot[object], app: ViasApp) -> None:
    pane = app.main.ids_pane
    await until(pilot, lambda: pane.up_to_date, what="the IDs parsed")


async def type_text(pilot: Pilot[object], text: str) -> None:
    for char in text:
        await pilot.press(char)


async def confirm(pilot: Pilot[object], app: ViasApp, count: int) -> ConfirmScreen:
    await pilot.press("ctrl+d")
    screen = await screen_ready(pilot, ConfirmScreen)
    await type_text(pilot, str(count))
    await pilot.press("enter")
    return screen


async def run_finished(pilot: Pilot[object], app: ViasApp, timeout: float = 30.0) -> None:
    main = app.main
    await until(pilot, lambda: main.last_status is not None and not main.running, timeout, what="the run finished")
