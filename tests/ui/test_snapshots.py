"""Snapshots of the main screens at a fixed size: no network, no clocks, no blinking cursors.

Update after an intended UI change with: python -m pytest tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.helpers import until
from tests.ui.snapshot_data import results_journal
from tui_app.demo import demo_paste
from tui_app.fake import DEMO_PROJECT_ID, FakeStore, FakeVias, seed_tasks
from tui_app.ui.app import ConsoleContext, ViasApp, make_app
from tui_app.ui.screens.confirm import ConfirmScreen
from tui_app.ui.screens.credentials import CredentialsScreen

SIZE = (100, 32)


def demo_app(**overrides) -> ViasApp:
    """The demo console without starting a server: these screens need no network."""
    from tui_app.demo import demo_context

    store = FakeStore()
    seed_tasks(store, 60, seed=7, special=True)
    server = FakeVias(store)  # never started: only its (seeded) IDs are used
    server.port = 1
    context: ConsoleContext = demo_context(server, text=demo_paste(server))
    context.steady_cursor = True
    for key, value in overrides.items():
        setattr(context, key, value)
    return make_app(context)


def test_ids_pane_with_bad_lines(snap_compare, no_keyring) -> None:
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_settle)


def test_confirmation_modal_with_preview(snap_compare, no_keyring) -> None:
    from tui_app.demo import demo_context, demo_server
    from tui_app.fake import running_in_thread

    async def open_confirm(pilot) -> None:
        await _settle(pilot)
        await pilot.press("ctrl+d")
        await until(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, ConfirmScreen)
                and pilot.app.screen.focused is not None
                and pilot.app.screen.focused.id == "confirm-input"
            ),
        )
        await pilot.press("2")

    with running_in_thread(demo_server(latency=0)) as server:
        context = demo_context(server)
        context.steady_cursor = True
        assert snap_compare(make_app(context), terminal_size=(120, 40), run_before=open_confirm)


def test_results_with_an_error_selected(snap_compare, no_keyring, tmp_path: Path) -> None:
    journal = results_journal(tmp_path, DEMO_PROJECT_ID)

    async def show(pilot) -> None:
        await _settle(pilot)
        pilot.app.show_run(journal)
        await pilot.pause(0.1)
        pilot.app.results_pane.table.move_cursor(5)
        await pilot.pause(0.1)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=show)


def test_credentials_screen_without_a_keyring(snap_compare, no_keyring) -> None:
    async def open_credentials(pilot) -> None:
        await _settle(pilot)
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(pilot.app.screen, CredentialsScreen))
        await until(pilot, lambda: pilot.app.screen.context.keyring is not None)
        await pilot.pause(0.1)

    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=open_credentials)


@pytest.mark.parametrize("size", [(80, 24)])
def test_small_terminal(snap_compare, no_keyring, size) -> None:
    assert snap_compare(demo_app(), terminal_size=size, run_before=_settle)


async def _settle(pilot) -> None:
    await until(pilot, lambda: not pilot.app.checking_token)
    await pilot.pause(0.3)


def test_browse_screen(snap_compare, no_keyring) -> None:
    from tui_app.demo import demo_context, demo_server
    from tui_app.fake import running_in_thread
    from tui_app.ui.screens.browse import BrowseScreen

    async def open_browse(pilot) -> None:
        await _settle(pilot)
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(pilot.app.screen, BrowseScreen) and pilot.app.screen.tasks)
        await pilot.press("space", "space", "down", "space")
        await pilot.pause(0.1)

    with running_in_thread(demo_server(latency=0)) as server:
        context = demo_context(server)
        context.steady_cursor = True
        assert snap_compare(make_app(context), terminal_size=(120, 36), run_before=open_browse)
