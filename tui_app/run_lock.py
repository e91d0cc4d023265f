"""One writer per run: an exclusive `flock` on the run's journal while a process writes it, a note of who that
is (so a refusal can name them), and a short directory-wide lock that makes "check for overlapping live runs,
then create my journal" atomic between two terminals.

flock (not POSIX record locks) because it belongs to the open file: reading the same journal elsewhere in the
process does not drop it, and the kernel drops it when the process dies, however it dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tui_app.i18n import _
from tui_app.paths import write_private_file
from tui_app.problems import OperatorError

START_LOCK = ".start.lock"
START_LOCK_WAIT = 10.0  # seconds; the directory lock is held only while a run's journal is created


@dataclass(frozen=True)
class Owner:
    pid: int
    host: str
    since: str
    command: str

    def describe(self) -> str:
        return _("process {pid} on {host} ({command}, since {since})").format(
            pid=self.pid, host=self.host, command=self.command, since=self.since
        )


class RunBusy(OperatorError):
    """Another process is writing this run (or a run that overlaps it)."""


def owner_path(journal: Path) -> Path:
    return journal.with_suffix(".owner")


def try_lock(fd: int, shared: bool = False) -> bool:
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def is_live(journal: Path) -> bool:
    """True while some process holds the journal's lock (a run is being written right now)."""
    try:
        fd = os.open(journal, os.O_RDONLY)
    except OSError:
        return False
    try:
        return not try_lock(fd, shared=True)
    finally:
        os.close(fd)  # closing drops the shared lock we may have taken


def write_owner(journal: Path, command: str) -> None:
    note = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": command,
        "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    with contextlib.suppress(OSError):  # only a courtesy for the error message of a second process
        write_private_file(owner_path(journal), json.dumps(note).encode())


def read_owner(journal: Path) -> Owner | None:
    try:
        data = json.loads(owner_path(journal).read_text(encoding="utf-8"))
        return Owner(int(data["pid"]), str(data["host"]), str(data["since"]), str(data["command"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove_owner(journal: Path) -> None:
    with contextlib.suppress(OSError):
        owner_path(journal).unlink()


def busy_message(journal: Path, what: str) -> str:
    owner = read_owner(journal)
    who = owner.describe() if owner is not None else _("another process")
    return _("{what} is in use by {who}; wait for it to finish (vias-tui runs shows it), then try again").format(
        what=what, who=who
    )


@contextlib.contextmanager
def start_lock(directory: Path, wait: float = START_LOCK_WAIT) -> Iterator[None]:
    """Serialise run start-up in `directory` (bounded wait)."""
    fd = os.open(directory / START_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while not try_lock(fd):
            if time.monotonic() > deadline:
                raise RunBusy(
                    _(
                        "another vias-tui process has been starting a run in {directory} for {wait:g}s; try again"
                    ).format(directory=directory, wait=wait)
                )
            time.sleep(0.02)
        yield
    finally:
        os.close(fd)
