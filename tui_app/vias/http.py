"""One HTTP stack for VIAS, IAM and the ECS metadata service: every transport and client is built here from one
HttpSettings (timeouts, TLS context or CA bundle, proxy, what to scrub), so a setting cannot apply to one of them
and not to the others. All three run on RawPoolTransport; IAM and the metadata client wrap it in an
httpx.AsyncClient (no environment, no redirects), the VIAS client drives it directly.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import httpx

from tui_app.secret import Scrubber
from tui_app.vias.proxy import ProxySettings
from tui_app.vias.transport import RawPoolTransport
from tui_app.vias.wire import tls_context

DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True)
class HttpSettings:
    """How every connection is made. `proxy` defaults to the environment's (HTTPS_PROXY, NO_PROXY, ...): build it
    with `ProxySettings.resolve(explicit)` to apply a `--proxy` flag or a profile key; ProxyConfigError (one line)
    for a proxy URL that cannot be used."""

    timeout: float = DEFAULT_TIMEOUT  # the whole attempt (VIAS), or each step (IAM, metadata)
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    tls: ssl.SSLContext | None = None  # None: built from ca_bundle, or the system's trust store when needed
    ca_bundle: str | None = None
    proxy: ProxySettings = field(default_factory=ProxySettings.resolve)
    max_connections: int = 64
    keepalive_expiry: float = 5.0

    @property
    def connect_limit(self) -> float:
        return min(self.connect_timeout, self.timeout)

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context; None leaves it to the transport (the system's store, loaded only if https is used).
        OperatorError for an unusable CA bundle."""
        if self.tls is not None:
            return self.tls
        return tls_context(self.ca_bundle) if self.ca_bundle else None

    def transport(self) -> RawPoolTransport:
        return RawPoolTransport(
            max_connections=self.max_connections,
            ssl_context=self.ssl_context(),
            keepalive_expiry=self.keepalive_expiry,
            proxy=self.proxy,
        )

    def client(
        self, base_url: str, headers: Mapping[str, str], transport: httpx.AsyncBaseTransport | None = None
    ) -> httpx.AsyncClient:
        """An httpx client on this stack (IAM, metadata): no environment, no redirects."""
        return httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(self.timeout, connect=self.connect_limit),
            transport=transport or self.transport(),
            trust_env=False,
            follow_redirects=False,
            headers=dict(headers),
        )

    def scrubber(self, secrets: Iterable[str] = ()) -> Scrubber:
        """A Scrubber for `secrets` and the proxy's password."""
        return Scrubber([*secrets, *self.proxy.secrets()])

    def without_proxy(self) -> HttpSettings:
        return replace(self, proxy=ProxySettings.off())


__all__ = ["DEFAULT_CONNECT_TIMEOUT", "DEFAULT_TIMEOUT", "HttpSettings"]
