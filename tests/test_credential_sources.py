"""Each credential provider on its own: what it finds, each reason it gives for skipping, and each way a configured
source is broken (which stops the chain). The messages never hold a secret."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.helpers import SECRET_AK, SECRET_SECURITY_TOKEN, SECRET_SK, SECRET_TOKEN, assert_no_secret, seeded_store
from tests.memory_keyring import HangingKeyring, MemoryKeyring
from tui_app.credential_chain import BrokenSource, CredentialProvider, Skipped
from tui_app.credential_sources.ecs_metadata import EcsMetadataProvider
from tui_app.credential_sources.env_keys import EnvKeysProvider
from tui_app.credential_sources.env_token import ENV_TOKEN, EnvTokenProvider
from tui_app.credential_sources.keyring_entry import KeyringEntryProvider
from tui_app.credential_sources.sdk_file import SdkFileProvider
from tui_app.credential_types import AuthMode, Credentials, CredentialSource
from tui_app.fake import FakeVias, running_in_thread
from tui_app.keyring_store import KeyringState, StoredKeys, store_keys, store_token
from tui_app.secret import Secret, Token


def skipped(provider: CredentialProvider) -> str:
    found = provider.load()
    assert isinstance(found, Skipped), found
    assert_no_secret(found.why)
    return found.why


def broken(provider: CredentialProvider) -> BrokenSource:
    with pytest.raises(BrokenSource) as info:
        provider.load()
    assert_no_secret(f"{info.value} {info.value.why}")
    return info.value


def loaded(provider: CredentialProvider) -> Credentials:
    found = provider.load()
    assert isinstance(found, Credentials), found
    assert found.source is provider.source
    assert_no_secret(found.describe() + repr(found))
    return found


# env-token


def test_env_token_unset_or_empty_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    assert skipped(EnvTokenProvider()) == f"{ENV_TOKEN} is not set"
    monkeypatch.setenv(ENV_TOKEN, "")
    assert skipped(EnvTokenProvider()) == f"{ENV_TOKEN} is not set"


def test_env_token_is_found_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_TOKEN, SECRET_TOKEN)
    found = loaded(EnvTokenProvider())
    assert found.token is not None and found.token.reveal() == SECRET_TOKEN
    assert found.origin() == f"environment ({ENV_TOKEN})"


@pytest.mark.parametrize("bad", ["two words", "tokén" + SECRET_TOKEN, "short"])
def test_a_malformed_env_token_is_broken(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv(ENV_TOKEN, bad)
    problem = broken(EnvTokenProvider())
    assert problem.problem.startswith(f"{ENV_TOKEN} is set but unusable: ") and problem.why.startswith("set but")
    assert bad not in str(problem)


# env-keys


def test_env_keys_unset_are_skipped() -> None:
    assert skipped(EnvKeysProvider()) == "HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK are not set"


def test_env_keys_are_found_with_their_security_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", SECRET_AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", SECRET_SK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECRET_SECURITY_TOKEN)
    found = loaded(EnvKeysProvider())
    assert found.keys is not None and found.keys.temporary and found.keys.sk.reveal() == SECRET_SK
    assert found.origin() == "environment (HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK)"


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"HUAWEICLOUD_SDK_AK": SECRET_AK}, "HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not"),
        ({"HUAWEICLOUD_SDK_SK": SECRET_SK}, "HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not"),
        ({"HUAWEICLOUD_SDK_AK": SECRET_AK, "HUAWEICLOUD_SDK_SK": "tooshort"}, "8 characters"),
        ({"HUAWEICLOUD_SDK_AK": "AK,WITHCOMMA", "HUAWEICLOUD_SDK_SK": SECRET_SK}, "without spaces or commas"),
        (
            {"HUAWEICLOUD_SDK_AK": SECRET_AK, "HUAWEICLOUD_SDK_SK": SECRET_SK, "HUAWEICLOUD_SDK_SECURITY_TOKEN": "st"},
            "security token",
        ),
    ],
)
def test_env_keys_that_cannot_sign_are_broken(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], said: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    problem = broken(EnvKeysProvider())
    assert said in problem.why and problem.problem == f"access keys in the environment are unusable: {problem.why}"


# keyring


def test_no_keyring_backend_is_skipped_and_its_state_kept(no_keyring: None) -> None:
    provider = KeyringEntryProvider("default", AuthMode.AUTO)
    assert provider.status is None  # nothing asked before load()
    assert skipped(provider) == "not usable (none)"
    assert provider.status is not None and provider.status.state is KeyringState.NONE


def test_a_hanging_keyring_is_skipped_as_timed_out() -> None:
    previous, hanging = keyring.get_keyring(), HangingKeyring()
    keyring.set_keyring(hanging)
    try:
        provider = KeyringEntryProvider("default", AuthMode.AUTO, timeout=0.2)
        assert skipped(provider) == "not usable (timeout)"
        assert provider.status is not None and provider.status.state is KeyringState.TIMEOUT
    finally:
        hanging.release.set()
        keyring.set_keyring(previous)


def test_no_entry_for_the_profile_is_skipped(memory_keyring: MemoryKeyring) -> None:
    store_token("other", Token(SECRET_TOKEN))
    provider = KeyringEntryProvider("prod", AuthMode.AUTO)
    assert skipped(provider) == "no entry for profile 'prod'"
    assert provider.status is not None and provider.status.usable


def test_an_unreadable_entry_is_skipped_as_no_entry(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("vias-tui", "prod", '{"kind": "aksk", "ak": 1}')  # no sk: not ours to guess
    assert skipped(KeyringEntryProvider("prod", AuthMode.AUTO)) == "no entry for profile 'prod'"


@pytest.mark.parametrize(
    ("stored", "mode", "why"),
    [
        ("token", AuthMode.AKSK, "holds a token, not what --auth aksk uses"),
        ("keys", AuthMode.TOKEN, "holds access keys, not what --auth token uses"),
    ],
)
def test_an_entry_of_the_other_kind_is_skipped(
    memory_keyring: MemoryKeyring, stored: str, mode: AuthMode, why: str
) -> None:
    if stored == "token":
        store_token("prod", Token(SECRET_TOKEN))
    else:
        store_keys("prod", StoredKeys(SECRET_AK, Secret(SECRET_SK)))
    assert skipped(KeyringEntryProvider("prod", mode)) == why


@pytest.mark.parametrize("mode", [AuthMode.AUTO, AuthMode.TOKEN, AuthMode.AKSK])
def test_the_entry_is_found_when_the_mode_takes_it(memory_keyring: MemoryKeyring, mode: AuthMode) -> None:
    if mode is AuthMode.AKSK:
        store_keys("prod", StoredKeys(SECRET_AK, Secret(SECRET_SK), Secret(SECRET_SECURITY_TOKEN)))
    else:
        store_token("prod", Token(SECRET_TOKEN))
    found = loaded(KeyringEntryProvider("prod", mode))
    assert found.where.endswith("MemoryKeyring") and found.origin().startswith("keyring (")
    assert (found.keys is not None and found.keys.temporary) if mode is AuthMode.AKSK else found.token is not None


def test_stored_keys_that_cannot_sign_are_broken(memory_keyring: MemoryKeyring) -> None:
    entry = {"kind": "aksk", "ak": SECRET_AK, "sk": "has a space " + SECRET_SK}  # edited by hand
    memory_keyring.set_password("vias-tui", "prod", json.dumps(entry))
    problem = broken(KeyringEntryProvider("prod", AuthMode.AKSK))
    assert "the keyring entry of profile 'prod'" in problem.why
    assert problem.problem.endswith("store them again with `vias-tui aksk set`")


# the SDK's credentials file


@pytest.fixture
def sdk_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "credentials"
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(path))
    return path


def test_a_missing_credentials_file_is_skipped(sdk_path: Path) -> None:
    assert skipped(SdkFileProvider()) == f"{sdk_path} does not exist"


def test_the_credentials_file_is_found(sdk_path: Path) -> None:
    sdk_path.write_text(f"[basic]\nak = {SECRET_AK}\nsk = {SECRET_SK}\n")
    found = loaded(SdkFileProvider())
    assert found.where == str(sdk_path) and found.keys is not None and not found.keys.temporary


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("[basic]\nak = only-the-ak\n", "needs both ak and sk"),
        (f"[other]\nak = {SECRET_AK}\nsk = {SECRET_SK}\n", "has no [basic] section"),
        ("ak = no section header\n", "is not a valid INI file"),
        (f"[basic]\nak = {SECRET_AK}\nsk = short\n", "5 characters"),
        ("#" * (1 << 20) + "\n", "larger than"),
        (None, "cannot read"),  # a directory where the file should be
    ],
)
def test_a_credentials_file_that_cannot_be_used_is_broken(sdk_path: Path, body: str | None, said: str) -> None:
    if body is None:
        sdk_path.mkdir()
    else:
        sdk_path.write_text(body)
    problem = broken(SdkFileProvider())
    assert said in problem.why and problem.problem == f"the SDK credentials file is unusable: {problem.why}"


# the ECS metadata service


NO_METADATA_SERVICE = "no ECS metadata service at http://127.0.0.1:9"  # conftest points every test there


def test_no_metadata_service_is_a_skip_unless_it_is_the_only_source() -> None:
    assert skipped(EcsMetadataProvider(required=False)).startswith(NO_METADATA_SERVICE)
    problem = broken(EcsMetadataProvider(required=True))
    assert problem.why.startswith(NO_METADATA_SERVICE) and problem.problem == f"ECS agency: {problem.why}"


def test_a_refused_metadata_endpoint_is_a_skip_or_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIAS_METADATA_ENDPOINT", "http://metadata.example.com")
    assert "refusing plain http://" in skipped(EcsMetadataProvider(required=False))
    assert "refusing plain http://" in broken(EcsMetadataProvider(required=True)).problem


@pytest.fixture
def metadata_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeVias]:
    with running_in_thread(FakeVias(seeded_store(3))) as server:
        monkeypatch.setenv("VIAS_METADATA_ENDPOINT", server.url)
        yield server


def test_temporary_keys_from_the_metadata_service(metadata_server: FakeVias) -> None:
    found = loaded(EcsMetadataProvider(required=True))
    assert found.keys is not None and found.keys.temporary and found.refreshable
    assert found.where == metadata_server.url.rstrip("/") and found.expires_at is not None


def test_a_metadata_service_without_an_agency(metadata_server: FakeVias) -> None:
    metadata_server.store.metadata_agency = False
    assert "no agency attached" in skipped(EcsMetadataProvider(required=False))
    assert "no agency attached" in broken(EcsMetadataProvider(required=True)).problem


def test_every_provider_names_its_source() -> None:
    providers: list[CredentialProvider] = [
        EnvTokenProvider(),
        EnvKeysProvider(),
        KeyringEntryProvider("default", AuthMode.AUTO),
        SdkFileProvider(),
        EcsMetadataProvider(required=False),
    ]
    assert [p.source for p in providers] == [
        CredentialSource.ENV_TOKEN,
        CredentialSource.ENV_KEYS,
        CredentialSource.KEYRING,
        CredentialSource.CREDENTIALS_FILE,
        CredentialSource.ECS_METADATA,
    ]
