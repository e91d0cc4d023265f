"""Reproduces the Textual bug of docs/textual-paste-issue.md with Textual's own code, nothing of vias-tui's.

    python3 docs/textual_paste_repro.py             # the bytes through Textual's XTermParser, fed as LinuxDriver does
    python3 docs/textual_paste_repro.py --app       # the same bytes written to the minimal app on a pseudo-terminal
    python3 docs/textual_paste_repro.py --variants  # other pastes the same loop breaks up
    python3 docs/textual_paste_repro.py --fixed     # the bytes through XTermParser with docs/textual-paste-fix.diff

The issue text quotes what each mode prints (tests/ui/test_textual_paste_issue.py checks it still does).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time

import textual
from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

# What a terminal sends for a bracketed paste of "note ESC[0m ^D s2 CR": the clipboard of the attack.
WIRE = "\x1b[200~note\x1b[0m\x04s2\r\x1b[201~"
RECEIVED = "what the app received:"


class Repro(App[None]):
    """The minimal app of the issue: an Input, and a destructive binding on ctrl+d."""

    BINDINGS = [Binding("ctrl+d", "delete_all", "Delete all", priority=True)]

    def __init__(self) -> None:
        super().__init__()
        self.received: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input(placeholder="paste task IDs here")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.received.append(f"key {event.key}")
        elif isinstance(event, events.Paste) and not event.is_forwarded:
            self.received.append(f"paste {event.text!r}")
            self.set_timer(0.5, self.finish)
        await super().on_event(event)

    def action_delete_all(self) -> None:
        self.received.append("binding ctrl+d -> action_delete_all() ran")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.received.append(f"Input submitted {event.value!r}")

    def finish(self) -> None:
        self.received.append(f"Input value {self.query_one(Input).value!r}")
        self.exit()


PAUSE = None  # in a list of reads: no input for longer than ESCAPE_DELAY
VARIANTS = {
    "a pasted focus report": ["\x1b[200~a\x1b[Ib\x1b[201~"],
    "a pasted in-band resize report": ["\x1b[200~a\x1b[48;24;80;480;800tb\x1b[201~"],
    "ESC and more than 32 characters": ["\x1b[200~x\x1b" + "y" * 33 + "\x1b[201~"],
    "the link pauses after a pasted ESC": ["\x1b[200~a\x1b", PAUSE, "b\x1b[201~"],
}


def parser_events(reads: list[str | None], parser_class: type[XTermParser] = XTermParser) -> list[Message]:
    """Feed each read as LinuxDriver.run_input_thread feeds its parser: `feed`, then `tick` (every 0.1 s)."""
    parser = parser_class()
    got: list[Message] = []
    for data in [*reads, PAUSE]:
        if data is PAUSE:
            time.sleep(constants.ESCAPE_DELAY + 0.1)
        else:
            got += parser.feed(data)
        got += parser.tick()
    return got


def fixed_parser() -> type[XTermParser]:
    """Textual's `_xterm_parser.py` with docs/textual-paste-fix.diff applied (by `patch`), loaded on its own."""
    import importlib.util
    import tempfile
    from pathlib import Path

    import textual._xterm_parser as original

    with tempfile.TemporaryDirectory() as folder:
        fixed = Path(folder, "fixed_xterm_parser.py")
        diff = Path(__file__).with_name("textual-paste-fix.diff")
        subprocess.run(["patch", "-s", "-o", str(fixed), str(original.__file__), str(diff)], check=True)
        spec = importlib.util.spec_from_file_location("fixed_xterm_parser", fixed)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    parser_class: type[XTermParser] = module.XTermParser
    return parser_class


def app_events(timeout: float = 30.0) -> list[str]:
    """Run `Repro` on a pseudo-terminal (Textual's own LinuxDriver), write the bytes to it as a terminal would, and
    return what the app printed after it exited."""
    import termios

    main, child_side = os.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", COLUMNS="80", LINES="24")
    child = subprocess.Popen(
        [sys.executable, __file__, "--run-app"],
        stdin=child_side,
        stdout=child_side,
        stderr=child_side,
        env=env,
        start_new_session=True,
    )
    screen = b""
    deadline = time.monotonic() + timeout
    try:
        wrote = False
        while child.poll() is None and time.monotonic() < deadline:
            if select.select([main], [], [], 0.05)[0]:
                screen += os.read(main, 65536)  # drain the screen, or the app blocks writing it
            raw = not termios.tcgetattr(child_side)[3] & termios.ICANON
            if not wrote and raw and b"paste task IDs here" in screen:
                os.write(main, WIRE.encode())
                wrote = True
        while select.select([main], [], [], 0.2)[0]:
            try:
                screen += os.read(main, 65536)
            except OSError:  # the child side is closed: all read
                break
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(10)
        os.close(main)
        os.close(child_side)
    text = screen.decode(errors="replace").replace("\r\n", "\n")
    if RECEIVED not in text:
        raise SystemExit(f"the app did not finish in {timeout} s")
    return [RECEIVED, *text.split(RECEIVED, 1)[1].strip("\n").splitlines()]


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "--run-app":
        app = Repro()
        app.run()
        print(RECEIVED, *app.received, sep="\n")
        return
    print(f"textual {textual.__version__}, Python {sys.version.split()[0]}")
    if mode == "--variants":
        for name, reads in VARIANTS.items():
            print(f"{name}: {' + '.join('(pause)' if r is PAUSE else repr(r) for r in reads)}")
            got = parser_events(reads)
            print("   ", ", ".join(f"key {e.key}" if isinstance(e, events.Key) else repr(e) for e in got))
        return
    print(f"input: {WIRE!r}")
    if mode == "--app":
        lines = app_events()
    elif mode == "--fixed":
        lines = [repr(event) for event in parser_events([WIRE], fixed_parser())]
    else:
        lines = [repr(event) for event in parser_events([WIRE])]
    print(*lines, sep="\n")


if __name__ == "__main__":
    main()
