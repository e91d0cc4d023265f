"""Locating batch tasks in the operator's other projects and regions, against the fake VIAS and IAM over TCP:
per-ID answers, the page budget, a token's one-project scope, IAM refusing, cancelling, and never a DELETE."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import (
    CLI_ROOT,
    NO_KEYRING,
    SECRET_AK,
    SECRET_SK,
    SECRET_TOKEN,
    TOKEN_ENV,
    assert_no_secret,
    run_cli,
    seeded_store,
    target_args,
)
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread, seed_projects
from tui_app.fake.routes import RequestKind
from tui_app.locate import Search, Where, carried_options, locate_elsewhere
from tui_app.secret import Token
from tui_app.vias.auth import TokenAuth
from tui_app.vias.endpoints import parse_endpoint
from tui_app.vias.http import HttpSettings

KEYS_ENV = {"HUAWEICLOUD_SDK_AK": SECRET_AK, "HUAWEICLOUD_SDK_SK": SECRET_SK, **NO_KEYRING}
NOWHERE = "f" * 32


def _store() -> FakeStore:
    store = seeded_store(5)
    store.add_keys(SECRET_AK, SECRET_SK)
    seed_projects(store, [("cn-east-3", 6), ("cn-east-3_ops", 3), ("ap-southeast-1", 4)], special=False)
    return store


def _id_in(store: FakeStore, name: str) -> str:
    project = store.find_project(name=name)
    assert project is not None
    return next(iter(project.tasks))


def _env(server: FakeVias, base: dict[str, str]) -> dict[str, str]:
    return {**base, "VIAS_ENDPOINT_TEMPLATE": server.url + "/_region/{region}", "VIAS_IAM_ENDPOINT": server.url}


def _ids(tmp_path: Path, ids: list[str]) -> str:
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(ids) + "\n")
    return str(path)


def test_each_id_is_found_where_it_is_with_one_command_per_project_and_nothing_deleted(tmp_path: Path) -> None:
    store = _store()
    east, ops, hk = _id_in(store, "cn-east-3"), _id_in(store, "cn-east-3_ops"), _id_in(store, "ap-southeast-1")
    home = next(iter(store.tasks))
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["locate", *target_args(server), "--ids-file", _ids(tmp_path, [east, ops, hk, home, NOWHERE])]
        result = run_cli(*args, env=_env(server, KEYS_ENV))
        kinds = {r.kind for r in server.requests}
    assert result.code == 1, result.out + result.err  # one ID is nowhere
    lines = dict(line.split("  ", 1) for line in result.out.splitlines() if line[:32] in (east, ops, hk, home, NOWHERE))
    east_project = store.find_project(name="cn-east-3")
    assert east_project is not None
    assert lines[east].startswith(f"found in cn-east-3 (project {east_project.id}, name ")
    assert "cn-east-3_ops" in lines[ops] and lines[hk].startswith("found in ap-southeast-1")
    assert lines[home].startswith("found in the current target")
    assert lines[NOWHERE] == "not found in any of 4 project(s) you can see"
    assert RequestKind.BATCH_DELETE not in kinds and RequestKind.BATCH_STOP not in kinds
    commands = [line.strip() for line in result.out.splitlines() if line.strip().startswith("vias-tui --profile")]
    assert len(commands) == 3  # one per project where something was found, none for the current target
    assert_no_secret(result.out + result.err)


def test_the_offered_command_runs_in_bash_against_the_project_it_names(tmp_path: Path) -> None:
    """The line as printed, run by bash: the IDs come through --ids-file <(...) so stdin stays free for the
    confirmation, and it names the profile, so it uses the same credentials."""
    store = _store()
    hk = _id_in(store, "ap-southeast-1")
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        env = _env(server, KEYS_ENV)
        found = run_cli("--profile", "ops", "locate", *target_args(server), "--ids-file", _ids(tmp_path, [hk]), env=env)
        assert found.code == 0, found.out + found.err
        line = next(line.strip() for line in found.out.splitlines() if "vias-tui " in line and " delete " in line)
        assert line.startswith("vias-tui --profile ops delete ") and "--ids-file <(printf" in line
        shell = f'vias-tui() {{ "{sys.executable}" -m tui_app "$@"; }}; '
        full_env = {**os.environ, "PYTHONPATH": str(CLI_ROOT), **env}
        without_terminal = subprocess.run(
            ["bash", "-c", shell + line],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert without_terminal.returncode == 2 and "confirm" in without_terminal.stderr  # asks; nothing sent
        assert server.deletes_seen() == []
        confirmed = subprocess.run(
            ["bash", "-c", shell + line + " --yes"], capture_output=True, text=True, env=full_env, timeout=60
        )
        assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr
    hk_project = store.find_project(name="ap-southeast-1")
    assert hk_project is not None and hk not in hk_project.tasks


def test_a_token_reaches_only_its_own_project_and_the_reason_is_said(tmp_path: Path) -> None:
    store = _store()
    east, home = _id_in(store, "cn-east-3"), next(iter(store.tasks))
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["locate", *target_args(server), "--ids-file", _ids(tmp_path, [east, home])]
        result = run_cli(*args, env=_env(server, TOKEN_ENV))
    assert result.code == 1
    assert "found in the current target" in result.out
    assert "a token is scoped to one project" in result.err and "access keys" in result.err
    assert "could not search cn-east-3" in result.err
    assert_no_secret(result.out + result.err)


def test_the_page_budget_bounds_each_project_and_says_what_was_not_read(tmp_path: Path) -> None:
    store = _store()
    seed_projects(store, [("cn-south-1", 450)], special=False)  # three pages of 200
    big = store.find_project(name="cn-south-1")
    assert big is not None
    last = min(big.tasks.values(), key=lambda t: t.created_at_ms).id  # on the last page, newest first
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["locate", *target_args(server), "--ids-file", _ids(tmp_path, [last]), "--pages", "1"]
        result = run_cli(*args, "--others-only", env=_env(server, KEYS_ENV))
        pages = [r for r in server.requests if r.kind == RequestKind.BATCH_LIST and r.project_id == big.id]
    assert len(pages) == 1
    assert result.code == 1 and "(1 could not be searched to the end)" in result.out
    assert "cn-south-1" in result.err and "raise --pages" in result.err


def test_iam_refusing_the_credentials_is_one_line_exit_3_and_nothing_is_listed(tmp_path: Path) -> None:
    store = _store()
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        env = _env(server, {"VIAS_AUTH_TOKEN": "MIIwrong" + "x" * 40})
        result = run_cli("locate", *target_args(server), "--ids-file", _ids(tmp_path, [NOWHERE]), env=env)
        assert server.seen(RequestKind.BATCH_LIST) == []
    assert result.code == 3
    assert "IAM did not list your projects" in result.err and "Traceback" not in result.err


def test_json_document_names_each_id(tmp_path: Path) -> None:
    store = _store()
    east = _id_in(store, "cn-east-3")
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["--output", "json", "locate", *target_args(server), "--ids-file", _ids(tmp_path, [east, NOWHERE])]
        result = run_cli(*args, env=_env(server, KEYS_ENV))
    document = json.loads(result.out)
    assert document["command"] == "locate" and document["schema_version"] == 1
    entries = {entry["id"]: entry for entry in document["ids"]}
    assert entries[east]["found"] is True and entries[east]["region"] == "cn-east-3"
    assert entries[NOWHERE]["found"] is False and len(document["projects_searched"]) == 4
    assert len(document["commands"]) == 1


def test_a_project_outside_any_known_region_is_named_not_guessed(tmp_path: Path) -> None:
    store = _store()
    store.add_project("MOS")  # a project whose name is no region: nowhere to look for it
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["locate", *target_args(server), "--ids-file", _ids(tmp_path, [NOWHERE]), "--others-only"]
        result = run_cli(*args, env=_env(server, KEYS_ENV))
    assert "MOS" in result.err and "no VIAS endpoint known" in result.err
    assert "(1 could not be searched to the end)" in result.out


def test_stopping_ends_the_search_between_pages_and_says_so() -> None:
    store = _store()
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        where = Where(
            store.project_id,
            TokenAuth(Token(SECRET_TOKEN)),
            HttpSettings(timeout=5),
            parse_endpoint(server.url),
            lambda region: parse_endpoint(f"{server.url}/_region/{region}", region),
        )
        seen: list[Search] = []
        search = asyncio.run(
            locate_elsewhere(where, [NOWHERE], on_progress=seen.append, should_stop=lambda: len(seen) >= 2)
        )
    assert search.stopped and "the search was stopped" in search.where(NOWHERE)
    assert len(search.searched) + len(search.failed) <= 1


def test_hostile_project_and_task_names_cannot_forge_lines_or_move_the_terminal(tmp_path: Path) -> None:
    """IAM's project names and VIAS's task names are the server's text: a newline in one forged a line of its own
    (a `vias-tui delete ... --yes` an operator might paste), an ESC recoloured or cleared the terminal."""
    store = _store()
    forged = "vias-tui delete --yes --ids-file x"
    evil = store.add_project(f"cn-east-3_a\n{forged}\x1b[2J$(id)'\"")
    seed_projects(store, [("ap-southeast-1", 1)], special=False)
    from tui_app.fake import seed_tasks

    seed_tasks(store, 1, 4242, special=False, project_id=evil.id)
    task_id = next(iter(evil.tasks))
    object.__setattr__(evil.tasks[task_id], "name", f"x\n{forged}\x1b[31m")
    broken = store.add_project("cn-east-3_b\n" + forged)  # in the warnings: a region with no endpoint known
    broken.name = "zz-nowhere-9_b\n" + forged
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["locate", *target_args(server), "--ids-file", _ids(tmp_path, [task_id, NOWHERE])]
        result = run_cli(*args, env=_env(server, KEYS_ENV))
    assert result.code == 1, result.out + result.err
    for line in (result.out + result.err).splitlines():
        assert not line.startswith(forged), line
    assert "\x1b" not in result.out + result.err
    commands = [line.strip() for line in result.out.splitlines() if line.strip().startswith("vias-tui --profile")]
    assert len(commands) == 1 and f"--project-id {evil.id} " in commands[0]


def test_the_offered_commands_reach_the_projects_the_way_the_search_did(tmp_path: Path) -> None:
    """--auth, --ca-bundle and --proxy given to locate are repeated in the commands it offers (without them the
    command would ask for other credentials or fail at TLS); a proxy's password never is: the lines are shown."""
    store = _store()
    hk = _id_in(store, "ap-southeast-1")
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        args = ["--auth", "aksk", "--proxy", "", "locate", *target_args(server)]
        found = run_cli(*args, "--ids-file", _ids(tmp_path, [hk]), env=_env(server, KEYS_ENV))
    assert found.code == 0, found.out + found.err
    line = next(line.strip() for line in found.out.splitlines() if line.strip().startswith("vias-tui "))
    assert line.startswith("vias-tui --profile default --auth aksk --proxy '' delete "), line
    assert carried_options(ca_bundle="/etc/my ca.pem", auth="auto", proxy=None) == ("--ca-bundle", "'/etc/my ca.pem'")
    assert carried_options(ca_bundle=None, auth=None, proxy="http://u:Secret9@p:3128") == ()
    assert carried_options(ca_bundle=None, auth=None, proxy="http://p:3128") == ("--proxy", "http://p:3128")
