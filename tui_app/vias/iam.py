"""IAM password login: POST /v3/auth/tokens, project-scoped. The password is sent once and never kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx

from tui_app.secret import Token, TokenFormatError
from tui_app.vias.client import USER_AGENT, _error_from, _json_object, _transport_error
from tui_app.vias.endpoints import parse_endpoint
from tui_app.vias.errors import ApiError


@dataclass(frozen=True)
class IamToken:
    token: Token
    expires_at: datetime | None
    project_id: str | None


async def login(iam_endpoint: str, *, domain: str, user: str, password: str, project_name: str,
                timeout: float = 30.0, ca_bundle: str | None = None,
                transport: httpx.AsyncBaseTransport | None = None) -> IamToken | ApiError:
    from tui_app.credentials import parse_expiry

    base = parse_endpoint(iam_endpoint).base_url  # same HTTPS-or-loopback rule as VIAS
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "password": password, "domain": {"name": domain}}}},
        "scope": {"project": {"name": project_name}}}}
    async with httpx.AsyncClient(base_url=base, timeout=timeout, verify=ca_bundle or True, trust_env=False,
                                 follow_redirects=False, transport=transport,
                                 headers={"User-Agent": USER_AGENT}) as http:
        try:
            response = await http.post("/v3/auth/tokens", json=body,
                                       headers={"Content-Type": "application/json;charset=utf8"})
        except httpx.HTTPError as exc:
            return _transport_error(exc)
    if response.status_code != 201:
        return _error_from(response.status_code, response.headers, response.text)  # reads IAM's {"error": {...}}
    subject = response.headers.get("X-Subject-Token", "")
    try:
        token = Token(subject)
    except TokenFormatError:
        return ApiError(response.status_code, message="IAM answered 201 without a usable X-Subject-Token header")
    data = (_json_object(response.text) or {}).get("token") or {}
    project = data.get("project") or {}
    return IamToken(token, parse_expiry(data.get("expires_at")), project.get("id"))
