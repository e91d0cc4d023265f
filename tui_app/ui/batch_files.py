"""Files in and out of the main screen: exporting the report and loading IDs, each through a path prompt that
keeps the typed path (with the reason) when it fails."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from textual.widgets import Static, TabbedContent

from tui_app.i18n import _
from tui_app.ids import read_ids_text
from tui_app.paths import check_output_path
from tui_app.problems import OperatorError
from tui_app.reports import guess_format, write_report
from tui_app.runlog import merged_rows
from tui_app.ui.screens.simple import PathScreen

if TYPE_CHECKING:
    from tui_app.ui.screens.main import MainScreen


def ask_export(screen: MainScreen) -> None:
    if not screen.journals:
        screen.notify(_("Nothing to export yet: run a batch first."), timeout=3)
        return
    default = str(Path.cwd() / f"vias-report-{screen.journals[0].stem}.csv")
    prompt = PathScreen(
        _("Export the report"),
        _(
            "Path to write; .csv for CSV, .jsonl for JSON Lines. One row per input entry (skipped ones too; a "
            "duplicate once)."
        ),
        default,
        check=_writable,
    )

    def chosen(path: str | None) -> None:
        if path:
            _export(screen, Path(path).expanduser())

    screen.app.push_screen(prompt, chosen)


def _export(screen: MainScreen, target: Path) -> None:
    try:
        written = write_report(target, merged_rows(screen.journals), guess_format(target, "csv"))
    except (OperatorError, OSError, ValueError) as exc:
        screen.notify(
            _("Could not write {path}: {reason}").format(path=target, reason=exc), severity="error", timeout=8
        )
        return
    screen.results_pane.mark_exported(str(written.resolve()))
    screen.notify(_("Wrote {path}").format(path=written.resolve()), title=_("Report exported"), timeout=6)


def ask_load(screen: MainScreen, initial: str = "", error: str | None = None) -> None:
    prompt = PathScreen(
        _("Load IDs from a file"), _("The file's IDs replace the text in the IDs pane."), initial, check=_readable
    )

    def chosen(path: str | None) -> None:
        if path:
            screen.run_worker(_load(screen, path), group="load", exclusive=True, exit_on_error=False)

    screen.app.push_screen(prompt, chosen)
    if error:
        prompt.call_after_refresh(lambda: prompt.query_one("#path-error", Static).update(error))


async def _load(screen: MainScreen, path: str) -> None:
    try:
        text = await asyncio.to_thread(read_ids_text, path)  # a FIFO or a device must not freeze the screen
    except OperatorError as exc:
        ask_load(screen, path, str(exc))  # the typed path stays, with the reason
        return
    screen.ids_pane.set_text(text)
    screen.query_one(TabbedContent).active = "ids"
    screen.notify(_("Loaded {path}: {summary}").format(path=path, summary=screen.ids_pane.plan.summary()), timeout=4)


def _writable(path: str) -> str | None:
    try:
        check_output_path(Path(path))
    except OperatorError as exc:
        return str(exc)
    return None


def _readable(path: str) -> str | None:
    target = Path(path).expanduser()
    try:
        info = target.stat()
    except OSError as exc:
        return _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
    if stat.S_ISDIR(info.st_mode):
        return _("{path} is a directory").format(path=path)
    if not os.access(target, os.R_OK):
        return _("cannot read {path}: permission denied").format(path=path)
    return None
