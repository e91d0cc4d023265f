"""Where the token comes from: VIAS_AUTH_TOKEN, the OS keyring (probed, with a timeout), or this session.

Every keyring call runs in a daemon thread with a timeout: a locked or absent Secret Service can hang
forever, and on a headless SSH box there is usually no backend at all. That is the normal case here, so
the messages say plainly what to do instead.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TypeVar

from tui_app.secret import Token, TokenFormatError, mask

SERVICE = "vias-tui"
ENV_TOKEN = "VIAS_AUTH_TOKEN"
KEYRING_TIMEOUT = 4.0
EXPIRY_WARNING_SECONDS = 3600

NO_BACKEND_HELP = (
    "No OS keyring is available here (normal on a headless server over SSH). Either: "
    "set VIAS_AUTH_TOKEN in the environment for this shell; or use a session-only token in the console; "
    "or install and unlock a Secret Service (e.g. apt install gnome-keyring, then inside "
    "`dbus-run-session -- $SHELL` run `gnome-keyring-daemon --unlock --components=secrets`)."
)

T = TypeVar("T")


class KeyringUnavailable(RuntimeError):
    """The keyring could not be used; `status` says why and the message says what to do."""

    def __init__(self, status: KeyringStatus) -> None:
        super().__init__(status.explain())
        self.status = status


@dataclass(frozen=True)
class KeyringStatus:
    state: str  # usable | none | locked | timeout | error
    backend: str
    detail: str = ""

    @property
    def usable(self) -> bool:
        return self.state == "usable"

    def explain(self) -> str:
        if self.state == "usable":
            return f"keyring usable ({self.backend})"
        if self.state == "none":
            return NO_BACKEND_HELP
        if self.state == "locked":
            return (f"The keyring ({self.backend}) is locked. Unlock it (e.g. `gnome-keyring-daemon --unlock`), "
                    f"or set {ENV_TOKEN}, or use a session-only token.")
        if self.state == "timeout":
            return (f"The keyring ({self.backend}) did not answer within {KEYRING_TIMEOUT:g}s (a locked or "
                    f"stuck Secret Service). Set {ENV_TOKEN} or use a session-only token.")
        return f"The keyring ({self.backend}) failed: {self.detail}. Set {ENV_TOKEN} or use a session-only token."


@dataclass(frozen=True)
class TokenInfo:
    token: Token
    source: str  # env | keyring | session
    backend: str | None = None
    expires_at: datetime | None = None

    def describe(self) -> str:
        where = {"env": f"environment ({ENV_TOKEN})", "keyring": f"keyring ({self.backend})",
                 "session": "this session only"}[self.source]
        return f"{self.token.masked()} from {where}; {expiry_text(self.expires_at)}"

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= datetime.now(timezone.utc)

    @property
    def expiring_soon(self) -> bool:
        if self.expires_at is None or self.expired:
            return False
        return (self.expires_at - datetime.now(timezone.utc)).total_seconds() < EXPIRY_WARNING_SECONDS


def expiry_text(expires_at: datetime | None, now: datetime | None = None) -> str:
    if expires_at is None:
        return "expiry unknown"
    now = now or datetime.now(timezone.utc)
    seconds = int((expires_at - now).total_seconds())
    span = _span(abs(seconds))
    return f"expired {span} ago" if seconds <= 0 else f"expires in {span}"


def _span(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m" if minutes else f"{seconds}s"


def parse_expiry(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# --- keyring access, always off the caller's thread and with a timeout --------------------------------


def _with_timeout(fn: Callable[[], T], timeout: float) -> T:
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # carried back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="keyring-call", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def _backend_name() -> str:
    import keyring

    backend = keyring.get_keyring()
    return f"{type(backend).__module__.replace('keyring.backends.', '')}.{type(backend).__name__}"


def _classify(exc: BaseException, backend: str) -> KeyringStatus:
    from keyring import errors

    if isinstance(exc, TimeoutError):
        return KeyringStatus("timeout", backend)
    if isinstance(exc, errors.KeyringLocked):
        return KeyringStatus("locked", backend)
    if isinstance(exc, errors.NoKeyringError):
        return KeyringStatus("none", backend)
    name = type(exc).__name__
    if "locked" in str(exc).lower() or "dismissed" in str(exc).lower():
        return KeyringStatus("locked", backend)
    return KeyringStatus("error", backend, f"{name}: {str(exc)[:120]}")


def keyring_call(fn: Callable[[], T], timeout: float = KEYRING_TIMEOUT) -> T:
    """Run one keyring operation; failures become KeyringUnavailable with a plain explanation."""
    backend = "unknown"
    try:
        backend = _with_timeout(_backend_name, timeout)
        if backend.startswith("fail."):
            raise KeyringUnavailable(KeyringStatus("none", backend))
        return _with_timeout(fn, timeout)
    except KeyringUnavailable:
        raise
    except Exception as exc:
        raise KeyringUnavailable(_classify(exc, backend)) from None


def probe_keyring(timeout: float = KEYRING_TIMEOUT) -> KeyringStatus:
    import keyring

    try:
        keyring_call(lambda: keyring.get_password(SERVICE, "__probe__"), timeout)
        return KeyringStatus("usable", _with_timeout(_backend_name, timeout))
    except KeyringUnavailable as exc:
        return exc.status


def read_keyring(profile: str, timeout: float = KEYRING_TIMEOUT) -> TokenInfo | None:
    import keyring

    stored = keyring_call(lambda: keyring.get_password(SERVICE, profile), timeout)
    if not stored:
        return None
    token_text, expires = stored, None
    if stored.startswith("{"):  # our own entries carry the expiry beside the token
        try:
            data = json.loads(stored)
            token_text, expires = data["token"], parse_expiry(data.get("expires_at"))
        except (ValueError, KeyError, TypeError):
            token_text = stored
    try:
        token = Token(token_text)
    except TokenFormatError:
        return None
    return TokenInfo(token, "keyring", _with_timeout(_backend_name, timeout), expires)


def store_keyring(profile: str, token: Token, expires_at: datetime | None = None,
                  timeout: float = KEYRING_TIMEOUT) -> str:
    """Store the token for `profile`; returns the backend name."""
    import keyring

    payload = json.dumps({"token": token.reveal(),
                          "expires_at": expires_at.isoformat() if expires_at else None})
    keyring_call(lambda: keyring.set_password(SERVICE, profile, payload), timeout)
    return _with_timeout(_backend_name, timeout)


def forget_keyring(profile: str, timeout: float = KEYRING_TIMEOUT) -> bool:
    """Delete the stored token; False when there was none."""
    import keyring
    from keyring.errors import PasswordDeleteError

    def delete() -> bool:
        try:
            keyring.delete_password(SERVICE, profile)
        except PasswordDeleteError:
            return False
        return True

    return keyring_call(delete, timeout)


@dataclass(frozen=True)
class TokenLookup:
    """The result of looking for a token: what was found, and the keyring's state either way."""

    info: TokenInfo | None
    keyring: KeyringStatus | None
    env_error: str | None = None

    def explain_missing(self, profile: str) -> str:
        if self.env_error:
            return self.env_error
        if self.keyring is not None and not self.keyring.usable:
            return f"no token: {self.keyring.explain()}"
        return (f"no token for profile {profile!r}: set {ENV_TOKEN}, or store one with "
                f"`vias-tui token set --profile {profile}` or `vias-tui token login --profile {profile}`")


def find_token(profile: str, session: Token | None = None, timeout: float = KEYRING_TIMEOUT) -> TokenLookup:
    """Env, then keyring, then the session token."""
    env_value = os.environ.get(ENV_TOKEN)
    if env_value:
        try:
            return TokenLookup(TokenInfo(Token(env_value), "env"), None)
        except TokenFormatError as exc:
            return TokenLookup(None, None, f"{ENV_TOKEN} is set but unusable: {exc}")
    status: KeyringStatus | None
    try:
        info = read_keyring(profile, timeout)
        status = KeyringStatus("usable", info.backend or "") if info else probe_keyring(timeout)
    except KeyringUnavailable as exc:
        info, status = None, exc.status
    if info:
        return TokenLookup(info, status)
    if session is not None:
        return TokenLookup(TokenInfo(session, "session"), status)
    return TokenLookup(None, status)


__all__ = ["ENV_TOKEN", "NO_BACKEND_HELP", "SERVICE", "KeyringStatus", "KeyringUnavailable", "TokenInfo",
           "TokenLookup", "expiry_text", "find_token", "forget_keyring", "mask", "probe_keyring",
           "read_keyring", "store_keyring"]
