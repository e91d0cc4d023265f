"""The engine against the fake VIAS over real TCP: every fault switch, auth stop and pause, cancellation."""

from __future__ import annotations

import asyncio

import pytest

from tests.helpers import FAST, SECRET_TOKEN, until
from tests.helpers import client_for as client_at
from tui_app.engine import DeleteEngine
from tui_app.fake import FakeStore, FakeVias, FaultPlan
from tui_app.outcomes import Outcome, RunStatus
from tui_app.retry_policy import RetryPolicy
from tui_app.run_events import OutcomeEvent, Paused, Resumed, RunStarted, Throttled
from tui_app.secret import Token
from tui_app.vias.auth import TokenAuth
from tui_app.vias.client import ViasClient


def client_for(server: FakeVias, timeout: float = 5.0) -> ViasClient:
    return client_at(server.url, timeout=timeout)


async def run(server: FakeVias, ids: list[str], **kwargs):
    events: list = []
    async with client_for(server, timeout=kwargs.pop("timeout", 5.0)) as client:
        engine = DeleteEngine(client, policy=kwargs.pop("policy", FAST), on_event=events.append, **kwargs)
        summary = await engine.run(ids)
    return engine, summary, events


async def test_plain_run_deletes_everything_once(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:20]
    _engine, summary, events = await run(fake, ids, concurrency=8)
    assert summary.status is RunStatus.FINISHED and summary.all_gone
    assert summary.counts[Outcome.DELETED] == 20
    assert not set(ids) & set(store.tasks)
    assert len(fake.deletes_seen()) == 20
    assert isinstance(events[0], RunStarted) and sum(isinstance(e, OutcomeEvent) for e in events) == 20


async def test_partial_and_refused_tasks(store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    store.tasks[ids[0]].fail_jobs = 1
    store.tasks[ids[1]].refuse_delete = True
    async with FakeVias(store) as server:
        engine, summary, _ = await run(server, ids)
    assert engine.records[ids[0]].outcome is Outcome.PARTIAL
    assert engine.records[ids[0]].result.failed_count == 1
    refused = engine.records[ids[1]]
    assert refused.outcome is Outcome.FAILED and refused.error.http_status == 400
    assert len(server.deletes_seen(ids[1])) == 1  # a 400 is never retried
    assert engine.records[ids[2]].outcome is Outcome.DELETED
    assert not summary.all_gone


async def test_unknown_ids_are_not_found(fake: FakeVias) -> None:
    engine, summary, _ = await run(fake, ["feedfacefeedfacefeedfacefeedface"])
    assert engine.records["feedfacefeedfacefeedfacefeedface"].outcome is Outcome.NOT_FOUND
    assert summary.all_gone


async def test_throttling_slows_the_whole_run_and_honours_retry_after(store: FakeStore) -> None:
    ids = list(store.tasks)[:12]
    async with FakeVias(store, FaultPlan(every={5: "429"}, retry_after=0.2)) as server:
        _engine, summary, events = await run(server, ids, concurrency=4)
    assert summary.counts[Outcome.DELETED] == 12
    throttles = [e for e in events if isinstance(e, Throttled)]
    assert throttles and all(t.delay == pytest.approx(0.2) for t in throttles)
    # After a 429 no request goes out until Retry-After has passed: the gap is server-wide.
    seen = server.deletes_seen()
    for index, request in enumerate(seen):
        if request.answer == "429":
            later = [r.at for r in seen[index + 1 :]]
            assert all(at - request.at >= 0.15 for at in later[4:])  # beyond those already in flight


async def test_auth_failure_stops_dispatch_and_cancels_the_rest(store: FakeStore) -> None:
    ids = list(store.tasks)[:30]
    async with FakeVias(store, FaultPlan(auth_fail_after=5)) as server:
        engine, summary, _ = await run(server, ids, concurrency=4)
    assert summary.status is RunStatus.AUTH_FAILED and summary.stop_error.is_auth
    assert len(engine.records) == 30
    counts = summary.counts
    assert counts[Outcome.DELETED] == 5
    assert counts[Outcome.CANCELLED] == 25
    rejected = [r for r in server.deletes_seen() if r.answer == "401"]
    assert 1 <= len(rejected) <= 4  # at most the requests already in flight come back 401
    assert len(server.deletes_seen()) <= 5 + 4


async def test_auth_pause_then_resume_with_a_new_token(store: FakeStore) -> None:
    ids = list(store.tasks)[:20]
    async with FakeVias(store, FaultPlan(auth_fail_after=6)) as server:
        events: list = []
        async with client_for(server) as client:
            engine = DeleteEngine(client, concurrency=3, policy=FAST, on_event=events.append, pause_on_auth=True)
            task = asyncio.create_task(engine.run(ids))
            await until(lambda: engine.paused, what="paused")
            assert engine.paused and any(isinstance(e, Paused) for e in events)
            sent_while_paused = len(server.deletes_seen())
            await asyncio.sleep(0.1)
            assert len(server.deletes_seen()) == sent_while_paused  # nothing goes out while paused
            server.faults.auth_fail_after = None
            server.store.tokens.add("MIInewTOKENafterPAUSE0000")
            engine.resume(TokenAuth(Token("MIInewTOKENafterPAUSE0000")))
            summary = await task
    assert any(isinstance(e, Resumed) for e in events)
    assert summary.status is RunStatus.FINISHED and summary.counts[Outcome.DELETED] == 20
    assert not set(ids) & set(store.tasks)


async def test_cancel_stops_dispatch_and_accounts_for_every_id(store: FakeStore) -> None:
    ids = list(store.tasks)[:40]
    async with FakeVias(store, FaultPlan(latency=0.05)) as server, client_for(server) as client:
        engine = DeleteEngine(client, concurrency=4, policy=FAST)
        task = asyncio.create_task(engine.run(ids))
        await until(lambda: len(engine.records) >= 4, what="the first answers")
        engine.cancel(grace=1.0)
        summary = await task
    assert summary.status is RunStatus.CANCELLED
    assert len(engine.records) == 40
    sent = {r.task_id for r in server.deletes_seen()}
    for task_id, record in engine.records.items():
        if record.outcome is Outcome.CANCELLED:
            assert task_id not in sent
        else:
            assert record.outcome is Outcome.DELETED
    assert summary.counts[Outcome.CANCELLED] > 20


async def test_cancel_with_no_grace_records_in_flight_as_unknown(store: FakeStore) -> None:
    ids = list(store.tasks)[:5]  # the first is answered (it proves the credentials), then four hang in flight
    async with (
        FakeVias(store, FaultPlan(script={i: ["hang"] for i in ids[1:]})) as server,
        client_for(server) as client,
    ):
        engine = DeleteEngine(client, concurrency=4, policy=FAST)
        task = asyncio.create_task(engine.run(ids))
        await until(lambda: engine.admission.in_flight == 4, what="four requests in flight")
        engine.cancel(grace=0)
        summary = await task
    assert summary.counts[Outcome.UNKNOWN] == 4 and summary.counts[Outcome.DELETED] == 1


async def test_outer_task_cancellation_still_records_every_id(store: FakeStore) -> None:
    ids = list(store.tasks)[:10]
    async with FakeVias(store, FaultPlan(latency=0.3)) as server, client_for(server) as client:
        engine = DeleteEngine(client, concurrency=2, policy=FAST)
        task = asyncio.create_task(engine.run(ids))
        await until(lambda: len(engine.records) == 1 and engine.admission.in_flight == 2, what="two in flight")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert len(engine.records) == 10
    assert sum(r.outcome is Outcome.DELETED for r in engine.records.values()) == 1
    assert sum(r.outcome is Outcome.UNKNOWN for r in engine.records.values()) == 2
    assert sum(r.outcome is Outcome.CANCELLED for r in engine.records.values()) == 7


async def test_repeated_ids_are_sent_once(fake: FakeVias, store: FakeStore) -> None:
    task_id = next(iter(store.tasks))
    engine, _, _ = await run(fake, [task_id, task_id, task_id])
    assert len(fake.deletes_seen(task_id)) == 1 and len(engine.records) == 1


async def test_mixed_faults_at_concurrency_16_account_for_every_id() -> None:
    store = FakeStore()
    from tui_app.fake import seed_tasks

    store.tokens.add(SECRET_TOKEN)
    ids = seed_tasks(store, 300, special=True)
    every = {11: "429", 29: "500", 31: "502-html", 37: "drop-before", 41: "503", 43: "drop-after"}
    async with FakeVias(store, FaultPlan(every=every, retry_after=0.02)) as server:
        engine, summary, _ = await run(
            server,
            [*ids, "feedfacefeedfacefeedfacefeedface"],
            concurrency=16,
            policy=RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05),
        )
    assert len(engine.records) == 301 and sum(summary.counts.values()) == 301
    unknown = [r for r in engine.records.values() if r.outcome in (Outcome.UNKNOWN, Outcome.CANCELLED)]
    assert not unknown, [(r.id, r.attempts, r.note) for r in unknown]
    # A delete that was answered 200 is never sent again.
    heard: set[str] = set()
    for request in server.deletes_seen():
        assert request.task_id not in heard
        if request.answer == "200":
            heard.add(request.task_id)


class _BuggyClient:
    """A client with a bug for one ID: the request raises instead of answering."""

    def __init__(self, bad: str) -> None:
        self.bad = bad
        self.sent: list[str] = []

    async def delete_batch_task(self, task_id: str):  # type: ignore[no-untyped-def]
        from tui_app.domain.models import DeleteResult

        self.sent.append(task_id)
        await asyncio.sleep(0.01)
        if task_id == self.bad:
            raise RuntimeError("a bug")
        return DeleteResult(task_id, 200, total_count=1, succeed_count=1, failed_count=0)


async def test_an_internal_error_settles_every_id_and_surfaces() -> None:
    ids = [f"{n:032x}" for n in range(40)]
    client = _BuggyClient(ids[5])
    engine = DeleteEngine(client, concurrency=4, policy=FAST)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="a bug"):
        await asyncio.wait_for(engine.run(ids), 10)
    assert set(engine.records) == set(ids)  # exactly one outcome each, none left hanging
    assert engine.records[ids[5]].outcome is Outcome.UNKNOWN  # it was sent: it may be gone
    never = [i for i in ids if i not in client.sent]
    assert never and all(engine.records[i].outcome is Outcome.CANCELLED for i in never)
    assert len(client.sent) == len(set(client.sent))
