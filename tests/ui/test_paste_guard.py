"""Bracketed pastes are atomic: raw terminal input fed to the parser as the Linux driver does, and a real pty run.

The guard's parsers run on a clock the tests move (`PAUSE`): a paste ends only at a pause after its end marker."""

from __future__ import annotations

import json
import os
import random
import select
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.message import Message

from tui_app.ui.paste_guard import (
    END_PAUSE,
    MAX_PASTE_CHARS,
    PASTE_END,
    PASTE_START,
    PasteGuardParser,
    paste_guard_driver,
)

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "note: see log\x1b[0m\x04s2\r"  # the paste from the bug report
TICK = object()  # in a chunk list: wait past the escape delay, then let the parser time out
PAUSE = object()  # in a chunk list: no input for END_PAUSE (on the guard's clock), then the driver's tick

Summary = tuple[str, str | None]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def guard(**kwargs: int) -> PasteGuardParser:
    """The guard's parser on a clock that only `PAUSE` moves."""
    return PasteGuardParser(clock=Clock(), **kwargs)


def summary(event: Message) -> Summary:
    if isinstance(event, events.Key):
        return ("key", event.key)
    if isinstance(event, events.Paste):
        return ("paste", event.text)
    return (type(event).__name__, repr(event))


def run(parser: XTermParser | PasteGuardParser, *chunks: str | object) -> list[Summary]:
    """Feed chunks one read at a time, as LinuxDriver.run_input_thread does (feed, then tick)."""
    out: list[Summary] = []
    for chunk in chunks:
        if chunk is TICK:
            time.sleep(constants.ESCAPE_DELAY + 0.05)
        elif chunk is PAUSE:
            clock = getattr(parser, "_clock", None)
            if isinstance(clock, Clock):
                clock.now += END_PAUSE
        else:
            assert isinstance(chunk, str)
            out += map(summary, parser.feed(chunk))
        out += map(summary, parser.tick())
    return out


def splits(stream: str) -> list[list[str]]:
    """The stream in one read, one character per read, cut at every point, and cut at random."""
    ways = [[stream], list(stream)]
    ways += [[stream[:i], stream[i:]] for i in range(1, len(stream))]
    rng = random.Random(len(stream))
    for _ in range(20):
        cuts = sorted(rng.sample(range(1, len(stream)), min(4, len(stream) - 1)))
        ways.append([stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)])
    return ways


def bracketed(text: str) -> str:
    return PASTE_START + text + PASTE_END


CONTENTS = {
    "hostile": HOSTILE,
    "sgr-colour": "id\x1b[31mred",
    "lone-esc": "a\x1bb",
    "esc-before-end-marker": "trailing\x1b",
    "only-esc": "\x1b",
    "truncated-csi-before-end": "a\x1b[2",
    "end-marker-without-tilde": "x\x1b[201y and \x1b[201",
    "nested-start-marker": "nested \x1b[200~ start",
    "cr-lf": "line1\r\nline2\rline3\n",
    "control-chars": "\x03\x04\x1a\x7f\t\x08\x11\x13",
    "key-sequences": "\x1b[<0;3;4M\x1b[A\x1bOP\x1b[15~\x1b[I\x1b[12;40R\x1b[97;5u\x1bq",
    "tildes": "~~\x1b~~",
    "unicode": "emoji 🙂 ünïcödé",
    "empty": "",
    # The end marker inside the pasted text (xterm and tmux do not filter it from the clipboard).
    "fake-end-marker": "id1\n" + PASTE_END + "\x04s2\r",
    "fake-end-markers": PASTE_END + "\x04" + PASTE_END + "s" + PASTE_END + PASTE_END + "2\r" + PASTE_END,
    "fake-end-then-keys": "id" + PASTE_END + "\x1b[A\x1b[<0;10;5M\x1b[<0;10;5m\x1bOP\x1b[15~\r",
    "fake-end-then-partial-markers": "a" + PASTE_END + "\x1b[20" + PASTE_END + "\x1b[201" + PASTE_END + "\x1b",
}


@pytest.mark.parametrize("content", CONTENTS.values(), ids=CONTENTS.keys())
def test_a_paste_is_one_paste_event_however_it_is_split(content: str) -> None:
    """However the terminal's reads cut it, as long as it does not pause inside it."""
    expected = [("key", "ctrl+d"), ("paste", content), ("key", "q")]
    for chunks in splits("\x04" + bracketed(content)):
        assert run(guard(), *chunks, PAUSE, "q") == expected, chunks


HOSTILE_READS = {
    "the-report": PASTE_START + "id1\n" + PASTE_END + "\x04s2\r" + PASTE_END,
    "marker-then-ctrl-d": PASTE_START + "id1" + PASTE_END + "\x04" + PASTE_END,
    "marker-then-escape-sequences": PASTE_START
    + "id1"
    + PASTE_END
    + "\x1b[B\x1b[<0;10;5M\x1b[<0;10;5m\x1b\r"
    + PASTE_END,
    "many-markers": PASTE_START + (PASTE_END + "\x04s2\r") * 50 + PASTE_END,
    "marker-then-start-of-a-marker": PASTE_START + "id1" + PASTE_END + "\x1b[20\x04" + PASTE_END,
}


@pytest.mark.parametrize("read", HOSTILE_READS.values(), ids=HOSTILE_READS.keys())
def test_a_hostile_paste_in_one_read_yields_no_key(read: str) -> None:
    got = run(guard(), read)
    assert got == []  # nothing before the pause: the paste is still open
    got += run(guard(), read, PAUSE)
    assert got == [("paste", read[len(PASTE_START) : -len(PASTE_END)])]


def test_a_read_that_follows_a_marker_before_the_pause_continues_the_paste() -> None:
    """The report's paste with the reads cut right after the fake marker: no pause, so still all text."""
    chunks = [PASTE_START + "id1\n" + PASTE_END, "\x04s2\r", PASTE_END, PAUSE, "q"]
    assert run(guard(), *chunks) == [("paste", "id1\n" + PASTE_END + "\x04s2\r"), ("key", "q")]


def test_a_pause_right_after_a_fake_marker_lets_the_rest_through_as_keys() -> None:
    """The documented limit: a terminal that stalls right after a marker inside the paste. (The confirmation's
    READ_TIME refuses keys like these: tests/ui/test_type_ahead.py.)"""
    rest = "\x04s2\r" + PASTE_END
    got = run(guard(), PASTE_START + "id1\n" + PASTE_END, PAUSE, rest)
    assert got == [("paste", "id1\n"), *run(XTermParser(), rest)]
    assert got[1:5] == [("key", "ctrl+d"), ("key", "s"), ("key", "2"), ("key", "enter")]


def test_keys_in_the_same_read_as_the_end_marker_are_pasted_and_the_keyboard_still_works() -> None:
    # A slow reader can get the real end marker and the next keys in one read: they are never keys, but the pause
    # splits them off at that marker (most likely the terminal's), so the pasted ID stays whole; after the pause,
    # keys are keys.
    got = run(guard(), bracketed("id1") + "\x04", PAUSE, "q\x04")
    assert got == [("paste", "id1"), ("paste", "\x04"), ("key", "q"), ("key", "ctrl+d")]
    got = run(guard(), bracketed("0d47bbf52962414bb7ae27fb6ea24230") + "\rxyz", PAUSE)  # Enter, typed at once
    assert got == [("paste", "0d47bbf52962414bb7ae27fb6ea24230"), ("paste", "\rxyz")]


def test_only_a_pause_that_the_driver_saw_ends_a_paste() -> None:
    clock = Clock()
    parser = PasteGuardParser(clock=clock)
    assert list(parser.feed(bracketed("a"))) == []
    clock.now += 10
    assert list(parser.tick()) == []  # the tick after a read came late (the thread was kept waiting): no pause seen
    assert list(parser.feed("b")) == []  # more was waiting to be read: the marker was text
    assert list(parser.tick()) == []
    clock.now += END_PAUSE - 0.01
    assert list(parser.tick()) == []  # not long enough
    clock.now += 0.01
    assert list(map(summary, parser.tick())) == [("paste", "a"), ("paste", "b")]
    assert list(map(summary, parser.feed("c"))) == [("key", "c")]


def test_a_pause_without_an_end_marker_does_not_end_a_paste() -> None:
    chunks = [PASTE_START + "a", PAUSE, PAUSE, "b\x1b[201", PAUSE, "~", PAUSE]
    assert run(guard(), *chunks) == [("paste", "ab")]


def test_stock_parser_turns_the_hostile_paste_into_key_presses() -> None:
    """The bug, documented: if Textual fixes it this fails, and the guard may be dropped."""
    got = run(XTermParser(), bracketed(HOSTILE))
    assert ("paste", "note: see log") in got
    assert {("key", "ctrl+d"), ("key", "s"), ("key", "enter")} <= set(got)
    assert run(XTermParser(), bracketed("id\x1b[31mred")) != [("paste", "id\x1b[31mred")]


def test_the_guard_delivers_the_hostile_paste_whole() -> None:
    assert run(guard(), bracketed(HOSTILE), PAUSE) == [("paste", HOSTILE)]


def test_nul_stays_in_the_paste_so_it_cannot_merge_two_pieces_into_one_id() -> None:
    assert run(guard(), "\x00" + bracketed("a\x00b\x00"), PAUSE, "\x00") == [
        ("key", "ctrl+@"),
        ("paste", "a\x00b\x00"),
        ("key", "ctrl+@"),
    ]


def test_a_paste_never_times_out() -> None:
    # ESC and a near end marker in the content, and the end marker itself, each cut by pauses longer than ESCDELAY
    chunks = [PASTE_START + "abc\x1b", TICK, "[31m\x1b[20", TICK, "2~\x04", TICK, PASTE_END[:3], TICK, PASTE_END[3:]]
    assert run(guard(), *chunks, PAUSE) == [("paste", "abc\x1b[31m\x1b[202~\x04")]
    assert ("key", "escape") in run(XTermParser(), *chunks)  # Textual's own parser times out inside the paste


def test_two_pastes_and_keys_between() -> None:
    # A start marker right after an end marker: two pastes, with no pause between them.
    first, second = bracketed("id-1\r"), bracketed("id-2\x1b") + bracketed("")
    expected = [("paste", "id-1\r"), ("key", "up"), ("paste", "id-2\x1b"), ("paste", ""), ("key", "enter")]
    for chunks in splits(first):
        assert run(guard(), *chunks, PAUSE, "\x1b[A", second, PAUSE, "\r") == expected, chunks
    for chunks in splits(second):
        assert run(guard(), first, PAUSE, "\x1b[A", *chunks, PAUSE, "\r") == expected, chunks


def test_a_5_mb_paste() -> None:
    # ~5 MB with an end marker, ESC, ctrl+d and CR on every line
    content = "".join(f"{i:032x}{PASTE_END}\x1b[0m\x04s\r\n" for i in range(110_000))
    assert len(content) > 5_000_000
    stream = "\x04" + bracketed(content)
    started = time.monotonic()
    for chunks in ([stream], [stream[i : i + 4096] for i in range(0, len(stream), 4096)]):
        assert run(guard(), *chunks, PAUSE, "q") == [("key", "ctrl+d"), ("paste", content), ("key", "q")]
    assert time.monotonic() - started < 10


def test_a_paste_over_the_cap_is_delivered_in_pieces_still_as_pastes() -> None:
    assert MAX_PASTE_CHARS == 64 * 1024 * 1024
    content = "0123456789abcdefghij\x04\r\x1b[A"  # 25 characters
    for chunks in splits(bracketed(content)):
        got = run(guard(max_paste=10), *chunks, PAUSE, "q")
        assert got == [("paste", content[:10]), ("paste", content[10:20]), ("paste", content[20:]), ("key", "q")]
    # A paste of exactly the cap is not followed by an empty one.
    assert run(guard(max_paste=10), bracketed(content[:20]), PAUSE) == [
        ("paste", content[:10]),
        ("paste", content[10:20]),
    ]


def test_input_ending_inside_a_paste_delivers_it_as_a_paste() -> None:
    assert run(guard(), PASTE_START + "abc\x04\x1b[20", "") == [("paste", "abc\x04\x1b[20")]
    assert run(guard(), bracketed("abc"), "") == [("paste", "abc")]  # the end marker, before the pause
    assert run(guard(), bracketed("abc") + "\x1b[20", "") == [("paste", "abc" + PASTE_END + "\x1b[20")]


OUTSIDE = {
    "text": ["abc 1"],
    "ctrl-keys": ["\x04\x11\r\t\x7f"],
    "arrows": ["\x1b[A\x1b[B\x1bOC"],
    "f5": ["\x1b[15~"],
    "sgr-mouse": ["\x1b[<0;10;5M\x1b[<0;10;5m\x1b[<35;11;6M\x1b[<64;11;6M"],
    "alt-a": ["\x1ba"],
    "focus": ["\x1b[I\x1b[O"],
    "cursor-position": ["\x1b[12;40R"],
    "kitty-ctrl-a": ["\x1b[97;5u"],
    "mode-report": ["\x1b[?2026;1$y"],
    "in-band-resize": ["\x1b[48;24;80;480;800t"],
    "stray-end-marker": ["a\x1b[201~b"],
    "tildes": ["~a~"],
    "lone-escape": ["\x1b", TICK],
    "double-escape": ["\x1b\x1b", TICK],
    "escape-then-bracket": ["\x1b[", TICK, "x"],
    "start-marker-cut-by-a-timeout": ["\x1b[20", TICK, "0~ab\x04"],
    "escape-timeout-then-marker-text": ["\x1b", TICK, "[200~ab" + PASTE_END],
    "long-unknown-sequence": ["\x1b[" + "1;" * 20 + "z"],
}


@pytest.mark.parametrize("chunks", OUTSIDE.values(), ids=OUTSIDE.keys())
def test_input_outside_pastes_parses_exactly_as_textual_parses_it(chunks: list[str | object]) -> None:
    expected = run(XTermParser(), *chunks)
    assert run(guard(), *chunks) == expected
    if TICK not in chunks:
        stream = "".join(c for c in chunks if isinstance(c, str))
        assert run(guard(), *list(stream)) == run(XTermParser(), *list(stream))


BEFORE = {
    "escape": "\x1b",
    "unfinished-csi": "\x1b[1;",
    "part-of-a-start-marker": "\x1b[200",
    "mouse": "\x1b[<0;1;1M",
    "stray-end-marker": "x\x1b[201~",
}


@pytest.mark.parametrize("before", BEFORE.values(), ids=BEFORE.keys())
def test_what_comes_right_before_a_paste_parses_as_textual_parses_it(before: str) -> None:
    # The guard follows the start marker as Textual's parser reads it, whatever sequence that parser was in.
    stream = before + bracketed("a")
    expected = run(XTermParser(), stream)
    assert expected[-1] == ("paste", "a")
    for chunks in splits(stream):
        assert run(guard(), *chunks, PAUSE) == expected, chunks


def test_the_lone_escape_key_still_waits_for_the_escape_delay() -> None:
    parser = guard()
    assert run(parser, "\x1b") == []
    assert run(parser, TICK) == [("key", "escape")]
    assert run(parser, "q") == [("key", "q")]


# The private Textual pieces the guard relies on are checked in test_paste_guard_seam.py.


def test_driver_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.app import App

    if sys.platform == "win32":
        assert paste_guard_driver() is None
        return
    from tui_app.ui.paste_guard import PasteGuardDriver

    assert paste_guard_driver() is PasteGuardDriver
    assert App(driver_class=paste_guard_driver()).driver_class is PasteGuardDriver
    monkeypatch.setattr(constants, "DRIVER", "textual.drivers.web_driver:WebDriver")
    assert paste_guard_driver() is None  # `textual serve` and friends choose their own driver


# End to end: a Textual app on a pty, the hostile paste written to the terminal side in three reads, split inside
# both markers. Stock LinuxDriver as the control: it must show the bug, or the harness proves nothing.

PROBE = textwrap.dedent(
    """
    import json, sys
    from textual import events
    from textual.app import App
    from textual.drivers.linux_driver import LinuxDriver
    from tui_app.ui.paste_guard import PasteGuardDriver

    log = open(sys.argv[2], "a", buffering=1)

    def record(*fields):
        log.write(json.dumps(fields) + "\\n")

    class Probe(App[None]):
        def on_mount(self) -> None:
            record("ready")

        async def on_event(self, event: events.Event) -> None:
            if event.is_forwarded:
                pass  # the same event again, bubbling back up from the focused widget
            elif isinstance(event, events.Key):
                record("key", event.key)
            elif isinstance(event, events.Paste):
                record("paste", event.text)
                self.set_timer(0.5, self.exit)  # room for any stray keys to arrive
            await super().on_event(event)

    Probe(driver_class=PasteGuardDriver if sys.argv[1] == "guarded" else LinuxDriver).run()
    record("exited")
    """
)


def _records(path: Path) -> list[list[str]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("]")]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
@pytest.mark.parametrize("driver", ["guarded", "stock"])
def test_pty_end_to_end(driver: str, tmp_path: Path) -> None:
    import fcntl
    import struct
    import termios

    script, log = tmp_path / "probe.py", tmp_path / "events.jsonl"
    script.write_text(PROBE)
    log.touch()
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT), COLUMNS="80", LINES="24")
    child = subprocess.Popen(
        [sys.executable, str(script), driver, str(log)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=ROOT,
        start_new_session=True,  # the probe's signals and job control stay apart from the test run
    )

    def pump(condition: Callable[[], object], timeout: float = 20.0) -> None:
        """Drain the app's screen output (a full pty would block it) until `condition` holds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; events so far: {_records(log)}")
            if select.select([master], [], [], 0.02)[0]:
                os.read(master, 65536)

    try:
        pump(lambda: ["ready"] in _records(log))
        pump(lambda: not termios.tcgetattr(slave)[3] & termios.ICANON)  # raw mode: ctrl+d is not EOF any more
        wire = bracketed(HOSTILE).encode()
        for piece in (wire[:4], wire[4:-3], wire[-3:]):
            os.write(master, piece)
            pump(lambda: True)
            time.sleep(0.02)
        pump(lambda: child.poll() is not None)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
        os.close(master)
        os.close(slave)

    got = [tuple(r) for r in _records(log) if r[0] in ("key", "paste")]
    if driver == "guarded":
        assert got == [("paste", HOSTILE)]
    else:
        assert ("key", "ctrl+d") in got and ("key", "enter") in got
