"""Answers that are too big, never end, expand a thousandfold, drip, redirect or echo the token, from a real
hostile server on 127.0.0.1, driven through the CLI as an operator would (memory capped and measured)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.helpers import (
    SECRET_TOKEN,
    TOKEN_ENV,
    assert_no_secret,
    client_for,
    run_cli,
    run_cli_measured,
    target_args,
)
from tests.hostile_server import HostileServer, running_hostile
from tui_app.engine import DeleteEngine
from tui_app.outcomes import Outcome
from tui_app.retry_policy import RetryPolicy

TASK = "0d47bbf52962414bb7ae27fb6ea24230"
RSS_LIMIT_MB = 250


def ids_file(tmp_path: Path, ids: list[str] = [TASK]) -> str:  # noqa: B006 - read only
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(ids) + "\n")
    return str(path)


def only_row(report: Path) -> dict[str, object]:
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize("mode", ["huge-200", "gzip-bomb", "deflate-bomb"])
def test_an_oversize_200_is_unknown_and_memory_stays_bounded(tmp_path: Path, mode: str) -> None:
    report = tmp_path / "r.jsonl"
    with running_hostile(mode) as server:  # 400 MB plain, or 600 MB once decompressed
        result, peak = run_cli_measured(
            "delete",
            *target_args(server.url),
            "--ids-file",
            ids_file(tmp_path),
            "--yes",
            "--report",
            str(report),
            env=TOKEN_ENV,
        )
    assert result.code == 1 and "Traceback" not in result.err, result.err
    row = only_row(report)
    assert row["outcome"] == "unknown" and "larger than 1024 KiB" in str(row["note"])
    assert peak < RSS_LIMIT_MB, f"peak RSS {peak:.0f} MB"


@pytest.mark.parametrize("mode", ["huge-error", "gzip-bomb-error"])
def test_an_oversize_error_is_failed_with_the_body_cut(tmp_path: Path, mode: str) -> None:
    report = tmp_path / "r.jsonl"
    with running_hostile(mode) as server:
        result, peak = run_cli_measured(
            "delete",
            *target_args(server.url),
            "--ids-file",
            ids_file(tmp_path),
            "--yes",
            "--report",
            str(report),
            env=TOKEN_ENV,
        )
    assert result.code == 1, result.err
    row = only_row(report)
    assert row["outcome"] == "failed" and row["http_status"] == 500
    assert "larger than 1024 KiB" in str(row["error_msg"]) and len(str(row["error_msg"])) < 3000
    assert peak < RSS_LIMIT_MB, f"peak RSS {peak:.0f} MB"


async def test_an_endless_body_ends_at_the_limit() -> None:
    async with HostileServer("endless-chunked") as server, client_for(server.url, timeout=10.0) as client:
        engine = DeleteEngine(client, concurrency=1)
        summary = await engine.run([TASK])
    assert summary.counts[Outcome.UNKNOWN] == 1


def test_a_dripping_answer_ends_unknown_within_the_timeouts(tmp_path: Path) -> None:
    report = tmp_path / "r.jsonl"
    with running_hostile("drip", interval=0.4) as server:
        started = time.monotonic()
        result = run_cli(
            "delete",
            *target_args(server.url),
            "--ids-file",
            ids_file(tmp_path),
            "--yes",
            "--timeout",
            "1",
            "--report",
            str(report),
            env=TOKEN_ENV,
            timeout=60,
        )
        elapsed = time.monotonic() - started
        attempts = len(server.requests)
    assert result.code == 1
    row = only_row(report)
    # The status line came: the service answered, so the DELETE is never sent again (it was, four times).
    assert row["outcome"] == "unknown" and row["attempts"] == attempts == 1
    assert elapsed < 15, f"{elapsed:.1f}s: --timeout must bound each whole attempt"


@pytest.mark.parametrize("mode", ["echo-token", "echo-token-html"])
def test_a_server_echoing_the_token_leaves_it_nowhere(tmp_path: Path, mode: str) -> None:
    report = tmp_path / "r.csv"
    with running_hostile(mode) as server:
        result = run_cli(
            "delete",
            *target_args(server.url),
            "--ids-file",
            ids_file(tmp_path),
            "--yes",
            "--report",
            str(report),
            env=TOKEN_ENV,
        )
        assert all(r.token == SECRET_TOKEN for r in server.requests)  # it really was sent, and echoed
    assert result.code == 1
    assert_no_secret(result.out + result.err, "the output")
    assert_no_secret(report.read_text(), "the report")
    for journal in (tmp_path / "state").rglob("*.jsonl"):
        assert_no_secret(journal.read_text(), journal)
    assert "[secret removed]" in report.read_text()


def test_a_redirect_is_shown_with_its_location_and_never_followed(tmp_path: Path) -> None:
    report = tmp_path / "r.jsonl"
    with running_hostile("redirect", status=301, location="https://vias.elsewhere.example/v2") as server:
        result = run_cli(
            "delete",
            *target_args(server.url),
            "--ids-file",
            ids_file(tmp_path, [TASK, "1d47bbf52962414bb7ae27fb6ea24231"]),
            "--yes",
            "--concurrency",
            "1",
            "--report",
            str(report),
            env=TOKEN_ENV,
        )
        sent = len(server.requests)
    assert result.code == 1 and sent == 1  # the endpoint redirects: the run stops instead of repeating it
    assert "Location: https://vias.elsewhere.example/v2" in result.err + result.out
    assert "redirects" in result.out and "wrong endpoint or region" in result.out
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    assert [r["outcome"] for r in rows] == ["failed", "cancelled"]


async def test_the_whole_attempt_is_bounded_even_when_each_read_is_quick() -> None:
    policy = RetryPolicy(max_attempts=1)
    async with HostileServer("drip", interval=0.2) as server, client_for(server.url, timeout=1.0) as client:
        started = time.monotonic()
        summary = await DeleteEngine(client, concurrency=1, policy=policy).run([TASK])
    assert summary.counts[Outcome.UNKNOWN] == 1 and time.monotonic() - started < 2.5
