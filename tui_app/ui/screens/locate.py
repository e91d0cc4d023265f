"""Locate: where are the IDs this project does not have? The other projects the credentials can see (from IAM)
are searched one after another, with progress; Escape stops the search (and closes once it has stopped). Read-only:
nothing is deleted from here. What is found comes with one command line per project, which `c` copies; that
command previews and asks for its own confirmation there."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui_app.ids import escaped
from tui_app.locate import Search, Where, locate_elsewhere, why
from tui_app.ui.styles import emphasis
from tui_app.ui.widgets.rows_table import Column, RowsTable

COLUMNS = [Column("ID", "id", 32), Column("Where", "where", None)]


class LocateScreen(ModalScreen[None]):
    CSS_PATH = "locate.tcss"
    AUTO_FOCUS = "#locate-table"
    BINDINGS = [
        Binding("escape", "stop_or_close", "Stop / close", id="locate_close"),
        Binding("c", "copy_commands", "Copy commands", id="locate_copy"),
    ]

    def __init__(self, ids: list[str], where: Where) -> None:
        super().__init__()
        self.ids = ids
        self.where = where
        self.search = Search(list(ids))
        self.finished = False
        self._stop = False

    def compose(self) -> ComposeResult:
        with Vertical(id="locate-box"):
            yield Static(
                f"Locate {len(self.ids):,} ID(s) in the other projects your credentials can see (read-only)",
                id="locate-title",
            )
            yield Static("Asking IAM for your projects…", id="locate-status")
            yield RowsTable(COLUMNS, id="locate-table")
            yield Static("", id="locate-commands")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._show()
        self._run()

    @work(exclusive=True, group="locate", exit_on_error=False)
    async def _run(self) -> None:
        search = await locate_elsewhere(
            self.where, self.ids, on_progress=self._progress, should_stop=lambda: self._stop
        )
        self.search = search
        self.finished = True
        self._show()

    def _progress(self, search: Search) -> None:
        self.search = search
        self._show()

    def _show(self) -> None:
        search = self.search
        table = self.query_one(RowsTable)
        table.set_rows(len(search.ids), lambda i: [search.ids[i], escaped(self._where(search.ids[i]))])
        self.query_one("#locate-status", Static).update(self._status())
        commands = search.commands(self.where.endpoint_for) if self.finished else []
        text = Text()
        if commands:
            text.append("To delete them where they are (c copies; each previews and asks again):\n", style="bold")
            text.append("\n".join(commands))
        self.query_one("#locate-commands", Static).update(text)

    def _where(self, task_id: str) -> str:
        if not self.finished and task_id not in self.search.found:
            return "looking…" if not self._stop else "stopping…"
        return self.search.where(task_id)

    def _status(self) -> Text:
        search, mono = self.search, self.app.no_color
        if search.error is not None:
            return Text(f"IAM did not list your projects: {why(search.error)}", style=emphasis("bold red", mono))
        found, total = len(search.found), len(search.ids)
        if not self.finished:
            where = f"searching {search.current.name}" if search.current is not None else "starting"
            step = f" ({search.done + 1} of {len(search.projects)})" if search.projects else ""
            return Text(f"{where}{step}: {found:,} of {total:,} found · Esc stops")
        text = Text(f"{found:,} of {total:,} found in {len(search.searched):,} project(s) searched")
        if search.stopped:
            text.append(" · stopped", style=emphasis("yellow", mono))
        for project, error in search.failed[:3]:
            text.append(f"\n⚠ {project.name}: {why(error)}", style=emphasis("yellow", mono))
        if len(search.failed) > 3:
            text.append(f"\n⚠ and {len(search.failed) - 3} more project(s) could not be searched", style="yellow")
        if search.partly:
            names = ", ".join(p.name for p in search.partly[:3])
            text.append(f"\n⚠ only the first pages of {names} were read", style=emphasis("yellow", mono))
        if search.no_endpoint:
            names = ", ".join(p.name for p in search.no_endpoint[:3])
            text.append(f"\n⚠ no VIAS endpoint known for {names}", style=emphasis("yellow", mono))
        return text

    def action_stop_or_close(self) -> None:
        if self.finished or self._stop:
            self.dismiss(None)  # a second Escape closes without waiting for the page in flight
            return
        self._stop = True
        self._show()

    def action_copy_commands(self) -> None:
        commands = self.search.commands(self.where.endpoint_for) if self.finished else []
        if not commands:
            self.notify("Nothing to copy: no ID was found elsewhere (yet).", timeout=3)
            return
        text = "\n".join(commands) + "\n"
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied {len(commands)} command line(s) via OSC 52.", timeout=3)
