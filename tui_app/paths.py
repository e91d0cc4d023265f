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

from tui_app.i18n import _
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
            _("{path} exists but is not a directory; move it away (vias-tui keeps its files there)").format(path=path)
        ) from None
    except OSError as exc:
        raise OperatorError(
            _(
                "cannot create {path}: {reason}; check the permissions or set "
                "XDG_STATE_HOME / XDG_CONFIG_HOME to a writable place"
            ).format(path=path, reason=exc.strerror or exc)
        ) from None
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise OperatorError(
            _("{path} is a link or not a directory; vias-tui needs a real directory there").format(path=path)
        )
    if info.st_uid != os.getuid():
        raise OperatorError(
            _("{path} belongs to another user (uid {uid}); vias-tui will not keep its files there").format(
                path=path, uid=info.st_uid
            )
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, 0o700)
    if not os.access(path, os.W_OK | os.X_OK):
        raise OperatorError(
            _("{path} is not writable; check the permissions or the mount (read-only?)").format(path=path)
        )
    return path


def check_output_path(path: Path) -> Path:
    """Before a run: the report's directory exists and is writable, and the path is a plain file or free.

    An existing link, device or FIFO is refused rather than replaced: the report is renamed into place, and
    renaming over `/dev/null` (as root) or a link someone planted would do harm the operator never asked for.
    """
    path = path.expanduser()
    parent = path.parent
    if not parent.is_dir():
        raise OperatorError(
            _("cannot write {path}: the directory {parent} does not exist").format(path=path, parent=parent)
        )
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OperatorError(
            _("cannot write {path}: {reason}").format(path=path, reason=describe_os_error(exc))
        ) from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OperatorError(
            _("cannot write {path}: it is {kind}, not a plain file; give a file path").format(
                path=path, kind=_kind(info.st_mode)
            )
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OperatorError(
            _("cannot write {path}: the directory {parent} is not writable").format(path=path, parent=parent)
        )
    return path


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return _("a symbolic link")
    if stat.S_ISDIR(mode):
        return _("a directory")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISFIFO(mode):
        return _("a FIFO")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("not a regular file")


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
        return _("no space left on the device")
    return exc.strerror or str(exc)
