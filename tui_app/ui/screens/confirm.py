"""The deliberate confirmation: names the count, the target, a sample, and everything that will not be sent.

The operator types the number of IDs and presses Enter. Enter with anything else does nothing; Escape
cancels. The destructive button is disabled until the count matches and never has focus first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

SAMPLE = 6


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


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="confirm_cancel")]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 90%; max-width: 100; height: auto; max-height: 90%;
                               border: thick $error; background: $surface; padding: 0 1; }
    ConfirmScreen #confirm-title { text-style: bold; color: $error; margin-bottom: 1; }
    ConfirmScreen #confirm-body { height: auto; max-height: 16; }
    ConfirmScreen #confirm-prompt { margin-top: 1; }
    ConfirmScreen #confirm-feedback { height: 1; color: $error; }
    ConfirmScreen Horizontal { height: auto; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 2; }
    """

    def __init__(self, request: ConfirmRequest) -> None:
        super().__init__()
        self.request = request
        self.count = len(request.ids)

    def compose(self) -> ComposeResult:
        request = self.request
        with Vertical():
            yield Static(f"{request.title}: {self.count:,} will be DELETED", id="confirm-title")
            with VerticalScroll(id="confirm-body"):
                yield Static(self._body())
            yield Static(f"Type {self.count} and press Enter to delete. Escape cancels.", id="confirm-prompt")
            yield Input(placeholder=f"type {self.count}", id="confirm-input", restrict=r"[0-9]*")
            yield Static("", id="confirm-feedback")
            with Horizontal():
                yield Button("Cancel (Esc)", id="confirm-no")
                yield Button(f"Delete {self.count:,}", id="confirm-yes", variant="error", disabled=True)

    def _body(self) -> Text:
        request = self.request
        text = Text()
        for label, value in (("Target", request.target), ("Profile", request.profile), ("Token", request.token)):
            text.append(f"{label:<9}", style="bold")
            text.append(value + "\n")
        sample = ", ".join(request.ids[:SAMPLE])
        more = self.count - SAMPLE
        text.append(f"{'IDs':<9}", style="bold")
        text.append(sample + (f" and {more:,} more" if more > 0 else "") + "\n")
        if request.skipped or request.duplicates:
            text.append(f"{'Not sent':<9}", style="bold")
            text.append(f"{request.skipped:,} skipped line(s), {request.duplicates:,} duplicate(s)\n")
        for warning in request.warnings:
            text.append("⚠ " + warning + "\n", style="bold yellow")
        return text

    def on_mount(self) -> None:
        self.query_one("#confirm-input", Input).focus()

    @on(Input.Changed, "#confirm-input")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#confirm-yes", Button).disabled = event.value.strip() != str(self.count)
        self.query_one("#confirm-feedback", Static).update("")

    @on(Input.Submitted, "#confirm-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == str(self.count):
            self.dismiss(True)
        else:
            self.app.bell()
            self.query_one("#confirm-feedback", Static).update(
                f"That is not {self.count}. Type exactly {self.count} to delete, or Escape to cancel.")

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        if self.query_one("#confirm-input", Input).value.strip() == str(self.count):
            self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(False)
