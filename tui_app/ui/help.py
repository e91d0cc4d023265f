"""The key help (F1 / ?): every binding of the app, the main screen, the results table and Browse, from the
bindings themselves so it cannot drift."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding, BindingType

Sections = list[tuple[str, list[tuple[str, str]]]]


def _rows(app: App[Any], bindings: list[BindingType]) -> list[tuple[str, str]]:
    by_action: dict[str, list[Binding]] = {}
    for binding in bindings:
        if isinstance(binding, Binding):
            by_action.setdefault(binding.action, []).append(binding)
    rows = []
    for group in by_action.values():
        keys = ", ".join(app.get_key_display(b.with_key(k)) for b in group for k in b.key.split(","))
        rows.append((keys, group[0].description))
    return rows


def help_sections(app: App[Any]) -> Sections:
    from tui_app.ui.screens.browse import BrowseScreen
    from tui_app.ui.screens.main import MainScreen
    from tui_app.ui.widgets.results_pane import ResultsTable

    main = _rows(app, [*app.BINDINGS, *MainScreen.BINDINGS])
    results = _rows(app, ResultsTable.BINDINGS)
    results += [
        ("up/down, pgup/pgdn", "move through rows; the details pane follows"),
        ("left/right", "scroll the columns sideways"),
        ("click a header", "sort by that column"),
    ]
    confirm = [
        ("type the count, enter", "confirm the delete (anything else does nothing)"),
        (
            "the code, enter",
            "when asked (keys came in bursts: a slow link or a paste), type the code the dialog shows instead; "
            "it confirms whatever the link does",
        ),
        ("tab, space", "move to an option and switch it: [x] excluded, [ ] sent (Enter never switches one)"),
        ("escape", "cancel: nothing is sent"),
        ("s (while looking up)", "skip the preview and confirm on the IDs alone"),
    ]
    return [
        ("Everywhere", main),
        ("Results table", results),
        ("Confirmation", confirm),
        ("Browse (F5)", _rows(app, BrowseScreen.BINDINGS)),
        (
            "IDs pane",
            [
                ("paste", "bracketed paste of any size; control characters show as ␛ and are never keys"),
                ("ctrl+z", "undo, also after ctrl+n cleared the box"),
                ("tab", "leave the text box"),
            ],
        ),
    ]
