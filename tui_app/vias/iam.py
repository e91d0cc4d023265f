"""IAM password login: POST /v3/auth/tokens, project-scoped, with a virtual-MFA passcode for users whose login is
protected. The password and the passcode are sent once and never kept."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import httpx

from tui_app.domain.errors import ApiError, Transport
from tui_app.i18n import _
from tui_app.problems import OperatorError
from tui_app.secret import Token, TokenFormatError, parse_expiry
from tui_app.vias import wire
from tui_app.vias.endpoints import parse_endpoint
from tui_app.vias.http import HttpSettings
from tui_app.vias.proxy import ProxyConfigError, ProxySettings


@dataclass(frozen=True)
class MfaCode:
    """A virtual-MFA passcode and the IAM user's ID it is for (IAM wants the ID, not the name, in the totp block)."""

    user_id: str
    passcode: str

    def __repr__(self) -> str:
        return f"MfaCode(user_id={self.user_id!r})"


# IAM's wording when a protected user logs in with the password alone is not documented; these are the words its
# answers and the fake's use. Matched case-insensitively in the error's message.
_MFA_WORDS = ("mfa", "multi-factor", "verification code", "login protection", "totp")


def needs_mfa(error: ApiError) -> bool:
    """The login was refused because the user has login protection (virtual MFA) and no passcode came."""
    text = " ".join(t for t in (error.message, error.detail, error.raw_body) if t).lower()
    return error.http_status in (400, 401, 403) and any(word in text for word in _MFA_WORDS)


@dataclass(frozen=True)
class IamToken:
    token: Token
    expires_at: datetime | None
    project_id: str | None


async def login(
    iam_endpoint: str,
    *,
    domain: str,
    user: str,
    password: str,
    project_name: str,
    timeout: float = 30.0,
    ca_bundle: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    proxy: ProxySettings | None = None,
    http: HttpSettings | None = None,
    mfa: MfaCode | None = None,
) -> IamToken | ApiError:
    """Every failure is a typed answer, an unusable CA bundle or proxy setting too. `http` (the tool's one
    HttpSettings) replaces `timeout`, `ca_bundle` and `proxy`; without either, proxies come from the environment."""
    base = parse_endpoint(iam_endpoint).base_url  # same HTTPS-or-loopback rule as VIAS
    identity: dict[str, object] = {
        "methods": ["password"],
        "password": {"user": {"name": user, "password": password, "domain": {"name": domain}}},
    }
    if mfa is not None:  # IAM API "Obtaining a User Token Through Password and Virtual MFA Authentication"
        identity["methods"] = ["password", "totp"]
        identity["totp"] = {"user": {"id": mfa.user_id, "passcode": mfa.passcode}}
    body = {"auth": {"identity": identity, "scope": {"project": {"name": project_name}}}}
    try:
        if http is None:
            http = HttpSettings(timeout=timeout, ca_bundle=ca_bundle, proxy=proxy or ProxySettings.resolve())
        client = http.client(base, {"User-Agent": wire.USER_AGENT, "Accept-Encoding": wire.ACCEPT_ENCODING}, transport)
    except OperatorError as exc:  # a CA bundle or proxy URL that cannot be used: nothing was sent
        kind = Transport.PROXY_UNREACHABLE if isinstance(exc, ProxyConfigError) else Transport.TLS
        return ApiError(None, message=str(exc), transport=kind, delivered=False)
    # An IAM that echoes the password (or the passcode) in an error must not get it on screen.
    scrub = http.scrubber([password, *([mfa.passcode] if mfa is not None else [])])
    try:
        async with (
            client,
            client.stream(
                "POST", "/v3/auth/tokens", json=body, headers={"Content-Type": "application/json;charset=utf8"}
            ) as response,
        ):
            answer = await asyncio.wait_for(wire.read_body(response), http.timeout)
            status, headers = response.status_code, response.headers
    except Exception as exc:  # every failure is a typed answer
        return wire.scrubbed(wire.transport_error(exc), scrub)
    if status != 201:
        return wire.scrubbed(wire.error_from(status, headers, answer), scrub)  # reads IAM's {"error": {...}}
    try:
        token = Token(headers.get("X-Subject-Token", ""))
    except TokenFormatError:
        return ApiError(status, message=_("IAM answered 201 without a usable X-Subject-Token header"))
    data = (wire.json_object(answer.text()) or {}).get("token") or {}
    project = data.get("project") or {} if isinstance(data, dict) else {}
    expires = data.get("expires_at") if isinstance(data, dict) else None
    project_id = project.get("id") if isinstance(project, dict) else None
    return IamToken(
        token, parse_expiry(expires if isinstance(expires, str) else None), str(project_id) if project_id else None
    )
