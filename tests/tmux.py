"""The console in a real terminal: a private tmux server per test, keys typed one at a time, bracketed pastes,
and the screen read back (as text, or with its attributes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import CLI_ROOT, cli_command


def require_tmux() -> None:
    if shutil.which("tmux") is None:
        if os.environ.get("VIAS_REQUIRE_TMUX") == "1":
            pytest.fail("tmux is required for the end-to-end tests")
        pytest.skip("needs tmux")


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20)
        if check and proc.returncode != 0:
            raise AssertionError(f"tmux {args[0]} failed: {proc.stderr}")
        return proc.stdout

    def keys(self, *names: str, pause: float = 0.05) -> None:
        """Type like a person: one key at a time."""
        for name in names:
            self.run("send-keys", "-t", "vias", name)
            time.sleep(pause)

    def paste(self, text: str, tmp: Path) -> None:
        """A bracketed paste of exactly these bytes, as a terminal delivers one."""
        path = tmp / f"paste-{time.monotonic_ns()}.txt"
        path.write_bytes(text.encode())
        self.run("load-buffer", "-b", "p", str(path))
        self.run("paste-buffer", "-p", "-d", "-b", "p", "-t", "vias")

    def screen(self, attributes: bool = False, history: bool = False) -> str:
        """The pane as shown; with `history`, from the top of its scrollback, wrapped lines joined (what a
        terminal printed once the console closed may have scrolled)."""
        extra = ["-J", "-S", "-"] if history else []
        return self.run("capture-pane", "-p", *(["-e"] if attributes else []), *extra, "-t", "vias")

    def wait_for(self, text: str, timeout: float = 30, history: bool = False) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen(history=history)
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")

    def alive(self) -> bool:
        return "vias" in self.run("list-sessions", check=False)

    def wait_until_closed(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.alive():
            time.sleep(0.1)
        assert not self.alive(), f"the console did not close; the screen was:\n{self.screen()}"


@contextmanager
def console_in_tmux(
    args: list[str], env: dict[str, str], size: tuple[int, int], tmp: Path, exit_file: Path | None = None
) -> Iterator[Tmux]:
    """`vias-tui ARGS` in a new tmux session; its exit code goes to `exit_file` when given."""
    require_tmux()
    tmux = Tmux(f"vias-e2e-{os.getpid()}-{time.monotonic_ns()}")
    full_env = {
        "TERM": "xterm-256color",
        "PYTHONPATH": str(CLI_ROOT),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "XDG_STATE_HOME": str(tmp / "state"),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "VIAS_METADATA_ENDPOINT": "http://127.0.0.1:9",
        **env,
    }
    env_args = [arg for key, value in full_env.items() for arg in ("-e", f"{key}={value}")]
    command = " ".join(_quote(part) for part in cli_command(*args))
    if exit_file is not None:
        command = f"cd {_quote(str(CLI_ROOT))} && {command}; echo $? > {_quote(str(exit_file))}"
    else:
        command = f"cd {_quote(str(CLI_ROOT))} && {command}"
    tmux.run(
        "new-session", "-d", "-s", "vias", "-x", str(size[0]), "-y", str(size[1]), *env_args, "bash", "-c", command
    )
    try:
        yield tmux
    finally:
        tmux.run("kill-server", check=False)


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
