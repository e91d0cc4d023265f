"""Token sources and keyring states, with in-memory, hanging and absent backends."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import keyring
import pytest

from tests.conftest import SECRET_TOKEN, assert_no_token
from tests.memory_keyring import HangingKeyring, MemoryKeyring
from tui_app import credentials
from tui_app.credentials import (
    ENV_TOKEN,
    KeyringUnavailable,
    expiry_text,
    find_token,
    forget_keyring,
    probe_keyring,
    read_keyring,
    store_keyring,
)
from tui_app.secret import Token, TokenFormatError


def test_env_wins_and_says_so(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    store_keyring("default", Token("MIIkeyringTOKEN00000000"))
    monkeypatch.setenv(ENV_TOKEN, SECRET_TOKEN)
    lookup = find_token("default")
    assert lookup.info.source == "env" and lookup.info.token.reveal() == SECRET_TOKEN
    assert "environment (VIAS_AUTH_TOKEN)" in lookup.info.describe()
    assert_no_token(lookup.info.describe())


def test_keyring_round_trip_with_expiry(memory_keyring: MemoryKeyring) -> None:
    expires = datetime.now(timezone.utc) + timedelta(hours=2, minutes=5)
    store_keyring("prod", Token(SECRET_TOKEN), expires)
    info = read_keyring("prod")
    assert info.token.reveal() == SECRET_TOKEN and info.source == "keyring"
    assert info.expires_at == expires and "expires in 2h" in info.describe()
    assert "MemoryKeyring" in info.backend
    assert forget_keyring("prod") is True and read_keyring("prod") is None
    assert forget_keyring("prod") is False


def test_a_raw_token_stored_by_another_tool_is_read(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("vias-tui", "default", SECRET_TOKEN)
    assert read_keyring("default").token.reveal() == SECRET_TOKEN


def test_session_token_is_the_last_resort(no_keyring: None) -> None:
    lookup = find_token("default", session=Token(SECRET_TOKEN))
    assert lookup.info.source == "session" and "this session only" in lookup.info.describe()
    assert lookup.keyring.state == "none"


def test_no_backend_explains_what_to_do(no_keyring: None) -> None:
    status = probe_keyring()
    assert status.state == "none" and not status.usable
    text = status.explain()
    assert "headless" in text and ENV_TOKEN in text and "session-only" in text and "gnome-keyring" in text
    lookup = find_token("default")
    assert lookup.info is None and "headless" in lookup.explain_missing("default")
    with pytest.raises(KeyringUnavailable, match="headless"):
        store_keyring("default", Token(SECRET_TOKEN))


def test_hanging_backend_times_out_quickly() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(HangingKeyring())
    try:
        started = time.monotonic()
        status = probe_keyring(timeout=0.3)
        assert time.monotonic() - started < 2
        assert status.state == "timeout" and "did not answer" in status.explain()
        with pytest.raises(KeyringUnavailable):
            read_keyring("default", timeout=0.3)
    finally:
        HangingKeyring.release.set()
        keyring.set_keyring(previous)


def test_locked_backend(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.errors import KeyringLocked

    def locked(*args: object) -> None:
        raise KeyringLocked("collection is locked")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    status = probe_keyring()
    assert status.state == "locked" and "Unlock" in status.explain()


def test_unusable_env_token_is_explained(monkeypatch: pytest.MonkeyPatch, no_keyring: None) -> None:
    monkeypatch.setenv(ENV_TOKEN, "two words")
    lookup = find_token("default")
    assert lookup.info is None and "VIAS_AUTH_TOKEN is set but unusable" in lookup.explain_missing("default")


@pytest.mark.parametrize("bad", ["", "   ", "a\nb", "tokén", "x" * 40_000])
def test_token_format_errors_never_echo_the_value(bad: str) -> None:
    with pytest.raises(TokenFormatError) as info:
        Token(bad)
    assert bad.strip() == "" or bad not in str(info.value)


def test_masking() -> None:
    token = Token(SECRET_TOKEN)
    assert token.masked() == f"MIIs…({len(SECRET_TOKEN)} chars)"
    for shown in (repr(token), str([token]), f"{token}", f"{token!r}"):
        assert_no_token(shown)
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
    assert credentials.parse_expiry("2026-11-29T09:05:22.701000Z").tzinfo is not None


def test_test_backends_are_never_picked_by_detection() -> None:
    from keyring.backends import chainer
    from keyring.core import _detect_backend

    ours = (MemoryKeyring, HangingKeyring)
    assert not isinstance(_detect_backend(), ours)
    assert not any(isinstance(ring, ours) for ring in chainer.ChainerBackend.backends)
