"""Where IDs are pasted or typed, with a live account of which are valid, repeated or skipped and why."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, TextArea

from tui_app.i18n import N_, _
from tui_app.ids import Entry, InputTooLarge, Plan, display_safe, parse, parse_async, shown
from tui_app.ui.widgets.rows_table import Column, RowsTable

PARSE_DELAY = 0.15  # seconds of quiet typing before re-parsing
BACKGROUND_PARSE_CHARS = 100_000  # larger texts are parsed in chunks between frames (100,000 IDs: ~0.3 s)
# TextArea does work proportional to the number of lines on every frame (~0.3 s at 100,000 lines), so a
# larger input is shown read-only in a table that draws only the rows on screen.
LARGE_LINES = 5_000
LARGE_CHARS = 1_000_000


def is_large(text: str) -> bool:
    return len(text) > LARGE_CHARS or text.count("\n") >= LARGE_LINES


class IdsTextArea(TextArea):
    """The IDs box: pastes go in with their control characters made visible (raw, ESC [ 3 1 m would recolour the
    screen); a paste too big for a text box goes to the read-only view instead."""

    @dataclass
    class LargePaste(Message):
        text: str

    def on_paste(self, event: events.Paste) -> None:
        # Runs before TextArea's own paste handler, which prevent_default() then skips.
        event.stop()
        event.prevent_default()
        text = display_safe(event.text)
        if is_large(text) or is_large(self.text + text):
            combined = f"{self.text}\n{text}" if self.text.strip() else text
            self.post_message(self.LargePaste(combined))
            return
        if self.read_only:
            return
        result = self.replace(text, *self.selection)
        self.move_cursor(result.end_location)


ISSUES_SHOWN = 200  # skipped/unusual lines listed beside the text; the rest are counted


class IdsPane(Horizontal):
    DEFAULT_CSS = """
    IdsPane { height: 1fr; }
    IdsPane #ids-left { width: 2fr; }
    IdsPane #large-view { display: none; height: 1fr; }
    IdsPane #large-banner { height: auto; padding: 0 1; background: $boost; }
    IdsPane #entries { height: 1fr; }
    IdsPane #plan-side { width: 1fr; min-width: 26; padding: 0 1; }
    IdsPane #plan-counts { height: auto; margin-bottom: 1; }
    IdsPane #plan-issues-scroll { height: 1fr; }
    """

    def __init__(self, text: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._initial = display_safe(text)
        self._timer: Timer | None = None
        self.plan: Plan = Plan()
        self.error: str | None = None
        self._version = 0  # bumped on every edit; a parse result for an older version is dropped
        self._parsed_version = -1
        self._large_text: str | None = None  # set while a large input is shown read-only
        self._parsed_text: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="ids-left"):
            area = IdsTextArea(
                "" if is_large(self._initial) else self._initial,
                id="ids-input",
                show_line_numbers=True,
                soft_wrap=False,
                tab_behavior="focus",
            )
            area.border_title = _("IDs: paste or type (one per line, or , ; space separated; # comments)")
            yield area
            with Vertical(id="large-view"):
                yield Static(id="large-banner")
                yield RowsTable(
                    [
                        Column(N_("Line"), "line", 7),
                        Column(N_("Entry"), "entry", 36),
                        Column(N_("Status"), "status", None),
                    ],
                    id="entries",
                )
        with Vertical(id="plan-side"):
            yield Static(id="plan-counts")
            with VerticalScroll(id="plan-issues-scroll"):
                yield Static(id="plan-issues")

    def on_mount(self) -> None:
        if is_large(self._initial):
            self.set_text(self._initial)
        else:
            self.reparse()

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#ids-input", TextArea)

    @property
    def large(self) -> bool:
        return self._large_text is not None

    @property
    def text(self) -> str:
        return self._large_text if self._large_text is not None else self.text_area.text

    def focus_input(self) -> None:
        (self.query_one("#entries", RowsTable) if self.large else self.text_area).focus()

    def set_text(self, text: str) -> None:
        """Replace the input: in the text box, or read-only in the entries view when it is large."""
        text = display_safe(text)
        self._version += 1
        if is_large(text):
            self._large_text = text
            self.text_area.load_text("")
            self.text_area.display = False
            self.query_one("#large-view").display = True
            lines = text.count("\n") + 1
            self.query_one("#large-banner", Static).update(
                Text(
                    _(
                        "Large input: {lines:,} lines ({characters:,} characters), shown read-only. Paste again to "
                        "replace it, ctrl+n to clear, or edit the file and load it again (ctrl+o)."
                    ).format(lines=lines, characters=len(text)),
                    style="bold",
                )
            )
            self.query_one("#entries", RowsTable).focus()
        else:
            self._large_text = None
            self.query_one("#large-view").display = False
            self.text_area.display = True
            self.text_area.load_text(text)
        self.reparse()

    @on(IdsTextArea.LargePaste)
    def _large_paste(self, message: IdsTextArea.LargePaste) -> None:
        self.set_text(message.text)

    def on_paste(self, event: events.Paste) -> None:
        """A paste while the read-only view has focus replaces the input."""
        if self.large:
            event.stop()
            self.set_text(event.text)

    @property
    def up_to_date(self) -> bool:
        """The plan shown is the plan of the text in the box now (no parse pending)."""
        return self._parsed_version == self._version and self._parsed_text == self.text

    @property
    def has_unrun_text(self) -> bool:
        return bool(self.text.strip())

    def clear(self) -> None:
        """Empty the input; in the text box this is an edit, so ctrl+z brings the text back."""
        if self.large:
            self.set_text("")
        else:
            self.text_area.clear()
            self.reparse()

    @on(TextArea.Changed, "#ids-input")
    def _changed(self) -> None:
        if self.large or self.text_area.text == self._parsed_text:
            return  # set_text() already parsed this (load_text reports a change too)
        self._version += 1
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PARSE_DELAY, self.reparse)

    def current_plan(self) -> Plan:
        """The plan for exactly what is in the box now (parsed again only if it changed since)."""
        if self._parsed_version != self._version:
            self._apply(*_parse_text(self.text), self._version)
        return self.plan

    def reparse(self) -> None:
        text, version = self.text, self._version
        self._parsed_text = text
        if len(text) > BACKGROUND_PARSE_CHARS:
            self.query_one("#plan-counts", Static).update(
                Text(_("Parsing {lines:,} lines…").format(lines=text.count(chr(10)) + 1), style="italic")
            )
            self._parse_in_chunks(text, version)
        else:
            self._apply(*_parse_text(text), version)

    @work(exclusive=True, group="parse")
    async def _parse_in_chunks(self, text: str, version: int) -> None:
        try:
            plan, error = await parse_async(text), None
        except InputTooLarge as exc:
            plan, error = Plan(), str(exc)
        self._apply(plan, error, version)

    def _apply(self, plan: Plan, error: str | None, version: int) -> None:
        if version < self._parsed_version:
            return  # a slower parse of older text finished late
        self.plan, self.error, self._parsed_version = plan, error, version
        self._render_plan()
        if self.large:
            entries = plan.entries
            self.query_one("#entries", RowsTable).set_rows(len(entries), lambda i: _entry_cells(entries[i], plan))

    def _render_plan(self) -> None:
        plan = self.plan
        counts = Text()
        if self.error:
            counts.append(_("Too large: {reason}").format(reason=self.error), style="bold red")
        else:
            counts.append(
                _("{count:,} valid").format(count=len(plan.valid)) + "\n", style="bold green" if plan.valid else "dim"
            )
            counts.append(
                _("{count:,} duplicate(s), sent once").format(count=plan.duplicate_count) + "\n",
                style="yellow" if plan.duplicates else "dim",
            )
            counts.append(
                _("{count:,} skipped, never sent").format(count=len(plan.skipped)) + "\n",
                style="bold red" if plan.skipped else "dim",
            )
            counts.append(
                _("{count:,} unusual").format(count=len(plan.warnings)), style="yellow" if plan.warnings else "dim"
            )
        self.query_one("#plan-counts", Static).update(counts)
        issues = Text()
        for entry in plan.skipped[:ISSUES_SHOWN]:
            issues.append(_("line {number}").format(number=entry.line) + " ", style="bold red")
            issues.append(f"{shown(entry.text)!r}\n", style="red")
            issues.append(f"  {entry.reason}\n", style="dim")
        warned = list(plan.warnings.items())[: max(0, ISSUES_SHOWN - len(plan.skipped))]
        for task_id, warning in warned:
            issues.append(_("line {number}").format(number=plan.id_lines[task_id]) + " ", style="bold yellow")
            issues.append(f"{task_id}\n", style="yellow")
            issues.append(f"  {warning}\n", style="dim")
        hidden = len(plan.skipped) + len(plan.warnings) - ISSUES_SHOWN
        if hidden > 0:
            issues.append(_("… and {count:,} more (the report lists them all)").format(count=hidden), style="dim")
        self.query_one("#plan-issues", Static).update(issues)


def _parse_text(text: str) -> tuple[Plan, str | None]:
    try:
        return parse(text), None
    except InputTooLarge as exc:
        return Plan(), str(exc)


def _entry_cells(entry: Entry, plan: Plan) -> list[Text | str]:
    if entry.id is None:
        status = Text(_("skipped: {reason}").format(reason=entry.reason), style="red")
    elif entry.id in plan.warnings:
        status = Text(_("valid, unusual: {warning}").format(warning=plan.warnings[entry.id]), style="yellow")
    elif entry.id in plan.duplicates:
        status = Text(
            _("valid, repeated {count}x more (sent once)").format(count=plan.duplicates[entry.id]), style="yellow"
        )
    else:
        status = Text(_("valid"), style="green")
    return [str(entry.line), shown(entry.text), status]
