"""An answered request is never mistaken for an unanswered one, and a request never written is never "delivered".

Against hostile servers over TCP on 127.0.0.1: once the status line and headers arrived the service has answered,
so a body cut short (a reset after 30 bytes, a silence then FIN, endless trailers after a whole JSON body, the
attempt's deadline) keeps the status; a 2xx becomes an unreadable DeleteResult (`unknown`, never sent again), an
error keeps its status and what arrived. A connect that never completes is never "the task may be gone".
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest

from tests.helpers import FAST, client_for
from tests.hostile_server import Behaviour, HostileServer
from tui_app.domain.errors import ApiError, Transport
from tui_app.domain.models import DeleteResult
from tui_app.engine import DeleteEngine
from tui_app.fake import DEMO_PROJECT_ID
from tui_app.outcomes import Outcome
from tui_app.vias.transport import RawPoolTransport

TASK = "0d47bbf52962414bb7ae27fb6ea24230"
IDS = [f"{n:032x}" for n in range(1, 7)]
CUT = {
    "reset after 30 body bytes": (Behaviour("cut-reset", size=100, cut=30), "cut off"),
    "silence, then FIN": (Behaviour("cut-close", size=100, cut=30, interval=0.3), "before the response ended"),
    "endless trailers after a whole body": (Behaviour("endless-trailers", size=2_000_000), "trailers too large"),
    "the deadline inside the body": (Behaviour("drip", size=100, interval=0.3), "did not arrive in full"),
}


def path(task_id: str) -> str:
    return f"/v2/{DEMO_PROJECT_ID}/batch-tasks/{task_id}"


@pytest.mark.parametrize("name", list(CUT))
async def test_a_2xx_whose_body_is_cut_is_an_unreadable_answer_not_a_lost_one(name: str) -> None:
    behaviour, why = CUT[name]
    async with HostileServer(behaviour) as server, client_for(server.url, timeout=1.5) as client:
        result = await client.delete_batch_task(TASK)
    assert isinstance(result, DeleteResult), result
    assert result.http_status == 200 and not result.body_ok
    assert why in (result.problem or ""), result.problem


@pytest.mark.parametrize("name", list(CUT))
async def test_an_error_whose_body_is_cut_keeps_its_status_and_what_arrived(name: str) -> None:
    behaviour, why = CUT[name]
    failing = Behaviour(**{**behaviour.__dict__, "status": 503})
    async with HostileServer(failing) as server, client_for(server.url, timeout=1.5) as client:
        error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError) and error.http_status == 503 and error.transport is None
    assert why in (error.raw_body or "") and error.raw_body is not None
    if "trailers" not in name:  # the bytes that did arrive (a few when dripped, 30 otherwise)
        arrived = error.raw_body.partition(" [")[0]
        assert len(arrived) >= 3 and ('{"total_count": 1, "pad": "' + "x" * 10).startswith(arrived)


@pytest.mark.parametrize("name", list(CUT))
async def test_an_answered_delete_whose_body_is_cut_is_never_sent_again(name: str) -> None:
    behaviour, _ = CUT[name]
    async with HostileServer(behaviour) as server, client_for(server.url, timeout=1.5) as client:
        engine = DeleteEngine(client, concurrency=6, policy=FAST)
        summary = await engine.run(IDS)
        for task_id in IDS:
            assert len(server.attempts(path(task_id))) == 1, f"{task_id} reached the server twice"
    assert summary.counts[Outcome.UNKNOWN] == len(IDS)
    note = engine.records[IDS[0]].note or ""
    assert "HTTP 200 but" in note and "may be gone" not in note


@pytest.fixture
def syn_dropping_port() -> Iterator[int]:
    """A port whose listener never accepts and whose queue is full: the kernel drops further SYNs, so a connect
    neither succeeds nor fails (like a firewall that drops packets)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):  # the first is queued, the others wait for a SYN-ACK
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.1)
    try:
        yield port
    finally:
        for sock in (*fillers, listener):
            sock.close()


async def test_a_connect_that_never_completes_is_never_delivered(syn_dropping_port: int) -> None:
    # --timeout 0.5 and a 10 s connect limit: the whole attempt's deadline fires first, before any byte was written.
    url = f"http://127.0.0.1:{syn_dropping_port}"
    async with client_for(url, timeout=0.5, connect_timeout=10.0) as client:
        started = time.monotonic()
        error = await client.delete_batch_task(TASK)
        assert time.monotonic() - started < 2
        assert isinstance(error, ApiError) and not error.may_have_acted
        assert (error.transport, error.delivered) == (Transport.CONNECT_TIMEOUT, False), error
        engine = DeleteEngine(client, concurrency=2, policy=FAST)
        await engine.run(IDS[:2])
    for task_id in IDS[:2]:
        record = engine.records[task_id]
        assert record.outcome is not Outcome.UNKNOWN and "may be gone" not in (record.note or ""), record


async def test_connect_ahead_reports_an_unreachable_endpoint_before_anything_is_sent() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago, with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with client_for(f"http://127.0.0.1:{port}") as client:
        error = await client.connect_ahead()
    assert isinstance(error, ApiError) and error.transport is Transport.CONNECT and not error.delivered


async def test_connect_ahead_times_out_without_delivering(syn_dropping_port: int) -> None:
    async with client_for(f"http://127.0.0.1:{syn_dropping_port}", timeout=0.4) as client:
        error = await client.connect_ahead()
    assert isinstance(error, ApiError) and error.transport is Transport.CONNECT_TIMEOUT and not error.delivered


async def test_connect_ahead_parks_the_connection_for_the_first_request() -> None:
    transport = RawPoolTransport(max_connections=4)
    async with HostileServer("json") as server, client_for(server.url, transport=transport) as client:
        assert await client.connect_ahead() is None
        assert transport.opened == 1 and server.requests == []
        result = await client.delete_batch_task(TASK)
        assert isinstance(result, DeleteResult) and result.body_ok
        assert transport.opened == 1 and server.requests[0].connection == 1
