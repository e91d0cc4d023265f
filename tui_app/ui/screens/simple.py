"""Small modal screens: a yes/no question (No focused), a path prompt that keeps the path when it fails, and the
key help."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui_app.i18n import _
from tui_app.ids import padded
from tui_app.ui.styles import emphasis

PathCheck = Callable[[str], str | None]  # the path -> why it cannot be used, or None


class AskScreen(ModalScreen[bool]):
    """A yes/no question. 'No' has focus, so Enter alone never does the risky thing."""

    BINDINGS = [
        Binding("escape", "no", _("No"), id="ask_no"),
        Binding("y", "yes", _("Yes"), id="ask_yes"),
        Binding("n", "no", _("No"), show=False, id="ask_no_key"),
    ]
    AUTO_FOCUS = "#ask-no"
    CSS_PATH = "simple.tcss"

    def __init__(self, question: str, yes: str | None = None, no: str | None = None) -> None:
        super().__init__()
        self.question, self.yes_label, self.no_label = question, yes or _("Yes"), no or _("No")

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="ask-question")
            with Horizontal():
                yield Button(_("{answer} (n)").format(answer=self.no_label), id="ask-no")
                yield Button(_("{answer} (y)").format(answer=self.yes_label), id="ask-yes", variant="warning")

    @on(Button.Pressed, "#ask-yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#ask-no")
    def action_no(self) -> None:
        self.dismiss(False)


class PathScreen(ModalScreen[str | None]):
    """Ask for a file path (load IDs, export a report). A path that `check` refuses stays, with the reason."""

    BINDINGS = [Binding("escape", "cancel", _("Cancel"), id="path_cancel")]
    AUTO_FOCUS = "#path-input"
    CSS_PATH = "simple.tcss"

    def __init__(self, title: str, hint: str, initial: str = "", check: PathCheck | None = None) -> None:
        super().__init__()
        self.title_text, self.hint, self.initial, self.check = title, hint, initial, check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"))
            yield Static(self.hint)
            yield Input(self.initial, id="path-input")
            yield Static("", id="path-error")

    @on(Input.Submitted, "#path-input")
    def _submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            return
        problem = self.check(path) if self.check is not None else None
        if problem:
            self.app.bell()
            self.query_one("#path-error", Static).update(Text(problem, style=emphasis("bold red", self.app.no_color)))
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1,question_mark", "close", _("Close"), id="help_close")]
    CSS_PATH = "simple.tcss"

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        text = Text()
        for title, rows in self.sections:
            text.append(f"\n{title}\n", style="bold underline")
            for keys, description in rows:
                text.append("  " + padded(keys, 22), style="bold")
                text.append(description + "\n")
        text.append(
            "\n" + _("Everything is also in the command palette (ctrl+p). Esc closes this help.") + "\n", style="italic"
        )
        with VerticalScroll():
            yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)
