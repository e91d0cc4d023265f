"""Where vias-tui keeps its files: platform config and state directories, private to the user."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "vias-tui"


def config_dir() -> Path:
    return private_dir(Path(platformdirs.user_config_dir(APP)))


def state_dir() -> Path:
    return private_dir(Path(platformdirs.user_state_dir(APP)))


def private_dir(path: Path) -> Path:
    """Create (if needed) a directory only the user can enter: 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create (if needed) an empty file only the user can read: 0600, in a 0700 directory."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    return path
