"""What credentials are: a token or access keys, the source they came from and until when they hold, and the
`--auth` modes. Finding them is credentials.py (the chain) and credential_sources/ (one provider per source)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum

from tui_app.i18n import _
from tui_app.secret import Token
from tui_app.vias.auth import AccessKeys, AkSkAuth, RequestAuth, TokenAuth
from tui_app.vias.metadata import fetch_keys

EXPIRY_WARNING_SECONDS = 3600


class AuthMode(str, Enum):
    AUTO = "auto"
    TOKEN = "token"
    AKSK = "aksk"
    ECS_AGENCY = "ecs-agency"

    def __str__(self) -> str:
        return self.value


class CredentialSource(str, Enum):
    ENV_TOKEN = "env-token"
    ENV_KEYS = "env-keys"
    KEYRING = "keyring"
    CREDENTIALS_FILE = "credentials-file"
    ECS_METADATA = "ecs-metadata"
    SESSION = "session"

    def __str__(self) -> str:
        return self.value

    @property
    def short(self) -> str:
        """For the status line."""
        return {
            "env-token": _("env"),
            "env-keys": _("env"),
            "keyring": _("keyring"),
            "credentials-file": _("SDK file"),
            "ecs-metadata": _("ECS agency"),
            "session": _("session"),
        }[self.value]


@dataclass(frozen=True)
class Credentials:
    """Credentials found (or entered), where they came from, and until when they hold."""

    source: CredentialSource
    token: Token | None = None
    keys: AccessKeys | None = None
    expires_at: datetime | None = None
    # For messages: the variables, the keyring backend, the file or the metadata endpoint. Each provider fills it
    # in, so this module needs no provider's names (the providers import it).
    where: str = ""

    def __post_init__(self) -> None:
        if (self.token is None) == (self.keys is None):
            raise ValueError("credentials are a token or access keys")

    @property
    def kind(self) -> str:
        """What they are, as JSON documents name it (English whatever the interface language)."""
        if self.token is not None:
            return "token"
        return "temporary access keys" if self.keys is not None and self.keys.temporary else "access keys"

    @property
    def refreshable(self) -> bool:
        return self.source is CredentialSource.ECS_METADATA

    def label(self) -> str:
        """Masked: the token's prefix and length, or the AK in part (the SK and security token never)."""
        if self.token is not None:
            return _("token {token}").format(token=self.token.masked())
        assert self.keys is not None
        if self.keys.temporary:
            return _("temporary access keys {ak}").format(ak=self.keys.masked_ak())
        return _("access keys {ak}").format(ak=self.keys.masked_ak())

    def origin(self) -> str:
        environment = _("environment ({where})").format(where=self.where) if self.where else _("environment")
        return {
            CredentialSource.ENV_TOKEN: environment,
            CredentialSource.ENV_KEYS: environment,
            CredentialSource.KEYRING: _("keyring ({where})"),
            CredentialSource.CREDENTIALS_FILE: _("SDK credentials file {where}"),
            CredentialSource.ECS_METADATA: _("ECS metadata service (agency; {where})"),
            CredentialSource.SESSION: _("this session only"),
        }[self.source].format(where=self.where)

    def describe(self) -> str:
        expiry = expiry_text(self.expires_at)
        if self.refreshable:
            return _("{credentials} from {origin}; {expiry}, refreshed automatically").format(
                credentials=self.label(), origin=self.origin(), expiry=expiry
            )
        return _("{credentials} from {origin}; {expiry}").format(
            credentials=self.label(), origin=self.origin(), expiry=expiry
        )

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= datetime.now(timezone.utc)

    @property
    def expiring_soon(self) -> bool:
        if self.expires_at is None or self.expired:
            return False
        return (self.expires_at - datetime.now(timezone.utc)).total_seconds() < EXPIRY_WARNING_SECONDS

    def secrets(self) -> list[str]:
        """The values that must never be stored or shown (the access key ID is not one of them)."""
        if self.token is not None:
            return [self.token.reveal()]
        assert self.keys is not None
        values = [self.keys.sk.reveal()]
        if self.keys.security_token is not None:
            values.append(self.keys.security_token.reveal())
        return values

    def auth(self) -> RequestAuth:
        if self.token is not None:
            return TokenAuth(self.token)
        assert self.keys is not None
        refresh = _refresh_from_metadata if self.refreshable else None
        return AkSkAuth(self.keys, expires_at=self.expires_at, refresh=refresh)


async def _refresh_from_metadata() -> tuple[AccessKeys, datetime | None]:
    fresh = await fetch_keys(timeout=5.0)
    return AccessKeys(fresh.ak, fresh.sk, fresh.security_token), fresh.expires_at


def expiry_text(expires_at: datetime | None, now: datetime | None = None, *, short: bool = False) -> str:
    """When credentials expire, for people; `short` for the status line ("exp 3h", "exp ?")."""
    if expires_at is None:
        return _("exp ?") if short else _("expiry unknown")
    now = now or datetime.now(timezone.utc)
    seconds = int((expires_at - now).total_seconds())
    span = _span(abs(seconds))
    if seconds <= 0:
        return _("expired {span} ago").format(span=span)
    return (_("exp {span}") if short else _("expires in {span}")).format(span=span)


def _span(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours:
        return (_("{hours}h {minutes}m") if minutes else _("{hours}h")).format(hours=hours, minutes=minutes)
    return (_("{minutes}m") if minutes else _("{seconds}s")).format(minutes=minutes, seconds=seconds)


__all__ = ["EXPIRY_WARNING_SECONDS", "AuthMode", "CredentialSource", "Credentials", "expiry_text"]
