"""Hostile and huge input: nothing reaches the wire outside /v2/{project}/batch-tasks/{id}, nothing crashes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SECRET_TOKEN, run_cli, target_args
from tests.ui.helpers import console, paste
from tui_app.fake import DEMO_PROJECT_ID, FakeVias
from tui_app.ids import MAX_ENTRIES, parse
from tui_app.secret import Token
from tui_app.vias.auth import TokenAuth
from tui_app.vias.client import ViasClient
from tui_app.vias.endpoints import parse_endpoint

HOSTILE = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                "a/b",
                "..",
                "%2e%2e",
                "?x=1",
                "#f",
                "\x00",
                "\r\n",
                "é",
                "abcd",
                "ABCD_12-x",
                "\\",
                " ",
                ",",
                ";",
                "'",
                '"',
                "[",
                "]",
                "/v2/other/batch-tasks/x",
            ]
        ),
        max_size=30,
    ).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(HOSTILE)
def test_every_request_the_client_sends_is_a_plain_delete_path(text: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"total_count": 1, "failed_count": 0, "succeed_count": 1})

    async def send_all(ids: list[str]) -> None:
        async with ViasClient(
            parse_endpoint("https://vias.example.com"),
            DEMO_PROJECT_ID,
            TokenAuth(Token(SECRET_TOKEN)),
            transport=httpx.MockTransport(handler),
        ) as client:
            for task_id in ids:
                await client.delete_batch_task(task_id)

    plan = parse(text)
    asyncio.run(send_all(plan.valid))
    assert len(seen) == len(plan.valid)
    for request, task_id in zip(seen, plan.valid, strict=True):
        assert request.url.host == "vias.example.com" and request.url.query == b""
        assert request.url.raw_path.decode() == f"/v2/{DEMO_PROJECT_ID}/batch-tasks/{task_id}"


def test_100000_lines_dry_run(tmp_path: Path) -> None:
    ids = [f"{n:032x}" for n in range(100_000)]
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(ids))
    result = run_cli(
        "delete",
        "--endpoint",
        "https://vias.example.com",
        "--project-id",
        DEMO_PROJECT_ID,
        "--ids-file",
        str(path),
        "--dry-run",
        timeout=120,
    )
    assert result.code == 0 and "Plan: 100000 valid" in result.out
    assert result.out.count("DELETE https://vias.example.com/v2/") == 100_000


def test_over_the_limit_is_a_clear_refusal(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("\n".join(["abcd1234"] * (MAX_ENTRIES + 1)))
    result = run_cli(
        "delete", "--region", "cn-north-4", "--project-id", DEMO_PROJECT_ID, "--ids-file", str(path), "--dry-run"
    )
    assert result.code == 2 and "split" in result.err and "Traceback" not in result.err


def test_long_lines_binary_junk_and_nul_bytes(tmp_path: Path, fake_thread: FakeVias, store) -> None:
    good = list(store.tasks)[:2]
    junk = bytes(range(256)) * 50 + b"\x00" * 1000 + b"\n" + b"a" * 2_000_000 + b"\n"
    path = tmp_path / "junk.bin"
    path.write_bytes(junk + "\n".join(good).encode() + b"\nab\x00cd1234\n")
    result = run_cli(
        "delete",
        *target_args(fake_thread),
        "--ids-file",
        str(path),
        "--yes",
        env={"VIAS_AUTH_TOKEN": SECRET_TOKEN},
        timeout=120,
    )
    assert result.code == 0, result.err
    assert "All 2 deleted" in result.out and "Traceback" not in result.err
    assert sorted(r.task_id for r in fake_thread.deletes_seen()) == sorted(good)
    dry = run_cli("delete", *target_args(fake_thread), "--ids-file", str(path), "--dry-run")
    assert "too long (2000000 characters" in dry.out and "control character U+0000" in dry.out
    assert max(len(line) for line in dry.out.splitlines()) < 400  # echoed entries are cut short


async def test_console_survives_a_hostile_paste(fake: FakeVias, store) -> None:
    app = console(fake)
    text = (
        "".join(chr(c) for c in range(1, 0x2FF))
        + "\x00" * 50
        + "\n"
        + "z" * 200_000
        + "\n"
        + "\n".join(list(store.tasks)[:3])
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(pilot, app, text)
        plan = app.main.ids_pane.current_plan()
        assert plan.valid == list(store.tasks)[:3]
        assert any("too long" in s.reason for s in plan.skipped)
        assert app.is_running
