"""Unit tests of the VIAS client against respx: every documented and undocumented body."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from tui_app.domain.errors import ApiError
from tui_app.domain.models import DeleteResult
from tui_app.secret import Token
from tui_app.vias.auth import TokenAuth
from tui_app.vias.client import ViasClient
from tui_app.vias.endpoints import EndpointError, parse_endpoint, region_endpoint, resolve_endpoint
from tui_app.vias.wire import BODY_LIMIT, USER_AGENT, BoundedDecoder

BASE = "https://vias.cn-north-4.myhuaweicloud.com"
pytestmark = pytest.mark.respx(using="httpx")
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
TASK = "0d47bbf52962414bb7ae27fb6ea24230"
URL = f"{BASE}/v2/{PROJECT}/batch-tasks/{TASK}"
TOKEN = "MIIunitTESTtoken" + "x" * 100


class _Raw(httpx.AsyncByteStream):
    def __init__(self, data: bytes) -> None:
        self._data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._data


class StreamingMock(httpx.AsyncBaseTransport):
    """respx's answers as a network transport gives them: the raw (still encoded) body as a stream to read, not an
    in-memory response httpx has already read and decoded."""

    def __init__(self, router: respx.MockRouter) -> None:
        self._mock = httpx.MockTransport(router.async_handler)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        answer = await self._mock.handle_async_request(request)
        assert isinstance(answer.stream, httpx.ByteStream)  # respx's responses: bytes, readable again
        raw = b"".join([part async for part in answer.stream])
        return httpx.Response(answer.status_code, headers=answer.headers, stream=_Raw(raw))


@pytest.fixture
async def client(respx_mock: respx.MockRouter):
    # The client drives its transport directly: respx answers as that transport.
    transport = StreamingMock(respx_mock)
    async with ViasClient(
        region_endpoint("cn-north-4"), PROJECT, TokenAuth(Token(TOKEN)), timeout=2, transport=transport
    ) as c:
        yield c


async def test_delete_success_sends_token_and_user_agent(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    route = respx_mock.delete(URL).respond(
        200,
        json={"total_count": 2, "failed_count": 0, "succeed_count": 2, "id": TASK, "error_list": []},
        headers={"X-Request-Id": "r-1"},
    )
    result = await client.delete_batch_task(TASK)
    assert isinstance(result, DeleteResult) and not result.is_partial
    assert (result.total_count, result.succeed_count, result.request_id) == (2, 2, "r-1")
    sent = route.calls.last.request
    assert sent.headers["X-Auth-Token"] == TOKEN
    assert sent.headers["User-Agent"] == USER_AGENT


async def test_200_with_failures_is_partial(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    respx_mock.delete(URL).respond(
        200, json={"total_count": 3, "failed_count": 1, "succeed_count": 2, "error_list": ["job 7: busy"]}
    )
    result = await client.delete_batch_task(TASK)
    assert isinstance(result, DeleteResult) and result.is_partial and result.error_list == ("job 7: busy",)


async def test_200_with_only_an_error_list_is_partial(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    respx_mock.delete(URL).respond(200, json={"total_count": 3, "failed_count": 0, "error_list": ["x"]})
    assert (await client.delete_batch_task(TASK)).is_partial


async def test_vias_error_body_is_parsed_in_full(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    respx_mock.delete(URL).respond(
        400,
        json={
            "error_code": "VIAS.00010002",
            "error_msg": "The object does not exist.",
            "detail": "d",
            "params": ["p"],
            "reason": "r",
            "advice": "a",
        },
        headers={"X-Request-Id": "req-9"},
    )
    error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError)
    assert (
        error.http_status,
        error.code,
        error.message,
        error.detail,
        error.params,
        error.reason,
        error.advice,
        error.request_id,
    ) == (400, "VIAS.00010002", "The object does not exist.", "d", ["p"], "r", "a", "req-9")
    assert error.is_not_found and not error.is_retryable and error.raw_body is None


async def test_null_fields_are_tolerated(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    respx_mock.delete(URL).respond(500, json={"error_code": None, "error_msg": None, "params": None})
    error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError) and error.code is None and error.params == [] and error.is_retryable


async def test_gateway_throttle_with_retry_after_and_request_id_in_body(
    client: ViasClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.delete(URL).respond(
        429,
        json={"error_code": "APIG.0308", "error_msg": "over ratelimit", "request_id": "apig-1"},
        headers={"Retry-After": "3"},
    )
    error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError) and error.is_throttle and error.retry_after == 3.0
    assert error.request_id == "apig-1"


async def test_retry_after_as_http_date(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    respx_mock.delete(URL).respond(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError) and error.retry_after == 0.0  # in the past: retry now


@pytest.mark.parametrize(("status", "code"), [(401, "APIG.0301"), (401, "APIG.0307"), (401, "VIAS.00010005")])
async def test_auth_errors(client: ViasClient, status: int, code: str, respx_mock: respx.MockRouter) -> None:
    respx_mock.delete(URL).respond(status, json={"error_code": code, "error_msg": "no"})
    error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError) and error.is_auth and error.hint()


async def test_html_body_is_kept_raw_and_cut(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    page = "<html>" + "x" * 10_000 + "</html>"
    respx_mock.delete(URL).respond(502, text=page, headers={"Content-Type": "text/html"})
    error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError) and error.code is None and error.is_retryable
    assert error.raw_body is not None and error.raw_body.startswith("<html>") and len(error.raw_body) < 2100
    assert "10,013 chars" in error.raw_body


async def test_empty_and_truncated_200_bodies_are_flagged(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    respx_mock.delete(URL).mock(side_effect=[httpx.Response(200, text=""), httpx.Response(200, text='{"total_cou')])
    for _ in range(2):
        result = await client.delete_batch_task(TASK)
        assert isinstance(result, DeleteResult) and not result.body_ok


async def test_404_without_code_is_not_found_but_route_404_is_not(
    client: ViasClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.delete(URL).mock(
        side_effect=[
            httpx.Response(404, text=""),
            httpx.Response(404, json={"error_code": "APIG.0101", "error_msg": "no api"}),
        ]
    )
    assert (await client.delete_batch_task(TASK)).is_not_found
    route_missing = await client.delete_batch_task(TASK)
    assert not route_missing.is_not_found and "endpoint" in route_missing.hint()


@pytest.mark.parametrize(
    ("exc", "kind", "delivered"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "connect", False),
        (httpx.ConnectError("[Errno -2] Name or service not known"), "dns", False),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "tls", False),
        (httpx.ConnectTimeout("timed out"), "connect_timeout", False),
        (httpx.ReadTimeout("timed out"), "timeout", True),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), "dropped", True),
        (httpx.ReadError("reset"), "dropped", True),
    ],
)
async def test_transport_errors_become_typed_errors(
    client: ViasClient, exc: Exception, kind: str, delivered: bool, respx_mock: respx.MockRouter
) -> None:
    respx_mock.delete(URL).mock(side_effect=exc)
    error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError)
    assert (error.http_status, error.transport, error.delivered) == (None, kind, delivered)
    assert error.is_retryable == (kind != "tls")  # a certificate does not fix itself between retries
    assert TOKEN not in repr(error)


async def test_list_parses_tasks_and_epoch_units(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    respx_mock.get(f"{BASE}/v2/{PROJECT}/batch-tasks").respond(
        200,
        json={
            "count": 2,
            "batch_task_list": [
                {
                    "id": TASK,
                    "batch_task_name": "a",
                    "num_task": 3,
                    "created_at": 1_764_000_000_000,
                    "batch_task_status_info": {"RUNNING": 2, "stopped": 1},
                },
                {"id": "1" * 32, "created_at": 1_764_000_000},
                {"id": "../evil"},
            ],
        },
    )
    page = await client.list_batch_tasks(2, 50)
    assert page.count == 2 and [t.id for t in page.tasks] == [TASK, "1" * 32]
    assert page.tasks[0].status_info == {"running": 2, "stopped": 1} and page.tasks[0].running == 2
    assert page.tasks[0].created_at.year == page.tasks[1].created_at.year == 2025
    request = respx_mock.calls.last.request
    assert request.url.params["page_num"] == "2" and request.url.params["page_size"] == "50"


async def test_a_list_that_echoes_the_token_or_lies_about_numbers(
    client: ViasClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(f"{BASE}/v2/{PROJECT}/batch-tasks").respond(
        200,
        text=(
            '{"count": 1' + "0" * 400 + ', "batch_task_list": ['
            f'{{"id": "{TASK}", "num_task": 9{"9" * 300}, "created_at": 1{"0" * 400},'
            f' "batch_task_status_info": {{"{TOKEN}": 3, "running": 1}}}},'
            f'{{"id": "{TOKEN[:30]}"}}]}}'
        ),
    )
    page = await client.list_batch_tasks()
    assert not isinstance(page, ApiError)
    assert [t.id for t in page.tasks] == [TASK]  # an ID made of the token is not a task we show
    task = page.tasks[0]
    assert page.count == 0 and task.num_task == 0 and task.created_at is None  # nonsense numbers, no crash
    assert TOKEN[:12] not in repr(task) and task.running == 1


async def test_negative_counts_are_not_a_deletion(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    respx_mock.delete(URL).respond(200, json={"total_count": 1, "succeed_count": 1, "failed_count": "-3"})
    result = await client.delete_batch_task(TASK)
    assert isinstance(result, DeleteResult) and not result.body_ok and "negative" in (result.problem or "")


def test_repr_and_errors_never_show_the_token() -> None:
    client = ViasClient(region_endpoint("cn-north-4"), PROJECT, TokenAuth(Token(TOKEN)))
    assert TOKEN not in repr(client) and TOKEN not in str(client.auth) and TOKEN not in f"{client.auth}"
    assert "(116 chars)" in repr(client)


@pytest.mark.parametrize(
    "url",
    [
        "http://vias.cn-north-4.myhuaweicloud.com",
        "http://10.0.0.5:8080",
        "ftp://x",
        "https://user:pw@host",
        "https://host/?q=1",
        "not a url",
    ],
)
def test_bad_endpoints_are_refused_before_any_connection(url: str) -> None:
    with pytest.raises(EndpointError):
        parse_endpoint(url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "https://vias.example.com/prefix/"]
)
def test_loopback_http_and_any_https_are_accepted(url: str) -> None:
    assert parse_endpoint(url).base_url == url.rstrip("/")


def test_regions_and_missing_target() -> None:
    assert resolve_endpoint("ap-southeast-3", None).base_url == "https://vias.ap-southeast-3.myhuaweicloud.com"
    with pytest.raises(EndpointError, match="known regions"):
        resolve_endpoint("mars-1", None)
    with pytest.raises(EndpointError, match="--region"):
        resolve_endpoint(None, None)


async def test_a_redirect_is_an_error_with_its_location(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    route = respx_mock.delete(URL).respond(302, headers={"Location": "https://elsewhere.example/x"}, text="moved")
    error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError) and error.http_status == 302 and route.call_count == 1
    assert error.location == "https://elsewhere.example/x" and error.is_target_failure
    assert "redirects" in (error.hint() or "") and "Location: https://elsewhere.example/x" in error.one_line()


async def test_a_token_echoed_by_the_server_is_scrubbed(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    respx_mock.delete(URL).respond(
        500,
        json={"error_code": "X", "error_msg": f"bad token {TOKEN}", "detail": f"prefix {TOKEN[:40]}"},
        headers={"X-Request-Id": TOKEN},
    )
    error = await client.delete_batch_task(TASK)
    assert isinstance(error, ApiError)
    for text in (error.message, error.detail, error.request_id, repr(error)):
        assert TOKEN[:20] not in str(text) and TOKEN[-20:] not in str(text)
    assert "[secret removed]" in str(error.message)


async def test_a_200_over_the_limit_is_not_trusted(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    respx_mock.delete(URL).respond(200, content=b'{"total_count": 1, "pad": "' + b"x" * (BODY_LIMIT + 10) + b'"}')
    result = await client.delete_batch_task(TASK)
    assert isinstance(result, DeleteResult) and not result.body_ok and "larger than" in (result.problem or "")


async def test_compressed_answers_are_decoded(client: ViasClient, respx_mock: respx.MockRouter) -> None:
    body = b'{"total_count": 2, "failed_count": 0, "succeed_count": 2, "error_list": []}'
    respx_mock.delete(URL).respond(200, content=zlib.compress(body), headers={"Content-Encoding": "deflate"})
    result = await client.delete_batch_task(TASK)
    assert isinstance(result, DeleteResult) and result.body_ok and result.total_count == 2
    assert respx_mock.calls.last.request.headers["Accept-Encoding"] == "gzip, deflate"


def gzip_bytes(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_the_decoder_caps_the_decoded_size_while_decompressing(encoding: str) -> None:
    bomb = b"\0" * (50 << 20)
    if encoding == "gzip":
        data = gzip_bytes(bomb)
    elif encoding == "deflate":
        data = zlib.compress(bomb, 9)
    else:
        packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        data = packer.compress(bomb) + packer.flush()
    decoder = BoundedDecoder("deflate" if encoding == "raw-deflate" else encoding, limit=1 << 20)
    for start in range(0, len(data), 65536):
        if not decoder.feed(data[start : start + 65536]):
            break
    body = decoder.body()
    assert body.truncated and len(body.data) == 1 << 20 and "larger than" in (body.problem() or "")


def test_an_encoding_we_do_not_decode_is_kept_opaque() -> None:
    decoder = BoundedDecoder("br")
    decoder.feed(b"\x1b\x00")
    assert decoder.body().opaque == "br" and "br-encoded" in (decoder.body().problem() or "")


async def test_signed_requests_carry_a_signed_project_id_and_token_requests_do_not(
    client: ViasClient, respx_mock: respx.MockRouter
) -> None:
    from tui_app.secret import Secret
    from tui_app.vias.auth import AccessKeys, AkSkAuth

    route = respx_mock.delete(URL).respond(200, json={"total_count": 1, "failed_count": 0, "succeed_count": 1})
    await client.delete_batch_task(TASK)
    assert "X-Project-Id" not in route.calls.last.request.headers  # a token needs none
    keys = AkSkAuth(AccessKeys("HPUAEXAMPLEAK0123456", Secret("SK" + "k" * 38)))
    async with ViasClient(
        region_endpoint("cn-north-4"), PROJECT, keys, transport=StreamingMock(respx_mock)
    ) as signed_client:
        await signed_client.delete_batch_task(TASK)
    sent = route.calls.last.request.headers
    assert sent["X-Project-Id"] == PROJECT
    assert "SignedHeaders=host;x-project-id;x-sdk-date," in sent["Authorization"]
