"""The key help (F1 / ?): every binding of the app, the main screen, the results table and Browse, from the
bindings themselves so it cannot drift."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding, BindingType

from tui_app.i18n import _

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
        (_("up/down, pgup/pgdn"), _("move through rows; the details pane follows")),
        (_("left/right"), _("scroll the columns sideways")),
        (_("click a header"), _("sort by that column")),
    ]
    confirm = [
        (_("type the count, enter"), _("confirm the delete (anything else does nothing)")),
        (
            _("the code, enter"),
            _(
                "when asked (keys came in bursts: a slow link or a paste), type the code the dialog shows instead; "
                "it confirms whatever the link does"
            ),
        ),
        (_("tab, space"), _("move to an option and switch it: [x] excluded, [ ] sent (Enter never switches one)")),
        ("escape", _("cancel: nothing is sent")),
        (_("s (while looking up)"), _("skip the preview and confirm on the IDs alone")),
    ]
    return [
        (_("Everywhere"), main),
        (_("Results table"), results),
        (_("Confirmation"), confirm),
        (_("Browse (F5)"), _rows(app, BrowseScreen.BINDINGS)),
        (
            _("IDs pane"),
            [
                (_("paste"), _("bracketed paste of any size; control characters show as ␛ and are never keys")),
                ("ctrl+z", _("undo, also after ctrl+n cleared the box")),
                ("tab", _("leave the text box")),
            ],
        ),
    ]
