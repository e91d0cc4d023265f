"""Endpoints that urlsplit would quietly mangle (a CR/LF dropped, so the request goes somewhere else) or that httpx
cannot hold (a 70,000-character URL) are refused in one line before anything exists: no journal, no traceback."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.helpers import TOKEN_ENV, run_cli
from tui_app.fake import DEMO_PROJECT_ID
from tui_app.vias.endpoints import MAX_ENDPOINT, EndpointError, parse_endpoint


@pytest.mark.parametrize(
    "url",
    [
        "https://vias.example.com/p\r\nX-Injected: 1",
        "https://vias.example.com/p\nX",
        "https://vias.exa\tmple.com",
        "https://vias.example.com/a b",
        "https://vias.example.com\x00.evil",
        "https://vias.example.com/\x7f",
        "https://vias.example.com/\x85/x",
        "https://[::1",
        "https://vias.example.com/" + "a" * 70_000,
        "https://" + "a" * (MAX_ENDPOINT + 1) + ".com",
    ],
)
def test_control_characters_whitespace_and_huge_endpoints_are_refused(url: str) -> None:
    with pytest.raises(EndpointError) as raised:
        parse_endpoint(url)
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 400


def test_surrounding_whitespace_is_forgiven_and_what_is_accepted_is_a_url_httpx_takes() -> None:
    endpoint = parse_endpoint("  https://vias.example.com/prefix/ \n")
    assert endpoint.base_url == "https://vias.example.com/prefix"
    assert httpx.URL(endpoint.base_url).host == "vias.example.com"
    assert parse_endpoint("https://vias.example.com/" + "a" * (MAX_ENDPOINT - 30)).base_url


@pytest.mark.parametrize(
    "endpoint", ["https://vias.example.com/p\r\nX-Injected: 1", "https://x.example/" + "a" * 70_000]
)
def test_the_cli_refuses_them_in_one_line_before_any_journal(endpoint: str, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("0d47bbf52962414bb7ae27fb6ea24230\n")
    result = run_cli(
        "delete",
        "--endpoint",
        endpoint,
        "--project-id",
        DEMO_PROJECT_ID,
        "--ids-file",
        str(ids),
        "--yes",
        env=TOKEN_ENV,
    )
    assert result.code == 2 and "Traceback" not in result.err and "endpoint" in result.err
    assert len(result.err.strip().splitlines()) == 1 and len(result.err) < 400
    assert not list((tmp_path / "state").rglob("*.jsonl"))
