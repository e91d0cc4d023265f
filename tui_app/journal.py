"""The append-only run journal: the source of truth for what happened (reading it back: runlog.py).

Durability: each line is one checked `os.write` as soon as it is known, so a process killed with SIGKILL loses
nothing already answered (the kernel has the bytes); a background thread fsyncs on a timer, so a machine crash
loses at most the last half second without any outcome waiting for the disk.

A full disk: before the first request, room for the whole run is reserved in a ballast file beside the journal.
When a write meets ENOSPC, part of the ballast is released and the write retried, so the outcome in hand is
still recorded. A write that fails anyway is rolled back to the last whole line (never a torn line) and raises
JournalWriteError; the engine then stops sending. Reopening a journal repairs a torn tail before appending.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tui_app import __version__
from tui_app.i18n import _
from tui_app.ids import Plan
from tui_app.outcomes import JobRecord, Outcome, OutcomeRecord, RunStatus, skipped_record
from tui_app.paths import describe_os_error
from tui_app.problems import JournalWriteError, OperatorError
from tui_app.run_lock import RunBusy, busy_message, is_live, remove_owner, try_lock, write_owner

FSYNC_INTERVAL = 0.5  # seconds between fsyncs while lines are being written
RESERVE_PER_ID = 1024  # bytes of journal one ID typically needs: a sent line and an outcome with an error
RESERVE_MIN = 64 * 1024
RESERVE_STEP = 256 * 1024  # released at a time when a write meets a full disk
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def reserve_size(ids: int) -> int:
    return RESERVE_MIN + ids * RESERVE_PER_ID


class RunJournal:
    """A locked, append-only journal. Build it with `create` or `open_existing`; close it (or use `with`)."""

    def __init__(self, path: Path, fd: int, command: str) -> None:
        self.path = path
        self._fd = fd
        self._size = os.fstat(fd).st_size  # end of the last whole line
        self._write_lock = threading.Lock()
        self._dirty = False
        self._closed = False
        self._closing = threading.Event()
        self._ballast_fd: int | None = None
        self._ballast_size = 0
        self.repaired_bytes = 0  # a torn tail removed when reopening
        write_owner(path, command)
        self._syncer = threading.Thread(target=self._sync_loop, name="journal-fsync", daemon=True)
        self._syncer.start()

    # --- opening ------------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        directory: Path,
        plan: Plan,
        *,
        endpoint: str,
        project_id: str,
        profile: str | None,
        concurrency: int,
        command: str,
        names: dict[str, str] | None = None,
        run_id: str | None = None,
        reserve: int | None = None,
        cleanup: dict[str, Any] | None = None,
    ) -> RunJournal:
        """A new run's journal: locked, room reserved, header, plan and skipped entries written.

        Raises OperatorError (nothing written, no file left behind) when the directory or disk cannot take it.
        """
        run_id = run_id or new_run_id()
        path = directory / f"{run_id}.jsonl"
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise OperatorError(
                _("cannot create the journal {path}: {reason}; nothing was sent").format(
                    path=path, reason=describe_os_error(exc)
                )
            ) from None
        if not try_lock(fd):  # nobody else can know the name yet; be certain anyway
            os.close(fd)
            raise RunBusy(busy_message(path, _("run {run}").format(run=run_id)))
        journal = cls(path, fd, command)
        try:
            journal.reserve(reserve_size(len(plan.valid)) if reserve is None else reserve)
            journal.write(
                {
                    "type": "header",
                    "run_id": run_id,
                    "started_at": _now(),
                    "endpoint": endpoint,
                    "project_id": project_id,
                    "profile": profile,
                    "tool_version": __version__,
                    "concurrency": concurrency,
                    **({"cleanup": cleanup} if cleanup else {}),
                    "counts": {
                        "valid": len(plan.valid),
                        "duplicates": plan.duplicate_count,
                        "skipped": len(plan.skipped),
                    },
                }
            )
            journal.write(
                {
                    "type": "plan",
                    "ids": plan.valid,
                    "lines": [plan.id_lines.get(i) for i in plan.valid],
                    "names": {i: n for i, n in (names or {}).items() if n},
                }
            )
            for entry in plan.skipped:
                journal.outcome(skipped_record(entry.line, entry.text, entry.reason, entry.excluded))
        except (OperatorError, JournalWriteError) as exc:
            journal.discard()
            if isinstance(exc, OperatorError):
                raise
            raise OperatorError(_("{problem}; nothing was sent").format(problem=exc)) from None
        return journal

    @classmethod
    def open_existing(cls, path: Path, command: str) -> RunJournal:
        """Lock an existing journal to append to it (a resume). RunBusy when another process has it."""
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND)
        except OSError as exc:
            raise OperatorError(
                _("cannot open the journal {path}: {reason}").format(path=path, reason=describe_os_error(exc))
            ) from None
        if not try_lock(fd):
            os.close(fd)
            raise RunBusy(busy_message(path, _("run {run}").format(run=path.stem)))
        repaired = _repair_torn_tail(fd)
        journal = cls(path, fd, command)
        journal.repaired_bytes = repaired
        return journal

    @property
    def run_id(self) -> str:
        return self.path.stem

    # --- room on the disk -----------------------------------------------------------------------------

    @property
    def ballast_path(self) -> Path:
        return self.path.with_suffix(".reserve")

    def reserve(self, size: int) -> None:
        """Set aside `size` bytes on the journal's file system (released as the journal needs them)."""
        self._drop_ballast()
        path = self.ballast_path
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            raise OperatorError(
                _("cannot reserve room for the journal in {directory}: {reason}; nothing was sent").format(
                    directory=path.parent, reason=describe_os_error(exc)
                )
            ) from None
        try:
            _allocate(fd, size)
        except OSError as exc:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise OperatorError(
                _(
                    "not enough free space in {directory} for this run's journal (about {size:.1f} MB needed: "
                    "{reason}); free some space or set XDG_STATE_HOME elsewhere. Nothing was sent"
                ).format(directory=path.parent, size=size / 1e6, reason=describe_os_error(exc))
            ) from None
        self._ballast_fd, self._ballast_size = fd, size

    def _release_ballast(self) -> bool:
        """Give RESERVE_STEP bytes of the ballast back to the file system; False when there is none left."""
        if self._ballast_fd is None or self._ballast_size <= 0:
            return False
        self._ballast_size = max(0, self._ballast_size - RESERVE_STEP)
        try:
            os.ftruncate(self._ballast_fd, self._ballast_size)
        except OSError:
            self._drop_ballast()
        return True

    def _drop_ballast(self) -> None:
        if self._ballast_fd is not None:
            os.close(self._ballast_fd)
            self._ballast_fd, self._ballast_size = None, 0
        self.ballast_path.unlink(missing_ok=True)

    # --- writing ----------------------------------------------------------------------------------------

    def write(self, obj: dict[str, Any]) -> None:
        data = (json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        with self._write_lock:
            self._append(data)

    def _append(self, data: bytes) -> None:
        if self._closed:
            raise JournalWriteError(_("the journal {path} is closed").format(path=self.path))
        view = memoryview(data)
        done = 0
        while done < len(data):
            try:
                written = os.write(self._fd, view[done:])
            except OSError as exc:
                if exc.errno in _DISK_FULL and self._release_ballast():
                    continue
                self._roll_back()
                raise JournalWriteError(
                    _("cannot write the journal {path}: {reason}").format(path=self.path, reason=describe_os_error(exc))
                ) from None
            if written <= 0:
                self._roll_back()
                raise JournalWriteError(
                    _("cannot write the journal {path}: the write made no progress").format(path=self.path)
                )
            done += written
        self._size += len(data)
        self._dirty = True

    def _roll_back(self) -> None:
        """Cut a partly written line off again, so the journal never holds a torn line."""
        try:
            if os.fstat(self._fd).st_size != self._size:
                os.ftruncate(self._fd, self._size)
        except OSError:
            pass  # the reader skips a torn line, and reopening repairs it

    def sent(self, task_id: str, attempt: int, *, step: str | None = None, job: str | None = None) -> None:
        """A request is about to go: the batch delete, or another step for the batch (a stop, a job's delete)."""
        line: dict[str, Any] = {"type": "sent", "id": task_id, "attempt": attempt}
        if step is not None:
            line["step"] = step
        if job is not None:
            line["job"] = job
        self.write(line)

    def step(self, task_id: str, step: str, data: dict[str, Any]) -> None:
        """A step answered for a batch before its outcome: "stop" (the batch stopped) or "delete" (its delete
        answered partial while its leftover jobs are deleted): a resume never repeats it."""
        self.write({"type": "step", "id": task_id, "step": step, "answer": data})

    def job(self, task_id: str, record: JobRecord) -> None:
        """A leftover job's delete, answered (or settled by a stop)."""
        self.write({"type": "job", "batch": task_id, **record.to_json()})

    def outcome(self, record: OutcomeRecord) -> None:
        self.write({"type": "outcome", **record.to_json()})

    def resumed(self, ids: list[str]) -> None:
        self.write({"type": "resume", "at": _now(), "ids": ids})

    def finish(self, status: RunStatus, counts: dict[Outcome, int]) -> None:
        self.write(
            {
                "type": "end",
                "finished_at": _now(),
                "status": status.value,
                "counts": {k.value: v for k, v in counts.items() if v},
            }
        )

    # --- closing ----------------------------------------------------------------------------------------

    def close(self) -> None:
        """fsync, unlock, and remove the ballast and the owner note."""
        if self._closed:
            return
        self._closed = True
        self._closing.set()
        self._syncer.join(5)
        with contextlib.suppress(OSError):  # every line already reached the kernel; nothing more to do here
            os.fsync(self._fd)
        remove_owner(self.path)
        self._drop_ballast()
        os.close(self._fd)

    def discard(self) -> None:
        """Close and delete a journal that never got past its header (nothing was sent)."""
        self.close()
        self.path.unlink(missing_ok=True)

    def _sync_loop(self) -> None:
        while not self._closing.wait(FSYNC_INTERVAL):
            if self._dirty:
                self._dirty = False
                try:
                    os.fsync(self._fd)
                except OSError:
                    return

    def __enter__(self) -> RunJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def clean_stale_files(directory: Path) -> None:
    """Remove the ballast and owner notes of runs no process is writing (a run killed with SIGKILL leaves them)."""
    for leftover in [*directory.glob("*.reserve"), *directory.glob("*.owner")]:
        journal = leftover.with_suffix(".jsonl")
        if not journal.exists() or not is_live(journal):
            leftover.unlink(missing_ok=True)


def _allocate(fd: int, size: int) -> None:
    """Reserve blocks for real (a sparse file would reserve nothing)."""
    try:
        os.posix_fallocate(fd, 0, size)
        return
    except OSError as exc:
        if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise
    chunk = b"\0" * 65536  # a file system without fallocate: write the zeros
    left = size
    while left > 0:
        left -= os.write(fd, chunk[: min(left, len(chunk))])
    os.fsync(fd)


def _repair_torn_tail(fd: int) -> int:
    """Cut an unfinished last line (a crash mid-write) so the next line starts on its own; returns bytes cut."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return 0
    end = size
    while end > 0:
        start = max(0, end - 65536)
        block = os.pread(fd, end - start, start)
        newline = block.rfind(b"\n")
        if newline != -1:
            keep = start + newline + 1
            os.ftruncate(fd, keep)
            return size - keep
        end = start
    os.ftruncate(fd, 0)
    return size


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
