"""Where the credentials come from, in the order Huawei Cloud's SDK looks (plus vias-tui's own token):

  auto:        VIAS_AUTH_TOKEN; HUAWEICLOUD_SDK_AK + _SK (+ _SECURITY_TOKEN); the profile's keyring entry (a token
               or access keys); the SDK's credentials file; and last the ECS metadata service (probed only when
               nothing else was found, with a short timeout).
  token:       VIAS_AUTH_TOKEN, then a token in the keyring.
  aksk:        the access keys of the environment, the keyring or the credentials file.
  ecs-agency:  the metadata service only.

Whatever is used is always shown (masked) with where it came from; `explain` says why earlier sources were
skipped. A source that is configured but broken stops the search with its reason instead of silently using the
next one.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum

from tui_app.domain.keys import SdkCredentialsError, check_keys
from tui_app.keyring_store import (
    ENV_TOKEN,
    KEYRING_TIMEOUT,
    NO_BACKEND_HELP,
    KeyringState,
    KeyringStatus,
    KeyringUnavailable,
    probe_keyring,
    read_entry,
)
from tui_app.sdk_credentials import (
    ENV_AK,
    ENV_SK,
    credentials_file,
    keys_from_env,
    keys_from_file,
)
from tui_app.secret import Token, TokenFormatError
from tui_app.vias.auth import AccessKeys, AkSkAuth, RequestAuth, TokenAuth
from tui_app.vias.metadata import MetadataError, fetch_keys

ENV_AUTH = "VIAS_AUTH"
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
            "env-token": "env",
            "env-keys": "env",
            "keyring": "keyring",
            "credentials-file": "SDK file",
            "ecs-metadata": "ECS agency",
            "session": "session",
        }[self.value]


@dataclass(frozen=True)
class Credentials:
    """Credentials found (or entered), where they came from, and until when they hold."""

    source: CredentialSource
    token: Token | None = None
    keys: AccessKeys | None = None
    expires_at: datetime | None = None
    where: str = ""  # the keyring backend or the file, for messages

    def __post_init__(self) -> None:
        if (self.token is None) == (self.keys is None):
            raise ValueError("credentials are a token or access keys")

    @property
    def kind(self) -> str:
        if self.token is not None:
            return "token"
        return "temporary access keys" if self.keys is not None and self.keys.temporary else "access keys"

    @property
    def refreshable(self) -> bool:
        return self.source is CredentialSource.ECS_METADATA

    def label(self) -> str:
        """Masked: the token's prefix and length, or the AK in part (the SK and security token never)."""
        if self.token is not None:
            return f"token {self.token.masked()}"
        assert self.keys is not None
        return f"{self.kind} {self.keys.masked_ak()}"

    def origin(self) -> str:
        return {
            CredentialSource.ENV_TOKEN: f"environment ({ENV_TOKEN})",
            CredentialSource.ENV_KEYS: f"environment ({ENV_AK}/{ENV_SK})",
            CredentialSource.KEYRING: f"keyring ({self.where})",
            CredentialSource.CREDENTIALS_FILE: f"SDK credentials file {self.where}",
            CredentialSource.ECS_METADATA: f"ECS metadata service (agency; {self.where})",
            CredentialSource.SESSION: "this session only",
        }[self.source]

    def describe(self) -> str:
        tail = expiry_text(self.expires_at) + (", refreshed automatically" if self.refreshable else "")
        return f"{self.label()} from {self.origin()}; {tail}"

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


@dataclass(frozen=True)
class CredentialLookup:
    """The result of looking: what was found, the keyring's state, and what each source said."""

    mode: AuthMode
    credentials: Credentials | None
    keyring: KeyringStatus | None
    trail: list[tuple[CredentialSource, str]] = field(default_factory=list)  # each source looked at, and why
    problem: str | None = None  # a configured source that is broken (stops the search)

    def explain_missing(self, profile: str) -> str:
        if self.problem:
            return self.problem
        if self.mode is AuthMode.ECS_AGENCY:
            why = dict(self.trail).get(CredentialSource.ECS_METADATA, "no answer")
            return f"no credentials from the ECS metadata service ({why})"
        if self.keyring is not None and not self.keyring.usable and self.keyring.state is not KeyringState.NONE:
            return f"no credentials: {self.keyring.explain()}"
        if self.keyring is not None and self.keyring.state is KeyringState.NONE:
            return f"no credentials found. {NO_BACKEND_HELP}"
        return (
            f"no credentials for profile {profile!r}: set {ENV_TOKEN} (or {ENV_AK}/{ENV_SK}), or store them "
            f"with `vias-tui token set --profile {profile}`, `vias-tui token login --profile {profile}` or "
            f"`vias-tui aksk set --profile {profile}`"
        )


def auth_mode(flag: str | None, profile_value: str | None = None) -> AuthMode:
    """--auth > VIAS_AUTH > the profile's `auth` > auto."""
    for source, value in (
        ("--auth", flag),
        (ENV_AUTH, os.environ.get(ENV_AUTH)),
        ("the profile's auth", profile_value),
    ):
        if value:
            try:
                return AuthMode(value.strip().lower())
            except ValueError:
                choices = ", ".join(m.value for m in AuthMode)
                from tui_app.problems import OperatorError

                raise OperatorError(f"{source} is {value!r}; use one of {choices}") from None
    return AuthMode.AUTO


def find_credentials(
    profile: str, mode: AuthMode = AuthMode.AUTO, *, timeout: float = KEYRING_TIMEOUT, probe_metadata: bool = True
) -> CredentialLookup:
    """Look through the sources `mode` allows, in order; the first usable one wins."""
    trail: list[tuple[CredentialSource, str]] = []
    keyring_status: KeyringStatus | None = None

    def done(found: Credentials | None = None, problem: str | None = None) -> CredentialLookup:
        return CredentialLookup(mode, found, keyring_status, trail, problem)

    wants_token = mode in (AuthMode.AUTO, AuthMode.TOKEN)
    wants_keys = mode in (AuthMode.AUTO, AuthMode.AKSK)
    if wants_token:
        value = os.environ.get(ENV_TOKEN)
        if value:
            try:
                return done(Credentials(CredentialSource.ENV_TOKEN, token=Token(value)))
            except TokenFormatError as exc:
                trail.append((CredentialSource.ENV_TOKEN, f"set but unusable: {exc}"))
                return done(problem=f"{ENV_TOKEN} is set but unusable: {exc}")
        trail.append((CredentialSource.ENV_TOKEN, f"{ENV_TOKEN} is not set"))
    if wants_keys:
        try:
            env_keys = keys_from_env()
        except SdkCredentialsError as exc:
            trail.append((CredentialSource.ENV_KEYS, str(exc)))
            return done(problem=f"access keys in the environment are unusable: {exc}")
        if env_keys is not None:
            return done(
                Credentials(
                    CredentialSource.ENV_KEYS, keys=AccessKeys(env_keys.ak, env_keys.sk, env_keys.security_token)
                )
            )
        trail.append((CredentialSource.ENV_KEYS, f"{ENV_AK}/{ENV_SK} are not set"))
    if wants_token or wants_keys:
        try:
            entry = read_entry(profile, timeout)
            keyring_status = KeyringStatus(KeyringState.USABLE, entry.backend) if entry else probe_keyring(timeout)
        except KeyringUnavailable as exc:
            entry, keyring_status = None, exc.status
        if entry is not None and entry.token is not None and wants_token:
            return done(
                Credentials(
                    CredentialSource.KEYRING, token=entry.token, expires_at=entry.expires_at, where=entry.backend
                )
            )
        if entry is not None and entry.keys is not None and wants_keys:
            stored = entry.keys
            try:  # written by us, but a keyring can be edited by hand or by another tool
                check_keys(
                    stored.ak,
                    stored.sk.reveal(),
                    stored.security_token.reveal() if stored.security_token else None,
                    f"the keyring entry of profile {profile!r}",
                )
            except SdkCredentialsError as exc:
                trail.append((CredentialSource.KEYRING, str(exc)))
                return done(problem=f"{exc}; store them again with `vias-tui aksk set`")
            keys = AccessKeys(stored.ak, stored.sk, stored.security_token)
            return done(
                Credentials(CredentialSource.KEYRING, keys=keys, expires_at=entry.expires_at, where=entry.backend)
            )
        if entry is not None:
            trail.append(
                (
                    CredentialSource.KEYRING,
                    f"holds {'a token' if entry.token else 'access keys'}, not what --auth {mode} uses",
                )
            )
        elif keyring_status is not None and keyring_status.usable:
            trail.append((CredentialSource.KEYRING, f"no entry for profile {profile!r}"))
        else:
            trail.append((CredentialSource.KEYRING, f"not usable ({keyring_status.state if keyring_status else '?'})"))
    if wants_keys:
        path = credentials_file()
        try:
            file_keys = keys_from_file(path)
        except SdkCredentialsError as exc:
            trail.append((CredentialSource.CREDENTIALS_FILE, str(exc)))
            return done(problem=f"the SDK credentials file is unusable: {exc}")
        if file_keys is not None:
            return done(
                Credentials(
                    CredentialSource.CREDENTIALS_FILE,
                    keys=AccessKeys(file_keys.ak, file_keys.sk, file_keys.security_token),
                    where=str(path),
                )
            )
        trail.append((CredentialSource.CREDENTIALS_FILE, f"{path} does not exist"))
    if mode in (AuthMode.AUTO, AuthMode.ECS_AGENCY) and probe_metadata:
        try:
            fresh = asyncio.run(fetch_keys())
        except MetadataError as exc:
            trail.append((CredentialSource.ECS_METADATA, str(exc)))
            return done(problem=f"ECS agency: {exc}" if mode is AuthMode.ECS_AGENCY else None)
        keys = AccessKeys(fresh.ak, fresh.sk, fresh.security_token)
        from tui_app.vias.metadata import metadata_endpoint

        return done(
            Credentials(
                CredentialSource.ECS_METADATA, keys=keys, expires_at=fresh.expires_at, where=metadata_endpoint()
            )
        )
    return done()


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


__all__ = [
    "ENV_AUTH",
    "ENV_TOKEN",
    "AuthMode",
    "CredentialLookup",
    "CredentialSource",
    "Credentials",
    "auth_mode",
    "expiry_text",
    "find_credentials",
]
