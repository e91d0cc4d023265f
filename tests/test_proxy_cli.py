"""The real CLI through a proxy, configured by the environment only: `HTTPS_PROXY=http://127.0.0.1:PORT vias-tui
delete --region cn-north-4 ... --ca-bundle CA.pem`, with the fake VIAS serving HTTPS for the region's real host name
behind a CONNECT proxy of our own.

The CLI runs with name resolution replaced (a wrapper around `python -m tui_app`): every name is refused except
loopback and, where a test says so, the region host mapped to the fake's port. So a proxied run proves the client
never resolved the cloud's name itself, a NO_PROXY run reaches the fake directly, and nothing leaves the machine.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.helpers import CLI_ROOT, TOKEN_ENV, CliResult, assert_no_secret, cli_env, seeded_store
from tests.proxy_server import ProxyServer, running_proxy
from tui_app.fake import DEMO_PROJECT_ID, FakeStore, FakeVias, running_in_thread

VIAS_HOST = "vias.cn-north-4.myhuaweicloud.com"
PASSWORD = "pr0xyPASSWORDcanary"
RESOLVER = """
import json, os, runpy, socket, sys
real = socket.getaddrinfo
mapped = json.loads(os.environ.get("VIAS_TEST_RESOLVE") or "{}")
def resolve(host, port, *args, **kwargs):
    if f"{host}:{port}" in mapped:
        where, _, number = mapped[f"{host}:{port}"].rpartition(":")
        return real(where, int(number), *args, **kwargs)
    if host in ("127.0.0.1", "localhost", "::1", None):
        return real(host, port, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (refused by the test)")
socket.getaddrinfo = resolve
sys.argv[0] = "vias-tui"
runpy.run_module("tui_app", run_name="__main__", alter_sys=True)
"""


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(VIAS_HOST).configure_cert(context)
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return context, bundle


@pytest.fixture
def store() -> FakeStore:
    return seeded_store(6)


@pytest.fixture
def fake(store: FakeStore, tls: tuple[ssl.SSLContext, Path]) -> Iterator[FakeVias]:
    with running_in_thread(FakeVias(store, tls=tls[0])) as server:
        yield server


def delete(tmp_path: Path, ids: list[str], bundle: Path, env: dict[str, str]) -> CliResult:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    args = ["--region", "cn-north-4", "--project-id", DEMO_PROJECT_ID, "--ca-bundle", str(bundle)]
    args += ["--ids-file", str(ids_file), "--yes", "--concurrency", "4", "--report", str(tmp_path / "report.jsonl")]
    proc = subprocess.run(
        [sys.executable, "-c", RESOLVER, "delete", *args],
        capture_output=True,
        text=True,
        env=cli_env({**TOKEN_ENV, **env}),
        timeout=90,
        cwd=CLI_ROOT,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def leaves_no_password(result: CliResult, tmp_path: Path) -> None:
    texts = [result.out, result.err]
    texts += [path.read_text() for path in (tmp_path / "state").rglob("*") if path.is_file()]
    if (tmp_path / "report.jsonl").exists():
        texts.append((tmp_path / "report.jsonl").read_text())
    for text in texts:
        assert PASSWORD not in text and PASSWORD[4:16] not in text
        assert_no_secret(text)


def outcomes(tmp_path: Path) -> list[str]:
    return [json.loads(line)["outcome"] for line in (tmp_path / "report.jsonl").read_text().splitlines()]


def test_deletes_go_through_the_proxy_from_the_environment(
    fake: FakeVias, store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    ids = list(store.tasks)
    with running_proxy(hosts={VIAS_HOST: fake.port}, auth=("op@corp", PASSWORD)) as proxy:
        result = delete(tmp_path, ids, tls[1], {"HTTPS_PROXY": proxy.url_with("op%40corp", PASSWORD)})
        tunnels = list(proxy.connects)
    assert result.code == 0, result.out + result.err
    assert len(fake.deletes_seen()) == len(ids) and outcomes(tmp_path) == ["deleted"] * len(ids)
    assert tunnels and all(c.target == f"{VIAS_HOST}:443" and c.status == 200 for c in tunnels)
    assert len(tunnels) <= 4  # the pool's connections, tunnelled
    leaves_no_password(result, tmp_path)


@pytest.mark.parametrize("no_proxy", [VIAS_HOST, ".myhuaweicloud.com", "myhuaweicloud.com", "*", "other.example,*"])
def test_no_proxy_connects_directly(
    fake: FakeVias, store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path, no_proxy: str
) -> None:
    ids = list(store.tasks)[:2]
    env = {"VIAS_TEST_RESOLVE": json.dumps({f"{VIAS_HOST}:443": f"127.0.0.1:{fake.port}"}), "NO_PROXY": no_proxy}
    with running_proxy(hosts={VIAS_HOST: fake.port}) as proxy:
        result = delete(tmp_path, ids, tls[1], {**env, "https_proxy": proxy.url})
        tunnels = list(proxy.connects)
    assert result.code == 0, result.out + result.err
    assert tunnels == [] and len(fake.deletes_seen()) == 2


def test_a_407_sends_nothing(
    fake: FakeVias, store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    with running_proxy(hosts={VIAS_HOST: fake.port}, auth=("op@corp", PASSWORD)) as proxy:
        result = delete(tmp_path, list(store.tasks)[:1], tls[1], {"HTTPS_PROXY": proxy.url_with("op", "wrong-pw")})
        statuses = {c.status for c in proxy.connects}
    assert result.code == 1 and fake.deletes_seen() == [] and statuses == {407}
    assert "proxy_auth" in result.out + result.err or "407" in result.out + result.err
    assert "Traceback" not in result.err and outcomes(tmp_path) != ["unknown"]
    leaves_no_password(result, tmp_path)


def test_a_proxy_that_is_down_sends_nothing(
    fake: FakeVias, store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    with running_proxy() as gone:
        url = f"http://op:{PASSWORD}@127.0.0.1:{gone.port}"
    result = delete(tmp_path, list(store.tasks)[:1], tls[1], {"ALL_PROXY": url})
    assert result.code == 1 and fake.deletes_seen() == [] and "Traceback" not in result.err
    assert f"http://op:***@127.0.0.1:{gone.port}" in result.out + result.err
    assert outcomes(tmp_path) != ["unknown"]
    leaves_no_password(result, tmp_path)


def test_a_refused_connect_sends_nothing(
    fake: FakeVias, store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    with running_proxy(refuse=403) as proxy:
        result = delete(tmp_path, list(store.tasks)[:1], tls[1], {"HTTPS_PROXY": proxy.url})
        asked = [c.target for c in proxy.connects]
    assert result.code == 1 and fake.deletes_seen() == [] and "Traceback" not in result.err
    assert asked and set(asked) == {f"{VIAS_HOST}:443"} and "HTTP 403" in result.out + result.err
    assert outcomes(tmp_path) != ["unknown"]


def test_a_socks_proxy_is_refused_in_one_line(
    store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    result = delete(tmp_path, list(store.tasks)[:1], tls[1], {"HTTPS_PROXY": f"socks5://op:{PASSWORD}@127.0.0.1:1080"})
    assert result.code == 2 and "only http:// proxies are supported" in result.err
    assert "Traceback" not in result.err
    leaves_no_password(result, tmp_path)


_ = ProxyServer  # the async form is used by tests/test_proxy.py
