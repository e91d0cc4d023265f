"""`vias-tui token` and `profile` commands as an operator runs them (subprocesses, file-backed test keyring)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.conftest import SECRET_TOKEN, assert_no_token, run_cli, target_args
from tui_app.fake import DEMO_PROJECT_ID, FakeVias, running_in_thread
from tui_app.fake.store import DEMO_IAM_USER


@pytest.fixture
def file_keyring(tmp_path: Path) -> dict[str, str]:
    return {
        "PYTHON_KEYRING_BACKEND": "tests.memory_keyring.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
    }


NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def test_set_status_forget(file_keyring: dict[str, str]) -> None:
    stored = run_cli(
        "token",
        "set",
        "--profile",
        "prod",
        "--expires-at",
        "2099-01-01T00:00:00Z",
        stdin=SECRET_TOKEN + "\n",
        env=file_keyring,
    )
    assert stored.code == 0, stored.err
    assert "Stored token MIIs…(" in stored.out and "FileKeyring" in stored.out
    status = run_cli("token", "status", "--profile", "prod", env=file_keyring)
    assert status.code == 0 and "from keyring" in status.out and "expires in" in status.out
    assert_no_token(status.out + status.err)
    assert run_cli("token", "forget", "--profile", "prod", env=file_keyring).code == 0
    gone = run_cli("token", "status", "--profile", "prod", env=file_keyring)
    assert gone.code == 3 and "token set --profile prod" in gone.out


def test_expired_token_status_exits_3(file_keyring: dict[str, str]) -> None:
    run_cli("token", "set", "--expires-at", "2020-01-01T00:00:00Z", stdin=SECRET_TOKEN, env=file_keyring)
    status = run_cli("token", "status", env=file_keyring)
    assert status.code == 3 and "expired" in status.out


def test_no_keyring_is_explained_without_a_traceback() -> None:
    status = run_cli("token", "status", env=NO_KEYRING)
    assert status.code == 3 and "headless" in status.out and "Traceback" not in status.err
    stored = run_cli("token", "set", stdin=SECRET_TOKEN, env=NO_KEYRING)
    assert stored.code == 3 and "VIAS_AUTH_TOKEN" in stored.err and "Traceback" not in stored.err
    assert_no_token(stored.out + stored.err)


def test_hanging_keyring_gives_the_timeout_message() -> None:
    status = run_cli(
        "token",
        "status",
        env={"PYTHON_KEYRING_BACKEND": "tests.memory_keyring.HangingKeyring"},
        timeout=30,
        process=True,  # a hung keyring thread must not outlive the test in this process
    )
    assert status.code == 3 and "did not answer" in status.out


def test_bad_token_on_stdin(file_keyring: dict[str, str]) -> None:
    result = run_cli("token", "set", stdin="two words\n", env=file_keyring)
    assert result.code == 2 and "not stored" in result.err and "two words" not in result.err


def test_login_against_fake_iam_then_delete_from_keyring(
    fake_thread: FakeVias, store, tmp_path: Path, file_keyring: dict[str, str]
) -> None:
    account, user, password = DEMO_IAM_USER
    assert (
        run_cli(
            "profile",
            "set",
            "default",
            "--endpoint",
            fake_thread.url,
            "--project-id",
            DEMO_PROJECT_ID,
            "--account",
            account,
            "--user",
            user,
        ).code
        == 0
    )
    login = run_cli(
        "token",
        "login",
        "--region",
        "cn-north-4",
        "--iam-endpoint",
        fake_thread.url,
        "--password-stdin",
        stdin=password + "\n",
        env=file_keyring,
    )
    assert login.code == 0, login.err
    assert "Stored token" in login.out and "expires in 23h" in login.out
    assert password not in login.out + login.err + Path(file_keyring["TEST_KEYRING_FILE"]).read_text()
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(list(store.tasks)[:3]))
    deleted = run_cli("delete", "--ids-file", str(ids), "--yes", env=file_keyring)
    assert deleted.code == 0, deleted.out + deleted.err
    assert len(fake_thread.deletes_seen()) == 3


def test_login_with_a_wrong_password(fake_thread: FakeVias, file_keyring: dict[str, str]) -> None:
    result = run_cli(
        "token",
        "login",
        "--account",
        "demo-account",
        "--region",
        "cn-north-4",
        "--iam-endpoint",
        fake_thread.url,
        "--password-stdin",
        stdin="wrong-password\n",
        env=file_keyring,
    )
    assert result.code == 3 and "IAM login failed" in result.err and "wrong" in result.err
    assert "wrong-password" not in result.out + result.err


def test_login_refuses_to_prompt_without_a_terminal(file_keyring: dict[str, str]) -> None:
    result = run_cli("token", "login", "--account", "a", "--region", "cn-north-4", stdin="", env=file_keyring)
    assert result.code == 2 and "--password-stdin" in result.err


def test_profiles_file_is_private_and_precedence_is_flag_env_profile(fake_thread: FakeVias, tmp_path: Path) -> None:
    assert run_cli("profile", "set", "lab", "--region", "cn-east-3", "--project-id", "proj0001").code == 0
    path = tmp_path / "config" / "vias-tui" / "profiles.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    settings_lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    assert not any("token" in line.lower() for line in settings_lines)
    shown = run_cli("profile", "show", "lab")
    assert "vias.cn-east-3" in shown.out and "from profile lab" in shown.out
    env_over = run_cli("profile", "show", "lab", env={"VIAS_PROJECT_ID": "fromenv1"})
    assert "project fromenv1" in env_over.out and "from env (VIAS_PROJECT_ID)" in env_over.out
    listed = run_cli("profile", "list")
    assert "lab" in listed.out and "cn-east-3" in listed.out
    # a flag beats the environment, which beats the profile
    ids = tmp_path / "ids"
    ids.write_text("abcd1234")
    dry = run_cli(
        "delete",
        "--profile",
        "lab",
        *target_args(fake_thread),
        "--ids-file",
        str(ids),
        "--dry-run",
        env={"VIAS_REGION": "cn-south-1"},
    )
    assert f"Target: 127.0.0.1:{fake_thread.port}, project {DEMO_PROJECT_ID}" in dry.out
    assert run_cli("profile", "delete", "lab").code == 0
    assert run_cli("profile", "delete", "lab").code == 2


def test_profile_set_rejects_bad_values() -> None:
    assert "refusing plain http" in run_cli("profile", "set", "x", "--endpoint", "http://example.com").err
    assert "unknown region" in run_cli("profile", "set", "x", "--region", "nowhere").err
    assert "not allowed" in run_cli("profile", "set", "../x", "--region", "cn-north-4").err


def _login(server: FakeVias, env: dict[str, str], stdin: str, *extra: str) -> object:
    account, user, _ = DEMO_IAM_USER
    argv = ["token", "login", "--account", account, "--user", user, "--region", "cn-north-4"]
    return run_cli(*argv, "--iam-endpoint", server.url, "--password-stdin", *extra, stdin=stdin, env=env)


def test_login_with_virtual_mfa(store, file_keyring: dict[str, str], tmp_path: Path) -> None:
    """A user with login protection: the password alone is refused with what to do; with --mfa, the passcode (asked
    for, never echoed, never stored) and the user's ID log in."""
    from tui_app.fake.store import MfaDevice

    account, user, password = DEMO_IAM_USER
    store.mfa[(account, user)] = MfaDevice(passcode="731904")
    user_id = store.user_id(account, user)
    with running_in_thread(FakeVias(store)) as server:
        plain = _login(server, file_keyring, password + "\n")
        assert plain.code == 3 and "--mfa --user-id" in plain.err and "login protection" in plain.err
        no_id = _login(server, file_keyring, password + "\n731904\n", "--mfa")
        assert no_id.code == 2 and "user's ID" in no_id.err
        wrong = _login(server, file_keyring, password + "\n000000\n", "--mfa", "--user-id", user_id)
        assert wrong.code == 3 and "IAM login failed" in wrong.err
        good = _login(server, file_keyring, password + "\n731904\n", "--mfa", "--user-id", user_id)
        assert good.code == 0, good.err
        sent = [r for r in server.requests if r.kind == "iam_login"]
    assert len(sent) == 3  # no_id sent nothing
    assert "Stored token" in good.out
    for result in (plain, wrong, good):
        assert "731904" not in result.out + result.err and "000000" not in result.out + result.err
    keyring_text = Path(file_keyring["TEST_KEYRING_FILE"]).read_text()
    assert "731904" not in keyring_text and password not in keyring_text
