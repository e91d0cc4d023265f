"""Locate in the console: from the confirmation (ctrl+l, for what the preview did not find) and after a run, it
finds IDs in the other projects and regions, shows progress, stops on Escape, copies the commands, and never
deletes anything."""

from __future__ import annotations

from tests.ui.helpers import console, paste, screen_gone, screen_ready, until
from tui_app.demo import ELSEWHERE, demo_paste, demo_server
from tui_app.fake import FakeStore, FakeVias, FaultPlan, seed_projects
from tui_app.fake.routes import RequestKind
from tui_app.ui.screens.confirm import ConfirmScreen
from tui_app.ui.screens.locate import LocateScreen
from tui_app.ui.widgets.rows_table import RowsTable


def _cells(screen: LocateScreen) -> dict[str, str]:
    table = screen.query_one(RowsTable)
    return {str(cells[0]): str(cells[1]) for cells in (table.row_cells(i) for i in range(table.row_count))}


async def test_ctrl_l_in_the_confirmation_finds_the_unknown_id_elsewhere_and_deletes_nothing() -> None:
    server = demo_server(latency=0.0)
    async with FakeVias(server.store, FaultPlan()) as fake:
        app = console(fake, demo_paste(fake))  # its "unknown" ID is in cn-east-3
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+d")
            await screen_ready(pilot, ConfirmScreen)
            await pilot.press("ctrl+l")
            screen = await screen_ready(pilot, LocateScreen)
            await until(pilot, lambda: screen.finished, what="the search ended")
            where = _cells(screen)
            assert where[ELSEWHERE].startswith("found in cn-east-3 (project ")
            assert "ticket OPS-4821 leftovers" in where[ELSEWHERE]
            commands = str(screen.query_one("#locate-commands").render())
            assert "vias-tui delete --endpoint" in commands and ELSEWHERE in commands
            copied: list[str] = []
            app.copy_to_clipboard = copied.append  # type: ignore[method-assign]  # no OSC 52 in a headless test
            await pilot.press("c")
            assert len(copied) == 1 and ELSEWHERE in copied[0]
            await pilot.press("escape")
            await screen_gone(pilot, LocateScreen)
        kinds = {r.kind for r in fake.requests}
        assert RequestKind.IAM_AUTH_PROJECTS in kinds
        assert RequestKind.BATCH_DELETE not in kinds and RequestKind.BATCH_STOP not in kinds


async def test_escape_stops_the_search_and_a_second_escape_closes(store: FakeStore) -> None:
    seed_projects(store, [("cn-east-3", 3), ("cn-south-1", 3), ("ap-southeast-1", 3)], special=False)
    async with FakeVias(store, FaultPlan(latency=0.3)) as fake:  # each page takes a while
        app = console(fake, "f" * 32 + "\n")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.main.ids_pane.up_to_date, what="parsed")
            app.main.not_found = ["f" * 32]
            await pilot.press("ctrl+l")
            screen = await screen_ready(pilot, LocateScreen)
            await until(pilot, lambda: screen.search.current is not None, what="searching")
            await pilot.press("escape")
            await until(pilot, lambda: screen.finished, timeout=10, what="the search stopped")
            assert screen.search.stopped and len(screen.search.searched) < 3
            assert "the search was stopped" in _cells(screen)["f" * 32]
            await pilot.press("escape")
            await screen_gone(pilot, LocateScreen)


async def test_ctrl_l_with_nothing_not_found_says_so(fake: FakeVias) -> None:
    app = console(fake)
    said: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await paste(pilot, app, "\n".join(list(fake.store.tasks)[:2]))
        app.main.notify = lambda message, **kwargs: said.append(str(message))  # type: ignore[method-assign]
        await pilot.press("ctrl+l")
        await until(pilot, lambda: bool(said), what="a notice")
        assert not isinstance(app.screen, LocateScreen) and "Nothing to locate" in said[0]


def test_the_commands_name_the_operators_profile_but_not_the_demos(fake: FakeVias) -> None:
    from tui_app.credentials import Credentials, CredentialSource
    from tui_app.fake import DEMO_AK, DEMO_SK
    from tui_app.secret import Secret
    from tui_app.vias.auth import AccessKeys

    keys = Credentials(CredentialSource.SESSION, keys=AccessKeys(DEMO_AK, Secret(DEMO_SK)))
    context = console(fake).context
    demo_where = context.locate_where(keys)
    context.demo, context.profile = False, "ops"
    where = context.locate_where(keys)
    assert not isinstance(where, str) and not isinstance(demo_where, str)
    assert demo_where.profile is None and where.profile == "ops"
