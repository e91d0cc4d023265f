"""Where credentials come from: the token and the SDK's chain (environment, keyring, credentials file, ECS
metadata), precedence between them, keyring states with in-memory, hanging and absent backends."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import keyring
import pytest

from tests.helpers import SECRET_AK, SECRET_SECURITY_TOKEN, SECRET_SK, SECRET_TOKEN, assert_no_secret
from tests.memory_keyring import HangingKeyring, MemoryKeyring
from tui_app.credential_sources.env_token import ENV_TOKEN
from tui_app.credentials import AuthMode, CredentialSource, auth_mode, expiry_text, find_credentials
from tui_app.keyring_store import (
    KeyringState,
    KeyringUnavailable,
    StoredKeys,
    forget_entry,
    probe_keyring,
    read_entry,
    store_keys,
    store_token,
)
from tui_app.problems import OperatorError
from tui_app.secret import Secret, Token, TokenFormatError, parse_expiry
from tui_app.settings import resolve_target


def sdk_file(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "credentials"
    path.write_text(body)
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(path))
    return path


def test_env_token_wins_and_says_so(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    store_token("default", Token("MIIkeyringTOKEN00000000"))
    monkeypatch.setenv(ENV_TOKEN, SECRET_TOKEN)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", SECRET_AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SECRET_SK)
    found = find_credentials("default").credentials
    assert found is not None and found.source is CredentialSource.ENV_TOKEN
    assert found.token is not None and found.token.reveal() == SECRET_TOKEN
    assert "environment (VIAS_AUTH_TOKEN)" in found.describe()
    assert_no_secret(found.describe())


def test_sdk_environment_keys_come_next(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    store_token("default", Token("MIIkeyringTOKEN00000000"))
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", SECRET_AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SECRET_SK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECRET_SECURITY_TOKEN)
    lookup = find_credentials("default")
    found = lookup.credentials
    assert found is not None and found.source is CredentialSource.ENV_KEYS and found.keys is not None
    assert found.keys.temporary and found.kind == "temporary access keys"
    assert "AKID…0001" in found.describe() and [s for s, _ in lookup.trail] == [CredentialSource.ENV_TOKEN]
    assert_no_secret(found.describe() + repr(found) + repr(found.auth()))


def test_half_set_environment_keys_are_a_problem_not_a_fallthrough(
    monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", SECRET_AK)
    lookup = find_credentials("default")
    assert lookup.credentials is None and "HUAWEICLOUD_SDK_SK is not" in lookup.explain_missing("default")


def test_keyring_holds_a_token_or_keys(memory_keyring: MemoryKeyring) -> None:
    expires = datetime.now(timezone.utc) + timedelta(hours=2, minutes=5)
    store_token("prod", Token(SECRET_TOKEN), expires)
    entry = read_entry("prod")
    assert entry is not None and entry.token is not None and entry.token.reveal() == SECRET_TOKEN
    assert entry.expires_at == expires and "MemoryKeyring" in entry.backend
    found = find_credentials("prod").credentials
    assert found is not None and found.source is CredentialSource.KEYRING and "expires in 2h" in found.describe()
    store_keys("prod", StoredKeys(SECRET_AK, Secret(SECRET_SK)))  # replaces the token: one entry per profile
    keys = find_credentials("prod").credentials
    assert keys is not None and keys.keys is not None and keys.keys.sk.reveal() == SECRET_SK
    assert find_credentials("prod", AuthMode.TOKEN).credentials is None  # --auth token will not use keys
    assert forget_entry("prod") is True and read_entry("prod") is None
    assert forget_entry("prod") is False


def test_a_raw_token_stored_by_another_tool_is_read(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("vias-tui", "default", SECRET_TOKEN)
    entry = read_entry("default")
    assert entry is not None and entry.token is not None and entry.token.reveal() == SECRET_TOKEN


@pytest.mark.parametrize("with_project", [True, False])
def test_the_sdk_credentials_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None, with_project: bool
) -> None:
    project = "project_id = 0a1b2c3d4e5f60718293a4b5c6d7e8f9\n" if with_project else ""
    path = sdk_file(tmp_path, f"[basic]\nak = {SECRET_AK}\nsk = {SECRET_SK}\n{project}", monkeypatch)
    found = find_credentials("default").credentials
    assert found is not None and found.source is CredentialSource.CREDENTIALS_FILE and str(path) in found.describe()
    if with_project:
        target = resolve_target(None, region="cn-north-4")
        assert target.project_id == "0a1b2c3d4e5f60718293a4b5c6d7e8f9" and "file" in target.sources["project_id"]
    else:
        with pytest.raises(OperatorError, match="no project ID"):
            resolve_target(None, region="cn-north-4")


def test_project_id_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sdk_file(tmp_path, f"[basic]\nak = {SECRET_AK}\nsk = {SECRET_SK}\nproject_id = fromfile01\n", monkeypatch)
    assert resolve_target(None, region="cn-north-4").project_id == "fromfile01"
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", "fromsdkenv1")
    assert resolve_target(None, region="cn-north-4").project_id == "fromsdkenv1"
    monkeypatch.setenv("VIAS_PROJECT_ID", "fromviasenv")
    assert resolve_target(None, region="cn-north-4").project_id == "fromviasenv"
    assert resolve_target(None, region="cn-north-4", project_id="fromflag01").project_id == "fromflag01"


def test_a_broken_credentials_file_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> None:
    sdk_file(tmp_path, "[basic]\nak = only-the-ak\n", monkeypatch)
    lookup = find_credentials("default")
    assert lookup.credentials is None and "needs both ak and sk" in lookup.explain_missing("default")


def test_auth_mode_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert auth_mode(None, None) is AuthMode.AUTO
    assert auth_mode(None, "aksk") is AuthMode.AKSK
    monkeypatch.setenv("VIAS_AUTH", "token")
    assert auth_mode(None, "aksk") is AuthMode.TOKEN
    assert auth_mode("ecs-agency", "aksk") is AuthMode.ECS_AGENCY
    with pytest.raises(OperatorError, match="use one of"):
        auth_mode("password", None)


def test_no_backend_explains_what_to_do(no_keyring: None) -> None:
    status = probe_keyring()
    assert status.state is KeyringState.NONE and not status.usable
    text = status.explain()
    assert "headless" in text and ENV_TOKEN in text and "session-only" in text and "gnome-keyring" in text
    lookup = find_credentials("default")
    assert lookup.credentials is None and "headless" in lookup.explain_missing("default")
    with pytest.raises(KeyringUnavailable, match="headless"):
        store_token("default", Token(SECRET_TOKEN))


def test_hanging_backend_times_out_quickly() -> None:
    previous = keyring.get_keyring()
    hanging = HangingKeyring()
    keyring.set_keyring(hanging)
    try:
        started = time.monotonic()
        status = probe_keyring(timeout=0.3)
        assert time.monotonic() - started < 2
        assert status.state is KeyringState.TIMEOUT and "did not answer" in status.explain()
        with pytest.raises(KeyringUnavailable):
            read_entry("default", timeout=0.3)
    finally:
        hanging.release.set()
        keyring.set_keyring(previous)


def test_locked_backend(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.errors import KeyringLocked

    def locked(*args: object) -> None:
        raise KeyringLocked("collection is locked")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    status = probe_keyring()
    assert status.state is KeyringState.LOCKED and "Unlock" in status.explain()


def test_unusable_env_token_is_explained(monkeypatch: pytest.MonkeyPatch, no_keyring: None) -> None:
    monkeypatch.setenv(ENV_TOKEN, "two words")
    lookup = find_credentials("default")
    assert lookup.credentials is None and "VIAS_AUTH_TOKEN is set but unusable" in lookup.explain_missing("default")


@pytest.mark.parametrize("bad", ["", "   ", "a\nb", "tokén", "x" * 40_000])
def test_token_format_errors_never_echo_the_value(bad: str) -> None:
    with pytest.raises(TokenFormatError) as info:
        Token(bad)
    assert bad.strip() == "" or bad not in str(info.value)


def test_masking() -> None:
    token = Token(SECRET_TOKEN)
    assert token.masked() == f"MIIs…({len(SECRET_TOKEN)} chars)"
    for shown in (repr(token), str([token]), f"{token}", f"{token!r}", repr(Secret(SECRET_SK))):
        assert_no_secret(shown)
    assert Token("shorttoken").masked() == "…(10 chars)"  # too short to show a prefix safely
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(token)


def test_expiry_text() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    assert expiry_text(now + timedelta(hours=2), now) == "expires in 2h"
    assert expiry_text(now + timedelta(minutes=42), now) == "expires in 42m"
    assert expiry_text(now - timedelta(minutes=5), now) == "expired 5m ago"
    assert expiry_text(None) == "expiry unknown"
    expiry = parse_expiry("2026-11-29T09:05:22.701000Z")
    assert expiry is not None and expiry.tzinfo is not None


def test_test_backends_are_never_picked_by_detection() -> None:
    from keyring.backends import chainer

    ours = (MemoryKeyring, HangingKeyring)
    assert all(backend.priority < 0 for backend in ours)  # keyring only auto-detects backends above zero
    assert not any(isinstance(ring, ours) for ring in chainer.ChainerBackend.backends)
