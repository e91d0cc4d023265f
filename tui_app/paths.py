"""Where vias-tui keeps its files, and the two ways it writes them: private directories that must really be
ours, and whole-file writes that go through a temporary file so a planted link or a crash cannot harm them."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

import platformdirs

from tui_app.problems import OperatorError

APP = "vias-tui"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP))


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP))


def default_runs_dir() -> Path:
    return state_dir() / "runs"


def private_dir(path: Path) -> Path:
    """Create (if needed) a directory only the user can enter (0700), refusing one that is not really ours.

    A link, a file, or someone else's directory where our journals go would let another user read or redirect
    them; a directory we cannot write would fail mid-run. Each is one clear line before anything is sent.
    """
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except FileExistsError:
        raise OperatorError(
            f"{path} exists but is not a directory; move it away (vias-tui keeps its files there)"
        ) from None
    except OSError as exc:
        raise OperatorError(
            f"cannot create {path}: {exc.strerror or exc}; check the permissions or set "
            "XDG_STATE_HOME / XDG_CONFIG_HOME to a writable place"
        ) from None
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise OperatorError(f"{path} is a link or not a directory; vias-tui needs a real directory there")
    if info.st_uid != os.getuid():
        raise OperatorError(
            f"{path} belongs to another user (uid {info.st_uid}); vias-tui will not keep its files there"
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, 0o700)
    if not os.access(path, os.W_OK | os.X_OK):
        raise OperatorError(f"{path} is not writable; check the permissions or the mount (read-only?)")
    return path


def check_output_path(path: Path) -> Path:
    """Before a run: the report's directory exists and is writable, and the path is a plain file or free.

    An existing link, device or FIFO is refused rather than replaced: the report is renamed into place, and
    renaming over `/dev/null` (as root) or a link someone planted would do harm the operator never asked for.
    """
    path = path.expanduser()
    parent = path.parent
    if not parent.is_dir():
        raise OperatorError(f"cannot write {path}: the directory {parent} does not exist")
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OperatorError(f"cannot write {path}: {describe_os_error(exc)}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OperatorError(f"cannot write {path}: it is {_kind(info.st_mode)}, not a plain file; give a file path")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OperatorError(f"cannot write {path}: the directory {parent} is not writable")
    return path


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def write_private_file(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole: a unique temporary file (0600) beside it, fsync, then rename over it.

    The rename replaces a link at `path` instead of writing through it, and a crash leaves the old file.
    """
    path = path.expanduser()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def describe_os_error(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "no space left on the device"
    return exc.strerror or str(exc)
