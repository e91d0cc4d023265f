"""One row per ID with its outcome (a word and a colour), and everything known about the selected row."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from tui_app.domain.models import job_state_label
from tui_app.i18n import N_, _
from tui_app.ids import cells, padded
from tui_app.outcomes import GONE, JobRecord, Outcome, OutcomeRecord
from tui_app.ui.details import OUTCOME_LABEL, details_lines, details_text
from tui_app.ui.results_model import FILTERS, SORTS, BatchResults, ResultRow, word
from tui_app.ui.styles import outcome_style
from tui_app.ui.widgets.rows_table import Column, RowsTable

COLUMNS = [
    Column("ID", "id", 32),
    Column(N_("Outcome"), "outcome", 9),
    Column(N_("Tries"), "tries", 5),
    Column("HTTP", "http", 4),
    Column(N_("Code"), "code", 13),
    Column(N_("Detail"), "detail", None),
]
SELECT_A_ROW = N_("Select a row to see everything known about it.")
REBUILD_INTERVAL = 0.5  # a filtered or sorted view is recomputed at most this often while outcomes stream in


class ResultsTable(RowsTable):
    BINDINGS = [
        # Not in the footer (the line above the table names them): at 80 columns it keeps room for F1 and ctrl+x.
        Binding("f", "cycle_filter", _("Filter"), id="results_filter", show=False),
        Binding("s", "cycle_sort", _("Sort"), id="results_sort", show=False),
        Binding("c", "copy_details", _("Copy details"), id="results_copy", show=False),
    ]

    class FilterRequested(Message):
        pass

    class SortRequested(Message):
        pass

    class CopyRequested(Message):
        pass

    def action_cycle_filter(self) -> None:
        self.post_message(self.FilterRequested())

    def action_cycle_sort(self) -> None:
        self.post_message(self.SortRequested())

    def action_copy_details(self) -> None:
        self.post_message(self.CopyRequested())


class ResultsPane(Vertical):
    DEFAULT_CSS = """
    ResultsPane { height: 1fr; }
    ResultsPane #results-bar { height: 1; padding: 0 1; color: $text-muted; }
    ResultsPane #results-table { height: 2fr; min-height: 5; }
    ResultsPane #details { height: 1fr; min-height: 5; max-height: 16; border-top: solid $primary; padding: 0 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.results = BatchResults()
        self.filter = "all"
        self.sort = "input"
        self._view: Sequence[int] = range(0)  # positions in self.results
        self._layout: list[tuple[int, int]] | None = None  # with child rows: (position, job index or -1) per row
        self._last_rebuild = 0.0
        self.exported: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="results-bar")
        yield ResultsTable(COLUMNS, id="results-table")
        with VerticalScroll(id="details"):
            yield Static(_(SELECT_A_ROW), id="details-text")

    def on_mount(self) -> None:
        self._render_bar()

    @property
    def table(self) -> ResultsTable:
        return self.query_one("#results-table", ResultsTable)

    def rows_shown(self) -> list[ResultRow]:
        return [self._row(index) for index in range(self._count())]

    def _count(self) -> int:
        return len(self._view) if self._layout is None else len(self._layout)

    def _row(self, index: int) -> ResultRow:
        """The table's `index`th row: a batch (or skipped entry), or one of a batch's leftover jobs."""
        if self._layout is None:
            return self.results.row(self._view[index])
        position, job = self._layout[index]
        row = self.results.row(position)
        return row if job < 0 else row.child(job)

    def show(self, results: BatchResults, *, fresh: bool = False) -> None:
        """Show a batch; `fresh` (a new batch) also drops the filter and sort of the previous one."""
        selected = None if fresh else self.selected_key()  # read through the old view, before it is replaced
        if fresh:
            self.filter, self.sort, self.exported = "all", "input", None
        self.results = results
        self._view, self._layout = range(0), None
        self.rebuild(selected)

    def rebuild(self, selected: str | None = None) -> None:
        selected = selected if selected is not None else self.selected_key()
        self._view = self.results.view(self.filter, self.sort)
        self._last_rebuild = time.monotonic()
        view, results = self._view, self.results
        self._layout = self._children(view) if results.has_jobs else None
        count = len(view) if self._layout is None else len(self._layout)
        mono = self.app.no_color
        self.table.set_rows(count, lambda index: _cells(self._row(index), mono))  # read when drawn
        if selected is not None:
            index = self._index_of(selected)
            if index is not None:
                self.table.move_cursor(index)
        self._render_bar()
        self._render_details()

    def _children(self, view: Sequence[int]) -> list[tuple[int, int]]:
        layout: list[tuple[int, int]] = []
        for position in view:
            layout.append((position, -1))
            record = self.results.row(position).record
            if record is not None:
                layout.extend((position, index) for index in range(len(record.jobs)))
        return layout

    def _index_of(self, key: str) -> int | None:
        if self._layout is not None:
            return next((i for i in range(len(self._layout)) if self._row(i).key == key), None)
        position = self.results.position(key)
        if position is None:
            return None
        view = self._view
        return position if isinstance(view, range) else next((i for i, p in enumerate(view) if p == position), None)

    def update_rows(self, rows: list[ResultRow]) -> None:
        """New outcomes: cells are read when drawn, so a repaint is enough unless the view must change."""
        if self.filter != "all" or self.sort != "input" or self.results.has_jobs:
            if time.monotonic() - self._last_rebuild >= REBUILD_INTERVAL:
                self.rebuild()
            return
        self.table.refresh_rows([row.position for row in rows])  # input order: position == table row
        selected = self.selected_key()
        if any(row.key == selected for row in rows):
            self._render_details()
        self._render_bar()

    def selected_key(self) -> str | None:
        row = self.selected_row()
        return row.key if row is not None else None

    def selected_row(self) -> ResultRow | None:
        index = self.table.cursor_row
        return self._row(index) if 0 <= index < self._count() else None

    @on(ResultsTable.FilterRequested)
    def next_filter(self) -> None:
        """The next filter that shows something ("all" always does): never "showing 0 of 28"."""
        counts = self.results.counts()
        useful = [
            f for f in FILTERS if f == "all" or (self.results.pending() < len(self.results) and _shows(f, counts))
        ]
        at = useful.index(self.filter) if self.filter in useful else 0
        self.filter = useful[(at + 1) % len(useful)]
        self.rebuild()

    @on(ResultsTable.CopyRequested)
    def copy_details(self) -> None:
        """The selected row's details to the operator's clipboard (OSC 52: through SSH and tmux)."""
        row = self.selected_row()
        if row is None or row.record is None:
            self.notify(_("Select a row with an outcome in Results (F3) first."), timeout=3)
            return
        text = details_text(row.record, row.job)
        self.app.copy_to_clipboard(text)
        self.notify(
            _("Copied the details of {id} ({count} characters) via OSC 52.").format(id=row.id, count=len(text)),
            timeout=3,
        )

    @on(ResultsTable.SortRequested)
    def next_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.rebuild()

    @on(RowsTable.HeaderClicked)
    def _header(self, event: RowsTable.HeaderClicked) -> None:
        by_column = {"id": "id", "outcome": "outcome", "tries": "attempts"}
        self.sort = by_column.get(event.key, "input")
        self.rebuild()

    @on(RowsTable.Highlighted)
    def _highlighted(self) -> None:
        self._render_details()

    def _render_bar(self) -> None:
        shown = len(self._view)
        total = len(self.results.rows)
        text = Text()
        # One field each, " · " between them: the filter stands out when it hides rows.
        filtered = "bold" if self.filter != "all" else ""
        text.append(_("filter: {filter} (f)").format(filter=word(self.filter)), style=filtered)
        text.append(" · " + _("sort: {sort} (s)").format(sort=word(self.sort)))
        text.append(" · " + _("showing {shown:,} of {total:,}").format(shown=shown, total=total))
        text.append(" · " + _("c: copy details"))
        if self.exported is not None:
            text.append(" · " + _("report: {path}").format(path=self.exported), style="bold")
        self.query_one("#results-bar", Static).update(text)

    def mark_exported(self, path: str) -> None:
        """Keep where the report went in view (a toast goes away; the operator needs the whole path)."""
        self.exported = path
        self._render_bar()

    def _render_details(self) -> None:
        row = self.selected_row()
        target = self.query_one("#details-text", Static)
        if row is None:
            target.update(_(SELECT_A_ROW))
            return
        if row.record is None:
            target.update(Text(_("{id}: pending, not answered yet.").format(id=row.id), style="dim"))
            return
        text = Text()
        pairs = details_lines(row.record, row.job)
        width = max(cells(label) for label, _value in pairs)
        outcome_label = _(OUTCOME_LABEL)
        for label, value in pairs:
            text.append(padded(label, width) + "  ", style="bold")
            style = outcome_style(row.outcome_word, self.app.no_color) if label == outcome_label else ""
            text.append(value + "\n", style=style)
        target.update(text)


def _shows(filter_: str, counts: dict[Outcome, int]) -> bool:
    if filter_ == "problems":
        return any(n for outcome, n in counts.items() if outcome not in GONE)
    return counts.get(Outcome(filter_), 0) > 0


def _detail(record: OutcomeRecord) -> str:
    """The table's short reason; the details pane has the rest."""
    error = record.error
    if error is not None and record.outcome is not Outcome.SKIPPED:
        text = error.message or (error.raw_body or "").strip()[:80] or error.hint() or error.one_line()
        return text.replace("\n", " ")
    return record.describe()


def _job_detail(job: JobRecord) -> str:
    if job.error or job.note:
        return _("job {name} ({state}): {what}").format(
            name=job.name, state=job_state_label(job.state), what=job.describe()
        )
    return _("job {name} ({state})").format(name=job.name, state=job_state_label(job.state))


def _cells(row: ResultRow, mono: bool) -> list[Text | str]:
    record = row.record
    name = row.outcome_word
    outcome = Text(word(name), style=outcome_style(name, mono))
    if row.job is not None:  # a leftover job, under its batch
        job = row.job
        error = job.error
        return [
            Text(f"└ {job.id}", style="italic"),
            outcome,
            str(len(job.attempts)) if job.attempts else "",
            str(error.http_status) if error and error.http_status else "",
            (error.code or "") if error else "",
            Text(_job_detail(job), no_wrap=True),
        ]
    if record is None:
        return [row.id, outcome, "", "", "", ""]
    status = record.http_status
    return [
        Text(row.id, style="dim" if name == "skipped" and not mono else ""),
        outcome,
        str(len(record.attempts)) if record.attempts else "",
        str(status) if status else ("—" if record.attempts else ""),
        record.error_code or "",
        Text(_detail(record), no_wrap=True, overflow="ellipsis"),
    ]
