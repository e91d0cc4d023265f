"""Atomic bracketed pastes: everything between ESC[200~ and ESC[201~ is delivered as one Paste, never as keys.

Textual's `XTermParser.parse` (textual/_xterm_parser.py, Textual 8.2.8) reads a paste through the same escape
sequence loop it uses for keys: an ESC inside the paste starts a "sequence" whose characters are no longer added to
the paste buffer, and when the sequence cannot be matched (the next ESC, more than 32 characters, or a pause longer
than ESCAPE_DELAY) it is reissued as key presses (the `while True` loop in `parse`, lines 240-258: the
`if not bracketed_paste:` guard skips matching, so nothing ends the sequence but those). So `ESC[200~` + "note" +
`ESC[0m` + ^D + "s2" + CR + `ESC[201~` pastes "note" and presses ^ [ 0 m ctrl+d s 2 enter, running the app's bindings.
(The upstream report, with a fix and a request for a parser hook: docs/textual-paste-issue.md.)

`PasteGuardParser` wraps Textual's parser: input outside a paste goes through it unchanged, and from the start
marker on the guard reads the input itself, with plain string searches for ESC[201~ and no escape timeout, and
delivers the paste as one `events.Paste`. Everything, ESC, NUL and other control characters included, stays text for
the widget to handle. (Textual drops NUL from pastes, #1661; here that would merge `ab<NUL>cd` into the plain ID
`abcd`, so the IDs box shows NUL as a picture and reports it instead.) A paste longer than `MAX_PASTE_CHARS` is
delivered in pieces of that size, still as pastes.

Where a paste ends. The pasted text may itself hold the end marker (xterm and tmux do not filter it out of the
clipboard): `ESC[200~ id1 LF ESC[201~ ^D s 2 CR ESC[201~` would otherwise end at the first marker and press
ctrl+d s 2 Enter. A terminal sends a paste in one go, so its real end marker is followed by a pause, or directly by
the start of the next paste; a marker followed by anything else is part of the text. The rule:
- An end marker ends the paste when the input then pauses for `END_PAUSE` (no data, seen on a tick of the driver's
  input loop after a read-less wait), or when the next thing read is a start marker ESC[200~ (a new paste).
- An end marker followed by anything else, in the same read or in a read before that pause, is pasted text.
- When the input pauses after a paste whose last end marker was followed by more input (and no marker closes it),
  that marker was most likely the terminal's and what followed it keys typed within END_PAUSE: the paste is split
  there into two pastes, never keys. So the pasted text keeps its last ID whole, and the early keys show in the IDs
  box as a pasted line, refused there; the keyboard works again after the pause.
So a paste never yields a key event unless the terminal pauses for END_PAUSE in the middle of it, right after an
end marker inside the pasted text (a stalled remote link, say): then what follows the pause arrives as keys. Those
keys were read before any screen they open could be read, and the delete confirmation does not take a count
submitted by input read within its READ_TIME, or while keys have come faster than anyone types since it appeared: it
asks for a random code shown on screen instead, which no paste can know (screens/confirm.py, input_rhythm.py).
The cost of the rule: a paste is delivered END_PAUSE (plus at most one 0.1 s tick of the input loop) after its end
marker arrives.

How the guard gets into Textual's input loop. `LinuxDriver.run_input_thread` (the loop that reads the terminal,
ticks the parser every 0.1 s and handles end of input and exit) builds its parser as `XTermParser(self._debug)`,
looking the name up in its module's globals each time it runs. Textual has no public way to choose the parser: `App`
takes a `driver_class`, but no driver takes a parser class, factory or instance, and what an app can hook
(`Driver.process_message`, `App.on_event`) sees events after the parser has already turned a paste into keys. So:
- `PasteGuardDriver` is Textual's `LinuxDriver`; its `run_input_thread` (a public method) marks its own thread and
  runs Textual's loop with `super()`.
- Before that, once per process, it puts `ParserChoice` in place of the name `XTermParser` in
  `textual.drivers.linux_driver`. `ParserChoice` builds `PasteGuardParser` in a marked thread and whatever the name
  meant before everywhere else, so a plain `LinuxDriver` in the same process keeps Textual's parser.
Not chosen: a copy of `run_input_thread` with other globals (`types.FunctionType`, what this module did before: a
second function object built from Textual's code that readers must take on trust); an input loop of our own (no
private name at all, but a copy of Textual's reading, decoding, EOF and exit handling that goes stale unseen on an
upgrade); rewriting the bytes before Textual's parser reads them (its paste buffer loses ESC and NUL whatever it is
fed).

Private Textual names this relies on (tests/ui/test_paste_guard_seam.py fails if one changes):
- `textual.drivers.linux_driver.XTermParser`: the module global through which `LinuxDriver.run_input_thread` builds
  its parser. The tests check the name is a global of that function, and run Textual's loop on a pipe: the hostile
  paste must come out whole with `PasteGuardDriver` and as keys with a plain `LinuxDriver`. (Textual's input thread
  runs `run_input_thread` through the private `LinuxDriver._run_input_thread`; checked there and by the pty test.)
- `textual._xterm_parser.XTermParser`, through `feed` and `tick` only (the two methods the loop calls), and what it
  does with the markers: each prefix of ESC[200~ is one unfinished sequence (so the guard can follow it), such a
  sequence that times out comes out as at least one event (so the guard knows it was given up), and ESC[201~ right
  after ESC[200~ yields exactly one empty Paste and leaves the parser as it was (how the guard takes the paste over).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator

from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.message import Message

ESC = "\x1b"
PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
MAX_PASTE_CHARS = 64 * 1024 * 1024  # a terminal that never ends a paste must not grow memory without bound
# Seconds without input that confirm an end marker as the end of the paste. A terminal writes a paste back to back:
# the reads of one paste follow each other within milliseconds, through tmux or ssh too while the link works. And a
# paste that shows up a quarter of a second after the terminal sent it still looks immediate to the operator.
END_PAUSE = 0.25


class PasteGuardParser:
    """Textual's `XTermParser`, with the same `feed` and `tick`, whose bracketed pastes are atomic whatever bytes
    they hold."""

    def __init__(
        self,
        debug: bool = False,
        *,
        max_paste: int = MAX_PASTE_CHARS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._textual = XTermParser(debug)  # parses everything outside pastes
        self._marker = ""  # what Textual's parser read since its last ESC, while that may become a start marker
        self._max_paste = max_paste
        self._clock = clock
        self._paste: list[str] | None = None  # pieces of the paste being read; None outside a paste
        self._paste_size = 0
        self._paste_delivered = False  # part of this paste already went out (it hit the cap)
        self._marker_seen = False  # this paste has read an end marker (which may have been the real one)
        self._inner_at: int | None = None  # where in the paste the last end marker followed by more input begins
        self._held_was_end = False  # the paste's last held-back input was a whole end marker
        self._held = ""  # the end of the input, while it is or may become an end marker (see `_read_paste`)
        self._last_read = 0.0  # clock() at the last read
        self._read_since_tick = False

    def feed(self, data: str) -> Iterable[Message]:
        if not data:  # end of input: a paste cut short is still a paste
            if self._paste is not None:
                yield from self._end_paste(self._take_held())
            yield from self._textual.feed(data)
            return
        self._last_read, self._read_since_tick = self._clock(), True
        while data:
            if self._paste is None:
                # A paste can only start at a "~", so Textual's parser gets pieces ending at one; if that piece
                # completed the start marker, the rest of the read is paste text.
                cut = data.find("~") + 1 or len(data)
                yield from self._feed_textual(data[:cut])
                data = data[cut:]
            else:
                data = yield from self._read_paste(data)

    def tick(self) -> Iterable[Message]:
        """Called by the driver's input loop after every wait for input, with or without a read."""
        if self._paste is None:
            timed_out = list(self._textual.tick())
            if timed_out:  # Textual's parser gave up the sequence it was reading (ESCAPE_DELAY): not a marker now
                self._marker = ""
            yield from timed_out
            return
        # Only a tick with no read since the last one counts: its wait found nothing to read. (A tick right after
        # a read may come late, if the input thread was kept waiting, while more of the paste is ready to read.)
        read, self._read_since_tick = self._read_since_tick, False
        if not read and self._marker_seen and self._clock() - self._last_read >= END_PAUSE:
            held = self._take_held()
            if self._held_was_end or self._inner_at is None or self._paste_delivered:
                yield from self._end_paste(held)
                return
            # The paste ended without a marker of its own at the end: the last marker followed by more input was
            # most likely the terminal's, and what followed it keys typed within END_PAUSE. Both stay pastes (never
            # keys), but apart, so the pasted text keeps its last line whole.
            assert self._paste is not None
            text = "".join(self._paste) + held
            self._paste.clear()
            self._paste_size = 0
            cut = self._inner_at
            yield from self._end_paste(text[:cut])
            rest = text[cut + len(PASTE_END) :]
            if rest:
                yield events.Paste(rest)

    def _feed_textual(self, piece: str) -> Iterator[Message]:
        """Give Textual's parser a piece of input outside a paste, and take over if it completes a start marker."""
        yield from self._textual.feed(piece)
        # Follow the sequence Textual's parser is reading: it starts at an ESC, and while it is a prefix of the
        # start marker nothing ends it but an ESC, a timeout (`tick`) or the end of input.
        seen = self._marker + piece
        esc = seen.rfind(ESC, max(0, len(seen) - len(PASTE_START)))
        self._marker = seen[esc:] if esc != -1 and PASTE_START.startswith(seen[esc:]) else ""
        if self._marker == PASTE_START:
            # Textual's parser is now in its own paste: an end marker ends that (with an empty Paste, which is not
            # the operator's) and leaves it as it was, mouse and size state included. The guard reads the paste.
            self._marker = ""
            for event in self._textual.feed(PASTE_END):
                if not (isinstance(event, events.Paste) and event.text == ""):
                    yield event
            self._paste, self._paste_size, self._paste_delivered = [], 0, False
            self._marker_seen, self._inner_at = False, None

    def _read_paste(self, data: str) -> Generator[Message, None, str]:
        """Add a read to the paste; returns what follows its end, if a start marker just after an end marker
        ended it. An end marker that reaches the end of the input (or is followed by no more than the start of
        a start marker) is held back: the next read or a pause decides what it is."""
        text = self._held + data
        self._held = ""
        inner: int | None = None  # in `text`: the last end marker followed by more input
        end = text.find(PASTE_END)
        while end != -1:
            self._marker_seen = True
            after = end + len(PASTE_END)
            if text.startswith(PASTE_START, after):
                yield from self._end_paste(text[:end])
                return text[after:]
            if len(text) - after < len(PASTE_START) and PASTE_START.startswith(text[after:]):
                # Nothing after it yet, or part of a start marker: the next read or a pause decides.
                self._held = text[end:]
                self._note_inner(inner)
                yield from self._add(text[:end])
                return ""
            inner = end
            end = text.find(PASTE_END, after)  # followed by more input: that marker is text
        # Hold back a trailing ESC[201 (or part of it): the rest of the marker may come in the next read.
        # The marker has one ESC, at its start, so only the last ESC can begin it.
        esc = text.rfind(ESC, max(0, len(text) - len(PASTE_END) + 1))
        keep = esc if esc != -1 and PASTE_END.startswith(text[esc:]) else len(text)
        self._held = text[keep:]
        self._note_inner(inner)
        yield from self._add(text[:keep])
        return ""

    def _note_inner(self, inner: int | None) -> None:
        if inner is not None:  # as an offset in the whole paste, before this read's text is added
            self._inner_at = self._paste_size + inner

    def _take_held(self) -> str:
        """The held-back input, as the last of the paste's text: a lone end marker is the paste's end, not text."""
        held, self._held = self._held, ""
        self._held_was_end = held == PASTE_END
        return "" if self._held_was_end else held

    def _add(self, text: str) -> Generator[Message, None, None]:
        assert self._paste is not None
        while text:
            room = self._max_paste - self._paste_size
            self._paste.append(text[:room])
            self._paste_size += len(self._paste[-1])
            text = text[room:]
            if self._paste_size >= self._max_paste:
                yield self._take_paste()
                self._paste_delivered = True

    def _end_paste(self, text: str) -> Generator[Message, None, None]:
        yield from self._add(text)
        if self._paste or not self._paste_delivered:  # an empty paste is reported, as Textual does
            yield self._take_paste()
        self._paste = None

    def _take_paste(self) -> events.Paste:
        assert self._paste is not None
        text = "".join(self._paste)
        self._paste.clear()
        self._paste_size = 0
        return events.Paste(text)


_this_thread = threading.local()  # `guarded` is True in the input thread of a PasteGuardDriver


class ParserChoice:
    """Stands in for the name `XTermParser` in `textual.drivers.linux_driver`: `PasteGuardParser` in the input
    thread of a `PasteGuardDriver`, and what the name meant before (Textual's parser) everywhere else."""

    def __init__(self, textual_parser: Callable[[bool], XTermParser]) -> None:
        self.textual_parser = textual_parser

    def __call__(self, debug: bool = False) -> XTermParser | PasteGuardParser:
        if getattr(_this_thread, "guarded", False):
            return PasteGuardParser(debug)
        return self.textual_parser(debug)


if sys.platform != "win32":
    from textual.drivers import linux_driver

    _install_lock = threading.Lock()

    def install_parser_choice() -> ParserChoice:
        """Put `ParserChoice` in place of `XTermParser` in Textual's Linux driver module, once per process. (The
        module's namespace is used through vars(): to mypy the name is a class.)"""
        namespace = vars(linux_driver)
        with _install_lock:
            if not isinstance(namespace["XTermParser"], ParserChoice):
                namespace["XTermParser"] = ParserChoice(namespace["XTermParser"])
            choice: ParserChoice = namespace["XTermParser"]
            return choice

    class PasteGuardDriver(linux_driver.LinuxDriver):
        """Textual's Linux/macOS driver, whose input loop (Textual's own) reads through `PasteGuardParser`."""

        def run_input_thread(self) -> None:
            install_parser_choice()
            _this_thread.guarded = True  # the loop builds its parser in this thread, through `ParserChoice`
            try:
                super().run_input_thread()
            finally:
                _this_thread.guarded = False


def paste_guard_driver() -> type[Driver] | None:
    """The `driver_class` for the App: `PasteGuardDriver`, or None (Textual's own choice) on Windows or when
    TEXTUAL_DRIVER names a driver (`textual serve`, for one). Headless and inline runs ignore `driver_class`."""
    if sys.platform == "win32" or constants.DRIVER:
        return None
    return PasteGuardDriver
