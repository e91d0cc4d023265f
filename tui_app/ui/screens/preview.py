"""Looking the IDs up in the project's batch-task list before the confirmation, with progress and a way out.

Skip confirms on the IDs alone (resolution is an aid, never a gate); Escape cancels the delete entirely.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, ProgressBar, Static

from tui_app.i18n import _
from tui_app.resolve import PAGE_SIZE, Resolution, resolve
from tui_app.vias.client import ViasClient


class PreviewScreen(ModalScreen[Resolution | None]):
    AUTO_FOCUS = "#preview-cancel"
    BINDINGS = [
        Binding("escape", "cancel", _("Cancel"), id="preview_cancel"),
        Binding("s", "skip", _("Skip: confirm on IDs alone"), id="preview_skip"),
    ]
    CSS_PATH = "preview.tcss"

    def __init__(self, ids: list[str], open_client: Callable[[], ViasClient]) -> None:
        super().__init__()
        self.ids = ids
        self.open_client = open_client
        self.latest = Resolution(list(ids))
        self._skip = False
        self._done = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Looking up {count:,} ID(s) in this project's batch tasks…").format(count=len(self.ids)))
            yield ProgressBar(total=None, show_eta=False, id="preview-progress")
            yield Static(_("Requesting the first page…"), id="preview-status")
            with Horizontal():
                yield Button(_("Cancel (Esc)"), id="preview-cancel")
                yield Button(_("Skip: confirm on IDs alone (s)"), id="preview-skip")

    def on_mount(self) -> None:
        self._look_up()

    @work(exclusive=True, group="preview", exit_on_error=False)
    async def _look_up(self) -> None:
        async with self.open_client() as client:
            result = await resolve(
                client.list_batch_tasks, self.ids, on_progress=self._progress, should_stop=lambda: self._skip
            )
        self._finish(result)

    def _progress(self, result: Resolution) -> None:
        self.latest = result
        pages = math.ceil((result.total or 0) / PAGE_SIZE) or 1
        self.query_one(ProgressBar).update(total=pages, progress=result.pages)
        self.query_one("#preview-status", Static).update(
            _("Page {page:,} of {pages:,}: {found:,} of {count:,} found").format(
                page=result.pages, pages=pages, found=len(result.found), count=len(self.ids)
            )
        )

    def _finish(self, result: Resolution) -> None:
        if not self._done:
            self._done = True
            self.dismiss(result)

    @on(Button.Pressed, "#preview-skip")
    def action_skip(self) -> None:
        self._skip = True
        self.latest.stopped = True
        self._finish(self.latest)  # do not wait for the page in flight

    @on(Button.Pressed, "#preview-cancel")
    def action_cancel(self) -> None:
        if not self._done:
            self._done = True
            self.dismiss(None)
