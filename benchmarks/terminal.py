"""A real terminal for the console benchmarks: a tmux server on a private socket, one session, driven like an
operator (bracketed pastes, keys one at a time) and read back with capture-pane. Every wait is bounded."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

SESSION = "bench"


def tmux_missing() -> str | None:
    return None if shutil.which("tmux") else "tmux is not installed; the console was not measured"


class Terminal:
    def __init__(self, workdir: Path) -> None:
        self.socket = f"vias-bench-{os.getpid()}-{time.monotonic_ns()}"
        self.workdir = workdir

    def tmux(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30)
        if check and proc.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {proc.stderr.strip()}")
        return proc.stdout

    def start(self, command: Sequence[str], env: dict[str, str], cwd: Path, size: tuple[int, int]) -> None:
        """Run `command` in a new session with exactly `env`; the pane stays after it exits, to be read."""
        shell = f"cd {shlex.quote(str(cwd))} && exec {' '.join(shlex.quote(part) for part in command)}"
        width, height = str(size[0]), str(size[1])
        argv = ["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", SESSION, "-x", width]
        argv += ["-y", height, "bash", "-c", shell, ";", "set-option", "-t", SESSION, "remain-on-exit", "on"]
        # The server, and so the pane, starts from exactly `env`, nothing else of this shell's.
        env = {k: v for k, v in env.items() if k not in ("TMUX", "TMUX_PANE")}  # not nested in the caller's tmux
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
        if proc.returncode != 0:
            raise RuntimeError(f"tmux new-session failed: {proc.stderr.strip()}")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", SESSION, check=False)

    def wait_for(self, pattern: str, timeout: float, step: float = 0.05) -> re.Match[str]:
        """Poll the screen until `pattern` (a regex) shows; bounded by `timeout`."""
        compiled = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = compiled.search(self.screen())
            if found:
                return found
            if self.exited():
                break
            time.sleep(step)
        raise RuntimeError(f"{pattern!r} never appeared on the console; the screen was:\n{self.screen()}")

    def wait_until_gone(self, pattern: str, timeout: float, step: float = 0.05) -> None:
        compiled = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not compiled.search(self.screen()):
                return
            time.sleep(step)
        raise RuntimeError(f"{pattern!r} stayed on the console; the screen was:\n{self.screen()}")

    def keys(self, *names: str, pause: float = 0.05) -> None:
        """Type like a person: one key at a time."""
        for name in names:
            self.tmux("send-keys", "-t", SESSION, name)
            time.sleep(pause)

    def paste(self, text: str) -> None:
        """A bracketed paste of exactly these bytes, as a terminal delivers one."""
        path = self.workdir / f"paste-{time.monotonic_ns()}.txt"
        path.write_bytes(text.encode())
        self.tmux("load-buffer", "-b", "p", str(path))
        self.tmux("paste-buffer", "-p", "-d", "-b", "p", "-t", SESSION)

    def exited(self) -> bool:
        """The program in the pane has ended (the pane remains, dead)."""
        out = self.tmux("list-panes", "-t", SESSION, "-F", "#{pane_dead}", check=False).strip()
        return out in ("", "1")

    def wait_exit(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.exited():
                return
            time.sleep(0.05)
        raise RuntimeError(f"the console did not exit in {timeout:.0f} s; the screen was:\n{self.screen()}")

    def close(self) -> None:
        self.tmux("kill-server", check=False)  # only this harness's private server (its own socket)
