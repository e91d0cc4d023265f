"""The fault matrix: each fault over real TCP against the fake VIAS, asserting the outcome per ID, the
requests the server saw, and that every ID is accounted for. Throttling and mixes at concurrency 16 with
hundreds of IDs are in test_engine.py; this file is one row per fault."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest
import trustme

from tests.helpers import SECRET_TOKEN, client_for, run_cli, target_args
from tui_app.engine import DeleteEngine
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread
from tui_app.outcomes import Outcome, RunStatus
from tui_app.retry_policy import RetryPolicy
from tui_app.vias.client import ViasClient
from tui_app.vias.wire import tls_context

POLICY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)

# name, per-attempt faults for the first ID, outcome, requests the server saw for it
MATRIX = [
    ("429 with Retry-After (APIG.0308 body)", ["429", "ok"], Outcome.DELETED, 2),
    ("429 without Retry-After (APIG.0308 body)", ["429-bare", "429-bare", "ok"], Outcome.DELETED, 3),
    ("500 VIAS.00010006, then success", ["500", "ok"], Outcome.DELETED, 2),
    ("500 VIAS.00010006 every time", ["500"] * 4, Outcome.FAILED, 4),
    ("502 with an HTML page, then success", ["502-html", "ok"], Outcome.DELETED, 2),
    ("503 with an empty body, then success", ["503", "ok"], Outcome.DELETED, 2),
    ("dropped before the server acted", ["drop-before", "ok"], Outcome.DELETED, 2),
    ("dropped after the server acted", ["drop-after", "ok"], Outcome.NOT_FOUND, 2),
    (
        "dropped after acting, then never answered",
        ["drop-after", "drop-before", "drop-before", "drop-before"],
        Outcome.UNKNOWN,
        4,
    ),
    ("slow trickle response", ["trickle"], Outcome.DELETED, 1),
    ("malformed JSON in a 500", ["malformed", "ok"], Outcome.DELETED, 2),
    ("truncated JSON in a 200", ["truncated"], Outcome.UNKNOWN, 1),
    ("empty 200", ["empty-200"], Outcome.UNKNOWN, 1),
    ("404 with no body", ["404"], Outcome.NOT_FOUND, 1),
]


def client(server_url: str, ca_bundle: str | None = None, **kwargs: object) -> ViasClient:
    return client_for(server_url, tls=tls_context(ca_bundle), **kwargs)


async def run_ids(server_url: str, ids: list[str], concurrency: int = 4, **kwargs):
    async with client(server_url, **kwargs) as c:
        engine = DeleteEngine(c, concurrency=concurrency, policy=POLICY)
        summary = await engine.run(ids)
    assert len(engine.records) == len(set(ids)) == sum(summary.counts.values())
    return engine, summary


@pytest.mark.parametrize(("name", "faults", "outcome", "requests"), MATRIX, ids=[row[0] for row in MATRIX])
async def test_fault(store: FakeStore, name: str, faults: list[str], outcome: Outcome, requests: int) -> None:
    ids = list(store.tasks)[:5]  # one faulty ID among healthy ones
    async with FakeVias(store, FaultPlan(script={ids[0]: faults}, retry_after=0.05)) as server:
        engine, _ = await run_ids(server.url, ids)
    record = engine.records[ids[0]]
    assert record.outcome is outcome, record
    assert len(server.deletes_seen(ids[0])) == requests == len(record.attempts)
    assert all(engine.records[i].outcome is Outcome.DELETED for i in ids[1:])
    assert all(len(server.deletes_seen(i)) == 1 for i in ids[1:])


async def test_read_timeout_is_unknown(store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    async with FakeVias(store, FaultPlan(script={ids[0]: ["hang"] * 4})) as server:
        engine, _ = await run_ids(server.url, ids, timeout=0.3)
    record = engine.records[ids[0]]
    assert record.outcome is Outcome.UNKNOWN and record.error.transport == "timeout"
    assert len(server.deletes_seen(ids[0])) == 4


async def test_200_with_failures_inside_is_partial(store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    store.tasks[ids[0]].fail_jobs = 1
    async with FakeVias(store) as server:
        engine, summary = await run_ids(server.url, ids)
    assert engine.records[ids[0]].outcome is Outcome.PARTIAL and not summary.all_gone
    assert len(server.deletes_seen(ids[0])) == 1


async def test_400_for_a_running_task_is_failed_and_not_retried(store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    store.tasks[ids[0]].refuse_delete = True
    async with FakeVias(store) as server:
        engine, _ = await run_ids(server.url, ids)
    record = engine.records[ids[0]]
    assert record.outcome is Outcome.FAILED and record.error.http_status == 400 and record.error.advice
    assert len(server.deletes_seen(ids[0])) == 1


async def test_401_mid_run_stops_traffic(store: FakeStore) -> None:
    ids = list(store.tasks)[:40]
    async with FakeVias(store, FaultPlan(auth_fail_after=10)) as server:
        _engine, summary = await run_ids(server.url, ids, concurrency=8)
    assert summary.status == "auth_failed"
    assert summary.counts[Outcome.DELETED] == 10
    assert len(server.deletes_seen()) <= 10 + 8  # only requests already in flight can come back 401
    assert summary.counts[Outcome.CANCELLED] == 40 - 10


async def test_dns_failure_is_failed_and_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def no_such_host(host, *args, **kwargs):  # no resolver traffic leaves the machine
        if host == "vias.does-not-resolve.example":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    ids = [f"{n:032x}" for n in range(1, 65)]
    engine, summary = await run_ids("https://vias.does-not-resolve.example", ids, concurrency=16)
    first = engine.records[ids[0]]  # tried alone, with its retries; then the run stops instead of looping
    assert first.outcome is Outcome.FAILED and first.error.transport == "dns"
    assert "resolve" in first.error.hint() and len(first.attempts) == POLICY.max_attempts
    assert summary.status is RunStatus.TARGET_FAILED and summary.stop_error.transport == "dns"
    rest = [engine.records[i] for i in ids[1:]]
    assert all(r.outcome is Outcome.CANCELLED and not r.attempts for r in rest)  # never sent


@pytest.fixture(scope="module")
def tls_material(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return server_context, bundle


async def test_untrusted_certificate_is_refused_and_stops_the_run(store: FakeStore, tls_material) -> None:
    context, _ = tls_material
    ids = list(store.tasks)[:20]
    async with FakeVias(store, tls=context) as server:
        engine, summary = await run_ids(server.url, ids)
    assert server.url.startswith("https://")
    assert summary.status == "target_failed" and server.requests == []  # no HTTP request ever got through
    failed = [r for r in engine.records.values() if r.outcome is Outcome.FAILED]
    assert 1 <= len(failed) <= 4 and all(r.error.transport == "tls" for r in failed)
    assert summary.counts[Outcome.CANCELLED] == 20 - len(failed)
    assert "--ca-bundle" in failed[0].error.hint()


async def test_ca_bundle_makes_the_private_certificate_trusted(store: FakeStore, tls_material) -> None:
    context, bundle = tls_material
    ids = list(store.tasks)[:5]
    async with FakeVias(store, tls=context) as server:
        _engine, summary = await run_ids(server.url, ids, ca_bundle=str(bundle))
    assert summary.all_gone and len(server.deletes_seen()) == 5


def test_tls_from_the_cli(store: FakeStore, tls_material, tmp_path: Path) -> None:
    context, bundle = tls_material
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(list(store.tasks)[:3]))
    with running_in_thread(FakeVias(store, tls=context)) as server:
        env = {"VIAS_AUTH_TOKEN": SECRET_TOKEN}
        refused = run_cli("delete", *target_args(server), "--ids-file", str(ids_file), "--yes", env=env)
        assert refused.code == 2 and "cannot reach" in refused.err and "--ca-bundle" in refused.err  # before a journal
        assert "Traceback" not in refused.err and server.requests == []
        trusted = run_cli(
            "delete", *target_args(server), "--ca-bundle", str(bundle), "--ids-file", str(ids_file), "--yes", env=env
        )
        assert trusted.code == 0, trusted.out + trusted.err
        assert len(server.deletes_seen()) == 3
