"""Once a request for an ID may have reached the server without an answer, nothing but a definite answer about the
task may settle it: not throttling, a rejected credential, a cancel or a stop. Against a real hostile server."""

from __future__ import annotations

import asyncio
import time

from tests.helpers import QUICK_THROTTLE, client_for
from tests.hostile_server import Behaviour, HostileServer, auth_failed, ok, throttled
from tui_app.engine import DeleteEngine
from tui_app.fake import DEMO_PROJECT_ID
from tui_app.outcomes import Outcome, RunStatus
from tui_app.retry_policy import RetryPolicy
from tui_app.run_events import Paused
from tui_app.secret import Token
from tui_app.vias.auth import TokenAuth

LOST = "t0000000000000000000000000000lost"
OTHER = "t000000000000000000000000000other"
RESET = Behaviour("reset-after-read")
GONE = Behaviour("json", status=400, body={"error_code": "VIAS.00010002", "error_msg": "The object does not exist."})


def path(task_id: str) -> str:
    return f"/v2/{DEMO_PROJECT_ID}/batch-tasks/{task_id}"


async def run(server: HostileServer, ids: list[str], policy: RetryPolicy = QUICK_THROTTLE, **kwargs: object):
    events: list[object] = []
    async with client_for(server.url, timeout=2.0) as client:
        engine = DeleteEngine(client, concurrency=1, policy=policy, on_event=events.append, **kwargs)  # type: ignore[arg-type]
        summary = await engine.run(ids)
    return engine, summary, events


async def test_lost_then_throttled_to_exhaustion_is_unknown_not_failed() -> None:
    async with HostileServer(ok(), per_path={path(LOST): [RESET, *[throttled()] * 13]}) as server:
        engine, _, _ = await run(server, [LOST])
    record = engine.records[LOST]
    assert len(server.attempts(path(LOST))) == 14  # one lost, then 13 throttled (12 tolerated)
    assert record.outcome is Outcome.UNKNOWN and "may be gone" in record.note and "throttled" in record.note


async def test_lost_then_credentials_rejected_is_unknown_not_cancelled() -> None:
    async with HostileServer(ok(), per_path={path(LOST): [RESET, auth_failed()]}) as server:
        engine, summary, _ = await run(server, [LOST, OTHER])
    assert summary.status is RunStatus.AUTH_FAILED
    record = engine.records[LOST]
    assert record.outcome is Outcome.UNKNOWN and "not deleted" not in record.note and "may be gone" in record.note
    assert engine.records[OTHER].outcome is Outcome.CANCELLED and "not sent" in engine.records[OTHER].note
    assert server.attempts(path(OTHER)) == []


async def test_lost_then_cancelled_while_waiting_to_retry_is_unknown() -> None:
    slow = RetryPolicy(max_attempts=4, base_delay=5.0, max_delay=5.0)
    async with HostileServer(ok(), per_path={path(LOST): [RESET]}) as server, client_for(server.url) as client:
        engine = DeleteEngine(client, concurrency=1, policy=slow)
        task = asyncio.create_task(engine.run([LOST]))
        await server.wait_requests(1)
        await asyncio.sleep(0.1)
        engine.cancel(grace=0)
        await asyncio.wait_for(task, 2)
    assert engine.records[LOST].outcome is Outcome.UNKNOWN


async def test_lost_then_a_definite_answer_settles_it() -> None:
    script = {path(LOST): [RESET, ok()], path(OTHER): [RESET, GONE]}
    async with HostileServer(ok(), per_path=script) as server:
        engine, _, _ = await run(server, [LOST, OTHER])
    assert engine.records[LOST].outcome is Outcome.DELETED and engine.records[LOST].note == "deleted on a retry"
    gone = engine.records[OTHER]
    assert gone.outcome is Outcome.NOT_FOUND and "probably deleted" in gone.note


async def test_sent_and_throttled_then_cancelled_never_says_not_sent() -> None:
    async with (
        HostileServer(ok(), per_path={path(LOST): [throttled("30")]}) as server,
        client_for(server.url) as client,
    ):
        engine = DeleteEngine(client, concurrency=1, policy=RetryPolicy(max_retry_after=30))
        task = asyncio.create_task(engine.run([LOST]))
        await server.wait_requests(1)
        await asyncio.sleep(0.1)
        engine.cancel(grace=0)
        await asyncio.wait_for(task, 2)
    record = engine.records[LOST]
    assert record.outcome is Outcome.CANCELLED and "not sent" not in record.note and "throttled" in record.note


async def test_a_paused_id_keeps_what_was_learned_about_it() -> None:
    async with (
        HostileServer(ok(), per_path={path(LOST): [RESET, auth_failed(), ok()]}) as server,
        client_for(server.url) as client,
    ):
        events: list[object] = []
        engine = DeleteEngine(client, concurrency=1, policy=QUICK_THROTTLE, on_event=events.append, pause_on_auth=True)
        task = asyncio.create_task(engine.run([LOST]))
        for _ in range(300):
            await asyncio.sleep(0.01)
            if engine.paused:
                break
        assert any(isinstance(e, Paused) for e in events)
        engine.resume(TokenAuth(Token("MIInewTOKENafterPAUSE0000")))
        await asyncio.wait_for(task, 5)
    record = engine.records[LOST]
    assert record.outcome is Outcome.DELETED and [a.number for a in record.attempts] == [1, 2, 3]


async def test_a_second_cancel_stops_at_once() -> None:
    proof = "t0000000000000000000000000proof"  # answered first: the credentials are proven, then two go out at once
    per_path = {path(proof): GONE}
    async with (
        HostileServer("drip", interval=5.0, per_path=per_path) as server,
        client_for(server.url, timeout=60.0) as client,
    ):
        engine = DeleteEngine(client, concurrency=2)
        task = asyncio.create_task(engine.run([proof, LOST, OTHER]))
        await server.wait_requests(3)
        engine.cancel(grace=30.0)
        started = time.monotonic()
        await asyncio.sleep(0.05)
        engine.cancel(grace=0.0)
        await asyncio.wait_for(task, 2)
    assert time.monotonic() - started < 1.0
    assert engine.records[proof].outcome is Outcome.NOT_FOUND
    assert {engine.records[i].outcome for i in (LOST, OTHER)} == {Outcome.UNKNOWN}


async def test_gateway_timeouts_to_exhaustion_are_unknown_not_failed() -> None:
    # A 504 (or 502) is the gateway losing track of a backend that may have deleted the task.
    quick = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)
    gateway = [Behaviour("json", status=504, body={"error_msg": "gateway timeout"})] * 3
    bad = [Behaviour("json", status=502, body={"error_msg": "bad gateway"}), GONE]
    async with HostileServer(ok(), per_path={path(LOST): gateway, path(OTHER): bad}) as server:
        engine, _, _ = await run(server, [LOST, OTHER], policy=quick)
    assert len(server.attempts(path(LOST))) == 3
    record = engine.records[LOST]
    assert record.outcome is Outcome.UNKNOWN and "may be gone" in record.note, record.note
    assert engine.records[OTHER].outcome is Outcome.NOT_FOUND and "probably deleted" in engine.records[OTHER].note


async def test_a_2xx_other_than_200_is_unknown() -> None:
    for status in (201, 202, 204):
        async with HostileServer(Behaviour("json", status=status, body={})) as server:
            engine, _, _ = await run(server, [LOST])
        record = engine.records[LOST]
        assert record.outcome is Outcome.UNKNOWN and f"HTTP {status}" in record.note, (status, record.note)
        assert len(server.attempts(path(LOST))) == 1  # never sent again
