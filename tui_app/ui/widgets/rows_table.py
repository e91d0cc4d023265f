"""A table that renders only the rows on screen (Textual's line API), so 100,000 rows cost nothing to add.

DataTable builds every row up front (about 13 s for 100,000 here); this reads cells from a callback at render
time. Fixed columns, the last one takes the remaining width; a fixed header line; a row cursor (reverse video
without colour); and horizontal scrolling (Left/Right) when the columns are wider than the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_app.i18n import _

CellGetter = Callable[[int], list[Text | str]]
HORIZONTAL_STEP = 8


@dataclass(frozen=True)
class Column:
    label: str  # marked with N_ where the columns are declared; translated when the header is drawn
    key: str
    width: int | None  # None: whatever is left (at least MIN_FLEX)
    grow_to: int | None = None  # on a wide screen, widen up to this before the flexible column takes the rest


MIN_FLEX = 10


class RowsTable(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"rows-table--header", "rows-table--cursor", "rows-table--odd"}
    DEFAULT_CSS = """
    RowsTable { background: $surface; }
    RowsTable > .rows-table--header { text-style: bold; background: $panel; }
    RowsTable > .rows-table--cursor { background: $block-cursor-blurred-background; }
    RowsTable:focus > .rows-table--cursor { background: $block-cursor-background; text-style: bold; }
    RowsTable > .rows-table--odd { background: $surface-lighten-1; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", _("Up"), show=False),
        Binding("down", "cursor(1)", _("Down"), show=False),
        Binding("pageup", "page(-1)", _("Page up"), show=False),
        Binding("pagedown", "page(1)", _("Page down"), show=False),
        Binding("home", "edge(0)", _("First"), show=False),
        Binding("end", "edge(1)", _("Last"), show=False),
        Binding("left", "sideways(-1)", _("Scroll left"), show=False),
        Binding("right", "sideways(1)", _("Scroll right"), show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class Highlighted(Message):
        table: RowsTable
        row: int

        @property
        def control(self) -> RowsTable:  # lets @on(..., "#some-table") select by table
            return self.table

    @dataclass
    class HeaderClicked(Message):
        table: RowsTable
        key: str

        @property
        def control(self) -> RowsTable:
            return self.table

    def __init__(self, columns: list[Column], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.columns = columns
        self._count = 0
        self._cells: CellGetter = lambda index: []

    @property
    def row_count(self) -> int:
        return self._count

    def set_rows(self, count: int, cells: CellGetter) -> None:
        """Point the table at `count` rows whose cells come from `cells(index)`, read when drawn."""
        self._count, self._cells = count, cells
        self._resize_virtual()
        if self.cursor_row >= count:
            self.cursor_row = max(0, count - 1)
        self.refresh()

    def row_cells(self, index: int) -> list[Text | str]:
        """The cells row `index` shows (read from the callback, as when drawn)."""
        return self._cells(index) if 0 <= index < self._count else []

    def refresh_rows(self, indexes: list[int]) -> None:
        """Repaint just these rows, and only those on screen (new outcomes mostly land off screen)."""
        top = int(self.scroll_offset.y)
        visible = range(top, top + max(0, self.size.height - 1))
        for index in indexes:
            if index in visible:
                self.refresh(Region(0, index - top + 1, self.size.width, 1))

    def move_cursor(self, row: int) -> None:
        self.cursor_row = max(0, min(row, self._count - 1))

    def watch_cursor_row(self, row: int) -> None:
        if not self._count:
            return
        # the row is at virtual line row + 1; keep the header line out of the way
        self.scroll_to_region(Region(int(self.scroll_offset.x), row, 1, 2), animate=False, force=True)
        self.refresh()
        self.post_message(self.Highlighted(self, row))

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(1, self.size.height - 2))

    def action_edge(self, end: int) -> None:
        self.move_cursor(self._count - 1 if end else 0)

    def action_sideways(self, direction: int) -> None:
        self.scroll_to(x=max(0, self.scroll_offset.x + direction * HORIZONTAL_STEP), animate=False)
        self.refresh()

    def on_click(self, event: Click) -> None:
        x0 = int(self.scroll_offset.x) + event.x
        if event.y == 0:
            x = 0
            for column, width in zip(self.columns, self._widths(), strict=True):
                if x <= x0 < x + width + 1:
                    self.post_message(self.HeaderClicked(self, column.key))
                    return
                x += width + 1
            return
        self.move_cursor(int(self.scroll_offset.y) + event.y - 1)

    def on_resize(self) -> None:
        self._resize_virtual()

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self._total_width(), self._count + 1)  # +1: the header line

    def _total_width(self) -> int:
        widths = self._widths()
        return sum(widths) + len(widths) - 1

    def _widths(self) -> list[int]:
        room = self.scrollable_content_region.width  # not under the vertical scrollbar
        widths = [c.width or 0 for c in self.columns]
        spare = room - (sum(widths) + len(widths) - 1) - MIN_FLEX * sum(c.width is None for c in self.columns)
        for index, column in enumerate(self.columns):
            if column.grow_to is not None and column.width is not None and spare > 0:
                extra = min(spare, column.grow_to - column.width)
                widths[index] += extra
                spare -= extra
        fixed = sum(widths) + len(widths) - 1
        flex = max(MIN_FLEX, room - fixed)
        return [width if column.width is not None else flex for column, width in zip(self.columns, widths, strict=True)]

    def _cursor_style(self) -> Style:
        style = self.get_component_rich_style("rows-table--cursor")
        if self.app.no_color:  # a grey bar is not enough without colour
            style += Style(reverse=True)
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        widths = self._widths()
        left = int(self.scroll_offset.x)
        if y == 0:
            style = self.get_component_rich_style("rows-table--header")
            strip = self._strip([Text(_(c.label)) for c in self.columns], widths, style)
        else:
            index = int(self.scroll_offset.y) + y - 1
            if index >= self._count:
                return Strip.blank(width, self.rich_style)
            if index == self.cursor_row:
                style = self._cursor_style()
            elif index % 2:
                style = self.get_component_rich_style("rows-table--odd")
            else:
                style = self.rich_style
            strip = self._strip(self._cells(index), widths, style)
        if left:
            strip = strip.crop(left, left + width)
        return strip.adjust_cell_length(width, style)

    def _strip(self, cells: list[Text | str], widths: list[int], style: Style) -> Strip:
        segments: list[Segment] = []
        console = self.app.console
        for position, (cell, cell_width) in enumerate(zip(cells, widths, strict=False)):
            text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            text.truncate(cell_width, overflow="ellipsis", pad=True)
            if position:
                segments.append(Segment(" ", style))
            base = style + console.get_style(text.style) if text.style else style  # render() skips the base
            for segment in text.render(console):
                segments.append(Segment(segment.text, base + segment.style if segment.style else base))
        return Strip(segments)
