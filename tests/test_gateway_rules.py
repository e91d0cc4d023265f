"""The real API gateway's rules, against the fake VIAS over TCP (its gateway: AK lock, rate limit): a wrong or
locked key costs at most two rejected requests whatever source it came from; the lock is said in one line;
throttling is paced to the rate the gateway admits; a rejected listing deletes nothing."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from tests.helpers import TOKEN_ENV, assert_no_secret, run_cli, seeded_store, target_args
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread
from tui_app.fake.gateway import GatewayPolicy
from tui_app.fake.ratelimit import RateLimit
from tui_app.vias.signer import AkSkSigner

AK = "AKIDGATEWAYRULES0001"
RIGHT_SK = "R" * 40
WRONG_SK = "W" * 40
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def _ids(tmp_path: Path, store: FakeStore, count: int = 40) -> str:
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(list(store.tasks)[:count]) + "\n")
    return str(path)


def _rejected(server: FakeVias) -> list[object]:
    return [r for r in server.requests if r.kind.startswith("batch_") and r.answer == "401"]


def _keyring_file(tmp_path: Path, sk: str) -> dict[str, str]:
    env = {"PYTHON_KEYRING_BACKEND": "tests.memory_keyring.FileKeyring", "TEST_KEYRING_FILE": str(tmp_path / "kr")}
    stored = run_cli("aksk", "set", stdin=f"{AK}\n{sk}\n\n", env=env)
    assert stored.code == 0, stored.err
    return env


def _credentials_file(tmp_path: Path, sk: str) -> dict[str, str]:
    path = tmp_path / "credentials"
    path.write_text(f"[basic]\nak = {AK}\nsk = {sk}\n")
    return {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path), **NO_KEYRING}


SOURCES = {
    "env": lambda tmp, sk: {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": sk, **NO_KEYRING},
    "keyring": _keyring_file,
    "credentials file": _credentials_file,
}


@pytest.mark.parametrize("source", list(SOURCES))
def test_a_wrong_key_from_any_source_costs_one_rejected_request(source: str, tmp_path: Path) -> None:
    store = seeded_store(40)
    store.add_keys(AK, RIGHT_SK)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        env = SOURCES[source](tmp_path, WRONG_SK)
        result = run_cli("delete", *target_args(server), "--ids-file", _ids(tmp_path, store), "--yes", env=env)
        assert result.code == 3, result.err
        assert len(_rejected(server)) == 1  # not a first wave of 16: the gateway locks a key after 6
        assert len(server.deletes_seen()) == 1
        assert "credentials were rejected" in result.out
    assert WRONG_SK[:12] not in result.out + result.err


def test_a_wrong_token_costs_one_rejected_request(tmp_path: Path) -> None:
    store = seeded_store(40)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        env = {"VIAS_AUTH_TOKEN": "MIIwrong" + "x" * 40, **NO_KEYRING}
        result = run_cli("delete", *target_args(server), "--ids-file", _ids(tmp_path, store), "--yes", env=env)
        assert result.code == 3 and len(_rejected(server)) == 1 and len(server.deletes_seen()) == 1


def test_temporary_keys_from_the_metadata_service_are_refreshed_once_then_the_run_stops(tmp_path: Path) -> None:
    """Rejected temporary keys are refreshed once by themselves; refreshed keys rejected too: stop. Two requests."""
    store = seeded_store(40)

    def rejected_keys() -> tuple[str, str, str, datetime]:  # keys the gateway does not know
        return "TMPAKUNKNOWN0000001", "S" * 40, "gQ" + "t" * 120, datetime.now(timezone.utc) + timedelta(hours=1)

    store.issue_temporary_keys = rejected_keys  # type: ignore[method-assign]
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        env = {"VIAS_METADATA_ENDPOINT": server.url, "VIAS_AUTH": "ecs-agency", **NO_KEYRING}
        result = run_cli("delete", *target_args(server), "--ids-file", _ids(tmp_path, store), "--yes", env=env)
        assert result.code == 3, result.err + result.out
        assert len(_rejected(server)) == 2 and len(server.deletes_seen()) == 2


def test_a_locked_key_is_said_in_one_line_and_costs_one_request(tmp_path: Path) -> None:
    store = seeded_store(40)
    store.add_keys(AK, RIGHT_SK)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        bad = AkSkSigner(AK, WRONG_SK)
        url = f"{server.url}/v2/{store.project_id}/batch-tasks"
        with httpx.Client() as http:  # someone else's script with a wrong SK locks the key for everyone
            for _ in range(6):
                headers = bad.sign("GET", url, when=datetime.now(timezone.utc))
                assert http.get(url, headers=headers).status_code == 401
        before = len(server.requests)
        env = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": RIGHT_SK, **NO_KEYRING}
        result = run_cli("delete", *target_args(server), "--ids-file", _ids(tmp_path, store), "--yes", env=env)
        assert result.code == 3
        assert len([r for r in server.requests[before:] if r.kind.startswith("batch_")]) == 1
    assert "locked this access key for about 5 minutes" in result.out and "AK access failed" in result.out


def test_a_rejected_listing_deletes_nothing(tmp_path: Path) -> None:
    store = seeded_store(20)
    store.add_keys(AK, RIGHT_SK)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        env = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": WRONG_SK, **NO_KEYRING}
        args = ["delete", *target_args(server), "--ids-file", _ids(tmp_path, store, 20), "--yes", "--preview"]
        result = run_cli(*args, env=env)
        assert result.code == 3 and "Nothing was deleted" in result.err
        assert server.deletes_seen() == [] and len(_rejected(server)) == 1


def test_throttling_without_retry_after_is_paced_to_the_named_limit(tmp_path: Path) -> None:
    """A gateway admitting 50/s (a bucket of 50, no Retry-After), 250 IDs: every ID deleted, at most 10% of the
    requests throttled, close to the ideal 5 s (benchmarks/ratelimit.py measures 5, 20 and 50/s at length)."""
    store = seeded_store(250)
    policy = GatewayPolicy(rate_limit=RateLimit(50))
    with running_in_thread(FakeVias(store, FaultPlan(latency=0.02), gateway=policy)) as server:
        ids = _ids(tmp_path, store, 250)
        time.sleep(1.0)  # a full bucket
        started = time.monotonic()
        result = run_cli("delete", *target_args(server), "--ids-file", ids, "--yes", env=TOKEN_ENV)
        took = time.monotonic() - started
        stats = server.stats()["rate_limit"]
    assert result.code == 0, result.err
    assert isinstance(stats, dict) and stats["admitted"] == 250
    assert stats["throttled"] <= 0.1 * (stats["admitted"] + stats["throttled"]), stats
    assert took < 2 * (250 - 50) / 50  # a run-wide backoff that kept growing took 13 times the ideal
    assert "pacing at ~48/s (the gateway's limit: 50/s)" in result.err
    assert_no_secret(result.out + result.err)
