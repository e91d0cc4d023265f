"""Where the console meets Textual: the one private hook it overrides is still there, and no method of ours
shadows one of Textual's by accident (as `_flush`, `_on_paste`, `anchor` and `action_toggle` once did)."""

from __future__ import annotations

import inspect
import sys

import pytest
import textual
from textual.app import App
from textual.dom import DOMNode

import tui_app.ui.app
import tui_app.ui.screens.browse
import tui_app.ui.screens.confirm
import tui_app.ui.screens.credentials
import tui_app.ui.screens.main
import tui_app.ui.screens.preview
import tui_app.ui.screens.run_screen
import tui_app.ui.screens.simple
import tui_app.ui.screens.target
import tui_app.ui.widgets.ids_pane
import tui_app.ui.widgets.results_pane
import tui_app.ui.widgets.rows_table
import tui_app.ui.widgets.run_bar
import tui_app.ui.widgets.status_bar
import tui_app.ui.widgets.toggle
from tui_app.commands.options import CONCURRENCY_LIMIT
from tui_app.engine import MAX_CONCURRENCY
from tui_app.ui.app import ViasApp

MODULES = [
    tui_app.ui.app,
    tui_app.ui.screens.browse,
    tui_app.ui.screens.confirm,
    tui_app.ui.screens.credentials,
    tui_app.ui.screens.main,
    tui_app.ui.screens.preview,
    tui_app.ui.screens.run_screen,
    tui_app.ui.screens.simple,
    tui_app.ui.screens.target,
    tui_app.ui.widgets.ids_pane,
    tui_app.ui.widgets.results_pane,
    tui_app.ui.widgets.rows_table,
    tui_app.ui.widgets.run_bar,
    tui_app.ui.widgets.status_bar,
    tui_app.ui.widgets.toggle,
]
# Overriding these is what Textual asks of its subclasses.
INTENDED = {
    "compose",
    "render",
    "render_line",
    "on_mount",
    "on_event",  # ViasApp: every key's read time, for the confirmation's burst check (input_rhythm.py)
    "on_unmount",
    "on_resize",
    "on_click",
    "on_focus",
    "on_blur",
    "on_paste",
    "check_action",
    "get_default_screen",
    "get_system_commands",
    "action_quit",
    "action_help",
    "BINDINGS",
    "DEFAULT_CSS",
    "CSS_PATH",
    "TITLE",
    "AUTO_FOCUS",
    "COMPONENT_CLASSES",
    "_fatal_error",
    "can_focus",
}


def textual_classes() -> list[type]:
    found = []
    for module in MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, DOMNode):
                found.append(cls)
    return found


def test_textual_is_the_pinned_major() -> None:
    assert textual.__version__.startswith("8.")


def test_the_crash_report_hook_still_exists() -> None:
    # ViasApp._fatal_error prints the traceback without locals; Textual must still call a method of that name.
    assert "_fatal_error" in vars(App) and callable(vars(App)["_fatal_error"])
    assert "_fatal_error" in inspect.getsource(App._handle_exception)
    assert "_fatal_error" in vars(ViasApp)


@pytest.mark.parametrize("cls", textual_classes(), ids=lambda cls: cls.__name__)
def test_no_accidental_override(cls: type) -> None:
    textual_bases = [base for base in cls.__mro__[1:] if base.__module__.startswith("textual")]
    inherited = {name for base in textual_bases for name in vars(base)}
    # What Textual's own class machinery puts on every subclass is not ours.
    machinery = set(vars(type("Probe", (textual_bases[0],), {})))
    ours = {name for name in vars(cls) if not name.startswith("__")} - machinery
    shadowed = sorted((ours & inherited) - INTENDED)
    assert not shadowed, f"{cls.__name__} shadows Textual's {shadowed}"


def test_the_cli_knows_the_engine_limit() -> None:
    assert CONCURRENCY_LIMIT == MAX_CONCURRENCY


def test_input_events_are_stamped_with_the_clock_the_confirmation_reads() -> None:
    # screens/confirm.py compares `Message.time` of the submitting key with `textual._time.get_time` (private;
    # Textual is pinned to major 8). If Textual moves or renames it, the type-ahead guard must not silently drift.
    from textual import _time, events

    assert tui_app.ui.screens.confirm.clock is _time.get_time
    before = _time.get_time()
    key = events.Key("a", "a")
    assert before <= key.time <= _time.get_time()


def test_the_paste_guard_driver_overrides_one_public_method() -> None:
    # The guard's driver is Textual's LinuxDriver with one public method overridden, which runs Textual's own
    # loop (tests/ui/test_paste_guard_seam.py checks the parser it builds there).
    if sys.platform == "win32":
        pytest.skip("the guard's driver is Linux/macOS only")
    from textual.drivers.linux_driver import LinuxDriver

    from tui_app.ui.paste_guard import PasteGuardDriver

    assert PasteGuardDriver.__bases__ == (LinuxDriver,)
    machinery = set(vars(type("Probe", (LinuxDriver,), {})))  # what Python's class machinery adds (ABC)
    assert set(vars(PasteGuardDriver)) - machinery == {"run_input_thread"}
    assert "run_input_thread" in vars(LinuxDriver)
    assert "super" in PasteGuardDriver.run_input_thread.__code__.co_names  # Textual's loop, not a copy
