"""The chain as a whole: which providers each --auth mode runs and in what order, the first usable source wins,
the metadata service is asked only when nothing else was found, and a broken source stops the search even when a
later source would have worked (every source usable and real: environment, an in-memory keyring, a file on disk,
the fake metadata service over TCP)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import (
    NO_KEYRING,
    SECRET_AK,
    SECRET_SK,
    SECRET_TOKEN,
    assert_no_secret,
    run_cli,
    seeded_store,
)
from tests.memory_keyring import MemoryKeyring
from tui_app.credential_sources.env_token import ENV_TOKEN
from tui_app.credentials import AuthMode, CredentialSource, find_credentials, provider_chain
from tui_app.fake import FakeVias, running_in_thread
from tui_app.keyring_store import StoredKeys, forget_entry, store_keys, store_token
from tui_app.secret import Secret, Token

S = CredentialSource
ALL_SOURCES = [S.ENV_TOKEN, S.ENV_KEYS, S.KEYRING, S.CREDENTIALS_FILE, S.ECS_METADATA]


@pytest.mark.parametrize(
    ("mode", "sources"),
    [
        (AuthMode.AUTO, ALL_SOURCES),
        (AuthMode.TOKEN, [S.ENV_TOKEN, S.KEYRING]),
        (AuthMode.AKSK, [S.ENV_KEYS, S.KEYRING, S.CREDENTIALS_FILE]),
        (AuthMode.ECS_AGENCY, [S.ECS_METADATA]),
    ],
)
def test_each_auth_mode_has_its_chain(mode: AuthMode, sources: list[CredentialSource]) -> None:
    assert [p.source for p in provider_chain("default", mode)] == sources
    without_probe = [p.source for p in provider_chain("default", mode, probe_metadata=False)]
    assert without_probe == [s for s in sources if s is not S.ECS_METADATA]


@dataclass
class Everything:
    """Every source configured and usable at once."""

    monkeypatch: pytest.MonkeyPatch
    keyring: MemoryKeyring
    file: Path
    metadata: FakeVias

    def metadata_asked(self) -> int:
        return len([r for r in self.metadata.requests if "latest" in r.path])


@pytest.fixture
def everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> Iterator[Everything]:
    monkeypatch.setenv(ENV_TOKEN, SECRET_TOKEN)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", SECRET_AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SECRET_SK)
    store_keys("default", StoredKeys(SECRET_AK, Secret(SECRET_SK)))
    path = tmp_path / "credentials"
    path.write_text(f"[basic]\nak = {SECRET_AK}\nsk = {SECRET_SK}\n")
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(path))
    with running_in_thread(FakeVias(seeded_store(3))) as server:
        monkeypatch.setenv("VIAS_METADATA_ENDPOINT", server.url)
        yield Everything(monkeypatch, memory_keyring, path, server)


def test_the_first_usable_source_wins_and_the_metadata_service_is_asked_last(everything: Everything) -> None:
    steps = [
        lambda: everything.monkeypatch.delenv(ENV_TOKEN),
        lambda: [everything.monkeypatch.delenv(name) for name in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK")],
        lambda: forget_entry("default"),
        lambda: everything.file.unlink(),
    ]
    for position, source in enumerate(ALL_SOURCES[:4]):
        lookup = find_credentials("default")
        assert lookup.credentials is not None and lookup.credentials.source is source, position
        assert [s for s, _ in lookup.trail] == ALL_SOURCES[:position] and lookup.problem is None
        assert everything.metadata_asked() == 0, f"metadata asked though {source} was found"
        steps[position]()
    lookup = find_credentials("default")
    assert lookup.credentials is not None and lookup.credentials.source is S.ECS_METADATA
    assert [s for s, _ in lookup.trail] == ALL_SOURCES[:4] and everything.metadata_asked() > 0
    everything.metadata.store.metadata_agency = False
    lookup = find_credentials("default")
    assert lookup.credentials is None and lookup.problem is None  # under auto, no agency is a skip
    assert [s for s, _ in lookup.trail] == ALL_SOURCES
    assert_no_secret(repr(lookup.trail) + lookup.explain_missing("default"))


def test_probe_metadata_false_never_asks_the_metadata_service(everything: Everything) -> None:
    for name in (ENV_TOKEN, "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"):
        everything.monkeypatch.delenv(name)
    forget_entry("default")
    everything.file.unlink()
    lookup = find_credentials("default", probe_metadata=False)
    assert lookup.credentials is None and everything.metadata_asked() == 0
    assert [s for s, _ in lookup.trail] == ALL_SOURCES[:4]


@pytest.mark.parametrize(
    ("mode", "source"),
    [(AuthMode.TOKEN, S.ENV_TOKEN), (AuthMode.AKSK, S.ENV_KEYS), (AuthMode.ECS_AGENCY, S.ECS_METADATA)],
)
def test_each_mode_uses_only_its_sources(everything: Everything, mode: AuthMode, source: CredentialSource) -> None:
    lookup = find_credentials("default", mode)
    assert lookup.credentials is not None and lookup.credentials.source is source
    assert (everything.metadata_asked() > 0) is (mode is AuthMode.ECS_AGENCY)


def test_a_token_only_setup_gives_aksk_nothing(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_TOKEN, SECRET_TOKEN)
    store_token("default", Token(SECRET_TOKEN))
    lookup = find_credentials("default", AuthMode.AKSK)
    assert lookup.credentials is None and lookup.problem is None
    assert dict(lookup.trail)[S.KEYRING] == "holds a token, not what --auth aksk uses"
    assert [s for s, _ in lookup.trail] == [S.ENV_KEYS, S.KEYRING, S.CREDENTIALS_FILE]
    assert "vias-tui aksk set --profile default" in lookup.explain_missing("default")


def _break_env_token(everything: Everything) -> None:
    everything.monkeypatch.setenv(ENV_TOKEN, "two words")


def _break_env_keys(everything: Everything) -> None:
    everything.monkeypatch.delenv(ENV_TOKEN)
    everything.monkeypatch.delenv("HUAWEICLOUD_SDK_SK")


def _break_keyring(everything: Everything) -> None:
    _break_env_keys(everything)
    everything.monkeypatch.delenv("HUAWEICLOUD_SDK_AK")
    entry = {"kind": "aksk", "ak": SECRET_AK, "sk": "short"}
    everything.keyring.set_password("vias-tui", "default", json.dumps(entry))


def _break_file(everything: Everything) -> None:
    _break_keyring(everything)
    forget_entry("default")
    everything.file.write_text("[basic]\nak = only-the-ak\n")


@pytest.mark.parametrize(
    ("breaks", "source", "problem"),
    [
        (_break_env_token, S.ENV_TOKEN, "VIAS_AUTH_TOKEN is set but unusable"),
        (_break_env_keys, S.ENV_KEYS, "access keys in the environment are unusable"),
        (_break_keyring, S.KEYRING, "store them again with `vias-tui aksk set`"),
        (_break_file, S.CREDENTIALS_FILE, "the SDK credentials file is unusable"),
    ],
)
def test_a_broken_source_stops_the_chain(
    everything: Everything, breaks: Callable[[Everything], None], source: CredentialSource, problem: str
) -> None:
    breaks(everything)
    lookup = find_credentials("default")
    assert lookup.credentials is None, f"{lookup.credentials} used after a broken {source}"
    assert lookup.trail[-1][0] is source and [s for s, _ in lookup.trail] == ALL_SOURCES[: len(lookup.trail)]
    assert lookup.problem is not None and problem in lookup.problem and lookup.explain_missing("x") == lookup.problem
    assert "\n" not in lookup.problem and everything.metadata_asked() == 0
    assert_no_secret(lookup.problem + repr(lookup.trail))


def test_an_ecs_agency_without_an_agency_is_a_problem(everything: Everything) -> None:
    everything.metadata.store.metadata_agency = False
    lookup = find_credentials("default", AuthMode.ECS_AGENCY)
    assert lookup.credentials is None and lookup.problem is not None and "no agency attached" in lookup.problem
    assert find_credentials("default", AuthMode.ECS_AGENCY, probe_metadata=False).explain_missing("default") == (
        "no credentials from the ECS metadata service (no answer)"
    )


def test_auth_status_lists_every_skipped_source_and_why(tmp_path: Path) -> None:
    result = run_cli("auth", "status", env=NO_KEYRING)
    lines = [line.strip() for line in result.out.splitlines() if line.strip().startswith("skipped")]
    assert result.code == 3, result.out + result.err
    assert lines[:4] == [
        "skipped env-token: VIAS_AUTH_TOKEN is not set",
        "skipped env-keys: HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK are not set",
        "skipped keyring: not usable (none)",
        f"skipped credentials-file: {tmp_path / 'no-sdk-credentials'} does not exist",
    ]
    assert len(lines) == 5 and lines[4].startswith("skipped ecs-metadata: no ECS metadata service at")


def test_a_broken_source_is_exit_3_in_one_line_from_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(f"[basic]\nak = {SECRET_AK}\nsk = {SECRET_SK}\n")  # usable, but after the broken one
    ids = tmp_path / "ids.txt"
    ids.write_text("0123456789abcdef0123456789abcdef\n")
    env = {**NO_KEYRING, "HUAWEICLOUD_SDK_AK": SECRET_AK, "HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(path)}
    target = ["--endpoint", "http://127.0.0.1:9", "--project-id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"]  # never reached
    result = run_cli("delete", *target, "--ids-file", str(ids), "--yes", env=env)
    assert result.code == 3 and "Traceback" not in result.err, result.out + result.err
    assert [line for line in result.err.splitlines() if line.strip()] == [
        "vias-tui: access keys in the environment are unusable: HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not"
    ]
    assert_no_secret(result.out + result.err)
