"""The OS keyring, the only place credentials are stored: one entry per profile, holding a token (with its expiry)
or access keys. A locked or absent Secret Service can hang forever, and on a headless SSH box there is usually no
backend at all. That is the normal case here, so the messages say plainly what to do instead.

Every keyring operation has one deadline. The call runs through `_DaemonThreadExecutor`, a concurrent.futures
Executor whose calls each get a daemon thread, and the caller waits on the Future only until the deadline. Why not
ThreadPoolExecutor: its workers are joined when the interpreter exits, so a single call stuck on an unlock prompt
nobody can see would keep `vias-tui` from ever exiting (a daemon thread does not hold up the exit). Threads stay
bounded by `_SLOTS`: a call takes a slot before its thread starts and its thread gives it back only when the keyring
returns, so at most MAX_KEYRING_THREADS calls can be stuck at once; a call that finds no free slot before its
deadline fails as a timeout without starting a thread.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, ParamSpec, TypeVar

from tui_app.credential_sources.env_token import ENV_TOKEN
from tui_app.i18n import N_, _
from tui_app.sdk_credentials import ENV_AK, ENV_SK
from tui_app.secret import Secret, Token, TokenFormatError, parse_expiry

SERVICE = "vias-tui"
KEYRING_TIMEOUT = 4.0
MAX_KEYRING_THREADS = 4

# Translated and filled in by no_backend_help().
NO_BACKEND_HELP = N_(
    "No OS keyring is available here (normal on a headless server over SSH). Either: "
    "set {token} (or {ak} and {sk}) in the environment for this shell; or use "
    "session-only credentials in the console; or install and unlock a Secret Service (e.g. apt install "
    "gnome-keyring, then inside `dbus-run-session -- $SHELL` run `gnome-keyring-daemon --unlock "
    "--components=secrets`)."
)


def no_backend_help() -> str:
    """What to do when there is no keyring at all, in the interface language."""
    return _(NO_BACKEND_HELP).format(token=ENV_TOKEN, ak=ENV_AK, sk=ENV_SK)


T = TypeVar("T")
P = ParamSpec("P")


class KeyringState(str, Enum):
    USABLE = "usable"
    NONE = "none"  # no backend (headless)
    LOCKED = "locked"
    TIMEOUT = "timeout"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value

    def describe(self) -> str:
        """The state for people (the value itself stays English in JSON)."""
        return {
            KeyringState.USABLE: _("usable"),
            KeyringState.NONE: _("none"),
            KeyringState.LOCKED: _("locked"),
            KeyringState.TIMEOUT: _("timeout"),
            KeyringState.ERROR: _("error"),
        }[self]


@dataclass(frozen=True)
class KeyringStatus:
    state: KeyringState
    backend: str
    detail: str = ""

    @property
    def usable(self) -> bool:
        return self.state is KeyringState.USABLE

    def explain(self) -> str:
        if self.state is KeyringState.USABLE:
            return _("keyring usable ({backend})").format(backend=self.backend)
        if self.state is KeyringState.NONE:
            return no_backend_help()
        if self.state is KeyringState.LOCKED:
            return _(
                "The keyring ({backend}) is locked. Unlock it (e.g. `gnome-keyring-daemon --unlock`), "
                "or set {token}, or use session-only credentials."
            ).format(backend=self.backend, token=ENV_TOKEN)
        if self.state is KeyringState.TIMEOUT:
            return _(
                "The keyring ({backend}) did not answer within {seconds:g}s (a locked or "
                "stuck Secret Service). Set {token} or use session-only credentials."
            ).format(backend=self.backend, seconds=KEYRING_TIMEOUT, token=ENV_TOKEN)
        return _("The keyring ({backend}) failed: {detail}. Set {token} or use session-only credentials.").format(
            backend=self.backend, detail=self.detail, token=ENV_TOKEN
        )


class KeyringUnavailable(RuntimeError):
    """The keyring could not be used; `status` says why and the message says what to do."""

    def __init__(self, status: KeyringStatus) -> None:
        super().__init__(status.explain())
        self.status = status


@dataclass(frozen=True)
class StoredKeys:
    ak: str
    sk: Secret
    security_token: Secret | None = None


@dataclass(frozen=True)
class StoredEntry:
    """What the profile's keyring entry holds: a token or access keys, and when they expire (if known)."""

    backend: str
    token: Token | None = None
    keys: StoredKeys | None = None
    expires_at: datetime | None = None


class _DaemonThreadExecutor(Executor):
    """Each submitted call in its own daemon thread (see the module docstring for why not ThreadPoolExecutor)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # carried to the caller through the Future
                future.set_exception(exc)
            else:
                future.set_result(result)

        threading.Thread(target=run, name="keyring-call", daemon=True).start()
        return future


_EXECUTOR = _DaemonThreadExecutor()
_SLOTS = threading.BoundedSemaphore(MAX_KEYRING_THREADS)


def _with_timeout(fn: Callable[[], T], deadline: float) -> T:
    """fn's value, or TimeoutError once `deadline` (time.monotonic()) passes; a stuck fn keeps its thread and slot."""
    if not _SLOTS.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise TimeoutError  # every slot is held by a call the keyring has not answered

    def call_then_release() -> T:
        try:
            return fn()
        finally:
            _SLOTS.release()  # only once the keyring has returned

    try:
        future = _EXECUTOR.submit(call_then_release)
    except BaseException:  # no thread started: nothing else would give the slot back
        _SLOTS.release()
        raise
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout:  # not the built-in TimeoutError before Python 3.11
        raise TimeoutError from None


def backend_name() -> str:
    import keyring

    backend = keyring.get_keyring()
    return f"{type(backend).__module__.replace('keyring.backends.', '')}.{type(backend).__name__}"


def _classify(exc: BaseException, backend: str) -> KeyringStatus:
    from keyring import errors

    if isinstance(exc, TimeoutError):
        return KeyringStatus(KeyringState.TIMEOUT, backend)
    if isinstance(exc, errors.KeyringLocked):
        return KeyringStatus(KeyringState.LOCKED, backend)
    if isinstance(exc, errors.NoKeyringError):
        return KeyringStatus(KeyringState.NONE, backend)
    if "locked" in str(exc).lower() or "dismissed" in str(exc).lower():
        return KeyringStatus(KeyringState.LOCKED, backend)
    return KeyringStatus(KeyringState.ERROR, backend, f"{type(exc).__name__}: {str(exc)[:120]}")


def keyring_call(fn: Callable[[], T], timeout: float = KEYRING_TIMEOUT) -> tuple[T, str]:
    """Run one keyring operation; returns its value and the backend's name. Failures become KeyringUnavailable."""
    deadline = time.monotonic() + timeout  # one deadline for the whole operation, not one per step
    backend = "unknown"
    try:
        backend = _with_timeout(backend_name, deadline)
        if backend.startswith("fail."):
            raise KeyringUnavailable(KeyringStatus(KeyringState.NONE, backend))
        return _with_timeout(fn, deadline), backend
    except KeyringUnavailable:
        raise
    except Exception as exc:
        raise KeyringUnavailable(_classify(exc, backend)) from None


def probe_keyring(timeout: float = KEYRING_TIMEOUT) -> KeyringStatus:
    import keyring

    try:
        _value, backend = keyring_call(lambda: keyring.get_password(SERVICE, "__probe__"), timeout)
        return KeyringStatus(KeyringState.USABLE, backend)
    except KeyringUnavailable as exc:
        return exc.status


def read_entry(profile: str, timeout: float = KEYRING_TIMEOUT) -> StoredEntry | None:
    """The profile's entry, or None when there is none (or it is unusable). KeyringUnavailable when no keyring."""
    import keyring

    stored, backend = keyring_call(lambda: keyring.get_password(SERVICE, profile), timeout)
    if not stored:
        return None
    if not stored.startswith("{"):  # a raw token stored by another tool
        try:
            return StoredEntry(backend, token=Token(stored))
        except TokenFormatError:
            return None
    try:
        data = json.loads(stored)
        expires = parse_expiry(data.get("expires_at"))
        if data.get("kind") == "aksk":
            security = data.get("security_token")
            keys = StoredKeys(str(data["ak"]), Secret(str(data["sk"])), Secret(str(security)) if security else None)
            return StoredEntry(backend, keys=keys, expires_at=expires)
        return StoredEntry(backend, token=Token(str(data["token"])), expires_at=expires)
    except (ValueError, KeyError, TypeError, AttributeError, TokenFormatError):
        return None


def store_token(
    profile: str, token: Token, expires_at: datetime | None = None, timeout: float = KEYRING_TIMEOUT
) -> str:
    """Store a token for `profile` (replacing whatever it had); returns the backend name."""
    return _store(
        profile,
        {"kind": "token", "token": token.reveal(), "expires_at": expires_at.isoformat() if expires_at else None},
        timeout,
    )


def store_keys(
    profile: str, keys: StoredKeys, expires_at: datetime | None = None, timeout: float = KEYRING_TIMEOUT
) -> str:
    """Store access keys for `profile` (replacing whatever it had); returns the backend name."""
    return _store(
        profile,
        {
            "kind": "aksk",
            "ak": keys.ak,
            "sk": keys.sk.reveal(),
            "security_token": keys.security_token.reveal() if keys.security_token else None,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        timeout,
    )


def _store(profile: str, payload: dict[str, Any], timeout: float) -> str:
    import keyring

    text = json.dumps(payload)
    _stored, backend = keyring_call(lambda: keyring.set_password(SERVICE, profile, text), timeout)
    return backend


def forget_entry(profile: str, timeout: float = KEYRING_TIMEOUT) -> bool:
    """Delete the profile's entry; False when there was none."""
    import keyring
    from keyring.errors import PasswordDeleteError

    def delete() -> bool:
        try:
            keyring.delete_password(SERVICE, profile)
        except PasswordDeleteError:
            return False
        return True

    removed, _backend = keyring_call(delete, timeout)
    return removed


__all__ = [
    "KEYRING_TIMEOUT",
    "MAX_KEYRING_THREADS",
    "NO_BACKEND_HELP",
    "SERVICE",
    "KeyringState",
    "KeyringStatus",
    "KeyringUnavailable",
    "StoredEntry",
    "StoredKeys",
    "forget_entry",
    "no_backend_help",
    "probe_keyring",
    "read_entry",
    "store_keys",
    "store_token",
]
