"""Access keys the Huawei Cloud way, end to end through the CLI against the fake VIAS, which verifies every
signature with its own verifier: the SDK's environment variables, its credentials file, the keyring, and the ECS
metadata service (with and without a session token, refreshed before expiry and after a rejection)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import (
    NO_KEYRING,
    SECRET_AK,
    SECRET_SECURITY_TOKEN,
    SECRET_SK,
    assert_no_secret,
    run_cli,
    seeded_store,
    target_args,
)
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread

KEYS_ENV = {"HUAWEICLOUD_SDK_AK": SECRET_AK, "HUAWEICLOUD_SDK_SK": SECRET_SK}


def ids_file(tmp_path: Path, store: FakeStore, count: int) -> str:
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(list(store.tasks)[:count]) + "\n")
    return str(path)


def keyed_store(count: int = 30, security_token: str | None = None) -> FakeStore:
    store = seeded_store(count)
    store.tokens.clear()  # only signatures get in
    store.add_keys(SECRET_AK, SECRET_SK, security_token)
    return store


def signed_by(server: FakeVias) -> set[str]:
    return {r.credential for r in server.deletes_seen()}


def test_keys_from_the_sdk_environment(tmp_path: Path) -> None:
    store = keyed_store()
    with running_in_thread(FakeVias(store)) as server:
        result = run_cli(
            "delete", *target_args(server), "--ids-file", ids_file(tmp_path, store, 10), "--yes", env=KEYS_ENV
        )
        assert result.code == 0, result.out + result.err
        assert signed_by(server) == {f"ak:{SECRET_AK}"} and len(server.deletes_seen()) == 10


def test_temporary_keys_need_their_security_token(tmp_path: Path) -> None:
    store = keyed_store(security_token=SECRET_SECURITY_TOKEN)
    with running_in_thread(FakeVias(store)) as server:
        without = run_cli(
            "delete", *target_args(server), "--ids-file", ids_file(tmp_path, store, 3), "--yes", env=KEYS_ENV
        )
        assert without.code == 3 and "credentials were rejected" in without.out
        with_token = run_cli(
            "delete",
            *target_args(server),
            "--ids-file",
            ids_file(tmp_path, store, 3),
            "--yes",
            env={**KEYS_ENV, "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECRET_SECURITY_TOKEN},
        )
        assert with_token.code == 0, with_token.out
    assert_no_secret(without.out + without.err + with_token.out + with_token.err)


def test_a_wrong_secret_key_stops_the_run_with_exit_3(tmp_path: Path) -> None:
    store = keyed_store()
    with running_in_thread(FakeVias(store)) as server:
        result = run_cli(
            "delete",
            *target_args(server),
            "--ids-file",
            ids_file(tmp_path, store, 10),
            "--yes",
            "--concurrency",
            "1",
            env={**KEYS_ENV, "HUAWEICLOUD_SDK_SK": SECRET_SK + "x"},
        )
        assert result.code == 3 and "APIG.0301" in result.out and len(server.deletes_seen()) == 1
    assert_no_secret(result.out + result.err)


@pytest.mark.parametrize("with_project", [True, False])
def test_keys_and_project_from_the_sdk_credentials_file(tmp_path: Path, with_project: bool) -> None:
    store = keyed_store()
    credentials = tmp_path / "credentials"
    project = f"project_id = {store.project_id}\n" if with_project else ""
    credentials.write_text(f"[basic]\nak = {SECRET_AK}\nsk = {SECRET_SK}\n{project}")
    env = {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(credentials)}
    with running_in_thread(FakeVias(store)) as server:
        args = ["delete", "--endpoint", server.url, "--ids-file", ids_file(tmp_path, store, 5), "--yes"]
        if not with_project:
            args += ["--project-id", store.project_id]
        result = run_cli(*args, env=env)
        assert result.code == 0, result.out + result.err
        assert signed_by(server) == {f"ak:{SECRET_AK}"}
        status = run_cli("auth", "status", env=env)
    assert status.code == 0 and str(credentials) in status.out and "skipped env-token" in status.out
    assert "AKID…0001" in status.out
    assert_no_secret(status.out + result.out + result.err)


def test_keys_in_the_keyring(tmp_path: Path) -> None:
    keyring_env = {
        "PYTHON_KEYRING_BACKEND": "tests.memory_keyring.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
    }
    stored = run_cli("aksk", "set", stdin=f"{SECRET_AK}\n{SECRET_SK}\n\n", env=keyring_env)
    assert stored.code == 0 and "Stored access keys AKID…0001" in stored.out, stored.err
    store = keyed_store()
    with running_in_thread(FakeVias(store)) as server:
        result = run_cli(
            "delete", *target_args(server), "--ids-file", ids_file(tmp_path, store, 5), "--yes", env=keyring_env
        )
        assert result.code == 0, result.out + result.err
        assert signed_by(server) == {f"ak:{SECRET_AK}"}
    status = run_cli("aksk", "status", env=keyring_env)
    assert status.code == 0 and "from keyring (tests.memory_keyring.FileKeyring)" in status.out
    assert run_cli("aksk", "forget", env=keyring_env).code == 0
    assert run_cli("aksk", "status", env=keyring_env).code == 3
    assert_no_secret(stored.out + stored.err + status.out + status.err + result.out)


@pytest.mark.parametrize("session_tokens", [True, False])
def test_an_ecs_agency_needs_no_secret_at_all(tmp_path: Path, session_tokens: bool) -> None:
    store = seeded_store(20)
    store.tokens.clear()
    store.metadata_session_tokens = session_tokens
    with running_in_thread(FakeVias(store)) as server:
        env = {"VIAS_METADATA_ENDPOINT": server.url}
        result = run_cli("delete", *target_args(server), "--ids-file", ids_file(tmp_path, store, 5), "--yes", env=env)
        assert result.code == 0, result.out + result.err
        who = signed_by(server)
        assert len(who) == 1 and next(iter(who)).startswith("ak:TMPAK")
        metadata = [r.path for r in server.requests if "latest" in r.path]
        status = run_cli("auth", "status", env=env)
    assert "/openstack/latest/securitykey" in metadata
    assert ("/meta-data/latest/api/token" in metadata) is True  # always asked; a 404 means none is needed
    assert "ECS metadata service" in status.out and "temporary access keys TMPA" in status.out


def test_keys_from_the_metadata_service_are_refreshed_before_they_expire(tmp_path: Path) -> None:
    store = seeded_store(60)
    store.tokens.clear()
    store.temporary_key_ttl = 302.0  # refreshed 300 s early: due two seconds into the run
    with running_in_thread(FakeVias(store, FaultPlan(latency=0.1))) as server:
        result = run_cli(
            "delete",
            *target_args(server),
            "--ids-file",
            ids_file(tmp_path, store, 60),
            "--yes",
            "--concurrency",
            "2",
            env={"VIAS_METADATA_ENDPOINT": server.url},
        )
        fetches = [r for r in server.requests if r.path.endswith("securitykey")]
        keys_used = signed_by(server)
    assert result.code == 0, result.out + result.err
    assert len(fetches) >= 2 and len(keys_used) >= 2  # a second set of keys, fetched mid-run


def test_rejected_metadata_keys_are_refreshed_once_and_the_run_goes_on(tmp_path: Path) -> None:
    store = seeded_store(30)
    store.tokens.clear()
    with running_in_thread(FakeVias(store, FaultPlan(revoke_after=8))) as server:
        result = run_cli(
            "delete",
            *target_args(server),
            "--ids-file",
            ids_file(tmp_path, store, 30),
            "--yes",
            "--concurrency",
            "2",
            env={"VIAS_METADATA_ENDPOINT": server.url},
        )
        rejected = [r for r in server.deletes_seen() if r.answer == "401"]
    assert result.code == 0, result.out + result.err
    assert 1 <= len(rejected) <= 2 and "All 30 deleted" in result.out


def test_ecs_agency_mode_without_an_agency_is_one_line(tmp_path: Path) -> None:
    store = seeded_store(5)
    store.metadata_agency = False
    with running_in_thread(FakeVias(store)) as server:
        result = run_cli(
            "delete",
            *target_args(server),
            "--auth",
            "ecs-agency",
            "--ids-file",
            ids_file(tmp_path, store, 2),
            "--yes",
            env={"VIAS_METADATA_ENDPOINT": server.url},
        )
        assert server.deletes_seen() == []
    assert result.code == 3 and "no agency attached" in result.err and "Traceback" not in result.err


def test_no_credentials_anywhere_probes_the_metadata_service_quickly(tmp_path: Path) -> None:
    import time

    started = time.monotonic()
    result = run_cli("auth", "status", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.code == 3 and "skipped ecs-metadata" in result.out and time.monotonic() - started < 10


def test_dry_run_shows_keys_masked(tmp_path: Path) -> None:
    store = keyed_store()
    with running_in_thread(FakeVias(store)) as server:
        result = run_cli(
            "delete",
            *target_args(server),
            "--ids-file",
            ids_file(tmp_path, store, 2),
            "--dry-run",
            env={**KEYS_ENV, "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECRET_SECURITY_TOKEN},
        )
        assert server.requests == []
    assert result.code == 0 and "temporary access keys AKID…0001" in result.out
    assert_no_secret(result.out + result.err)


def test_the_journal_and_report_never_hold_a_key(tmp_path: Path) -> None:
    store = keyed_store(security_token=SECRET_SECURITY_TOKEN)
    report = tmp_path / "r.jsonl"
    with running_in_thread(FakeVias(store, FaultPlan(every={3: "500"}))) as server:
        run_cli(
            "delete",
            *target_args(server),
            "--ids-file",
            ids_file(tmp_path, store, 9),
            "--yes",
            "--report",
            str(report),
            env={**KEYS_ENV, "HUAWEICLOUD_SDK_SECURITY_TOKEN": SECRET_SECURITY_TOKEN},
        )
    for path in [report, *(tmp_path / "state").rglob("*")]:
        if path.is_file():
            assert_no_secret(path.read_bytes(), path)
    assert all(json.loads(line)["outcome"] for line in report.read_text().splitlines())


@pytest.mark.parametrize(
    ("ak", "sk", "part"),
    [
        ("AKAK,AKAKAKAKAKAKAKAK", "s" * 40, "access key ID"),
        ("AKAK AKAKAKAKAKAKAKAK", "s" * 40, "access key ID"),
        ("AKAKAKAKAKAKAKAKAKAK", "s" * 20 + " é" + "s" * 18, "secret access key"),
    ],
)
def test_keys_that_cannot_sign_are_one_line_before_anything_is_sent(
    fake_thread: FakeVias, tmp_path: Path, ak: str, sk: str, part: str
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("0d47bbf52962414bb7ae27fb6ea24230\n")
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        str(ids),
        "--yes",
        env={"HUAWEICLOUD_SDK_AK": ak, "HUAWEICLOUD_SDK_SK": sk, **NO_KEYRING},
    )
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert result.code == 3 and len(lines) == 1 and part in lines[0] and "Traceback" not in result.err, result.err
    assert sk not in result.err and fake_thread.requests == []
