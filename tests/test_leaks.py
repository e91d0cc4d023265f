"""One recognisable token and password, every command, and a grep of everything written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SECRET_TOKEN, assert_no_token, run_cli, target_args
from tests.helpers import TOKEN_ENV, seeded_store
from tui_app.domain.keys import SdkCredentialsError, check_keys
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread
from tui_app.fake.store import DEMO_IAM_USER
from tui_app.ids import parse
from tui_app.secret import REDACTED, Scrubber, Token, TokenFormatError

PASSWORD = "IAMpasswordCANARY-4242-do-not-print"


def _all_files(root: Path, exclude: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and p != exclude}


def test_token_and_password_appear_nowhere(tmp_path: Path) -> None:
    store = FakeStore()
    store.tokens.add(SECRET_TOKEN)
    store.iam_users[(DEMO_IAM_USER[0], DEMO_IAM_USER[1])] = PASSWORD
    from tui_app.fake import seed_tasks

    ids = seed_tasks(store, 30)
    keyring_file = tmp_path / "keyring.json"
    keyring_env = {"PYTHON_KEYRING_BACKEND": "tests.memory_keyring.FileKeyring", "TEST_KEYRING_FILE": str(keyring_file)}
    env_token = {"VIAS_AUTH_TOKEN": SECRET_TOKEN}
    ids_path = tmp_path / "ids.txt"
    ids_path.write_text("\n".join([*ids[:20], "bad/id", "feedfacefeedfacefeedfacefeedface"]))
    outputs: list[str] = []
    # Faults make error panes, retries and problem lines print everything they know.
    faults = FaultPlan(every={4: "500", 6: "502-html", 9: "429"}, retry_after=0.05)
    with running_in_thread(FakeVias(store, faults)) as server:
        target = target_args(server)
        commands = [
            (["delete", *target, "--ids-file", str(ids_path), "--dry-run"], env_token, None),
            (
                ["delete", *target, "--ids-file", str(ids_path), "--yes", "--report", str(tmp_path / "r.jsonl")],
                env_token,
                None,
            ),
            (
                ["delete", *target, "--ids-file", str(ids_path), "--yes", "--report", str(tmp_path / "r.csv")],
                env_token,
                None,
            ),
            (["token", "set"], keyring_env, SECRET_TOKEN),
            (["token", "status"], keyring_env, None),
            (
                [
                    "token",
                    "login",
                    "--account",
                    DEMO_IAM_USER[0],
                    "--user",
                    DEMO_IAM_USER[1],
                    "--region",
                    "cn-north-4",
                    "--iam-endpoint",
                    server.url,
                    "--password-stdin",
                ],
                keyring_env,
                PASSWORD + "\n",
            ),
            (
                [
                    "token",
                    "login",
                    "--account",
                    DEMO_IAM_USER[0],
                    "--region",
                    "cn-north-4",
                    "--iam-endpoint",
                    server.url,
                    "--password-stdin",
                ],
                keyring_env,
                "wrong" + PASSWORD + "\n",
            ),
            (["token", "status"], env_token, None),
            (["runs"], {}, None),
            (["report", "-o", "-"], {}, None),
            (["report", "-o", str(tmp_path / "again.csv")], {}, None),
            (["profile", "show"], env_token, None),
        ]
        for args, env, stdin in commands:
            result = run_cli(*args, env=env, stdin=stdin)
            outputs.append(result.out + result.err)
        # a server-side token revocation mid-run: the 401 error path prints too
        server.faults.auth_fail_after = 0
        result = run_cli("delete", *target, "--ids-file", str(ids_path), "--yes", env=env_token)
        assert result.code == 3
        outputs.append(result.out + result.err)
        # the fake's own request log is what a test or operator would read: no token there either
        assert_no_token(repr(server.requests))
    everything = "\n".join(outputs)
    assert "deleted" in everything and "Stored token" in everything  # the commands really ran
    assert_no_token(everything)
    assert PASSWORD not in everything
    for path, data in _all_files(tmp_path, keyring_file).items():
        if path == ids_path:
            continue
        assert_no_token(data, path)
        assert PASSWORD.encode() not in data, path
    assert PASSWORD not in keyring_file.read_text()  # the password is never stored, even in the keyring


def test_a_token_pasted_among_the_ids_is_never_stored_shown_or_sent(tmp_path: Path) -> None:
    store = seeded_store(4)
    ids = list(store.tasks)
    ids_path = tmp_path / "ids.txt"
    # the whole token on a line, a 30-character piece of it that would pass as an ID, and a piece inside junk
    ids_path.write_text("\n".join([*ids, SECRET_TOKEN, SECRET_TOKEN[:30], f"note/{SECRET_TOKEN[5:40]}"]))
    outputs = []
    with running_in_thread(FakeVias(store)) as server:
        target = target_args(server)
        for extra in (["--dry-run"], ["--yes", "--report", str(tmp_path / "r.csv")]):
            result = run_cli("delete", *target, "--ids-file", str(ids_path), *extra, env=TOKEN_ENV)
            assert result.code == 0, result.err
            outputs.append(result.out + result.err)
        sent = [r.task_id for r in server.deletes_seen()]
    assert sorted(sent) == sorted(ids)  # the piece of the token that looked like an ID was not sent
    assert "one of your credentials" in outputs[0]
    assert_no_token("\n".join(outputs))
    for path, data in _all_files(tmp_path, ids_path).items():
        assert_no_token(data, path)


def test_short_secrets_are_removed_whole_and_tiny_tokens_refused() -> None:
    scrub = Scrubber(["pw4242"])
    assert scrub("bad password pw4242 for user") == f"bad password {REDACTED} for user"
    with pytest.raises(TokenFormatError, match="far longer"):
        Token("abc")


def test_a_configured_key_not_in_use_or_a_wrapped_piece_of_one_is_never_recorded_or_sent(tmp_path: Path) -> None:
    store = seeded_store(2)
    ids = list(store.tasks)
    secret_key = "SKcanarySKcanarySKcanarySKcanary12345678"  # 40, like Huawei Cloud's
    ids_path = tmp_path / "ids.txt"
    # the whole key (auto picks the token, so the key is not the one in use), then the key wrapped over two lines
    ids_path.write_text("\n".join([*ids, secret_key, secret_key[:33], secret_key[33:]]) + "\n")
    env = {**TOKEN_ENV, "HUAWEICLOUD_SDK_AK": "AKIDEXAMPLEEXAMPLE00", "HUAWEICLOUD_SDK_SK": secret_key}
    with running_in_thread(FakeVias(store)) as server:
        result = run_cli(
            "delete",
            *target_args(server),
            "--ids-file",
            str(ids_path),
            "--yes",
            "--report",
            str(tmp_path / "r.csv"),
            env=env,
        )
        sent = sorted(r.task_id for r in server.deletes_seen())
    assert result.code == 0, result.err
    assert sent == sorted(ids)  # neither piece of the key was sent as an ID
    for path, data in _all_files(tmp_path, ids_path).items():
        assert secret_key[5:17].encode() not in data and secret_key[-7:].encode() not in data, path
    assert secret_key[5:17] not in result.out + result.err


def test_a_skipped_entry_longer_than_any_id_is_recorded_by_its_start_only(tmp_path: Path) -> None:
    unknown_secret = "Zx" * 30  # a key of some other account: nothing can recognise it
    plan = parse(f"0d47bbf52962414bb7ae27fb6ea24230\n{unknown_secret}/x\n").without_secrets([])
    assert [s.text for s in plan.skipped] == [f"{unknown_secret[:16]}…(62 characters)"]


def test_keys_too_short_to_be_real_are_refused_and_scrubbing_never_cascades() -> None:
    with pytest.raises(SdkCredentialsError, match="40"):
        check_keys("AKIDEXAMPLEEXAMPLE00", "e", None, "the test")
    scrub = Scrubber(["ecret", "pw4242"])  # a short secret that occurs inside the placeholder itself
    assert scrub("bad ecret pw4242 here") == f"bad {REDACTED} {REDACTED} here"
