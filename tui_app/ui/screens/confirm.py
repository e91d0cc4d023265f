"""The deliberate confirmation: names the count, the target, what each ID is (when resolved), and everything
that will not be sent.

The operator types the number of IDs and presses Enter. Enter with anything else does nothing; Escape
cancels. The destructive button is disabled until the count matches and never has focus first. When the IDs
were resolved, not-found IDs are excluded by default and tasks with running jobs can be excluded too; the
number to type follows those choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from tui_app.ids import shown
from tui_app.resolve import Resolution, created_text
from tui_app.ui.widgets.rows_table import Column, RowsTable

SAMPLE = 6
TASK_COLUMNS = [Column("ID", "id", 32), Column("Name", "name", 24), Column("Algorithm", "alg", 14),
                Column("Jobs", "jobs", 4), Column("State", "state", 20), Column("Created (UTC)", "created", None)]


@dataclass
class ConfirmRequest:
    ids: list[str]
    target: str
    profile: str
    token: str
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
    AUTO_FOCUS = "#confirm-input"  # focus goes to the count, never first to a checkbox or the Delete button
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 96%; max-width: 130; height: auto; max-height: 96%;
                               border: thick $error; background: $surface; padding: 0 1; }
    ConfirmScreen #confirm-title { text-style: bold; color: $error; }
    ConfirmScreen #confirm-body { height: auto; }
    ConfirmScreen > Vertical.with-preview { height: 96%; }
    ConfirmScreen #confirm-tasks { height: 1fr; min-height: 2; max-height: 12; margin-top: 1; }
    ConfirmScreen Checkbox { border: none; padding: 0; height: 1; }
    ConfirmScreen #confirm-feedback { height: 1; color: $error; }
    ConfirmScreen Horizontal { height: auto; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 2; }
    """

    def __init__(self, request: ConfirmRequest) -> None:
        super().__init__()
        self.request = request
        self.resolution = request.resolution
        self.result = ConfirmResult(list(request.ids), {})
        self._ready = False  # a checkbox created checked reports a change before the screen has mounted

    @property
    def count(self) -> int:
        return len(self.result.ids)

    def compose(self) -> ComposeResult:
        resolution = self.resolution
        with Vertical(classes="with-preview" if resolution is not None else ""):
            yield Static(id="confirm-title")
            yield Static(self._body(), id="confirm-body")
            if resolution is not None:
                if resolution.not_found:
                    yield Checkbox(f"Exclude the {len(resolution.not_found):,} not found in this project",
                                   value=True, id="exclude-not-found")
                if resolution.running:
                    yield Checkbox(f"Exclude the {len(resolution.running):,} with running jobs", value=False,
                                   id="exclude-running")
                yield RowsTable(TASK_COLUMNS, id="confirm-tasks")
            yield Static(id="confirm-prompt")
            yield Input(id="confirm-input", restrict=r"[0-9]*")
            yield Static("", id="confirm-feedback")
            with Horizontal():
                yield Button("Cancel (Esc)", id="confirm-no")
                yield Button("Delete", id="confirm-yes", variant="error", disabled=True)

    def _body(self) -> Text:
        request = self.request
        text = Text()
        for label, value in (("Target", request.target), ("Profile", request.profile), ("Token", request.token)):
            text.append(f"{label:<9}", style="bold")
            text.append(value + "\n")
        ids = request.ids
        more = len(ids) - SAMPLE
        text.append(f"{'IDs':<9}", style="bold")
        text.append(", ".join(ids[:SAMPLE]) + (f" and {more:,} more" if more > 0 else "") + "\n")
        if request.skipped or request.duplicates:
            text.append(f"{'Not sent':<9}", style="bold")
            text.append(f"{request.skipped:,} skipped line(s), {request.duplicates:,} duplicate(s)\n")
        if self.resolution is not None:
            problem = self.resolution.error is not None or self.resolution.not_found or self.resolution.running
            text.append(f"{'Preview':<9}", style="bold")
            text.append(self.resolution.summary() + "\n", style="bold yellow" if problem else "green")
        if request.hidden_marked:
            text.append(f"⚠ {request.hidden_marked:,} of these are marked in Browse but hidden by its current "
                        "filter.\n", style="bold yellow")
        for warning in request.warnings:
            text.append("⚠ " + warning + "\n", style="bold yellow")
        return text

    def on_mount(self) -> None:
        self._ready = True
        self._recount()
        if self.resolution is not None:
            resolution, ids = self.resolution, self.request.ids
            self.query_one("#confirm-tasks", RowsTable).set_rows(len(ids), lambda i: _task_cells(resolution, ids[i]))

    def _recount(self) -> None:
        excluded: dict[str, str] = {}
        resolution = self.resolution
        if resolution is not None:
            if self._checked("#exclude-not-found"):
                excluded.update((i, "not in this project's batch-task list; excluded at confirmation")
                                for i in resolution.not_found)
            if self._checked("#exclude-running"):
                excluded.update((i, f"has {resolution.found[i].running} running job(s); excluded at confirmation")
                                for i in resolution.running if i not in excluded)
        self.result = ConfirmResult([i for i in self.request.ids if i not in excluded], excluded)
        count = self.count
        self.query_one("#confirm-title", Static).update(
            f"{self.request.title}: {count:,} will be DELETED" + (f" ({len(excluded):,} excluded)" if excluded else ""))
        self.query_one("#confirm-prompt", Static).update(
            f"Type {count} and press Enter to delete. Escape cancels." if count else
            "Nothing left to delete: everything is excluded. Escape to go back.")
        field = self.query_one("#confirm-input", Input)
        field.placeholder = f"type {count}"
        self.query_one("#confirm-yes", Button).label = f"Delete {count:,}"
        self._typed(Input.Changed(field, field.value))

    def _checked(self, selector: str) -> bool:
        boxes = self.query(selector)
        return bool(boxes) and boxes.first(Checkbox).value

    @on(Checkbox.Changed)
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
            self.dismiss(self.result)
        else:
            self.app.bell()
            self.query_one("#confirm-feedback", Static).update(
                f"That is not {self.count}. Type exactly {self.count} to delete, or Escape to cancel.")

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        if self._matches(self.query_one("#confirm-input", Input).value):
            self.dismiss(self.result)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _task_cells(resolution: Resolution, task_id: str) -> list[Text | str]:
    task = resolution.found.get(task_id)
    if task is None:
        status = "NOT FOUND in this project" if resolution.complete else "not checked"
        return [task_id, Text(status, style="bold red" if resolution.complete else "dim")]
    state = Text(task.state_summary(), style="bold yellow" if task.running else "")
    return [task_id, shown(task.name), task.alg_name, str(task.num_task), state, created_text(task)]
