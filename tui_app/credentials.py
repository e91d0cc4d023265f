"""Where the credentials come from, in the order Huawei Cloud's SDK looks (plus vias-tui's own token):

  auto:        VIAS_AUTH_TOKEN; HUAWEICLOUD_SDK_AK + _SK (+ _SECURITY_TOKEN); the profile's keyring entry (a token
               or access keys); the SDK's credentials file; and last the ECS metadata service (probed only when
               nothing else was found, with a short timeout).
  token:       VIAS_AUTH_TOKEN, then a token in the keyring.
  aksk:        the access keys of the environment, the keyring or the credentials file.
  ecs-agency:  the metadata service only.

Each source is a provider (credential_sources/) and the chain runs them in order (credential_chain.py, botocore's
CredentialResolver shape). Whatever is used is always shown (masked) with where it came from; `explain` says why
earlier sources were skipped. A source that is configured but broken stops the search with its reason instead of
silently using the next one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from tui_app.credential_chain import CredentialProvider, CredentialResolver
from tui_app.credential_sources.ecs_metadata import EcsMetadataProvider
from tui_app.credential_sources.env_keys import EnvKeysProvider
from tui_app.credential_sources.env_token import ENV_TOKEN, EnvTokenProvider
from tui_app.credential_sources.keyring_entry import KeyringEntryProvider
from tui_app.credential_sources.sdk_file import SdkFileProvider
from tui_app.credential_types import AuthMode, Credentials, CredentialSource, expiry_text
from tui_app.i18n import _
from tui_app.keyring_store import KEYRING_TIMEOUT, KeyringState, KeyringStatus, no_backend_help
from tui_app.sdk_credentials import ENV_AK, ENV_SK

ENV_AUTH = "VIAS_AUTH"

# The sources each --auth mode looks at, in order.
CHAINS: dict[AuthMode, tuple[CredentialSource, ...]] = {
    AuthMode.AUTO: (
        CredentialSource.ENV_TOKEN,
        CredentialSource.ENV_KEYS,
        CredentialSource.KEYRING,
        CredentialSource.CREDENTIALS_FILE,
        CredentialSource.ECS_METADATA,
    ),
    AuthMode.TOKEN: (CredentialSource.ENV_TOKEN, CredentialSource.KEYRING),
    AuthMode.AKSK: (CredentialSource.ENV_KEYS, CredentialSource.KEYRING, CredentialSource.CREDENTIALS_FILE),
    AuthMode.ECS_AGENCY: (CredentialSource.ECS_METADATA,),
}


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
            why = dict(self.trail).get(CredentialSource.ECS_METADATA) or _("no answer")
            return _("no credentials from the ECS metadata service ({why})").format(why=why)
        if self.keyring is not None and not self.keyring.usable and self.keyring.state is not KeyringState.NONE:
            return _("no credentials: {why}").format(why=self.keyring.explain())
        if self.keyring is not None and self.keyring.state is KeyringState.NONE:
            return _("no credentials found. {help}").format(help=no_backend_help())
        return _(
            "no credentials for profile {profile!r}: set {token} (or {ak}/{sk}), or store them "
            "with `vias-tui token set --profile {profile}`, `vias-tui token login --profile {profile}` or "
            "`vias-tui aksk set --profile {profile}`"
        ).format(profile=profile, token=ENV_TOKEN, ak=ENV_AK, sk=ENV_SK)


def auth_mode(flag: str | None, profile_value: str | None = None) -> AuthMode:
    """--auth > VIAS_AUTH > the profile's `auth` > auto."""
    for source, value in (
        ("--auth", flag),
        (ENV_AUTH, os.environ.get(ENV_AUTH)),
        (_("the profile's auth"), profile_value),
    ):
        if value:
            try:
                return AuthMode(value.strip().lower())
            except ValueError:
                choices = ", ".join(m.value for m in AuthMode)
                from tui_app.problems import OperatorError

                raise OperatorError(
                    _("{source} is {value!r}; use one of {choices}").format(source=source, value=value, choices=choices)
                ) from None
    return AuthMode.AUTO


def provider_chain(
    profile: str, mode: AuthMode, *, timeout: float = KEYRING_TIMEOUT, probe_metadata: bool = True
) -> list[CredentialProvider]:
    """The providers `mode` uses, in order (building them does no I/O)."""
    providers: dict[CredentialSource, CredentialProvider] = {
        CredentialSource.ENV_TOKEN: EnvTokenProvider(),
        CredentialSource.ENV_KEYS: EnvKeysProvider(),
        CredentialSource.KEYRING: KeyringEntryProvider(profile, mode, timeout),
        CredentialSource.CREDENTIALS_FILE: SdkFileProvider(),
        CredentialSource.ECS_METADATA: EcsMetadataProvider(required=mode is AuthMode.ECS_AGENCY),
    }
    return [
        providers[source] for source in CHAINS[mode] if probe_metadata or source is not CredentialSource.ECS_METADATA
    ]


def find_credentials(
    profile: str, mode: AuthMode = AuthMode.AUTO, *, timeout: float = KEYRING_TIMEOUT, probe_metadata: bool = True
) -> CredentialLookup:
    """Look through the sources `mode` allows, in order; the first usable one wins, a broken one stops the search."""
    chain = provider_chain(profile, mode, timeout=timeout, probe_metadata=probe_metadata)
    found = CredentialResolver(chain).load_credentials()
    keyring = next((p.status for p in chain if isinstance(p, KeyringEntryProvider)), None)
    return CredentialLookup(mode, found.credentials, keyring, found.trail, found.problem)


__all__ = [
    "CHAINS",
    "ENV_AUTH",
    "ENV_TOKEN",
    "AuthMode",
    "CredentialLookup",
    "CredentialSource",
    "Credentials",
    "auth_mode",
    "expiry_text",
    "find_credentials",
    "provider_chain",
]
