"""The fake IAM: password login (with virtual MFA for users with login protection) and project listings.

Login (`POST /v3/auth/tokens`, body as in the API notes) answers 201 with the token in `X-Subject-Token` and
`token.expires_at`, `token.project`, `token.user`, `token.methods` in the body. The token is scoped to the
project the body names (`scope.project.name` or `.id`; none: the default project).

*Assumed* (IAM's public docs give no bodies for these), Keystone's error shape `{"error": {"code", "title",
"message"}}`:
* 401 "The username or password is wrong." for a wrong user or password;
* 401 "MFA verification is required: this user has login protection (virtual MFA); log in with methods
  ["password", "totp"]" for a protected user who sent only a password;
* 401 "The MFA verification code is incorrect." for a wrong passcode or user ID in the totp block;
* 401 "Virtual MFA login protection is not enabled for this user." for a totp block from an unprotected user;
* 401 "The project in the scope does not exist or cannot be accessed." for an unknown scope;
* 400 "The request body is invalid." when the body cannot be read.

`GET /v3/projects[?name=]` and `GET /v3/auth/projects` (KeystoneListAuthProjects) list the store's projects (every
user may access every project) as the SDK's AuthProjectResult.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import time
from typing import Any

from tui_app.fake.answers import Answer, reply
from tui_app.fake.store import FakeProject, FakeStore, MfaDevice

MFA_REQUIRED = (
    'MFA verification is required: this user has login protection (virtual MFA); log in with methods ["password", '
    '"totp"]'
)


def _error(status: int, message: str) -> Answer:
    title = {400: "Bad Request", 401: "Unauthorized"}.get(status, "Error")
    return reply(status, {"error": {"code": status, "title": title, "message": message}})


def login(store: FakeStore, body: bytes) -> Answer:
    try:
        auth = json.loads(body)["auth"]
        identity = auth["identity"]
        methods = identity.get("methods") or ["password"]
        user = identity["password"]["user"]
        account, name, password = user["domain"]["name"], user["name"], user["password"]
        totp = identity.get("totp", {}).get("user") if "totp" in methods else None
        scope = (auth.get("scope") or {}).get("project") or {}
        if not isinstance(methods, list) or not isinstance(scope, dict) or not isinstance(totp, dict | None):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError):
        return _error(400, "The request body is invalid.")
    key = (account, name)
    if store.iam_users.get(key) != password:
        return _error(401, "The username or password is wrong.")
    user_id = store.user_id(account, name)
    device = store.mfa.get(key)
    if device is not None and totp is None:
        return _error(401, MFA_REQUIRED)
    if device is None and totp is not None:
        return _error(401, "Virtual MFA login protection is not enabled for this user.")
    if device is not None and totp is not None and not _passcode_ok(device, totp, user_id):
        return _error(401, "The MFA verification code is incorrect.")
    project = store.find_project(scope.get("name"), scope.get("id")) if scope else store.default_project()
    if project is None:
        return _error(401, "The project in the scope does not exist or cannot be accessed.")
    token, expires = store.issue_token(user_id, project.id)
    stamp = "%Y-%m-%dT%H:%M:%S.%fZ"
    domain = {"id": store.domain_id, "name": account}
    payload = {
        "token": {
            "expires_at": expires.strftime(stamp),
            "issued_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
            "methods": list(methods),
            "project": {"id": project.id, "name": project.name, "domain": domain},
            "user": {"id": user_id, "name": name, "domain": domain},
        }
    }
    return reply(201, payload, {"X-Subject-Token": token})


def _passcode_ok(device: MfaDevice, totp: dict[str, Any], user_id: str) -> bool:
    passcode = str(totp.get("passcode", ""))
    if totp.get("id") != user_id or not passcode:
        return False
    if device.passcode is not None and hmac.compare_digest(passcode, device.passcode):
        return True
    if device.totp_secret is not None:
        step = int(time.time()) // 30
        return any(hmac.compare_digest(passcode, totp_code(device.totp_secret, step + d)) for d in (-1, 0, 1))
    return False


def totp_code(secret: bytes, step: int) -> str:
    """RFC 6238 (HMAC-SHA1, 6 digits) for a 30-second step: what an authenticator app shows."""
    digest = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def list_projects(store: FakeStore, name: str | None, base_url: str) -> Answer:
    """GET /v3/projects[?name=...]: every project, or those with that name."""
    found = [p for p in store.projects() if name is None or p.name == name]
    return reply(200, {"projects": [_json(store, p, base_url) for p in found], "links": _links(base_url, "projects")})


def auth_projects(store: FakeStore, base_url: str) -> Answer:
    """GET /v3/auth/projects (KeystoneListAuthProjects): the projects the caller may access (all of them)."""
    projects = [_json(store, p, base_url) for p in store.projects()]
    return reply(200, {"projects": projects, "links": _links(base_url, "auth/projects")})


def _json(store: FakeStore, project: FakeProject, base_url: str) -> dict[str, object]:
    return project.as_json(store.domain_id, base_url)


def _links(base_url: str, what: str) -> dict[str, str]:
    return {"self": f"{base_url}/v3/{what}"}


__all__ = ["MFA_REQUIRED", "auth_projects", "list_projects", "login", "totp_code"]
