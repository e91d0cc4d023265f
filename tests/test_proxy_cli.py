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
from tui_app.fake.store import DEMO_IAM_USER

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
    ca.issue_cert(VIAS_HOST, "iam.cn-north-4.myhuaweicloud.com").configure_cert(context)
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


def delete(tmp_path: Path, ids: list[str], bundle: Path, env: dict[str, str], extra: tuple[str, ...] = ()) -> CliResult:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    args = ["--region", "cn-north-4", "--project-id", DEMO_PROJECT_ID, "--ca-bundle", str(bundle)]
    args += ["--ids-file", str(ids_file), "--yes", "--concurrency", "4", "--report", str(tmp_path / "report.jsonl")]
    return cli(["delete", *args, *extra], env)


def cli(argv: list[str], env: dict[str, str], stdin: str | None = None) -> CliResult:
    """`vias-tui ARGV` with name resolution replaced (RESOLVER)."""
    proc = subprocess.run(
        [sys.executable, "-c", RESOLVER, *argv],
        input=stdin,
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
    """The report's outcomes; none when the run was refused before it began (no report is written then)."""
    report = tmp_path / "report.jsonl"
    return [json.loads(line)["outcome"] for line in report.read_text().splitlines()] if report.exists() else []


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
    assert len(tunnels) <= 1 + 4  # the check before anything is sent, then the pool's connections, tunnelled
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
    assert result.code == 2 and fake.deletes_seen() == [] and statuses == {407}  # stopped before any DELETE
    assert "proxy_auth" in result.out + result.err or "407" in result.out + result.err
    assert "Traceback" not in result.err and outcomes(tmp_path) == []  # no journal: nothing was sent
    assert len(result.err.strip().splitlines()) == 1  # one line
    leaves_no_password(result, tmp_path)


def test_a_proxy_that_is_down_sends_nothing(
    fake: FakeVias, store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    with running_proxy() as gone:
        url = f"http://op:{PASSWORD}@127.0.0.1:{gone.port}"
    result = delete(tmp_path, list(store.tasks)[:1], tls[1], {"ALL_PROXY": url})
    assert result.code == 2 and fake.deletes_seen() == [] and "Traceback" not in result.err  # before any DELETE
    assert f"http://op:***@127.0.0.1:{gone.port}" in result.out + result.err
    assert outcomes(tmp_path) == [] and len(result.err.strip().splitlines()) == 1
    leaves_no_password(result, tmp_path)


def test_a_refused_connect_sends_nothing(
    fake: FakeVias, store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    with running_proxy(refuse=403) as proxy:
        result = delete(tmp_path, list(store.tasks)[:1], tls[1], {"HTTPS_PROXY": proxy.url})
        asked = [c.target for c in proxy.connects]
    assert result.code == 2 and fake.deletes_seen() == [] and "Traceback" not in result.err  # before any DELETE
    assert asked and set(asked) == {f"{VIAS_HOST}:443"} and "HTTP 403" in result.out + result.err
    assert outcomes(tmp_path) == [] and len(result.err.strip().splitlines()) == 1


def test_a_socks_proxy_is_refused_in_one_line(
    store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    result = delete(tmp_path, list(store.tasks)[:1], tls[1], {"HTTPS_PROXY": f"socks5://op:{PASSWORD}@127.0.0.1:1080"})
    assert result.code == 2 and "only http:// proxies are supported" in result.err
    assert "Traceback" not in result.err
    leaves_no_password(result, tmp_path)


_ = ProxyServer  # the async form is used by tests/test_proxy.py


def test_the_proxy_flag_the_profile_key_and_off(
    fake: FakeVias, store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    ids = list(store.tasks)
    with running_proxy(hosts={VIAS_HOST: fake.port}) as proxy:
        url = f"http://127.0.0.1:{proxy.port}"
        by_flag = delete(tmp_path, ids[:1], tls[1], {}, ("--proxy", url))
        assert by_flag.code == 0, by_flag.err
        assert len(fake.deletes_seen()) == 1 and proxy.connects
        assert cli(["profile", "set", "default", "--proxy", url], {}).code == 0
        before = len(proxy.connects)
        by_profile = delete(tmp_path, ids[1:2], tls[1], {})
        assert by_profile.code == 0 and len(proxy.connects) > before
        status = cli(["auth", "status", "--region", "cn-north-4"], {})
        assert f"Proxy: {url} for cn-north-4" in status.out and "from profile default" in status.out
    with running_proxy(hosts={VIAS_HOST: fake.port}) as other:
        env = {"HTTPS_PROXY": f"http://op:{PASSWORD}@127.0.0.1:{other.port}"}
        status = cli(["--proxy", "", "auth", "status", "--region", "cn-north-4"], env)
        assert "Proxy: none for cn-north-4" in status.out and PASSWORD not in status.out
        off = delete(tmp_path, ids[2:3], tls[1], env, ("--proxy", ""))
        assert other.connects == []  # --proxy '' beats the profile and the environment: direct
        assert off.code == 2 and "does not resolve" in off.err and "HTTPS_PROXY" in off.err  # and direct has no DNS
        assert len(off.err.strip().splitlines()) == 1 and PASSWORD not in off.err


def test_auth_status_shows_the_proxy_masked(tmp_path: Path) -> None:
    env = {"HTTPS_PROXY": f"http://op:{PASSWORD}@proxy.corp:3128", "NO_PROXY": ".internal"}
    status = cli(["auth", "status", "--region", "cn-north-4"], env)
    assert "Proxy: http://op:***@proxy.corp:3128 for cn-north-4" in status.out and "(from HTTPS_PROXY)" in status.out
    assert PASSWORD not in status.out + status.err


def test_token_login_goes_through_the_proxy(
    fake: FakeVias, store: FakeStore, tls: tuple[ssl.SSLContext, Path], tmp_path: Path
) -> None:
    iam_host = "iam.cn-north-4.myhuaweicloud.com"
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.memory_keyring.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
    }
    with running_proxy(hosts={iam_host: fake.port}) as proxy:
        env["HTTPS_PROXY"] = f"http://127.0.0.1:{proxy.port}"
        argv = ["token", "login", "--region", "cn-north-4", "--account", DEMO_IAM_USER[0], "--user", DEMO_IAM_USER[1]]
        result = cli([*argv, "--ca-bundle", str(tls[1]), "--password-stdin"], env, stdin=DEMO_IAM_USER[2] + "\n")
        assert result.code == 0, result.err
        assert [c.target for c in proxy.connects] == [f"{iam_host}:443"]


def test_profile_set_show_and_list_show_a_saved_proxy_password_masked() -> None:
    """safety.md: proxy passwords are shown only masked. `profile set`, `profile show` and `profile list --output
    json` printed the saved proxy URL whole."""
    from tests.helpers import run_cli

    url = f"http://op:{PASSWORD}@proxy.corp:3128"
    saved = run_cli("profile", "set", "default", "--region", "cn-north-4", "--project-id", "proj1234", "--proxy", url)
    assert saved.code == 0, saved.err
    shown = [
        saved,
        run_cli("profile", "show"),
        run_cli("profile", "show", "--output", "json"),
        run_cli("profile", "list"),
        run_cli("profile", "list", "--output", "json"),
    ]
    for result in shown:
        assert result.code == 0, result.err
        assert PASSWORD not in result.out + result.err
    assert "http://op:***@proxy.corp:3128" in shown[1].out
    assert json.loads(shown[2].out)["values"]["proxy"] == "http://op:***@proxy.corp:3128"
