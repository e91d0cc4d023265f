"""IAM login with virtual MFA, several regions and projects, scoped tokens and the project listings, over TCP."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.test_fake_support import AK, BATCHES, keyed_store, sdk_signed, signed_request, token_headers
from tui_app.fake import DEMO_PROJECT_ID, FakeStore, FakeVias, MfaDevice, seed_projects
from tui_app.fake.iam import MFA_REQUIRED, totp_code
from tui_app.fake.store import DEMO_IAM_USER, derived_id

ACCOUNT, USER, PASSWORD = DEMO_IAM_USER
USER_ID = derived_id("user", ACCOUNT, USER)
SECRET = b"12345678901234567890"


def login_body(*, passcode: str | None = None, user_id: str = USER_ID, scope: str = "cn-north-4") -> dict:
    identity: dict = {
        "methods": ["password"],
        "password": {"user": {"name": USER, "password": PASSWORD, "domain": {"name": ACCOUNT}}},
    }
    if passcode is not None:
        identity["methods"] = ["password", "totp"]
        identity["totp"] = {"user": {"id": user_id, "passcode": passcode}}
    return {"auth": {"identity": identity, "scope": {"project": {"name": scope}}}}


def regional_store() -> FakeStore:
    store = keyed_store(5)
    seed_projects(store, [("cn-east-3", 4), ("cn-east-3_ops", 3), ("ap-southeast-1", 2)])
    return store


def project_named(store: FakeStore, name: str) -> str:
    found = store.find_project(name)
    assert found is not None
    return found.id


# --- IAM login with virtual MFA -----------------------------------------------------------------------------


async def test_a_protected_user_needs_the_passcode() -> None:
    store = keyed_store(3)
    store.mfa[(ACCOUNT, USER)] = MfaDevice("123456")
    async with FakeVias(store) as server, httpx.AsyncClient() as client:
        tokens = f"{server.url}/v3/auth/tokens"
        password_only = await client.post(tokens, json=login_body())
        wrong = await client.post(tokens, json=login_body(passcode="654321"))
        wrong_user = await client.post(tokens, json=login_body(passcode="123456", user_id="someone-else"))
        right = await client.post(tokens, json=login_body(passcode="123456"))
        token = right.headers["x-subject-token"]
        listed = await client.get(f"{server.url}{BATCHES}", headers=token_headers(token))
    assert password_only.status_code == 401 and password_only.json()["error"]["message"] == MFA_REQUIRED
    assert "MFA verification is required" in MFA_REQUIRED
    assert wrong.status_code == 401 and "incorrect" in wrong.json()["error"]["message"]
    assert wrong_user.status_code == 401
    body = right.json()["token"]
    assert right.status_code == 201 and body["project"]["id"] == DEMO_PROJECT_ID and body["user"]["id"] == USER_ID
    assert body["methods"] == ["password", "totp"] and body["expires_at"].endswith("Z")
    assert listed.status_code == 200 and server.requests[-1].user == USER_ID


async def test_a_real_totp_code_and_an_unprotected_user() -> None:
    store = keyed_store(3)
    store.mfa[(ACCOUNT, USER)] = MfaDevice(passcode=None, totp_secret=SECRET)
    async with FakeVias(store) as server, httpx.AsyncClient() as client:
        tokens = f"{server.url}/v3/auth/tokens"
        code = totp_code(SECRET, int(time.time()) // 30)
        good = await client.post(tokens, json=login_body(passcode=code))
        stale = await client.post(tokens, json=login_body(passcode=totp_code(SECRET, int(time.time()) // 30 - 5)))
        del store.mfa[(ACCOUNT, USER)]
        unprotected = await client.post(tokens, json=login_body(passcode=code))
        plain = await client.post(tokens, json=login_body())
    assert good.status_code == 201 and stale.status_code == 401
    assert unprotected.status_code == 401 and "not enabled" in unprotected.json()["error"]["message"]
    assert plain.status_code == 201


def test_totp_matches_rfc_6238() -> None:
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits), so 287082 with 6
    assert totp_code(SECRET, 59 // 30) == "287082"


# --- regions, projects, scoped tokens ----------------------------------------------------------------------


async def test_a_region_is_reached_by_host_or_by_prefix() -> None:
    store = regional_store()
    east = project_named(store, "cn-east-3")
    async with FakeVias(store) as server, httpx.AsyncClient() as client:
        path = f"/v2/{east}/batch-tasks"
        host = "vias.cn-east-3.myhuaweicloud.com"
        url, headers = sdk_signed("GET", f"{server.url}{path}", host=host)
        by_host = await client.get(url, headers=headers)
        by_prefix = await signed_request(client, "GET", f"{server.region_url('cn-east-3')}{path}")
        default_region = await signed_request(client, "GET", f"{server.url}{path}")
        unknown = await signed_request(client, "GET", f"{server.region_url('mars-1')}{path}")
        seen = [(r.region, r.path, r.answer) for r in server.requests]
    assert by_host.status_code == 200 and by_host.json()["count"] == 4
    assert by_prefix.json() == by_host.json()
    assert default_region.status_code == 403 and "not a project of region cn-north-4" in default_region.text
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "APIG.0101"
    assert seen[:3] == [("cn-east-3", path, "200"), ("cn-east-3", path, "200"), ("cn-north-4", path, "403")]


async def test_subprojects_need_a_signed_project_header() -> None:
    store = regional_store()
    ops = project_named(store, "cn-east-3_ops")
    async with FakeVias(store) as server, httpx.AsyncClient() as client:
        url = f"{server.region_url('cn-east-3')}/v2/{ops}/batch-tasks"
        without = await signed_request(client, "GET", url)
        with_header = await signed_request(client, "GET", url, project_id=ops)
    assert without.status_code == 403 and with_header.status_code == 200 and with_header.json()["count"] == 3


async def test_a_token_is_scoped_to_its_project_and_region() -> None:
    store = regional_store()
    east, ops = project_named(store, "cn-east-3"), project_named(store, "cn-east-3_ops")
    async with FakeVias(store) as server, httpx.AsyncClient() as client:
        login = await client.post(f"{server.url}/v3/auth/tokens", json=login_body(scope="cn-east-3"))
        token = token_headers(login.headers["x-subject-token"])
        east_url = server.region_url("cn-east-3")
        own = await client.get(f"{east_url}/v2/{east}/batch-tasks", headers=token)
        sibling = await client.get(f"{east_url}/v2/{ops}/batch-tasks", headers=token)
        elsewhere = await client.get(f"{server.url}/v2/{DEMO_PROJECT_ID}/batch-tasks", headers=token)
        unknown_scope = await client.post(f"{server.url}/v3/auth/tokens", json=login_body(scope="mars-1"))
    assert login.json()["token"]["project"] == {**login.json()["token"]["project"], "id": east, "name": "cn-east-3"}
    assert own.status_code == 200
    assert sibling.status_code == 403 and sibling.json()["error_code"] == "APIG.0302"
    assert elsewhere.status_code == 401 and elsewhere.json()["error_code"] == "APIG.0307"  # another region's token
    assert unknown_scope.status_code == 401


@pytest.mark.parametrize("how", ["token", "aksk"])
async def test_auth_projects_lists_what_the_caller_may_access(how: str) -> None:
    store = regional_store()
    async with FakeVias(store) as server, httpx.AsyncClient() as client:
        url = f"{server.url}/v3/auth/projects"
        if how == "token":
            answer = await client.get(url, headers=token_headers())
        else:
            answer = await signed_request(client, "GET", url)
        anonymous = await client.get(url)
        named = await client.get(f"{server.url}/v3/projects", params={"name": "cn-east-3"}, headers=token_headers())
    projects = answer.json()["projects"]
    assert answer.status_code == 200 and {p["name"] for p in projects} == {
        "cn-north-4",
        "cn-east-3",
        "cn-east-3_ops",
        "ap-southeast-1",
    }
    assert all({"id", "name", "domain_id", "enabled", "parent_id", "links"} <= set(p) for p in projects)
    ops = next(p for p in projects if p["name"] == "cn-east-3_ops")
    assert ops["parent_id"] == project_named(store, "cn-east-3") and all(p["enabled"] for p in projects)
    assert anonymous.status_code == 401 and anonymous.json()["error_code"] == "APIG.0301"
    assert [p["name"] for p in named.json()["projects"]] == ["cn-east-3"]
    assert server.requests[0].credential == ("token" if how == "token" else f"ak:{AK}")


async def test_each_project_has_its_own_batches() -> None:
    store = regional_store()
    east = store.find_project("cn-east-3")
    assert east is not None
    task_id = next(iter(east.tasks))
    async with FakeVias(store) as server, httpx.AsyncClient() as client:
        here = f"{server.region_url('cn-east-3')}/v2/{east.id}/batch-tasks/{task_id}"
        wrong_project = await signed_request(client, "DELETE", f"{server.url}{BATCHES}/{task_id}")
        deleted = await signed_request(client, "DELETE", here)
    assert wrong_project.status_code == 400 and wrong_project.json()["error_code"] == "VIAS.00010002"
    assert deleted.status_code == 200 and task_id not in east.tasks and len(store.tasks) == 5
