"""Browse the project's batch tasks (paged from the API as you scroll), filter, mark, and delete the marked.

Filters the API supports (state; name or service name contains) reload from the first page; the quick
filter narrows the rows already loaded. Marks survive filtering; the confirmation says how many marked
rows the current filter hides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, Select, Static

from tui_app.domain.errors import ApiError
from tui_app.domain.models import JOB_STATES, BatchTask, job_state_label
from tui_app.i18n import N_, _
from tui_app.ids import shown
from tui_app.resolve import PAGE_SIZE, created_text
from tui_app.ui.styles import emphasis
from tui_app.ui.widgets.rows_table import Column, RowsTable
from tui_app.vias.client import ListFilters, ViasClient

LOAD_AHEAD = 40  # start loading the next page when the cursor is this close to the last loaded row
SORTS = (  # the API's sort and order, and the words for the status line (translated there)
    ("created_at", "desc", N_("newest first")),
    ("created_at", "asc", N_("oldest first")),
    ("task_count", "desc", N_("most jobs first")),
    ("task_count", "asc", N_("fewest jobs first")),
)
# ID, State and Name first: at 80 columns they are what shows (the name whole up to 22 characters); the rest
# scrolls in with Right.
COLUMNS = [
    Column("", "mark", 3),
    Column("ID", "id", 32),
    Column(N_("State"), "state", 18),
    Column(N_("Name"), "name", 22, grow_to=40),
    Column(N_("Jobs"), "jobs", 4),
    Column(N_("Algorithm"), "alg", 18),
    Column(N_("Created (UTC)"), "created", None),
]


@dataclass
class BrowseChoice:
    tasks: list[BatchTask]  # marked, in the order they were marked
    hidden: int  # marked but not shown by the current filters
    total: int | None


class BrowseScreen(Screen[BrowseChoice | None]):
    BINDINGS = [
        Binding("escape", "close", _("Back"), id="browse_close"),
        Binding("space", "toggle_mark", _("Mark"), id="browse_mark"),
        # The rest are on F1 (and the status line): at 80 columns the footer keeps room for F1 and quit.
        Binding("m", "mark_range", _("Mark range"), id="browse_mark_range", show=False),
        Binding("a", "mark_all_shown", _("Mark all shown"), id="browse_mark_all", show=False),
        Binding("u", "unmark_all", _("Unmark all"), id="browse_unmark", show=False),
        Binding("o", "cycle_sort", _("Sort"), id="browse_sort", show=False),
        Binding("r", "refresh", _("Refresh"), id="browse_refresh", show=False),
        Binding("l", "load_all", _("Load all"), id="browse_load_all", show=False),
        Binding("slash", "focus_quick", _("Filter"), id="browse_quick"),
        Binding("ctrl+d", "delete_marked", _("Delete marked…"), id="browse_delete", priority=True),
    ]
    CSS_PATH = "browse.tcss"

    def __init__(self, open_client: Callable[[], ViasClient]) -> None:
        super().__init__()
        self.open_client = open_client
        self.client: ViasClient | None = None
        self.tasks: list[BatchTask] = []
        self.count: int | None = None
        self.next_page = 1
        self.fetching = False
        self.error: ApiError | None = None
        self.marked: dict[str, BatchTask] = {}
        self.view: list[int] = []
        self.sort = 0
        self.mark_anchor: int | None = None
        self._generation = 0  # bumped on reload: a page for older filters is dropped
        self._loaded_filters: ListFilters | None = None

    def compose(self) -> ComposeResult:
        states = [(job_state_label(state), state) for state in JOB_STATES]
        with Horizontal(id="browse-filters"):
            yield Select(states, prompt=_("any state"), id="browse-state")
            yield Select(
                [(_("name contains"), "batch_task_name"), (_("service contains"), "publish_service_name")],
                value="batch_task_name",
                allow_blank=False,
                id="browse-search-in",
            )
            yield Input(placeholder=_("text (Enter to search the project)"), id="browse-name")
            yield Input(placeholder=_("quick filter: loaded rows ( / )"), id="browse-quick")
        yield Static(id="browse-status")
        yield RowsTable(COLUMNS, id="browse-table")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def table(self) -> RowsTable:
        return self.query_one("#browse-table", RowsTable)

    @property
    def more(self) -> bool:
        return self.count is None or len(self.tasks) < self.count

    def on_mount(self) -> None:
        self.client = self.open_client()
        self.table.focus()
        self.action_refresh()

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    # --- loading --------------------------------------------------------------------------------------

    def _filters(self) -> ListFilters:
        state = self.query_one("#browse-state", Select).value
        text = self.query_one("#browse-name", Input).value.strip()
        search_in = self.query_one("#browse-search-in", Select).value
        sort_name, order_by, _words = SORTS[self.sort]
        return ListFilters(
            task_state=state if isinstance(state, str) else None,
            type_like=str(search_in) if text else None,
            name_like=text or None,
            sort_name=sort_name,
            order_by=order_by,
        )

    def action_refresh(self) -> None:
        self._loaded_filters = self._filters()
        self._generation += 1
        self.tasks, self.count, self.next_page, self.error, self.fetching = [], None, 1, None, False
        self._recompute()
        self._load_next()

    @work(group="browse-load", exit_on_error=False)
    async def _load_next(self) -> None:
        if self.fetching or not self.more or self.client is None:
            return
        self.fetching = True
        generation = self._generation
        self._render_status()
        page = await self.client.list_batch_tasks(self.next_page, PAGE_SIZE, self._filters())
        if generation != self._generation:
            return  # the filters changed while this page was in flight
        self.fetching = False
        if isinstance(page, ApiError):
            self.error = page
        else:
            self.tasks.extend(page.tasks)
            self.count = page.count if page.tasks else len(self.tasks)
            self.next_page += 1
        self._recompute()

    @work(group="browse-load-all", exclusive=True, exit_on_error=False)
    async def action_load_all(self) -> None:
        for _page in range(10_000):  # bounded by the API's page limit
            if not self.more or self.error is not None:
                return
            if not self.fetching:
                await self._load_next().wait()
            else:
                await asyncio.sleep(0.05)

    # --- view ----------------------------------------------------------------------------------------

    def _recompute(self) -> None:
        quick = self.query_one("#browse-quick", Input).value.strip().lower()
        tasks = self.tasks
        if quick:
            self.view = [
                i
                for i, t in enumerate(tasks)
                if quick in t.id
                or quick in t.name.lower()
                or quick in t.alg_name.lower()
                or quick in t.video_group_name.lower()
            ]
        else:
            self.view = list(range(len(tasks)))
        view = self.view
        self.table.set_rows(len(view), lambda i: self._cells(tasks[view[i]]))
        self._render_status()

    def _cells(self, task: BatchTask) -> list[Text | str]:
        mono = self.app.no_color
        mark = Text("[x]", style=emphasis("bold green", mono)) if task.id in self.marked else Text("[ ]")
        state = Text(task.state_summary(), style=emphasis("bold yellow", mono) if task.running else "")
        return [mark, task.id, state, shown(task.name), str(task.num_task), task.alg_name, created_text(task)]

    def hidden_marked(self) -> int:
        shown_ids = {self.tasks[i].id for i in self.view}
        return sum(1 for task_id in self.marked if task_id not in shown_ids)

    def _render_status(self) -> None:
        text = Text()
        total = f"{self.count:,}" if self.count is not None else "?"
        text.append(_("{loaded:,} of {total} loaded").format(loaded=len(self.tasks), total=total), style="bold")
        if len(self.view) != len(self.tasks):
            text.append(" · " + _("{count:,} match the quick filter").format(count=len(self.view)))
        text.append(" · " + _("sort: {order} (o)").format(order=_(SORTS[self.sort][2])))
        if self.marked:
            text.append(" · " + _("{count:,} marked").format(count=len(self.marked)), style="bold green")
            hidden = self.hidden_marked()
            if hidden:
                text.append(" " + _("({count:,} hidden by the filter)").format(count=hidden), style="bold yellow")
        if self.fetching:
            text.append(" · " + _("loading…"), style="italic")
        if self.error is not None:
            text.append(
                " · " + _("could not list: {error} (r to retry)").format(error=self.error.one_line()),
                style="bold red",
            )
        self.query_one("#browse-status", Static).update(text)

    @on(RowsTable.Highlighted, "#browse-table")
    def _near_end(self, event: RowsTable.Highlighted) -> None:
        if event.row >= len(self.view) - LOAD_AHEAD and self.more and not self.fetching and self.error is None:
            self._load_next()

    @on(Select.Changed)
    def _api_filter_changed(self) -> None:
        # Select also reports its initial value on mount: reload only for a real change
        if self.client is not None and self._filters() != self._loaded_filters:
            self.action_refresh()

    @on(Input.Submitted, "#browse-name")
    def _name_submitted(self) -> None:
        self.action_refresh()
        self.table.focus()

    @on(Input.Changed, "#browse-quick")
    def _quick_changed(self) -> None:
        if self.client is not None:  # set in on_mount: ignore changes reported while mounting
            self._recompute()

    @on(Input.Submitted, "#browse-quick")
    def _quick_done(self) -> None:
        self.table.focus()

    # --- marking and actions -----------------------------------------------------------------------

    def _task_at(self, row: int) -> BatchTask | None:
        return self.tasks[self.view[row]] if 0 <= row < len(self.view) else None

    def action_toggle_mark(self) -> None:
        row = self.table.cursor_row
        task = self._task_at(row)
        if task is None:
            return
        if self.marked.pop(task.id, None) is None:
            self.marked[task.id] = task
        self.mark_anchor = row
        self.table.refresh_rows([row])
        self.table.move_cursor(row + 1)
        self._render_status()

    def action_mark_range(self) -> None:
        if self.mark_anchor is None:
            self.notify(_("Mark a row with space first; m then marks everything from it to the cursor."))
            return
        low, high = sorted((self.mark_anchor, self.table.cursor_row))
        for row in range(low, high + 1):
            task = self._task_at(row)
            if task is not None:
                self.marked[task.id] = task
        self.table.refresh()
        self._render_status()

    def action_mark_all_shown(self) -> None:
        for index in self.view:
            self.marked[self.tasks[index].id] = self.tasks[index]
        self.table.refresh()
        self._render_status()
        if self.more:
            self.notify(
                _("Marked the {count:,} loaded rows shown; more match but are not loaded yet (l loads all).").format(
                    count=len(self.view)
                ),
                severity="warning",
            )

    def action_unmark_all(self) -> None:
        self.marked.clear()
        self.table.refresh()
        self._render_status()

    def action_cycle_sort(self) -> None:
        self.sort = (self.sort + 1) % len(SORTS)
        self.action_refresh()

    def action_focus_quick(self) -> None:
        self.query_one("#browse-quick", Input).focus()

    def action_delete_marked(self) -> None:
        if not self.marked:
            self.notify(_("Nothing marked: space marks the row under the cursor."))
            return
        self.dismiss(BrowseChoice(list(self.marked.values()), self.hidden_marked(), self.count))

    def action_close(self) -> None:
        self.dismiss(None)
