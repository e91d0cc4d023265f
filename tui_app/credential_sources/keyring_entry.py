"""The profile's keyring entry: a token or access keys (one entry per profile). A keyring that cannot be used is
a skip (most headless boxes have none), and the provider keeps what it learnt of the keyring in `status` for the
messages; stored keys that cannot sign (the entry can be edited by hand or by another tool) stop the search."""

from __future__ import annotations

from tui_app.credential_chain import BrokenSource, CredentialProvider, Skipped
from tui_app.credential_types import AuthMode, Credentials, CredentialSource
from tui_app.domain.keys import SdkCredentialsError, check_keys
from tui_app.i18n import _
from tui_app.keyring_store import (
    KEYRING_TIMEOUT,
    KeyringState,
    KeyringStatus,
    KeyringUnavailable,
    StoredEntry,
    probe_keyring,
    read_entry,
)
from tui_app.vias.auth import AccessKeys


class KeyringEntryProvider(CredentialProvider):
    source = CredentialSource.KEYRING

    def __init__(self, profile: str, mode: AuthMode, timeout: float = KEYRING_TIMEOUT) -> None:
        self.profile = profile
        self.mode = mode
        self.timeout = timeout
        self.wants_token = mode in (AuthMode.AUTO, AuthMode.TOKEN)
        self.wants_keys = mode in (AuthMode.AUTO, AuthMode.AKSK)
        self.status: KeyringStatus | None = None  # None until load() has asked the keyring

    def load(self) -> Credentials | Skipped:
        entry = self._read()
        if entry is None:
            assert self.status is not None
            if self.status.usable:
                return Skipped(_("no entry for profile {profile!r}").format(profile=self.profile))
            return Skipped(_("not usable ({state})").format(state=self.status.state.describe()))
        if entry.token is not None and self.wants_token:
            return Credentials(self.source, token=entry.token, expires_at=entry.expires_at, where=entry.backend)
        if entry.keys is not None and self.wants_keys:
            return Credentials(self.source, keys=self._checked(entry), expires_at=entry.expires_at, where=entry.backend)
        holds = (
            _("holds a token, not what --auth {mode} uses")
            if entry.token
            else _("holds access keys, not what --auth {mode} uses")
        )
        return Skipped(holds.format(mode=self.mode))

    def _read(self) -> StoredEntry | None:
        try:
            entry = read_entry(self.profile, self.timeout)
        except KeyringUnavailable as exc:
            self.status = exc.status
            return None
        # No entry (or one we cannot read): ask whether the keyring itself works, for the messages.
        self.status = KeyringStatus(KeyringState.USABLE, entry.backend) if entry else probe_keyring(self.timeout)
        return entry

    def _checked(self, entry: StoredEntry) -> AccessKeys:
        stored = entry.keys
        assert stored is not None
        try:
            check_keys(
                stored.ak,
                stored.sk.reveal(),
                stored.security_token.reveal() if stored.security_token else None,
                _("the keyring entry of profile {profile!r}").format(profile=self.profile),
            )
        except SdkCredentialsError as exc:
            raise BrokenSource(
                str(exc), _("{reason}; store them again with `vias-tui aksk set`").format(reason=exc)
            ) from None
        return AccessKeys(stored.ak, stored.sk, stored.security_token)


__all__ = ["KeyringEntryProvider"]
