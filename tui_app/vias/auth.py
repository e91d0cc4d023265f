"""How a request proves who sends it: an IAM token header, or an AK/SK signature (optionally with a security
token for temporary keys). The client asks for the headers of each request; nothing else sees the secrets."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from tui_app.i18n import _
from tui_app.secret import Secret, Token
from tui_app.vias.signer import AkSkSigner

REFRESH_MARGIN = 300.0  # temporary keys are refreshed this many seconds before they expire
REFRESH_RETRY = 30.0  # after a failed refresh, the next try waits this long (a request never waits for each)


class RequestAuth(Protocol):
    """Credentials as the client uses them."""

    version: int  # bumped when the secrets change (refreshed keys): the client scrubs the new ones too
    refreshable: bool  # can get new credentials by itself (temporary keys from the metadata service)

    def describe(self) -> str:
        """Masked, for screens and logs."""
        ...

    def secrets(self) -> list[str]:
        """Every secret value a server could echo back (scrubbed from whatever the server sends)."""
        ...

    async def headers_for(self, method: str, url: str, body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
        """The headers that authenticate this request, as it goes on the wire. `headers` are ones a signature must
        cover (the Host sent, X-Project-Id): AK/SK returns them signed, a token needs none of them. Temporary keys are
        refreshed first when they are due."""
        ...

    async def refresh(self) -> bool:
        """Get new credentials by itself (temporary keys from the metadata service); False when it cannot."""
        ...


class TokenAuth:
    """`X-Auth-Token: <IAM token>`."""

    version = 0
    refreshable = False

    def __init__(self, token: Token) -> None:
        self.token = token
        self._headers = {"X-Auth-Token": token.reveal()}

    def describe(self) -> str:
        return _("token {token}").format(token=self.token.masked())

    def secrets(self) -> list[str]:
        return [self.token.reveal()]

    async def headers_for(self, method: str, url: str, body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
        return self._headers

    async def refresh(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"TokenAuth({self.token.masked()})"


@dataclass(frozen=True)
class AccessKeys:
    ak: str
    sk: Secret
    security_token: Secret | None = None

    @property
    def temporary(self) -> bool:
        return self.security_token is not None

    def masked_ak(self) -> str:
        """Enough of the access key ID to recognise it (it is an identifier, not the secret)."""
        ak = self.ak
        return f"{ak[:4]}…{ak[-4:]}" if len(ak) >= 12 else f"{ak[:2]}…({len(ak)} chars)"


KeysRefresher = Callable[[], Awaitable[tuple[AccessKeys, datetime | None]]]


class AkSkAuth:
    """SDK-HMAC-SHA256 signatures; temporary keys with a refresher are renewed before they expire."""

    def __init__(
        self, keys: AccessKeys, *, expires_at: datetime | None = None, refresh: KeysRefresher | None = None
    ) -> None:
        self._refresher = refresh
        self.refreshable = refresh is not None
        self._lock: asyncio.Lock | None = None
        self._next_try = 0.0
        self.version = 0
        self._use(keys, expires_at)

    def _use(self, keys: AccessKeys, expires_at: datetime | None) -> None:
        self.keys = keys
        self.expires_at = expires_at
        self._signer = AkSkSigner(
            keys.ak, keys.sk.reveal(), keys.security_token.reveal() if keys.security_token else None
        )
        self.version += 1

    def describe(self) -> str:
        if self.keys.temporary:
            return _("temporary access keys {ak}").format(ak=self.keys.masked_ak())
        return _("access keys {ak}").format(ak=self.keys.masked_ak())

    def secrets(self) -> list[str]:
        values = [self.keys.sk.reveal()]
        if self.keys.security_token is not None:
            values.append(self.keys.security_token.reveal())
        return values

    async def headers_for(self, method: str, url: str, body: bytes, headers: Mapping[str, str]) -> dict[str, str]:
        if self._refresher is not None and self._due():
            await self.refresh()
        return self._signer.sign(method, url, body, when=datetime.now(timezone.utc), headers=headers)

    def _due(self) -> bool:
        if self.expires_at is None or time.monotonic() < self._next_try:
            return False
        return (self.expires_at - datetime.now(timezone.utc)).total_seconds() < REFRESH_MARGIN

    async def refresh(self) -> bool:
        if self._refresher is None:
            return False
        if self._lock is None:
            self._lock = asyncio.Lock()
        version = self.version
        async with self._lock:
            if self.version != version:  # another request refreshed while this one waited
                return True
            try:
                keys, expires_at = await self._refresher()
            except Exception:  # keep the current keys; the server will say if they stop working
                self._next_try = time.monotonic() + REFRESH_RETRY
                return False
            self._use(keys, expires_at)
            return True

    def __repr__(self) -> str:
        return f"AkSkAuth({self.describe()})"


__all__ = ["AccessKeys", "AkSkAuth", "KeysRefresher", "RequestAuth", "TokenAuth"]
