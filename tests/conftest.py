from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring
from tui_app.fake import DEMO_PROJECT_ID, FakeStore, FakeVias, FaultPlan, running_in_thread, seed_tasks

ROOT = Path(__file__).resolve().parent.parent
# A token nobody could mistake for anything else: the leak tests grep every output for pieces of it.
SECRET_TOKEN = "MIIsecretLEAKCANARY" + "Zq9" * 40 + "ENDCANARY"
# Any of these in an output means some of the token leaked (a truncated repr still shows its start or
# middle); the masked form shows only the first four characters, "MIIs".
TOKEN_FRAGMENTS = ("secretLEAK", "Zq9Zq9Zq9", "ENDCANARY")


def assert_no_token(text: str | bytes, where: object = "") -> None:
    data = text.decode(errors="replace") if isinstance(text, bytes) else text
    for fragment in TOKEN_FRAGMENTS:
        assert fragment not in data, f"part of the token ({fragment!r}) appears in {where or 'the output'}"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config/state dirs and no VIAS_* settings from the developer's shell."""
    for name in list(os.environ):
        if name.startswith("VIAS_") or name == "PYTHON_KEYRING_BACKEND":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def seeded_store(count: int = 40) -> FakeStore:
    """A fake store with `count` ordinary tasks that accepts the test token."""
    store = FakeStore()
    store.tokens.add(SECRET_TOKEN)
    seed_tasks(store, count, special=False)
    return store


@pytest.fixture
def store() -> FakeStore:
    return seeded_store()


@pytest.fixture
async def fake(store: FakeStore) -> FakeVias:
    async with FakeVias(store, FaultPlan()) as server:
        yield server


@pytest.fixture
def fake_thread(store: FakeStore) -> Iterator[FakeVias]:
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        yield server


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 60) -> CliResult:
    """Run `python -m tui_app` as an operator would, with the test's isolated environment."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "tui_app", *args], input=stdin, capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=ROOT)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def target_args(server: FakeVias) -> list[str]:
    return ["--endpoint", server.url, "--project-id", DEMO_PROJECT_ID]
