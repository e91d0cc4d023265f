"""Requests through a CONNECT proxy of our own on 127.0.0.1 in front of the fake VIAS serving HTTPS for the real region
host name (which proxy is chosen: test_proxy_settings.py).

The client never resolves the cloud's host name itself when a proxy is used: name resolution is replaced by one
that refuses every name but loopback, so these tests also send nothing off the machine.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from tests.helpers import SECRET_TOKEN, assert_no_secret, seeded_store
from tests.proxy_server import ProxyServer
from tui_app.domain.errors import ApiError, Transport
from tui_app.domain.models import DeleteResult
from tui_app.fake import DEMO_PROJECT_ID, FakeVias
from tui_app.fake.store import DEMO_IAM_USER
from tui_app.secret import Token
from tui_app.vias.auth import TokenAuth
from tui_app.vias.client import ViasClient
from tui_app.vias.endpoints import iam_endpoint_for, region_endpoint
from tui_app.vias.http import HttpSettings
from tui_app.vias.iam import IamToken, login
from tui_app.vias.metadata import fetch_keys
from tui_app.vias.proxy import ProxyConfigError, ProxySettings, ProxyUrl
from tui_app.vias.transport import RawPoolTransport

VIAS_HOST = "vias.cn-north-4.myhuaweicloud.com"
IAM_HOST = "iam.cn-north-4.myhuaweicloud.com"
PASSWORD = "pr0xyPASSWORDcanary"  # shorter secrets are scrubbed whole; this one also by its pieces
USER = "op@corp"


# -- through a CONNECT proxy to the fake VIAS over HTTPS --------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(VIAS_HOST, IAM_HOST).configure_cert(context)
    return context


@pytest.fixture(scope="module")
def ca_bundle(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def names_refused(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Name resolution that refuses every name but loopback, and lists what was asked."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolve(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(str(host))
        if host in ("127.0.0.1", "localhost", "::1", None):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (refused by the test)")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    yield asked


def vias_client(proxy: str, ca_bundle: Path, **kwargs: object) -> ViasClient:
    http = HttpSettings(timeout=5.0, ca_bundle=str(ca_bundle), proxy=ProxySettings.resolve(proxy, {}), **kwargs)  # type: ignore[arg-type]
    return ViasClient(region_endpoint("cn-north-4"), DEMO_PROJECT_ID, TokenAuth(Token(SECRET_TOKEN)), http=http)


async def test_deletes_go_through_a_connect_tunnel_with_tls_to_the_real_host(
    server_tls: ssl.SSLContext, ca_bundle: Path, names_refused: list[str]
) -> None:
    store = seeded_store(12)
    ids = list(store.tasks)
    async with FakeVias(store, tls=server_tls) as fake, ProxyServer(hosts={VIAS_HOST: fake.port}) as proxy:
        async with vias_client(proxy.url, ca_bundle, max_connections=4) as client:
            results = [await client.delete_batch_task(ids[0])]
            for task_id in ids[1:]:
                results.append(await client.delete_batch_task(task_id))
        assert all(isinstance(r, DeleteResult) and r.body_ok for r in results)
        assert len(fake.deletes_seen()) == 12
        assert [c.target for c in proxy.connects] == [f"{VIAS_HOST}:443"]  # one tunnel, kept alive and reused
        assert proxy.connects[0].authorization is None
    assert VIAS_HOST not in names_refused  # only the proxy resolved it


async def test_tunnels_are_the_pools_connections(server_tls: ssl.SSLContext, ca_bundle: Path) -> None:
    import asyncio

    store = seeded_store(24)
    async with FakeVias(store, tls=server_tls) as fake, ProxyServer(hosts={VIAS_HOST: fake.port}) as proxy:
        async with vias_client(proxy.url, ca_bundle, max_connections=3) as client:
            await asyncio.gather(*(client.delete_batch_task(t) for t in store.tasks))
        assert len(fake.deletes_seen()) == 24 and 1 <= len(proxy.connects) <= 3


async def test_basic_credentials_from_the_url(server_tls: ssl.SSLContext, ca_bundle: Path) -> None:
    store = seeded_store(2)
    async with (
        FakeVias(store, tls=server_tls) as fake,
        ProxyServer(hosts={VIAS_HOST: fake.port}, auth=(USER, PASSWORD)) as proxy,
        vias_client(proxy.url_with("op%40corp", PASSWORD), ca_bundle) as client,
    ):
        result = await client.delete_batch_task(next(iter(store.tasks)))
        assert isinstance(result, DeleteResult) and result.body_ok
        assert [c.status for c in proxy.connects] == [200]


@pytest.mark.parametrize("given", [None, "wrong"])
async def test_a_407_is_a_proxy_auth_failure_never_delivered(
    server_tls: ssl.SSLContext, ca_bundle: Path, given: str | None
) -> None:
    store = seeded_store(2)
    async with FakeVias(store, tls=server_tls) as fake:
        async with ProxyServer(hosts={VIAS_HOST: fake.port}, auth=(USER, PASSWORD)) as proxy:
            url = proxy.url if given is None else proxy.url_with("op%40corp", given + PASSWORD)
            async with vias_client(url, ca_bundle) as client:
                ahead = await client.connect_ahead()
                error = await client.delete_batch_task(next(iter(store.tasks)))
        assert fake.requests == []
    for failure in (ahead, error):
        assert isinstance(failure, ApiError) and failure.transport is Transport.PROXY_AUTH and not failure.delivered
        assert "407" in (failure.message or "") and "127.0.0.1" in (failure.message or "")
        assert "(407)" in (failure.hint() or "") and PASSWORD not in repr(failure)
        if given is not None:
            assert "http://op@corp:***@127.0.0.1" in (failure.message or "")


async def test_an_unreachable_proxy(ca_bundle: Path) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago, with nothing listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with vias_client(f"http://u:{PASSWORD}@127.0.0.1:{port}", ca_bundle) as client:
        ahead = await client.connect_ahead()
        error = await client.delete_batch_task("0d47bbf52962414bb7ae27fb6ea24230")
    for failure in (ahead, error):
        assert isinstance(failure, ApiError) and failure.transport is Transport.PROXY_UNREACHABLE
        assert not failure.delivered and f"http://u:***@127.0.0.1:{port}" in (failure.message or "")
        assert PASSWORD not in repr(failure) and "proxy" in (failure.hint() or "")


@pytest.mark.parametrize("refuse", [403, 502])
async def test_a_refused_connect(ca_bundle: Path, refuse: int) -> None:
    async with ProxyServer(refuse=refuse) as proxy, vias_client(proxy.url, ca_bundle) as client:
        ahead = await client.connect_ahead()
        error = await client.delete_batch_task("0d47bbf52962414bb7ae27fb6ea24230")
    for failure in (ahead, error):
        assert isinstance(failure, ApiError) and failure.transport is Transport.PROXY_REFUSED and not failure.delivered
        assert f"HTTP {refuse}" in (failure.message or "") and VIAS_HOST in (failure.message or "")


async def test_the_certificate_is_checked_against_the_real_host_inside_the_tunnel(ca_bundle: Path) -> None:
    other = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    other.issue_cert(VIAS_HOST).configure_cert(context)  # right name, untrusted issuer
    async with (
        FakeVias(seeded_store(1), tls=context) as fake,
        ProxyServer(hosts={VIAS_HOST: fake.port}) as proxy,
        vias_client(proxy.url, ca_bundle) as client,
    ):
        error = await client.delete_batch_task("0d47bbf52962414bb7ae27fb6ea24230")
    assert isinstance(error, ApiError) and error.transport is Transport.TLS and not error.delivered
    assert fake.requests == []


async def test_plain_http_targets_use_the_absolute_form_through_the_proxy() -> None:
    async with ProxyServer() as proxy:
        proxies = ProxySettings.resolve(proxy.url_with("op", PASSWORD), {})
        async with httpx.AsyncClient(transport=RawPoolTransport(proxy=proxies), timeout=5) as http:
            response = await http.get("http://plain.example.test:8080/v2/x?y=1")
    assert response.text == "via the proxy"
    [(line, authorization)] = proxy.forwarded
    assert line == "GET http://plain.example.test:8080/v2/x?y=1 HTTP/1.1"
    assert authorization is not None and authorization.startswith("Basic ")


async def test_iam_login_goes_through_the_same_stack(
    server_tls: ssl.SSLContext, ca_bundle: Path, names_refused: list[str]
) -> None:
    account, user, password = DEMO_IAM_USER
    async with FakeVias(seeded_store(1), tls=server_tls) as fake, ProxyServer(hosts={IAM_HOST: fake.port}) as proxy:
        answer = await login(
            iam_endpoint_for("cn-north-4"),
            domain=account,
            user=user,
            password=password,
            project_name="cn-north-4",
            proxy=ProxySettings.resolve(proxy.url, {}),
            ca_bundle=str(ca_bundle),
        )
    assert isinstance(answer, IamToken) and answer.project_id == DEMO_PROJECT_ID
    assert [c.target for c in proxy.connects] == [f"{IAM_HOST}:443"] and IAM_HOST not in names_refused


async def test_iam_through_an_unreachable_proxy_is_a_typed_answer(ca_bundle: Path) -> None:
    answer = await login(
        iam_endpoint_for("cn-north-4"),
        domain="d",
        user="u",
        password=PASSWORD,
        project_name="cn-north-4",
        proxy=ProxySettings.resolve(f"http://u:{PASSWORD}@127.0.0.1:9", {}),
        ca_bundle=str(ca_bundle),
    )
    assert isinstance(answer, ApiError) and answer.transport is Transport.PROXY_UNREACHABLE
    assert_no_secret(repr(answer)) and PASSWORD not in repr(answer)


async def test_the_metadata_service_is_never_proxied(monkeypatch: pytest.MonkeyPatch) -> None:
    async with FakeVias(seeded_store(1)) as fake, ProxyServer() as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        keys = await fetch_keys(timeout=2.0, base=fake.url)
        stack = HttpSettings(timeout=2.0)  # the environment's proxy, as the VIAS client would use it
        assert stack.proxy.http is not None
        keys_again = await fetch_keys(timeout=2.0, base=fake.url, http=stack)
    assert keys.ak and keys_again.ak and proxy.connects == [] and proxy.forwarded == []
    assert not hasattr(keys, "fetched_at")


def test_a_bad_proxy_in_the_environment_stops_the_client_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", f"socks5://u:{PASSWORD}@proxy:1080")
    with pytest.raises(ProxyConfigError) as raised:
        ViasClient(region_endpoint("cn-north-4"), DEMO_PROJECT_ID, TokenAuth(Token(SECRET_TOKEN)))
    assert PASSWORD not in str(raised.value) and "socks5" in str(raised.value)


def test_the_proxy_password_is_scrubbed_from_what_servers_send() -> None:
    proxies = ProxySettings.resolve(f"http://u:{PASSWORD}@proxy:3128", {})
    client = ViasClient(region_endpoint("cn-north-4"), DEMO_PROJECT_ID, TokenAuth(Token(SECRET_TOKEN)), proxy=proxies)
    echoed = client.scrubbed(ApiError(502, message=f"echo {PASSWORD} and {PASSWORD[3:15]}", detail=PASSWORD))
    assert PASSWORD not in repr(echoed) and PASSWORD[3:15] not in str(echoed.message)
    assert isinstance(proxies.https, ProxyUrl) and PASSWORD not in repr(client)


@pytest.mark.parametrize(
    ("answer", "kind", "says"),
    [
        (None, Transport.PROXY_UNREACHABLE, "did not answer CONNECT in time"),
        (b"", Transport.PROXY_REFUSED, "hung up"),
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", Transport.PROXY_REFUSED, "something other than HTTP"),
        (b"HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01", Transport.PROXY_REFUSED, "more than its answer"),
    ],
)
async def test_a_proxy_that_misbehaves_around_connect(
    ca_bundle: Path, answer: bytes | None, kind: Transport, says: str
) -> None:
    import asyncio

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if answer is None:
            await asyncio.sleep(1.5)  # never answers (the client gives up after 0.5 s)
        writer.write(answer or b"")
        await writer.drain()
        await asyncio.sleep(0.2)
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    http = HttpSettings(timeout=0.5, ca_bundle=str(ca_bundle), proxy=ProxySettings.resolve(f"127.0.0.1:{port}", {}))
    try:
        async with ViasClient(
            region_endpoint("cn-north-4"), DEMO_PROJECT_ID, TokenAuth(Token(SECRET_TOKEN)), http=http
        ) as client:
            error = await client.connect_ahead()
    finally:
        server.close()
    assert isinstance(error, ApiError) and error.transport is kind and not error.delivered
    assert says in (error.message or "") and f"127.0.0.1:{port}" in (error.message or "")
