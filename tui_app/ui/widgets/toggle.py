"""An option that reads the same with or without colour: `[x] label` / `[ ] label`, and a `›` plus reverse video
where the focus is. (Textual's Checkbox shows on and off only by the colour of its X, and a focused one at height 1
draws its border over the label.)"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from tui_app.i18n import _


class TextToggle(Widget, can_focus=True):
    DEFAULT_CSS = """
    TextToggle { height: 1; width: 1fr; }
    TextToggle:focus { text-style: reverse; }
    """
    BINDINGS = [Binding("space", "flip", _("Switch"), show=False)]  # not Enter: Enter never switches an option

    value: reactive[bool] = reactive(False)

    @dataclass
    class Changed(Message):
        toggle: TextToggle
        value: bool

        @property
        def control(self) -> TextToggle:
            return self.toggle

    def __init__(self, label: str, value: bool = False, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.set_reactive(TextToggle.value, value)

    def render(self) -> Text:
        mark = "[x]" if self.value else "[ ]"
        pointer = "›" if self.has_focus else " "
        return Text(f"{pointer}{mark} {self.label}", no_wrap=True, overflow="ellipsis")

    def action_flip(self) -> None:  # not action_toggle: DOMNode has one (toggle a reactive by name)
        self.value = not self.value

    def on_click(self, event: Click) -> None:
        self.action_flip()

    def watch_value(self, value: bool) -> None:
        self.post_message(self.Changed(self, value))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
