from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import keyring
import pytest

from tests.helpers import (  # noqa: F401 - re-exported for the tests that import them from here
    ROOT,
    SECRET_TOKEN,
    CliResult,
    assert_no_secret,
    assert_no_token,
    run_cli,
    seeded_store,
    target_args,
)
from tests.memory_keyring import MemoryKeyring
from tui_app import i18n
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread

# A loopback port where nothing listens: the ECS metadata probe must never leave the machine in tests.
NO_METADATA = "http://127.0.0.1:9"


def pytest_configure(config: pytest.Config) -> None:
    # Subprocesses inherit os.environ: keep every run of the suite away from real credentials and hosts.
    os.environ["VIAS_METADATA_ENDPOINT"] = NO_METADATA
    # The texts the tests assert are English: a Chinese locale on the machine must not change them (test_i18n.py
    # asks for Chinese where it means to).
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name, "").lower().startswith("zh"):
            os.environ[name] = "C.UTF-8"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    """A source checkout that was never built has no .mo files (they are build products, hatch_build.py): compile
    the catalogs when one is missing or older than its .po, so that the tests run the translations as shipped.
    Several xdist workers may get here at once: each writes its own file and renames it into place."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted((ROOT / "tui_app" / "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        os.replace(partial, mo)


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """A test that switched the interface language in-process (i18n.use) leaves English, and the LANGUAGE variable
    as it found it, for the next one."""
    variable = os.environ.get("LANGUAGE")
    yield
    if i18n.current() != i18n.ENGLISH:
        i18n.use(i18n.ENGLISH)
    if os.environ.get("LANGUAGE") != variable:
        if variable is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = variable


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config/state dirs and no VIAS_* or HUAWEICLOUD_SDK_* settings from the shell."""
    for name in list(os.environ):
        if name.startswith("VIAS_REQUIRE_"):
            continue  # CI's switches that turn skips into failures (.ci/run): not a setting of the product
        if name.startswith(("VIAS_", "HUAWEICLOUD_SDK_")) or name == "PYTHON_KEYRING_BACKEND":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(tmp_path / "no-sdk-credentials"))
    monkeypatch.setenv("VIAS_METADATA_ENDPOINT", NO_METADATA)
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


@pytest.fixture
def store() -> FakeStore:
    return seeded_store()


@pytest.fixture
async def fake(store: FakeStore) -> AsyncIterator[FakeVias]:
    async with FakeVias(store, FaultPlan()) as server:
        yield server


@pytest.fixture
def fake_thread(store: FakeStore) -> Iterator[FakeVias]:
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        yield server
