"""Keyring backends for tests: in memory, hanging, and a file one a subprocess can share.

Not registered as entry points, so keyring's own detection never picks them up.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = -1  # type: ignore[assignment]  # below fail.Keyring: never picked by detection

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class HangingKeyring(KeyringBackend):
    """Like a Secret Service waiting forever for an unlock prompt nobody can see."""

    priority = -1  # type: ignore[assignment]  # below fail.Keyring: never picked by detection

    def __init__(self) -> None:
        super().__init__()
        # Per backend, so one test's release does not turn the next test's hang into an instant answer.
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(60)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(60)

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait(60)


class FileKeyring(KeyringBackend):
    """Test-only backend for CLI subprocesses: a JSON file named by TEST_KEYRING_FILE."""

    priority = -1  # type: ignore[assignment]  # below fail.Keyring: never picked by detection

    def _path(self) -> Path:
        return Path(os.environ["TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text()) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._path().write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._path().write_text(json.dumps(data))
