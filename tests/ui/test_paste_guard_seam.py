"""The private Textual pieces the paste guard relies on (the paste_guard docstring lists them). If one of these fails
after a Textual upgrade, re-check the guard against the new _xterm_parser.py and linux_driver.py."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from typing import Any, cast

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.message import Message

from tests.ui.test_paste_guard import HOSTILE, PAUSE, TICK, Summary, bracketed, guard, run, summary
from tui_app.ui.paste_guard import PASTE_END, PASTE_START, ParserChoice

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the guard's driver is Linux/macOS only")

# What a mouse report means depends on what the parser has read before (an in-band resize turns on pixel mode).
RESIZE = "\x1b[48;24;80;480;800t"
AFTER = "a\x1b[<0;100;50M\x1b[<0;100;50m\x1b[A\x04"


def test_hook_stock_parser_reads_the_start_marker_as_one_sequence() -> None:
    # The guard follows the marker while Textual's parser reads it; that needs every prefix to be unfinished for
    # Textual's parser (no event, and nothing ends the sequence early), and the whole marker to start its paste.
    for end in range(1, len(PASTE_START)):
        assert run(XTermParser(), PASTE_START[:end]) == []
    assert run(XTermParser(), bracketed("abc") + "q") == [("paste", "abc"), ("key", "q")]


def test_hook_a_start_marker_prefix_that_times_out_comes_out_as_events() -> None:
    # The guard forgets a marker in progress when a tick of Textual's parser yields something: the sequence timed
    # out. A timeout that yielded nothing would leave the guard waiting for a marker Textual's parser gave up.
    parsers = {end: XTermParser() for end in range(1, len(PASTE_START))}
    for end, parser in parsers.items():
        assert list(parser.feed(PASTE_START[:end])) == []
    run(XTermParser(), TICK)  # waits out the escape delay
    for end, parser in parsers.items():
        assert list(parser.tick()), PASTE_START[:end]


def test_hook_an_end_marker_right_after_the_start_marker_is_one_empty_paste_and_changes_nothing() -> None:
    # How the guard takes a paste over: Textual's parser is taken out of its own paste by an end marker.
    parser, reference = XTermParser(), XTermParser()
    assert run(parser, RESIZE) == run(reference, RESIZE)
    assert [*parser.feed(PASTE_START)] == []
    assert [*map(summary, parser.feed(PASTE_END))] == [("paste", "")]
    assert run(parser, AFTER) == run(reference, AFTER)  # mouse position in pixel mode, keys: as if never pasted


def test_the_guard_keeps_textual_parser_state_across_a_paste() -> None:
    reference = XTermParser()
    resized = run(reference, RESIZE)
    after = run(reference, AFTER)
    assert after != run(XTermParser(), AFTER)  # the state matters: without the resize the mouse lands elsewhere
    assert run(guard(), RESIZE, bracketed("x\x1b[0m"), PAUSE, AFTER) == [*resized, ("paste", "x\x1b[0m"), *after]


def _run_textual_loop(driver_class: type[Any], wire: bytes, monkeypatch: pytest.MonkeyPatch) -> list[Summary]:
    """Textual's input loop (`run_input_thread` of a `driver_class` driver) reading `wire` from a pipe, until the
    first paste comes out; then the loop is told to exit, as the app does."""
    got: list[Summary] = []
    done = threading.Event()

    class Recording(driver_class):  # type: ignore[misc,valid-type]
        def process_message(self, message: Message) -> None:  # where the loop hands over each parsed event
            got.append(summary(message))
            if isinstance(message, events.Paste):
                done.set()

    async def build() -> Any:  # a driver wants a running event loop; this one never gets a message
        return Recording(cast(App[None], object()))

    read_end, write_end = os.pipe()
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}  # the driver sets these
    try:
        with open(read_end, "rb", closefd=False) as stdin:
            monkeypatch.setattr(sys, "__stdin__", stdin)  # the driver reads the fd of sys.__stdin__
            driver = asyncio.run(build())
        assert driver.fileno == read_end
        loop = threading.Thread(target=driver.run_input_thread, daemon=True)
        loop.start()
        os.write(write_end, wire)
        assert done.wait(10), got
        time.sleep(0.3)  # room for anything that would follow the paste
        driver.exit_event.set()
        loop.join(10)
        assert not loop.is_alive()
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        os.close(read_end)
        os.close(write_end)
    return got


def test_hook_textual_input_loop_builds_its_parser_through_the_module_global(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.drivers import linux_driver
    from textual.drivers.linux_driver import LinuxDriver

    from tui_app.ui.paste_guard import PasteGuardDriver

    stock = LinuxDriver.run_input_thread
    assert "XTermParser" in stock.__code__.co_names and "XTermParser" not in stock.__code__.co_varnames
    assert stock.__globals__ is vars(linux_driver)
    assert "run_input_thread" in LinuxDriver._run_input_thread.__code__.co_names  # the input thread runs it
    # Textual's own loop, run as it is: with the guard's driver the hostile paste comes out whole...
    assert _run_textual_loop(PasteGuardDriver, bracketed(HOSTILE).encode(), monkeypatch) == [("paste", HOSTILE)]
    choice = vars(linux_driver)["XTermParser"]
    assert isinstance(choice, ParserChoice) and choice.textual_parser is XTermParser
    # ...and a plain LinuxDriver in the same process still reads through Textual's parser, bug included.
    stock_events = _run_textual_loop(LinuxDriver, bracketed(HOSTILE).encode(), monkeypatch)
    assert {("key", "ctrl+d"), ("key", "s"), ("key", "2"), ("key", "enter")} <= set(stock_events)
    assert type(choice(False)) is XTermParser  # outside a guarded input thread


def test_the_parser_choice_is_installed_once() -> None:
    from textual.drivers import linux_driver

    from tui_app.ui.paste_guard import install_parser_choice

    first = install_parser_choice()
    assert install_parser_choice() is first is vars(linux_driver)["XTermParser"]
    assert first.textual_parser is XTermParser  # not a choice wrapped in a choice
