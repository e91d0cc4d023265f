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

from tui_app.i18n import N_, _
from tui_app.ids import escaped
from tui_app.locate import Search, Where, locate_elsewhere, why
from tui_app.ui.styles import emphasis
from tui_app.ui.widgets.rows_table import Column, RowsTable

COLUMNS = [Column("ID", "id", 32), Column(N_("Where"), "where", None)]


class LocateScreen(ModalScreen[None]):
    CSS_PATH = "locate.tcss"
    AUTO_FOCUS = "#locate-table"
    BINDINGS = [
        Binding("escape", "stop_or_close", _("Stop / close"), id="locate_close"),
        Binding("c", "copy_commands", _("Copy commands"), id="locate_copy"),
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
            title = _("Locate {count:,} ID(s) in the other projects your credentials can see (read-only)")
            yield Static(title.format(count=len(self.ids)), id="locate-title")
            yield Static(_("Asking IAM for your projects…"), id="locate-status")
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
        commands = search.offered(self.where) if self.finished else []
        text = Text()
        if commands:
            text.append(
                _("To delete them where they are (c copies; each previews and asks again):") + "\n", style="bold"
            )
            text.append("\n".join(commands))
        self.query_one("#locate-commands", Static).update(text)

    def _where(self, task_id: str) -> str:
        if not self.finished and task_id not in self.search.found:
            return _("looking…") if not self._stop else _("stopping…")
        return self.search.where(task_id)

    def _status(self) -> Text:
        search, mono = self.search, self.app.no_color
        if search.error is not None:
            failed = _("IAM did not list your projects: {why}").format(why=why(search.error))
            return Text(failed, style=emphasis("bold red", mono))
        if not self.finished:
            return Text(self._progress_line())
        found, total = len(search.found), len(search.ids)
        text = Text(
            _("{found:,} of {total:,} found in {searched:,} project(s) searched").format(
                found=found, total=total, searched=len(search.searched)
            )
        )
        warn = emphasis("yellow", mono)
        if search.stopped:
            text.append(" · " + _("stopped"), style=warn)
        for project, error in search.failed[:3]:
            text.append(f"\n⚠ {project.name}: {why(error)}", style=warn)
        if len(search.failed) > 3:
            more = _("and {count} more project(s) could not be searched").format(count=len(search.failed) - 3)
            text.append("\n⚠ " + more, style="yellow")
        if search.partly:
            names = _(", ").join(p.name for p in search.partly[:3])
            text.append("\n⚠ " + _("only the first pages of {names} were read").format(names=names), style=warn)
        if search.no_endpoint:
            names = _(", ").join(p.name for p in search.no_endpoint[:3])
            text.append("\n⚠ " + _("no VIAS endpoint known for {names}").format(names=names), style=warn)
        return text

    def _progress_line(self) -> str:
        search = self.search
        values = {
            "found": len(search.found),
            "total": len(search.ids),
            "project": search.current.name if search.current is not None else "",
            "step": search.done + 1,
            "steps": len(search.projects),
        }
        if search.current is None:
            if search.projects:
                return _("starting ({step} of {steps}): {found:,} of {total:,} found · Esc stops").format(**values)
            return _("starting: {found:,} of {total:,} found · Esc stops").format(**values)
        if search.projects:
            return _("searching {project} ({step} of {steps}): {found:,} of {total:,} found · Esc stops").format(
                **values
            )
        return _("searching {project}: {found:,} of {total:,} found · Esc stops").format(**values)

    def action_stop_or_close(self) -> None:
        if self.finished or self._stop:
            self.dismiss(None)  # a second Escape closes without waiting for the page in flight
            return
        self._stop = True
        self._show()

    def action_copy_commands(self) -> None:
        commands = self.search.offered(self.where) if self.finished else []
        if not commands:
            self.notify(_("Nothing to copy: no ID was found elsewhere (yet)."), timeout=3)
            return
        text = "\n".join(commands) + "\n"
        self.app.copy_to_clipboard(text)
        self.notify(_("Copied {count} command line(s) via OSC 52.").format(count=len(commands)), timeout=3)
