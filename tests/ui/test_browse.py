"""Browse: paged from the API, filters, marks, the same confirmation, and a refresh after the run."""

from __future__ import annotations

import asyncio

from tests.ui.helpers import console, run_finished, screen_gone, screen_ready, type_text, until
from tui_app.fake import FakeStore, FakeVias, FaultPlan, seed_tasks
from tui_app.outcomes import Outcome
from tui_app.ui.screens.browse import BrowseScreen
from tui_app.ui.screens.confirm import ConfirmScreen


async def open_browse(pilot, app) -> BrowseScreen:
    await until(pilot, lambda: not app.checking)
    await pilot.press("f5")
    browse = await screen_ready(pilot, BrowseScreen)
    await until(pilot, lambda: len(browse.tasks) > 0)
    return browse


async def test_mark_filter_confirm_delete_and_refresh(store: FakeStore) -> None:
    async with FakeVias(store) as server:
        app = console(server, "")
        async with app.run_test(size=(120, 36)) as pilot:
            browse = await open_browse(pilot, app)
            assert browse.count == 40 and len(browse.tasks) == 40
            marked = [browse.tasks[i].id for i in (0, 1, 2)]
            partial_id = marked[1]
            store.tasks[partial_id].fail_jobs = 1
            for _ in range(3):
                await pilot.press("space")
            assert list(browse.marked) == marked
            # hide one marked row with the quick filter
            browse.query_one("#browse-quick").value = store.tasks[marked[0]].id[:10]
            await until(pilot, lambda: browse.hidden_marked() == 2)
            assert "2 hidden by the filter" in str(browse.query_one("#browse-status").render())
            browse.table.focus()
            await pilot.press("ctrl+d")
            confirm = await screen_ready(pilot, ConfirmScreen)
            body = str(confirm.query_one("#confirm-body").render())
            assert "2 of these are marked in Browse but hidden by its current filter" in body
            assert "3 of 3 found" in body
            await type_text(pilot, "3")
            await pilot.press("enter")
            await run_finished(pilot, app)
            counts = app.main.results.counts()
            assert counts[Outcome.DELETED] == 2 and counts[Outcome.PARTIAL] == 1
            assert app.main.results.rows[marked[0]].record.name  # what it was, shown in the details pane
            browse = await open_browse(pilot, app)  # a fresh list: deleted ones gone, partial shows what remains
            ids = [task.id for task in browse.tasks]
            assert marked[0] not in ids and marked[2] not in ids and partial_id in ids
            remaining = next(task for task in browse.tasks if task.id == partial_id)
            assert remaining.status_info == {"failed": 1}


async def test_api_filters_sort_and_range_marks(store: FakeStore) -> None:
    async with FakeVias(store) as server:
        app = console(server, "")
        async with app.run_test(size=(120, 36)) as pilot:
            browse = await open_browse(pilot, app)
            browse.query_one("#browse-state").value = "running"
            await until(
                pilot,
                lambda: (
                    browse.tasks
                    and all(t.running for t in browse.tasks)
                    and browse.count == sum(1 for t in store.tasks.values() if t.status_info.get("running"))
                ),
            )
            name = next(iter(store.tasks.values())).name.split("-")[0]
            browse.query_one("#browse-state").clear()
            browse.query_one("#browse-name").value = name
            browse.query_one("#browse-name").focus()
            await pilot.press("enter")
            await until(pilot, lambda: browse.tasks and all(name in t.name for t in browse.tasks))
            await pilot.press("o", "o")  # oldest first, then most jobs first
            await until(pilot, lambda: browse.tasks and not browse.fetching)
            jobs = [t.num_task for t in browse.tasks]
            assert jobs == sorted(jobs, reverse=True)
            await pilot.press("space", "down", "down", "m")  # mark row 0, then the range 0..3
            assert len(browse.marked) == min(4, len(browse.tasks))
            await pilot.press("u", "a")
            assert len(browse.marked) == len(browse.tasks)
            await pilot.press("escape")
            await screen_gone(pilot, BrowseScreen)
        assert server.deletes_seen() == []


async def test_listing_failure_in_browse_is_shown(store: FakeStore) -> None:
    async with FakeVias(store, FaultPlan(list_fault="500")) as server:
        app = console(server, "")
        async with app.run_test(size=(120, 36)) as pilot:
            await until(pilot, lambda: not app.checking)
            await pilot.press("f5")
            browse = await screen_ready(pilot, BrowseScreen)
            await until(pilot, lambda: browse.error is not None)
            assert "could not list" in str(browse.query_one("#browse-status").render())
            await pilot.press("ctrl+d")  # nothing marked: says so, sends nothing
            assert isinstance(app.screen, BrowseScreen)


async def test_large_project_loads_pages_as_you_scroll_and_stays_responsive() -> None:
    store = FakeStore()
    seed_tasks(store, 10_000, special=False)
    async with FakeVias(store, FaultPlan(latency=0.3)) as server:
        app = console(server, "")
        async with app.run_test(size=(120, 36)) as pilot:
            browse = await open_browse(pilot, app)
            assert browse.count == 10_000 and len(browse.tasks) == 200
            table = browse.table
            await pilot.press("end")  # near the end of what is loaded: the next page starts loading
            await until(pilot, lambda: browse.fetching)
            # while the page is in flight (0.3 s), keys still move the cursor at once
            moved = []
            loop = asyncio.get_running_loop()
            for _ in range(5):
                before = table.cursor_row
                pressed = loop.time()
                app.simulate_key("up")
                await until(pilot, lambda row=before: table.cursor_row != row, timeout=2)
                moved.append(loop.time() - pressed)
            assert browse.fetching and max(moved) < 0.2
            await until(pilot, lambda: len(browse.tasks) == 400)
            await pilot.press("end")
            await until(pilot, lambda: len(browse.tasks) == 600)
            gets = [r for r in server.requests if r.method == "GET"]
            assert len(gets) == 3  # pages load on demand, not all 50 up front
