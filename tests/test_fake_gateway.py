"""The fake's API gateway over TCP: rate limiting, the AK lock, APIG.0301/0307 answers, X-Project-Id."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx

from tests.test_fake_support import (
    AK,
    BATCHES,
    TOKEN,
    keyed_store,
    product_signed,
    sdk_signed,
    signed_request,
    token_headers,
)
from tui_app.fake import (
    DEMO_PROJECT_ID,
    AkLockPolicy,
    FakeVias,
    GatewayPolicy,
    Period,
    RateLimit,
    RequestKind,
)
from tui_app.fake.ratelimit import RateLimiter
from tui_app.fake.store import TokenInfo

LOCKED = "AK access failed to reach the limit,forbidden"


# --- rate limiting -------------------------------------------------------------------------------------------


async def test_the_bucket_admits_about_n_per_second_and_throttled_requests_do_nothing() -> None:
    store = keyed_store(60)
    ids = list(store.tasks)
    policy = GatewayPolicy(rate_limit=RateLimit(5))
    async with FakeVias(store, gateway=policy) as server, httpx.AsyncClient(headers=token_headers()) as client:
        answers: list[httpx.Response] = []
        loop = asyncio.get_running_loop()
        started = loop.time()
        for task_id in ids[:40]:  # 20 a second for 2 s: four times the limit
            answers.append(await client.delete(f"{server.url}{BATCHES}/{task_id}"))
            await asyncio.sleep(max(0.0, started + len(answers) * 0.05 - loop.time()))
        elapsed = loop.time() - started
        stats = server.stats()
    admitted = [r for r in answers if r.status_code == 200]
    throttled = [r for r in answers if r.status_code == 429]
    assert len(admitted) + len(throttled) == 40
    # burst 5 plus 5 a second for the time it took (loose: the machine is shared)
    assert 5 + 5 * elapsed * 0.6 <= len(admitted) <= 5 + 5 * elapsed + 2, (len(admitted), elapsed)
    body = throttled[0].json()
    assert body["error_code"] == "APIG.0308" and "retry-after" not in throttled[0].headers
    assert body["error_msg"].endswith("policy user over ratelimit, limit:5, time:1 second")
    assert body["request_id"] == throttled[0].headers["x-request-id"]
    gone = {task_id for task_id, r in zip(ids, answers, strict=False) if r.status_code == 200}
    assert gone.isdisjoint(store.tasks) and set(ids[: len(answers)]) - gone <= set(store.tasks)
    limit = stats["rate_limit"]
    assert isinstance(limit, dict) and limit["admitted"] == len(admitted) and limit["throttled"] == len(throttled)
    assert sum(s["admitted"] for s in limit["per_second"].values()) == len(admitted)


async def test_a_user_shares_one_bucket_across_calls_and_users_do_not_share() -> None:
    store = keyed_store(5)
    store.token_info["other-user-token"] = TokenInfo(
        "other-user", DEMO_PROJECT_ID, datetime.max.replace(tzinfo=timezone.utc)
    )
    store.tokens.add("other-user-token")
    policy = GatewayPolicy(rate_limit=RateLimit(2, Period.MINUTE))
    task_id = next(iter(store.tasks))
    async with FakeVias(store, gateway=policy) as server, httpx.AsyncClient() as client:
        mine = token_headers()
        first = await client.get(f"{server.url}{BATCHES}", headers=mine)
        stop = await client.put(f"{server.url}{BATCHES}/{task_id}/action/stop", headers=mine)
        # the same user by access keys: the same bucket
        url, signed = sdk_signed("DELETE", f"{server.url}{BATCHES}/{task_id}")
        third = await client.delete(url, headers=signed)
        other = await client.get(f"{server.url}{BATCHES}", headers=token_headers("other-user-token"))
        users = {r.user for r in server.requests}
    assert [first.status_code, stop.status_code, third.status_code, other.status_code] == [200, 200, 429, 200]
    assert third.json()["error_msg"].endswith("limit:2, time:1 minute")
    assert task_id in store.tasks and len(users) == 2


async def test_retry_after_is_sent_only_when_switched_on() -> None:
    store = keyed_store(3)
    policy = GatewayPolicy(rate_limit=RateLimit(1, Period.MINUTE, retry_after=True))
    async with FakeVias(store, gateway=policy) as server, httpx.AsyncClient(headers=token_headers()) as client:
        assert (await client.get(f"{server.url}{BATCHES}")).status_code == 200
        throttled = await client.get(f"{server.url}{BATCHES}")
    assert throttled.status_code == 429 and 58 <= int(throttled.headers["retry-after"]) <= 60


def test_throttled_requests_take_no_tokens_and_the_bucket_refills_continuously() -> None:
    now = [0.0]
    limiter = RateLimiter(RateLimit(2, burst=4), clock=lambda: now[0], wall=lambda: 1000.0 + now[0])
    assert [limiter.admit("u") for _ in range(4)] == [None] * 4  # the burst
    waits = [limiter.admit("u") for _ in range(10)]
    assert all(w is not None and abs(w - 0.5) < 1e-9 for w in waits)  # still half a second: none were taken
    now[0] = 0.5
    assert limiter.admit("u") is None and limiter.admit("u") is not None
    now[0] = 10.0
    assert [limiter.admit("u") for _ in range(5)] == [None, None, None, None, 0.5]  # capped at the burst
    assert limiter.admitted == 9 and limiter.throttled == 12


def test_rate_limits_parse_from_text() -> None:
    assert RateLimit.parse("5/s") == RateLimit(5, Period.SECOND)
    assert RateLimit.parse(" 300 / min ", burst=20, retry_after=True) == RateLimit(300, Period.MINUTE, 20, True)
    for bad in ("fast", "0/s", "5/hour", "-1/s"):
        try:
            RateLimit.parse(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


# --- the AK lock ---------------------------------------------------------------------------------------------


async def test_six_bad_signatures_lock_the_key_for_everyone_then_it_unlocks() -> None:
    store = keyed_store(3)
    store.add_keys("OTHERAKOTHERAKOTHER1", "other-secret")
    policy = GatewayPolicy(ak_lock=AkLockPolicy(seconds=0.6))
    async with FakeVias(store, gateway=policy) as server, httpx.AsyncClient() as client:
        url = f"{server.url}{BATCHES}"
        bad = [await signed_request(client, "GET", url, sk="wrong-secret") for _ in range(6)]
        correct = await signed_request(client, "GET", url)
        other = await signed_request(client, "GET", url, ak="OTHERAKOTHERAKOTHER1", sk="other-secret")
        await asyncio.sleep(0.7)
        after = await signed_request(client, "GET", url)
    assert [r.status_code for r in bad] == [401] * 6
    assert all(r.json()["error_msg"].endswith("signature mismatch") for r in bad[:5])
    assert bad[5].json() == {**bad[5].json(), "error_code": "APIG.0301", "error_msg": LOCKED}
    assert correct.status_code == 401 and correct.json()["error_msg"] == LOCKED  # a correct signature, locked out
    assert other.status_code == 200 and after.status_code == 200


async def test_a_success_resets_the_count_and_stale_dates_count_as_failures() -> None:
    store = keyed_store(3)
    async with FakeVias(store) as server, httpx.AsyncClient() as client:
        url = f"{server.url}{BATCHES}"
        for _ in range(5):
            assert (await signed_request(client, "GET", url, sk="wrong")).status_code == 401
        assert (await signed_request(client, "GET", url)).status_code == 200  # resets: five more are tolerated
        stale = datetime.now(timezone.utc) - timedelta(minutes=20)
        answers = [await signed_request(client, "GET", url, when=stale) for _ in range(5)]
        assert all("more than 15 minutes old" in r.json()["error_msg"] for r in answers)
        assert (await signed_request(client, "GET", url)).status_code == 200
        for _ in range(6):
            await signed_request(client, "GET", url, when=stale)
        locked = await signed_request(client, "GET", url)
    assert locked.status_code == 401 and locked.json()["error_msg"] == LOCKED


async def test_the_lock_can_be_switched_off() -> None:
    policy = GatewayPolicy(ak_lock=AkLockPolicy(enabled=False))
    async with FakeVias(keyed_store(3), gateway=policy) as server, httpx.AsyncClient() as client:
        url = f"{server.url}{BATCHES}"
        for _ in range(10):
            await signed_request(client, "GET", url, sk="wrong")
        assert (await signed_request(client, "GET", url)).status_code == 200


# --- documented gateway answers ------------------------------------------------------------------------------


async def test_bad_or_missing_credentials_are_0301_on_list_and_delete_and_revoked_tokens_0307() -> None:
    store = keyed_store(3)
    task_id = next(iter(store.tasks))
    store.revoked_tokens.add("an-old-token")
    store.tokens.add("an-expired-token")
    store.token_info["an-expired-token"] = TokenInfo("u", DEMO_PROJECT_ID, datetime.now(timezone.utc))
    async with FakeVias(store) as server, httpx.AsyncClient() as client:
        listing, deleting = f"{server.url}{BATCHES}", f"{server.url}{BATCHES}/{task_id}"
        answers = {
            "bad signature on list": await signed_request(client, "GET", listing, sk="wrong"),
            "bad signature on delete": await signed_request(client, "DELETE", deleting, sk="wrong"),
            "nothing": await client.get(listing),
            "unknown token": await client.get(listing, headers=token_headers("nope")),
            "revoked": await client.get(listing, headers=token_headers("an-old-token")),
            "expired": await client.delete(deleting, headers=token_headers("an-expired-token")),
        }
    codes = {what: (r.status_code, r.json()["error_code"]) for what, r in answers.items()}
    assert codes == {
        "bad signature on list": (401, "APIG.0301"),
        "bad signature on delete": (401, "APIG.0301"),
        "nothing": (401, "APIG.0301"),
        "unknown token": (401, "APIG.0301"),
        "revoked": (401, "APIG.0307"),
        "expired": (401, "APIG.0307"),
    }
    assert task_id in store.tasks and not any(r.authorized for r in server.requests)


async def test_x_project_id_is_recorded_and_can_be_required() -> None:
    store = keyed_store(3)
    policy = GatewayPolicy(require_project_header=True)
    async with FakeVias(store, gateway=policy) as server, httpx.AsyncClient() as client:
        url = f"{server.url}{BATCHES}"
        without = await signed_request(client, "GET", url)
        signed = await signed_request(client, "GET", url, project_id=DEMO_PROJECT_ID)
        other = await signed_request(client, "GET", url, project_id="f" * 32)
        unsigned = await client.get(url, headers={**product_signed("GET", url), "X-Project-Id": DEMO_PROJECT_ID})
        token = await client.get(url, headers=token_headers(TOKEN))  # tokens carry their project
        seen = [(r.x_project_id, r.answer) for r in server.requests]
        server.gateway.policy.project_mismatch_status = 401
        as_401 = await signed_request(client, "GET", url)
    assert [r.status_code for r in (without, signed, other, unsigned, token)] == [403, 200, 403, 403, 200]
    assert without.json()["error_code"] == "APIG.0302" and "X-Project-Id" in without.json()["error_msg"]
    assert seen == [(None, "403"), (DEMO_PROJECT_ID, "200"), ("f" * 32, "403"), (DEMO_PROJECT_ID, "403"), (None, "200")]
    assert as_401.status_code == 401 and as_401.json()["error_code"] == "APIG.0301"


async def test_without_the_switch_only_a_wrong_x_project_id_fails() -> None:
    async with FakeVias(keyed_store(3)) as server, httpx.AsyncClient() as client:
        url = f"{server.url}{BATCHES}"
        assert (await signed_request(client, "GET", url)).status_code == 200
        assert (await signed_request(client, "GET", url, project_id=DEMO_PROJECT_ID)).status_code == 200
        assert (await signed_request(client, "GET", url, project_id="f" * 32)).status_code == 403
        kinds = {r.kind for r in server.requests}
    assert kinds == {RequestKind.BATCH_LIST.value} and {r.credential for r in server.requests} == {f"ak:{AK}"}
