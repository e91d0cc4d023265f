"""Shared pieces of the fake's own tests (tests/test_fake_*.py); no tests here.

Requests go over TCP to the running fake with plain httpx, signed by the official SDK's signer
(`huaweicloudsdkcore`, which signs every header it is handed, X-Project-Id included) or by the product's.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

import httpx
import pytest

from tests.helpers import SECRET_AK, SECRET_SK, SECRET_TOKEN
from tui_app.fake import DEMO_PROJECT_ID, FakeStore, seed_tasks
from tui_app.vias.signer import AkSkSigner

sdk_credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
sdk_request = pytest.importorskip("huaweicloudsdkcore.sdk_request")

AK, SK = SECRET_AK, SECRET_SK
TOKEN = SECRET_TOKEN
BATCHES = f"/v2/{DEMO_PROJECT_ID}/batch-tasks"
JOBS = f"/v2/{DEMO_PROJECT_ID}/tasks"


def keyed_store(count: int = 20, *, special: bool = False) -> FakeStore:
    """Tasks that delete cleanly, the test token, and the test access keys."""
    store = FakeStore()
    store.tokens.add(TOKEN)
    store.add_keys(AK, SK)
    seed_tasks(store, count, special=special)
    return store


def sdk_signed(
    method: str,
    url: str,
    *,
    ak: str = AK,
    sk: str = SK,
    project_id: str | None = None,
    host: str | None = None,
    when: datetime | None = None,
    body: bytes = b"",
) -> tuple[str, dict[str, str]]:
    """(URL to request, headers) as the SDK signs them; `project_id` adds a signed X-Project-Id."""
    parts = urlsplit(url)
    query = [tuple(item.split("=", 1)) for item in parts.query.split("&") if item]
    stamp = (when or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    request = sdk_request.SdkRequest(
        method=method,
        schema=parts.scheme,
        host=host or parts.netloc,
        resource_path=parts.path,
        query_params=query,
        header_params={"X-Sdk-Date": stamp},
        body=body,
    )
    sdk_credentials.BasicCredentials(ak, sk, project_id).sign_request(request)
    return f"{parts.scheme}://{parts.netloc}{request.uri}", dict(request.header_params)


def product_signed(method: str, url: str, *, ak: str = AK, sk: str = SK, host: str | None = None) -> dict[str, str]:
    """The product's signer: host and X-Sdk-Date only (no X-Project-Id)."""
    extra = {"Host": host} if host else None
    return AkSkSigner(ak, sk).sign(method, url, when=datetime.now(timezone.utc), headers=extra)


async def signed_request(client: httpx.AsyncClient, method: str, url: str, **kwargs: object) -> httpx.Response:
    target, headers = sdk_signed(method, url, **kwargs)  # type: ignore[arg-type]
    return await client.request(method, target, headers=headers)


def token_headers(token: str = TOKEN) -> dict[str, str]:
    return {"X-Auth-Token": token}
