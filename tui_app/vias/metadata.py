"""Temporary access keys from the ECS metadata service (an ECS with an agency needs no secret on disk).

`PUT /meta-data/latest/api/token` for a session token (a 404/405 means the service does not use them), then
`GET /openstack/latest/securitykey`. Plain http is allowed only to the link-local address and loopback (tests).
Probing is quick (about a second) so a laptop, which has no metadata service, is not delayed.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

import httpx

from tui_app.domain.keys import SdkCredentialsError, check_keys
from tui_app.i18n import _
from tui_app.secret import Secret, parse_expiry
from tui_app.vias import wire
from tui_app.vias.endpoints import is_loopback_host
from tui_app.vias.http import HttpSettings
from tui_app.vias.proxy import ProxySettings

ENV_METADATA_ENDPOINT = "VIAS_METADATA_ENDPOINT"
DEFAULT_ENDPOINT = "http://169.254.169.254"
LINK_LOCAL = "169.254.169.254"
PROBE_TIMEOUT = 1.0
TOKEN_TTL_SECONDS = 21600
TOKEN_PATH = "/meta-data/latest/api/token"
KEYS_PATH = "/openstack/latest/securitykey"


@dataclass(frozen=True)
class MetadataKeys:
    ak: str
    sk: Secret
    security_token: Secret
    expires_at: datetime | None


class MetadataError(Exception):
    """No keys from the metadata service; the message says why in one line."""


def metadata_endpoint() -> str:
    base = os.environ.get(ENV_METADATA_ENDPOINT, "").strip() or DEFAULT_ENDPOINT
    parts = urlsplit(base)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise MetadataError(
            _("{variable}={value!r} is not an http(s) URL").format(variable=ENV_METADATA_ENDPOINT, value=base)
        )
    if parts.scheme == "http" and host != LINK_LOCAL and not is_loopback_host(host):
        raise MetadataError(
            _("refusing plain http:// to {host} for the metadata service (only {link_local} and loopback)").format(
                host=host, link_local=LINK_LOCAL
            )
        )
    return base.rstrip("/")


async def fetch_keys(
    timeout: float = PROBE_TIMEOUT, base: str | None = None, *, http: HttpSettings | None = None
) -> MetadataKeys:
    """Raises MetadataError (one line) when there is no service, no agency, or an unreadable answer. On the tool's
    one HTTP stack (`http`: its TLS settings), with `timeout` for each step, and never through a proxy."""
    base = base or metadata_endpoint()
    stack = replace(http or HttpSettings(proxy=ProxySettings.off()), timeout=timeout, connect_timeout=timeout)
    try:
        async with stack.without_proxy().client(base, {"Accept-Encoding": wire.ACCEPT_ENCODING}) as client:
            return await asyncio.wait_for(_fetch(client), timeout * 3)
    except MetadataError:
        raise
    except Exception as exc:  # no metadata service here (a laptop), or it failed: one line
        error = wire.transport_error(exc)
        raise MetadataError(
            _("no ECS metadata service at {endpoint} ({transport}: {message})").format(
                endpoint=base, transport=error.transport, message=error.message
            )
        ) from None


async def _fetch(http: httpx.AsyncClient) -> MetadataKeys:
    headers: dict[str, str] = {}
    async with http.stream(
        "PUT", TOKEN_PATH, headers={"X-Metadata-Token-Ttl-Seconds": str(TOKEN_TTL_SECONDS)}
    ) as response:
        body = await wire.read_body(response, 64 * 1024)
        if response.status_code == 200 and body.text().strip():
            headers["X-Metadata-Token"] = body.text().strip()
    async with http.stream("GET", KEYS_PATH, headers=headers) as response:
        body = await wire.read_body(response, 64 * 1024)
        status = response.status_code
    if status == 401 and "agency" in body.text().lower():
        raise MetadataError(_("this ECS has no agency attached (the metadata service says to configure one)"))
    if status != 200:
        raise MetadataError(
            _("the metadata service answered HTTP {status} for {path}").format(status=status, path=KEYS_PATH)
        )
    credential = (wire.json_object(body.text()) or {}).get("credential")
    if not isinstance(credential, dict):
        raise MetadataError(_("the metadata service's securitykey answer has no credential object"))
    ak, sk, token = (str(credential.get(k) or "").strip() for k in ("access", "secret", "securitytoken"))
    if not ak or not sk or not token:
        raise MetadataError(_("the metadata service's credential lacks access, secret or securitytoken"))
    try:
        check_keys(ak, sk, token, _("the metadata service"))
    except SdkCredentialsError as exc:
        raise MetadataError(str(exc)) from None
    expires = credential.get("expires_at")
    return MetadataKeys(ak, Secret(sk), Secret(token), parse_expiry(expires if isinstance(expires, str) else None))


__all__ = ["ENV_METADATA_ENDPOINT", "MetadataError", "MetadataKeys", "fetch_keys", "metadata_endpoint"]
