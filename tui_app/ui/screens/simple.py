"""Small modal screens: a yes/no question (No focused), a path prompt, and the key help."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class AskScreen(ModalScreen[bool]):
    """A yes/no question. 'No' has focus, so Enter alone never does the risky thing."""

    BINDINGS = [Binding("escape", "no", "No", id="ask_no"), Binding("y", "yes", "Yes", id="ask_yes"),
                Binding("n", "no", "No", show=False, id="ask_no_key")]
    DEFAULT_CSS = """
    AskScreen { align: center middle; }
    AskScreen > Vertical { width: 70; height: auto; border: thick $warning; background: $surface; padding: 1 2; }
    AskScreen Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    AskScreen Button { margin-left: 2; }
    """

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question, self.yes_label, self.no_label = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question)
            with Horizontal():
                yield Button(f"{self.no_label} (n)", id="ask-no")
                yield Button(f"{self.yes_label} (y)", id="ask-yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#ask-no", Button).focus()

    @on(Button.Pressed, "#ask-yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#ask-no")
    def action_no(self) -> None:
        self.dismiss(False)


class PathScreen(ModalScreen[str | None]):
    """Ask for a file path (load IDs, export a report)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="path_cancel")]
    DEFAULT_CSS = """
    PathScreen { align: center middle; }
    PathScreen > Vertical { width: 90%; max-width: 100; height: auto; border: thick $primary;
                            background: $surface; padding: 1 2; }
    """

    def __init__(self, title: str, hint: str, initial: str = "") -> None:
        super().__init__()
        self.title_text, self.hint, self.initial = title, hint, initial

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"))
            yield Static(self.hint)
            yield Input(self.initial, id="path-input")

    def on_mount(self) -> None:
        self.query_one("#path-input", Input).focus()

    @on(Input.Submitted, "#path-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1,question_mark", "close", "Close", id="help_close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 96; height: 90%; border: thick $primary;
                                  background: $surface; padding: 0 2; }
    """

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        text = Text()
        for title, rows in self.sections:
            text.append(f"\n{title}\n", style="bold underline")
            for keys, description in rows:
                text.append(f"  {keys:<22}", style="bold")
                text.append(description + "\n")
        text.append("\nEverything is also in the command palette (ctrl+p). Esc closes this help.\n", style="dim")
        with VerticalScroll():
            yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)
