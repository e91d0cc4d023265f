"""Every option `vias-tui --help` lists is honoured wherever the help shows it (before or after the subcommand), or
refused with exit 2 before anything is read or sent: never silently dropped. (It was: `vias-tui --endpoint A
delete ... --yes` deleted against the profile's endpoint.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import SECRET_TOKEN, TOKEN_ENV, run_cli, seeded_store
from tui_app import cli
from tui_app.commands.options import GLOBALS
from tui_app.fake import DEMO_PROJECT_ID, FakeVias, FaultPlan, running_in_thread
from tui_app.problems import OperatorError

# Every command line, with what it needs besides the global options.
COMMANDS: dict[str, list[str]] = {
    "console": [],
    "delete": ["delete", "--ids-file", "ids.txt"],
    "resume": ["resume", "--last"],
    "runs": ["runs"],
    "report": ["report"],
    "token set": ["token", "set"],
    "token status": ["token", "status"],
    "token forget": ["token", "forget"],
    "token login": ["token", "login"],
    "aksk set": ["aksk", "set"],
    "aksk status": ["aksk", "status"],
    "aksk forget": ["aksk", "forget"],
    "auth status": ["auth", "status"],
    "profile list": ["profile", "list"],
    "profile show": ["profile", "show"],
    "profile set": ["profile", "set", "ops"],
    "profile delete": ["profile", "delete", "ops"],
    "completion": ["completion", "bash"],
}
# A value for each global option, as typed and as the command sees it.
VALUES: dict[str, tuple[str, object]] = {
    "profile": ("ops", "ops"),
    "region": ("cn-east-3", "cn-east-3"),
    "endpoint": ("http://127.0.0.1:9", "http://127.0.0.1:9"),
    "project_id": ("proj1234", "proj1234"),
    "ca_bundle": ("/tmp/ca.pem", "/tmp/ca.pem"),
    "auth": ("aksk", "aksk"),
    "timeout": ("12", 12.0),
    "concurrency": ("7", 7),
    "output": ("json", "json"),
    "proxy": ("http://proxy.example:3128", "http://proxy.example:3128"),
    "lang": ("en", "en"),
}
HONOURS = {name: cli.parse(argv).honoured for name, argv in COMMANDS.items()}  # what each command says it honours
PAIRS = [(name, option.dest) for name in COMMANDS for option in GLOBALS]


def _flag(dest: str) -> str:
    return next(option.name for option in GLOBALS if option.dest == dest)


def test_the_matrix_covers_every_option_and_command() -> None:
    assert set(VALUES) == {option.dest for option in GLOBALS}
    assert len(PAIRS) == len(COMMANDS) * len(GLOBALS)


@pytest.mark.parametrize(("command", "dest"), PAIRS)
def test_an_option_is_honoured_in_either_place_or_refused(command: str, dest: str) -> None:
    argv = COMMANDS[command]
    typed, seen = VALUES[dest]
    option = [_flag(dest), typed]
    head = argv[:2] if argv[:1] in (["token"], ["aksk"], ["auth"], ["profile"]) else argv[:1]
    tail = argv[len(head) :]
    before = option + argv
    after = [*head, *option, *tail] if head else option
    if dest in HONOURS[command]:
        for line in (before, after):
            args = cli.parse(line)
            assert getattr(args, dest) == seen, f"{line}: {dest} is {getattr(args, dest)!r}"
        return
    with pytest.raises(OperatorError, match="does not apply"):
        cli.parse(before)
    result = run_cli(*before)
    assert result.code == 2 and "does not apply" in result.err and result.out == ""
    if head:  # after the subcommand, argparse itself refuses an option that command does not have
        assert run_cli(*after).code == 2


@pytest.mark.parametrize("dest", ["profile", "concurrency", "timeout", "auth", "project_id"])
def test_two_different_values_are_refused(dest: str) -> None:
    typed, _ = VALUES[dest]
    other = {"auth": "token", "timeout": "13", "concurrency": "8"}.get(dest, typed + "x")
    with pytest.raises(OperatorError, match="given twice"):
        cli.parse([_flag(dest), typed, "delete", "--ids-file", "f", _flag(dest), other])
    assert cli.parse([_flag(dest), typed, "delete", "--ids-file", "f", _flag(dest), typed]) is not None


def test_region_before_and_endpoint_after_are_refused() -> None:
    result = run_cli("--region", "cn-north-4", "delete", "--ids-file", "-", "--endpoint", "http://127.0.0.1:9")
    assert result.code == 2 and "give one" in result.err


def test_demo_with_a_command_is_refused() -> None:
    result = run_cli("--demo", "runs")
    assert result.code == 2 and "--demo" in result.err


def test_the_target_before_the_subcommand_is_the_one_deleted_in(tmp_path: Path) -> None:
    """The reported bug: the profile points at one fake, the flags before `delete` at another; `--yes`."""
    profile_store, flag_store = seeded_store(6), seeded_store(6)
    with (
        running_in_thread(FakeVias(profile_store, FaultPlan())) as profile_server,
        running_in_thread(FakeVias(flag_store, FaultPlan())) as flag_server,
    ):
        saved = run_cli("profile", "set", "default", "--endpoint", profile_server.url, "--project-id", DEMO_PROJECT_ID)
        assert saved.code == 0, saved.err
        ids = list(flag_store.tasks)[:3]
        (tmp_path / "three.txt").write_text("\n".join(ids))
        result = run_cli(
            "--endpoint",
            flag_server.url,
            "--project-id",
            DEMO_PROJECT_ID,
            "--concurrency",
            "1",
            "delete",
            "--ids-file",
            str(tmp_path / "three.txt"),
            "--yes",
            env=TOKEN_ENV,
        )
        assert result.code == 0, result.err
        assert len(flag_server.deletes_seen()) == 3
        assert profile_server.deletes_seen() == []
    journal = next((tmp_path / "state" / "vias-tui" / "runs").glob("*.jsonl"))
    header = json.loads(journal.read_text().splitlines()[0])
    assert header["endpoint"] == flag_server.url and header["concurrency"] == 1


def test_auth_before_the_subcommand_chooses_the_keys(tmp_path: Path) -> None:
    store = seeded_store(4)
    store.add_keys("AKIDOPTIONSTEST0001", "S" * 40)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        (tmp_path / "ids.txt").write_text(next(iter(store.tasks)))
        env = {
            **TOKEN_ENV,
            "HUAWEICLOUD_SDK_AK": "AKIDOPTIONSTEST0001",
            "HUAWEICLOUD_SDK_SK": "S" * 40,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        argv = ["--endpoint", server.url, "--project-id", DEMO_PROJECT_ID]
        result = run_cli("--auth", "aksk", *argv, "delete", "--ids-file", str(tmp_path / "ids.txt"), "--yes", env=env)
        assert result.code == 0, result.err
        assert [r.credential for r in server.deletes_seen()] == ["ak:AKIDOPTIONSTEST0001"]
    assert SECRET_TOKEN not in result.out + result.err


def test_profile_before_token_status_is_the_profile_reported() -> None:
    result = run_cli(
        "--profile", "ops", "token", "status", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    )
    assert "Profile: ops" in result.out


@pytest.mark.parametrize("dest", ["profile", "region", "endpoint", "project_id", "ca_bundle"])
@pytest.mark.parametrize("before", [True, False])
def test_an_empty_value_is_refused_not_replaced_by_the_environment_or_the_profile(dest: str, before: bool) -> None:
    """`--project-id "$PROJECT"` with PROJECT unset must not delete in VIAS_PROJECT_ID's (or the profile's)
    project: an empty value is refused, as any other value that names nothing."""
    flag = [_flag(dest), ""]
    argv = [*flag, "delete", "--ids-file", "f"] if before else ["delete", "--ids-file", "f", *flag]
    with pytest.raises(OperatorError, match="empty"):
        cli.parse(argv)
    assert cli.parse(["delete", "--ids-file", "f", "--proxy", ""]).proxy == ""  # '' is "no proxy", documented


def test_an_empty_project_id_sends_nothing_to_the_environments_project(tmp_path: Path) -> None:
    store = seeded_store(3)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        (tmp_path / "ids.txt").write_text(next(iter(store.tasks)) + "\n")
        env = {**TOKEN_ENV, "VIAS_PROJECT_ID": DEMO_PROJECT_ID}
        result = run_cli(
            "delete",
            "--endpoint",
            server.url,
            "--project-id",
            "",
            "--ids-file",
            str(tmp_path / "ids.txt"),
            "--yes",
            env=env,
        )
        assert result.code == 2 and "--project-id" in result.err, result.err
        assert server.deletes_seen() == []


@pytest.mark.parametrize("dest", ["profile", "region", "endpoint", "project_id", "timeout", "auth"])
@pytest.mark.parametrize("before", [True, False])
def test_two_different_values_in_the_same_place_are_refused(dest: str, before: bool) -> None:
    """`--project-id A --project-id B` used B silently (argparse keeps the last)."""
    typed, _ = VALUES[dest]
    other = {"auth": "token", "timeout": "13"}.get(dest, typed + "x")
    twice = [_flag(dest), typed, _flag(dest), other]
    argv = [*twice, "delete", "--ids-file", "f"] if before else ["delete", "--ids-file", "f", *twice]
    with pytest.raises(OperatorError, match="given twice"):
        cli.parse(argv)
    same = [_flag(dest), typed, f"{_flag(dest)}={typed}"]
    assert cli.parse([*same, "delete", "--ids-file", "f"] if before else ["delete", "--ids-file", "f", *same])
