"""The deliberate confirmation: names the count, the target, the credentials and the concurrency, shows what
each ID is (when resolved) and everything that will not be sent.

The operator types the number of IDs and presses Enter. Enter with anything else does nothing; Escape cancels.
The destructive button is disabled until the count matches and never has focus first. When the IDs were
resolved, not-found IDs are excluded by default and tasks with running jobs can be excluded too; the number to
type and the per-ID table follow those choices. At 80x24 everything fits without scrolling the dialog: title and
counts, target, options, at least three rows of the table (which scrolls) and both buttons.

Type-ahead does not confirm: the right count submitted (Enter, or the Delete button by key or click) by input that
the terminal delivered less than `READ_TIME` after the screen was shown is refused, the count box is cleared and
nothing is sent. The time that counts is when the key or mouse button was read from the terminal (Textual stamps
every event with it), not when the app got round to handling it, so keys typed ahead and queued behind a burst of
other input are refused however late they are handled. This backs up the paste guard (paste_guard.py): keys that a
paste could still inject arrive in the same instant as the keys that opened this screen, and cannot confirm.
And keys that came faster than anyone types at any time since the screen appeared (input_rhythm.py) refuse the
count too, however late it is submitted: a crafted paste spread over seconds by a slow link still comes in bursts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual import _time, events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui_app.ids import shown
from tui_app.resolve import Resolution, created_text
from tui_app.ui.input_rhythm import InputRhythm
from tui_app.ui.styles import emphasis
from tui_app.ui.widgets.rows_table import Column, RowsTable
from tui_app.ui.widgets.toggle import TextToggle

SAMPLE = 4
# Seconds the confirmation must have been on screen before the input that submits the count was typed. Nobody
# reads the count, the target and the list, then types the count, in half a second; the keys of a paste or of
# type-ahead arrive within milliseconds of the keys that opened the screen. Long enough to catch any machine-speed
# burst, short enough that a quick but deliberate operator never meets it.
READ_TIME = 0.5
TOO_QUICK = "Too quick: read, retype"  # fits beside the prompt at 80 columns, for counts up to 6 digits
TOO_FAST = "Keys came in a burst: retype"  # not typed one by one: a paste, a script, or a stalled link
clock: Callable[[], float] = _time.get_time  # the clock Textual stamps input events with (`Message.time`)
TASK_COLUMNS = [
    Column("Action", "action", 8),
    Column("ID", "id", 32),
    Column("State", "state", 34),
    Column("Name", "name", 28),
    Column("Jobs", "jobs", 4),
    Column("Algorithm", "alg", 18),
    Column("Created (UTC)", "created", None),
]


@dataclass
class ConfirmRequest:
    ids: list[str]
    target: str
    profile: str
    credentials: str
    concurrency: str  # "16 at a time (default)"
    title: str = "Delete batch tasks"
    skipped: int = 0
    duplicates: int = 0
    warnings: list[str] = field(default_factory=list)  # plain sentences, shown with a warning mark
    resolution: Resolution | None = None
    hidden_marked: int = 0  # marked in Browse but hidden by its current filter


@dataclass
class ConfirmResult:
    ids: list[str]  # what to send, in order
    excluded: dict[str, str]  # id -> why it is not sent


class ConfirmScreen(ModalScreen[ConfirmResult | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm_cancel")]
    AUTO_FOCUS = "#confirm-input"  # focus goes to the count, never first to an option or the Delete button
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > #confirm-box { width: 100%; max-width: 132; height: 100%; max-height: 44;
                                   border: thick $error; background: $surface; padding: 0 1; }
    ConfirmScreen #confirm-title { text-style: bold; color: $error; height: auto; }
    ConfirmScreen #confirm-body { height: auto; max-height: 7; overflow-y: auto; }
    ConfirmScreen #confirm-tasks { height: 1fr; min-height: 4; }
    ConfirmScreen #confirm-row { height: 1; }
    ConfirmScreen #confirm-prompt { width: auto; }
    ConfirmScreen #confirm-input { width: 12; height: 1; border: none; padding: 0 1; margin: 0 1; }
    ConfirmScreen #confirm-feedback { width: 1fr; color: $error; text-style: bold; }
    ConfirmScreen #confirm-buttons { height: 1; align-horizontal: right; }
    #confirm-buttons > Button { height: 1; border: none; min-width: 0; margin-left: 2; padding: 0 1; }
    #confirm-buttons > Button:focus { text-style: bold reverse; }
    """

    def __init__(self, request: ConfirmRequest) -> None:
        super().__init__()
        self.request = request
        self.resolution = request.resolution
        self.result = ConfirmResult(list(request.ids), {})
        self._ready = False  # a toggle created on reports a change before the screen has mounted
        self.shown_at = clock()  # set again when mounted; tests move it back (tests/ui/helpers.py, has_been_read)
        self._input_at: float | None = None
        self._trusted_from = float("-inf")  # when the last key or mouse button this screen saw was read

    @property
    def count(self) -> int:
        return len(self.result.ids)

    def compose(self) -> ComposeResult:
        resolution = self.resolution
        with Vertical(id="confirm-box"):
            yield Static(id="confirm-title")
            yield Static(self._body(), id="confirm-body")
            if resolution is not None and resolution.not_found:
                yield TextToggle(
                    f"Exclude the {len(resolution.not_found):,} not found in this project (wrong region or project?)",
                    value=True,
                    id="exclude-not-found",
                )
            if resolution is not None and resolution.running:
                yield TextToggle(
                    f"Exclude the {len(resolution.running):,} with running jobs", value=False, id="exclude-running"
                )
            yield RowsTable(TASK_COLUMNS, id="confirm-tasks")
            with Horizontal(id="confirm-row"):
                yield Static(id="confirm-prompt")
                yield Input(id="confirm-input", restrict=r"[0-9]*", max_length=9)
                yield Static("", id="confirm-feedback")
            with Horizontal(id="confirm-buttons"):
                yield Button("[ Cancel (Esc) ]", id="confirm-no")
                yield Button("[ Delete ]", id="confirm-yes", variant="error", disabled=True)

    def _body(self) -> Text:
        request = self.request
        mono = self.app.no_color
        warn = emphasis("bold yellow", mono)
        text = Text()

        def line(label: str, value: str, style: str = "") -> None:
            text.append(f"{label:<12}", style="bold")
            text.append(value + "\n", style=style)

        line("Target", request.target)
        line("Profile", f"{request.profile} · {request.credentials}")
        line("Concurrency", request.concurrency)
        if request.skipped or request.duplicates:
            line("Not sent", f"{request.skipped:,} skipped line(s), {request.duplicates:,} duplicate(s) dropped")
        if self.resolution is not None:
            resolution = self.resolution
            problem = resolution.error is not None or resolution.not_found or resolution.running
            line("Preview", resolution.summary(), warn if problem else "")
        if request.hidden_marked:
            text.append(
                f"⚠ {request.hidden_marked:,} of these are marked in Browse but hidden by its current filter.\n",
                style=warn,
            )
        for warning in request.warnings:
            text.append("⚠ " + warning + "\n", style=warn)
        text.rstrip()
        return text

    def on_mount(self) -> None:
        self.shown_at = clock()
        self._ready = True
        self._recount()

    # Keys reach the screen as they bubble up from the focused widget, before the app runs the bindings (Enter in
    # the count box, Enter on the Delete button), so the key that submits is the last one seen here. The count's
    # digits are stopped by the box, which is fine: they never submit. Clicks are made by Textual on handling the
    # button release, so the release's time is the one to keep.
    def on_key(self, event: events.Key) -> None:
        self._input_at = event.time

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._input_at = event.time

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._input_at = event.time

    def _too_quick(self) -> bool:
        """Whether the input that submits was read too soon after the screen was shown, or keys came in a burst
        since then (see the module docstring). Refusing clears the count: it has to be typed again, by hand."""
        read_at = self._input_at if self._input_at is not None else clock()
        self._input_at = None
        rhythm: InputRhythm | None = getattr(self.app, "input_rhythm", None)
        burst = rhythm is not None and rhythm.burst_since(max(self.shown_at, self._trusted_from))
        if read_at >= self.shown_at + READ_TIME and not burst:
            return False
        self._trusted_from = clock()  # a burst before this refusal is forgiven; the next count must be typed
        self.app.bell()
        field = self.query_one("#confirm-input", Input)
        with field.prevent(Input.Changed):  # its handler would clear the message below
            field.value = ""
        self.query_one("#confirm-yes", Button).disabled = True
        field.focus()
        early = read_at < self.shown_at + READ_TIME
        self.query_one("#confirm-feedback", Static).update(TOO_QUICK if early else TOO_FAST)
        return True

    def _recount(self) -> None:
        excluded: dict[str, str] = {}
        resolution = self.resolution
        if resolution is not None:
            if self._checked("#exclude-not-found"):
                excluded.update(
                    (i, "not in this project's batch-task list; excluded at confirmation") for i in resolution.not_found
                )
            if self._checked("#exclude-running"):
                excluded.update(
                    (i, f"has {resolution.found[i].running} running job(s); excluded at confirmation")
                    for i in resolution.running
                    if i not in excluded
                )
        self.result = ConfirmResult([i for i in self.request.ids if i not in excluded], excluded)
        count = self.count
        title = f"{self.request.title}: {count:,} will be DELETED"
        if excluded:
            title += f" ({len(excluded):,} excluded)"
        self.query_one("#confirm-title", Static).update(
            Text(title, style="bold reverse" if self.app.no_color else "bold")
        )
        field = self.query_one("#confirm-input", Input)
        yes = self.query_one("#confirm-yes", Button)
        if count:
            self.query_one("#confirm-prompt", Static).update(f"Type {count} and press Enter to delete:")
            field.placeholder = str(count)
            field.disabled = False
            yes.label = f"[ Delete {count:,} ]"
        else:
            self.query_one("#confirm-prompt", Static).update("Nothing left to delete: everything is excluded.")
            field.value = ""
            field.disabled = True
            yes.label = "[ Delete ]"
            self.query_one("#confirm-no", Button).focus()
        ids, excluded_ids = self.request.ids, self.result.excluded
        self.query_one("#confirm-tasks", RowsTable).set_rows(
            len(ids), lambda i: self._task_cells(ids[i], ids[i] in excluded_ids)
        )
        self._typed(Input.Changed(field, field.value))

    def _task_cells(self, task_id: str, excluded: bool) -> list[Text | str]:
        mono = self.app.no_color
        action = Text("keep", style="italic") if excluded else Text("DELETE", style="bold")
        resolution = self.resolution
        task = resolution.found.get(task_id) if resolution is not None else None
        if task is None:
            if resolution is None or not resolution.complete:
                return [action, task_id, Text("not looked up" if resolution is None else "not checked", style="italic")]
            return [action, task_id, Text("NOT FOUND in this project", style=emphasis("bold red", mono))]
        state = Text(task.state_summary(), style=emphasis("bold yellow", mono) if task.running else "")
        return [action, task_id, state, shown(task.name), str(task.num_task), task.alg_name, created_text(task)]

    def _checked(self, selector: str) -> bool:
        toggles = self.query(selector)
        return bool(toggles) and toggles.first(TextToggle).value

    @on(TextToggle.Changed)
    def _choice(self) -> None:
        if self._ready:
            self._recount()

    def _matches(self, value: str) -> bool:
        return self.count > 0 and value.strip() == str(self.count)

    @on(Input.Changed, "#confirm-input")
    def _typed(self, event: Input.Changed) -> None:
        if not self._ready:
            return
        self.query_one("#confirm-yes", Button).disabled = not self._matches(event.value)
        self.query_one("#confirm-feedback", Static).update("")

    @on(Input.Submitted, "#confirm-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._matches(event.value):
            if not self._too_quick():
                self.dismiss(self.result)
        else:
            self.app.bell()
            self.query_one("#confirm-feedback", Static).update(f"That is not {self.count}.")

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        if self._matches(self.query_one("#confirm-input", Input).value) and not self._too_quick():
            self.dismiss(self.result)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(None)
