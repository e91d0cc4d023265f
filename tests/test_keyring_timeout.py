"""Keyring calls against a Secret Service that never answers: each call comes back within its timeout, hung calls
leave a bounded number of threads behind however many there are, the slots come back when the keyring answers,
and a stuck call does not keep the process from exiting."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator

import keyring
import pytest

from tests.helpers import ROOT, wait_for
from tests.memory_keyring import HangingKeyring, MemoryKeyring
from tui_app.keyring_store import (
    MAX_KEYRING_THREADS,
    KeyringState,
    KeyringUnavailable,
    probe_keyring,
    read_entry,
    store_token,
)
from tui_app.secret import Token

TIMEOUT = 0.05
SLACK = 1.0  # a loaded 2-core box; the hang itself is 60 s


def keyring_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "keyring-call"]


@pytest.fixture
def hanging() -> Iterator[HangingKeyring]:
    previous, backend = keyring.get_keyring(), HangingKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        backend.release.set()
        keyring.set_keyring(previous)
        wait_for(lambda: not keyring_threads(), timeout=10, what="hung keyring calls to return")


def test_many_hung_calls_each_return_in_time_and_leave_a_bounded_number_of_threads(hanging: HangingKeyring) -> None:
    for attempt in range(2 * MAX_KEYRING_THREADS + 2):
        started = time.monotonic()
        status = probe_keyring(timeout=TIMEOUT)
        assert time.monotonic() - started < TIMEOUT + SLACK, attempt
        assert status.state is KeyringState.TIMEOUT and "did not answer" in status.explain()
        assert len(keyring_threads()) <= MAX_KEYRING_THREADS, attempt
    assert len(keyring_threads()) == MAX_KEYRING_THREADS  # every slot held by a call the keyring never answered
    with pytest.raises(KeyringUnavailable):
        read_entry("default", timeout=TIMEOUT)


def test_one_deadline_covers_the_whole_operation(hanging: HangingKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui_app.keyring_store as keyring_store

    def slow_backend_name() -> str:  # the first step takes most of the time: the second gets only what is left
        time.sleep(0.7)
        return "tests.HangingKeyring"

    monkeypatch.setattr(keyring_store, "backend_name", slow_backend_name)
    started = time.monotonic()
    assert probe_keyring(timeout=1.0).state is KeyringState.TIMEOUT
    assert time.monotonic() - started < 1.5  # a full timeout per step would be 1.7 s


def test_the_slots_come_back_when_the_keyring_answers(hanging: HangingKeyring) -> None:
    for _ in range(MAX_KEYRING_THREADS + 1):
        probe_keyring(timeout=TIMEOUT)
    hanging.release.set()
    wait_for(lambda: not keyring_threads(), timeout=10, what="released calls to return")
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    for _ in range(3 * MAX_KEYRING_THREADS):  # more calls than slots: none may have leaked
        store_token("default", Token("MIIslotsCameBack0000000"))
        assert probe_keyring(timeout=2).usable


def test_failing_calls_give_their_slots_back(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("dbus went away")

    monkeypatch.setattr(memory_keyring, "get_password", broken)
    for _ in range(3 * MAX_KEYRING_THREADS):
        status = probe_keyring(timeout=2)
        assert status.state is KeyringState.ERROR and "RuntimeError: dbus went away" in status.explain()
    keyring.set_keyring(MemoryKeyring())  # memory_keyring's fixture puts the previous backend back afterwards
    assert probe_keyring(timeout=2).usable


def test_a_stuck_call_does_not_keep_the_process_from_exiting() -> None:
    # ThreadPoolExecutor's workers are joined at exit: with one, this process would wait out the 60 s hang.
    script = textwrap.dedent(
        """
        import keyring
        from tests.memory_keyring import HangingKeyring
        from tui_app.keyring_store import probe_keyring

        keyring.set_keyring(HangingKeyring())
        print(probe_keyring(timeout=0.2).state)
        """
    )
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "timeout", proc.stdout + proc.stderr
    assert time.monotonic() - started < 20
