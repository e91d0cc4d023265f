"""What the operator meets at their keys: every key the footer and F1 advertise does something on its screen; at
80x24 the footer keeps F1 and quit and each screen's first lines say what happened; excluded IDs are told apart
from bad input; retry covers partial batches and looks the IDs up; the filter never shows nothing."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer

from tests.ui.helpers import confirm, console, run_finished, screen_ready, type_text, until
from tui_app.fake import FakeStore, FakeVias, FaultPlan
from tui_app.outcomes import Outcome
from tui_app.ui.app import ViasApp
from tui_app.ui.screens.browse import BrowseScreen
from tui_app.ui.screens.confirm import ConfirmScreen
from tui_app.ui.screens.credentials import CredentialsScreen
from tui_app.ui.screens.main import MainScreen
from tui_app.ui.screens.preview import PreviewScreen
from tui_app.ui.screens.simple import AskScreen, HelpScreen, PathScreen
from tui_app.ui.screens.target import TargetScreen
from tui_app.ui.widgets.results_pane import ResultsTable
from tui_app.ui.widgets.toggle import TextToggle

ADVERTISED = [
    ViasApp,
    MainScreen,
    ResultsTable,
    BrowseScreen,
    ConfirmScreen,
    CredentialsScreen,
    PreviewScreen,
    TargetScreen,
    AskScreen,
    PathScreen,
    HelpScreen,
    TextToggle,
]


@pytest.mark.parametrize("owner", ADVERTISED, ids=lambda cls: cls.__name__)
def test_every_binding_names_an_action_its_owner_has(owner: type[Widget]) -> None:
    """A binding runs `action_<name>` on the node that declares it (Textual's rule); a name that only exists
    elsewhere does nothing, as `c` in Results did (its action asked the app, which has no copy)."""
    for binding in owner.BINDINGS:
        assert isinstance(binding, Binding)
        name = binding.action.split("(")[0]
        assert hasattr(owner, f"action_{name}"), f"{owner.__name__}: {binding.key} -> {binding.action}"


async def test_c_in_results_copies_the_details(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await confirm(pilot, app, 3)
        await run_finished(pilot, app)
        app.main.results_pane.table.focus()
        await pilot.press("c")
        await until(pilot, lambda: ids[0] in (app.clipboard or ""), what="the details copied")
        assert "Outcome" in app.clipboard


def _visible_keys(app: ViasApp) -> list[str]:
    footer = app.screen.query_one(Footer)
    return [
        key.key
        for key in footer.query("FooterKey")
        if key.region.right <= app.size.width and key.region.width > 0  # drawn whole, not cut at the edge
    ]


async def test_at_80x24_the_footer_keeps_help_and_quit(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "f1" in _visible_keys(app), what="the footer")
        assert {"f1", "ctrl+q", "ctrl+d"} <= set(_visible_keys(app))
        await confirm(pilot, app, 3)
        await run_finished(pilot, app)
        await pilot.pause()
        assert {"f1", "ctrl+q", "ctrl+r", "ctrl+e"} <= set(_visible_keys(app))  # after a run, the most
        await pilot.press("f5")
        await screen_ready(pilot, BrowseScreen)
        await pilot.pause()
        assert {"f1", "ctrl+q", "ctrl+d", "escape"} <= set(_visible_keys(app))


async def test_at_80x24_the_rejected_credentials_screen_opens_on_its_reason(store: FakeStore) -> None:
    ids = list(store.tasks)[:6]
    async with FakeVias(store, FaultPlan(auth_fail_after=2)) as server:
        app = console(server, "\n".join(ids), concurrency=2)
        async with app.run_test(size=(80, 24)) as pilot:
            await confirm(pilot, app, 6)
            screen = await screen_ready(pilot, CredentialsScreen)
            await pilot.pause()
            reason = screen.query_one("#cred-reason")
            assert reason.region.y >= 1 and reason.region.bottom <= 12  # among the first lines, not scrolled away
            assert screen.focused is screen.query_one("#cred-token")  # and the field to fix it is ready


async def test_at_80x24_browse_shows_the_names(fake: FakeVias, store: FakeStore) -> None:
    app = console(fake, "")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: not app.checking)
        await pilot.press("f5")
        browse = await screen_ready(pilot, BrowseScreen)
        await until(pilot, lambda: len(browse.tasks) > 0)
        await pilot.pause()
        name = store.tasks[browse.tasks[0].id].name
        line = browse.table.render_line(1).text
        assert name[:20] in line, line


async def test_an_excluded_id_is_explained_as_left_out_not_as_bad_input(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    missing = "0123456789abcdef0123456789abcdef"
    app = console(fake, "\n".join([*ids, missing, "bad/line"]))
    async with app.run_test(size=(110, 36)) as pilot:
        await confirm(pilot, app, 3)  # the not-found one is excluded by default
        await run_finished(pilot, app)
        main = app.main
        row = main.results.rows[f"skipped:{3}"]
        assert row.record is not None and row.record.excluded and row.record.text == missing
        main.results_pane.table.move_cursor(3)
        details = main.results_pane.query_one("#details-text")
        await until(pilot, lambda: "left out by choice" in str(details.render()), what="the details")
        assert "not a plain ID" not in str(details.render())
        main.results_pane.table.move_cursor(4)
        await until(pilot, lambda: "not a plain ID" in str(details.render()), what="the bad line's details")


async def test_retry_covers_partial_batches_and_looks_them_up(store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    store.tasks[ids[0]].fail_jobs = 1
    async with FakeVias(store) as server:
        app = console(server, "\n".join(ids))
        async with app.run_test(size=(110, 36)) as pilot:
            await confirm(pilot, app, 3)
            await run_finished(pilot, app)
            assert app.main.results.rows[ids[0]].record.outcome is Outcome.PARTIAL  # type: ignore[union-attr]
            await pilot.press("ctrl+r")
            screen = await screen_ready(pilot, ConfirmScreen)
            assert screen.resolution is not None  # looked up, not "not looked up"
            assert "found in this project" in str(screen.query_one("#confirm-body").render())
            await type_text(pilot, "1")
            await pilot.press("enter")
            await run_finished(pilot, app)
        assert len(server.deletes_seen(ids[0])) == 2


async def test_the_outcome_filter_skips_outcomes_nobody_has(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:4]
    app = console(fake, "\n".join([*ids, "bad/line"]))
    async with app.run_test(size=(110, 36)) as pilot:
        await confirm(pilot, app, 4)
        await run_finished(pilot, app)
        pane = app.main.results_pane
        pane.table.focus()
        seen = []
        for _ in range(5):
            await pilot.press("f")
            seen.append(pane.filter)
            assert pane.rows_shown(), f"the filter {pane.filter} shows nothing"
        assert seen == ["problems", "deleted", "skipped", "all", "problems"]  # never failed, partial, ...
