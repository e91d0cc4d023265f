"""`--output json`: stdout is one JSON document (schema_version first), progress and prompts stay on stderr, and
the exit codes are the same as in text mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import TOKEN_ENV, run_cli, seeded_store, target_args
from tui_app.fake import FakeStore, FakeVias, FaultPlan, running_in_thread
from tui_app.outcomes import Outcome

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def _document(text: str) -> dict[str, object]:
    data = json.loads(text)  # the whole of stdout is one document
    assert isinstance(data, dict) and next(iter(data)) == "schema_version" and data["schema_version"] == 1
    return data


def _ids(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_delete_prints_one_document_with_every_entry(tmp_path: Path) -> None:
    store: FakeStore = seeded_store(6)
    ids = list(store.tasks)
    store.tasks[ids[0]].refuse_delete = True
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        argv = ["delete", *target_args(server), "--ids-file", _ids(tmp_path, [*ids[:3], "bad/line"]), "--yes"]
        result = run_cli("--output", "json", *argv, env=TOKEN_ENV)
    assert result.code == 1  # as in text mode: something failed
    doc = _document(result.out)
    assert doc["command"] == "delete" and doc["status"] == "finished" and doc["exit_code"] == 1
    assert set(doc["counts"]) == {o.value for o in Outcome}  # type: ignore[arg-type]
    assert doc["counts"]["deleted"] == 2 and doc["counts"]["failed"] == 1 and doc["counts"]["skipped"] == 1  # type: ignore[index]
    entries = {e["id"]: e for e in doc["entries"]}  # type: ignore[attr-defined]
    assert entries[ids[0]]["outcome"] == "failed" and entries[ids[0]]["http_status"] == 400
    assert entries[ids[0]]["error_code"] == "VIAS.00010001" and entries[ids[0]]["error_message"]
    assert entries[ids[1]]["outcome"] == "deleted" and entries[ids[1]]["jobs"]["total"] >= 1
    assert entries["bad/line"]["outcome"] == "skipped" and entries["bad/line"]["excluded"] is False
    assert [entries[i]["line"] for i in [*ids[:3], "bad/line"]] == [1, 2, 3, 4]  # every entry names its input line
    assert doc["run_id"] and Path(str(doc["journal"])).exists()
    assert "Finished with problems" in result.err  # the words for people went to stderr


def test_a_refusal_is_a_document_too_with_the_same_exit_code(tmp_path: Path) -> None:
    result = run_cli(
        "delete",
        "--endpoint",
        "http://127.0.0.1:9",
        "--project-id",
        "proj1234",
        "--ids-file",
        _ids(tmp_path, ["0123456789abcdef0123456789abcdef"]),
        "--yes",
        "--output",
        "json",
        env=NO_KEYRING,
    )
    assert result.code == 3
    assert _document(result.out)["error"]["exit_code"] == 3  # type: ignore[index]
    assert "no credentials" in result.err


def test_dry_run_document_lists_the_requests(tmp_path: Path) -> None:
    result = run_cli(
        "delete",
        "--endpoint",
        "http://127.0.0.1:9",
        "--project-id",
        "proj1234",
        "--dry-run",
        "--output",
        "json",
        "--ids-file",
        _ids(tmp_path, ["0123456789abcdef0123456789abcdef", "x?y"]),
        env=TOKEN_ENV,
    )
    assert result.code == 0, result.err
    doc = _document(result.out)
    assert doc["dry_run"] is True and len(doc["requests"]) == 1 and doc["skipped"][0]["text"] == "x?y"  # type: ignore[index]
    assert "MIIsecret" not in result.out


def test_runs_and_report_documents(tmp_path: Path) -> None:
    store = seeded_store(3)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        ran = run_cli(
            "delete", *target_args(server), "--ids-file", _ids(tmp_path, list(store.tasks)), "--yes", env=TOKEN_ENV
        )
    assert ran.code == 0
    runs = _document(run_cli("runs", "--output", "json").out)
    assert len(runs["runs"]) == 1 and runs["runs"][0]["counts"]["deleted"] == 3  # type: ignore[index]
    report = run_cli("--output", "json", "report", "--last")
    doc = _document(report.out)
    assert doc["command"] == "report" and [e["outcome"] for e in doc["entries"]] == ["deleted"] * 3  # type: ignore[attr-defined]
    plain = run_cli("report")  # no -o: the report itself on stdout (JSON Lines)
    assert plain.code == 0 and [json.loads(line)["outcome"] for line in plain.out.splitlines()] == ["deleted"] * 3
    written = run_cli("report", "--last", "-o", str(tmp_path / "r.csv"))
    assert written.code == 0 and (tmp_path / "r.csv").read_text().startswith("id,name,outcome")


def test_auth_status_and_profile_documents() -> None:
    status = run_cli("auth", "status", "--output", "json", env={**TOKEN_ENV, **NO_KEYRING})
    doc = _document(status.out)
    assert status.code == 0 and doc["credentials"]["source"] == "env-token"  # type: ignore[index]
    assert "MIIsecret" not in status.out
    assert run_cli("profile", "set", "ops", "--region", "cn-east-3", "--project-id", "proj1234").code == 0
    listed = _document(run_cli("profile", "list", "--output", "json").out)
    assert listed["profiles"] == [{"name": "ops", "region": "cn-east-3", "project_id": "proj1234"}]
    shown = _document(run_cli("--output", "json", "profile", "show", "ops").out)
    assert shown["effective"]["project_id"] == "proj1234" and shown["saved"] is True  # type: ignore[index]


@pytest.mark.parametrize(
    "argv",
    [
        ["--output", "json", "runs", "--limit", "abc"],  # argparse: an invalid value
        ["runs", "--output=json", "--bogus"],  # argparse: an unknown option
        ["--output", "json", "runs", "--profile", "ops"],  # an option runs does not take
        ["--output", "json", "delete", "--region", "cn-north-4", "--endpoint", "https://x.example", "--ids-file", "f"],
        ["--output", "json", "--region", "cn-north-4", "delete", "--endpoint", "https://x.example", "--ids-file", "f"],
        ["--output", "json", "--lang", "xx", "runs"],  # a language that is not one
        ["--output", "json", "auth", "status", "--profile", "a", "--profile", "b"],
    ],
)
def test_a_usage_error_is_one_document_too(argv: list[str]) -> None:
    """Exit 2 before the command ran (the parser, the option checks, the language) printed nothing on stdout."""
    result = run_cli(*argv, env=NO_KEYRING)
    assert result.code == 2, result.err
    doc = _document(result.out)
    error = doc["error"]
    assert isinstance(error, dict) and error["exit_code"] == 2 and error["message"]
    assert "Traceback" not in result.err and result.err.strip()  # the line for people is still on stderr
