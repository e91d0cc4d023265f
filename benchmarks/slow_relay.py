"""A slow link in a box: runs a command on a pseudo-terminal of its own and relays the keyboard to it the way a
congested SSH link does, while its output goes back at once.

    python benchmarks/slow_relay.py --batch 0.3 -- vias-tui ...       # input held and delivered every 300 ms
    python benchmarks/slow_relay.py --crawl 0.03 -- vias-tui ...      # one byte every 30 ms
    python benchmarks/slow_relay.py --batch 0.3 --stall-after 1b5b3230317e 1.0 -- ...   # pause 1 s after ESC[201~

Run inside tmux (benchmarks/slow_link.py does), so that what tmux types or pastes reaches the program only through
the relay. Standard library only; every loop ends when the program exits.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
import tty


def _copy_size(source: int, target: int) -> None:
    with contextlib.suppress(OSError):
        size = fcntl.ioctl(source, termios.TIOCGWINSZ, b"\0" * 8)
        rows, cols = struct.unpack("HHHH", size)[:2]
        fcntl.ioctl(target, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=float, default=0.0, help="deliver held input every SECONDS")
    parser.add_argument("--crawl", type=float, default=0.0, help="deliver one byte every SECONDS")
    parser.add_argument("--stall-after", nargs=2, metavar=("HEX", "SECONDS"), help="pause after these bytes")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    marker = bytes.fromhex(args.stall_after[0]) if args.stall_after else b""
    stall = float(args.stall_after[1]) if args.stall_after else 0.0

    pid, master = pty.fork()
    if pid == 0:  # the child: the program, on the relay's pty
        os.execvp(command[0], command)
    stdin = sys.stdin.fileno()
    _copy_size(stdin, master)
    signal.signal(signal.SIGWINCH, lambda *_: _copy_size(stdin, master))
    saved = termios.tcgetattr(stdin) if os.isatty(stdin) else None
    if saved is not None:
        tty.setraw(stdin)
    held = bytearray()  # typed, not yet delivered
    delivered = bytearray()  # what went out, for the stall marker
    next_out = time.monotonic()
    try:
        while True:
            now = time.monotonic()
            wait = max(0.0, next_out - now) if held else 0.5
            readable, _, _ = select.select([stdin, master], [], [], wait)
            if master in readable:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break  # the program exited
                if not data:
                    break
                os.write(sys.stdout.fileno(), data)
            if stdin in readable:
                data = os.read(stdin, 65536)
                if not data:
                    break
                held += data
            now = time.monotonic()
            if held and now >= next_out:
                if args.crawl:
                    out, held[:] = bytes(held[:1]), held[1:]
                    next_out = now + args.crawl
                else:
                    out, held[:] = bytes(held), b""
                    # A congested link delivers on its own clock: the next batch goes a whole period later.
                    next_out = now + args.batch
                if marker:
                    tail = bytes(delivered[len(delivered) - len(marker) + 1 :]) if len(marker) > 1 else b""
                    cut = (tail + out).find(marker)
                    if cut != -1:
                        end = cut + len(marker) - len(tail)  # where the marker ends, in `out`
                        held[:0], out = out[end:], out[:end]
                        next_out = now + stall
                        marker = b""  # one stall, as a link that hiccups once
                os.write(master, out)
                delivered += out
    finally:
        if saved is not None:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
