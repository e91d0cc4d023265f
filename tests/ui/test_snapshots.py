"""Snapshots of the main screens at fixed sizes: no network unless a screen needs it, no clocks, no blinking
cursors. At 80x24 and without colour too.

Update after an intended UI change with: python -m pytest tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.ui.helpers import screen_ready, type_text, until
from tests.ui.snapshot_data import results_journal
from tui_app.demo import demo_context, demo_paste, demo_server
from tui_app.fake import DEMO_PROJECT_ID, FakeStore, FakeVias, running_in_thread, seed_tasks
from tui_app.paths import default_runs_dir
from tui_app.ui.app import ViasApp, make_app
from tui_app.ui.screens import confirm
from tui_app.ui.screens.browse import BrowseScreen
from tui_app.ui.screens.confirm import ConfirmScreen
from tui_app.ui.screens.credentials import CredentialsScreen
from tui_app.ui.widgets.ids_pane import IdsPane

SIZE = (100, 32)
Steps = Callable[[Pilot[object]], Awaitable[None]]


@pytest.fixture(autouse=True)
def steady_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """The confirmation's code is random per dialog; a snapshot needs the same one every time."""
    monkeypatch.setattr(confirm, "new_code", lambda: "K7QA")


def offline_app(**overrides: object) -> ViasApp:
    """The demo console without starting a server: these screens need no network."""
    store = FakeStore()
    seed_tasks(store, 60, seed=7, special=True)
    server = FakeVias(store)  # never started: only its (seeded) IDs are used
    server.port = 1
    context = demo_context(server, text=demo_paste(server), runs_dir=default_runs_dir())
    context.steady_cursor = True
    for key, value in overrides.items():
        setattr(context, key, value)
    return make_app(context)


@pytest.fixture
def live_app() -> Iterator[Callable[[], ViasApp]]:
    """The demo console against a running demo fake (no latency), for screens that list tasks."""
    with running_in_thread(demo_server(latency=0)) as server:

        def build() -> ViasApp:
            context = demo_context(server, runs_dir=default_runs_dir())
            context.steady_cursor = True
            return make_app(context)

        yield build


async def settle(pilot: Pilot[object]) -> None:
    app = pilot.app
    assert isinstance(app, ViasApp)

    def ready() -> bool:
        panes = app.main.query(IdsPane)
        return not app.checking and bool(panes) and panes.first().up_to_date

    await until(pilot, ready)
    await pilot.wait_for_scheduled_animations()


async def open_confirm(pilot: Pilot[object]) -> None:
    await settle(pilot)
    await pilot.press("ctrl+d")
    await screen_ready(pilot, ConfirmScreen)
    await type_text(pilot, "2")


def test_ids_pane_with_bad_lines(snap_compare, no_keyring) -> None:
    assert snap_compare(offline_app(), terminal_size=SIZE, run_before=settle)


def test_confirmation_modal_with_preview(snap_compare, no_keyring, live_app) -> None:
    assert snap_compare(live_app(), terminal_size=(120, 40), run_before=open_confirm)


def test_confirmation_at_80x24(snap_compare, no_keyring, live_app) -> None:
    assert snap_compare(live_app(), terminal_size=(80, 24), run_before=open_confirm)


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no-colour"])
def test_results_with_an_error_selected(
    snap_compare, no_keyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    journal = results_journal(tmp_path, DEMO_PROJECT_ID)
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")

    async def show(pilot: Pilot[object]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, ViasApp)
        app.main.show_run(journal)
        app.main.results_pane.table.move_cursor(5)
        await pilot.pause()

    assert snap_compare(offline_app(), terminal_size=SIZE, run_before=show)


def test_credentials_screen_without_a_keyring(snap_compare, no_keyring) -> None:
    async def open_credentials(pilot: Pilot[object]) -> None:
        await settle(pilot)
        await pilot.press("f4")
        screen = await screen_ready(pilot, CredentialsScreen)
        await until(pilot, lambda: screen.context.keyring is not None)
        await pilot.pause()

    assert snap_compare(offline_app(), terminal_size=SIZE, run_before=open_credentials)


def test_small_terminal(snap_compare, no_keyring) -> None:
    assert snap_compare(offline_app(), terminal_size=(80, 24), run_before=settle)


def test_browse_screen(snap_compare, no_keyring, live_app) -> None:
    async def open_browse(pilot: Pilot[object]) -> None:
        await settle(pilot)
        await pilot.press("f5")
        browse = await screen_ready(pilot, BrowseScreen)
        await until(pilot, lambda: bool(browse.tasks) and not browse.fetching)
        await pilot.press("space", "space", "down", "space")
        await pilot.pause()

    assert snap_compare(live_app(), terminal_size=(120, 36), run_before=open_browse)
