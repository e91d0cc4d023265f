"""How outcomes look: a colour each, and without colour (NO_COLOR) a text style each, so every word stays
legible and the problems still stand out (Textual turns colours into greys by brightness under NO_COLOR, which
made dark red "failed" the faintest word on screen)."""

from __future__ import annotations

from tui_app.ui.results_model import PENDING

COLOUR = {
    "deleted": "green",
    "partial": "bold yellow",
    "not_found": "cyan",
    "failed": "bold red",
    "skipped": "dim",
    "cancelled": "magenta",
    "unknown": "bold dark_orange",
    PENDING: "dim italic",
}
MONO = {
    "deleted": "",
    "partial": "bold",
    "not_found": "italic",
    "failed": "bold reverse",
    "skipped": "",
    "cancelled": "italic",
    "unknown": "bold underline",
    PENDING: "italic",
}


def outcome_style(word: str, mono: bool) -> str:
    return (MONO if mono else COLOUR).get(word, "")


def emphasis(colour: str, mono: bool, fallback: str = "bold") -> str:
    """A highlight: its colour, or a text style when there is no colour."""
    return fallback if mono else colour
