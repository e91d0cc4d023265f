"""What tests share: the recognisable secrets and the grep for them, the CLI as a subprocess, fast retry policies,
clients against a server, and one bounded polling wait. (Fixtures are in conftest.py.)"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui_app.fake import DEMO_PROJECT_ID, FakeStore, FakeVias, seed_tasks
from tui_app.retry_policy import RetryPolicy
from tui_app.secret import Token
from tui_app.vias.auth import RequestAuth, TokenAuth
from tui_app.vias.client import ViasClient
from tui_app.vias.endpoints import parse_endpoint

ROOT = Path(__file__).resolve().parent.parent
# The CLI the subprocess tests run: this checkout, or another (VIAS_CLI_ROOT=an old worktree shows which of
# these tests fail on the old code).
CLI_ROOT = Path(os.environ.get("VIAS_CLI_ROOT") or ROOT)
# Secrets nobody could mistake for anything else: the leak tests grep every output for pieces of them.
SECRET_TOKEN = "MIIsecretLEAKCANARY" + "Zq9" * 40 + "ENDCANARY"
SECRET_SK = "SKsecretLEAKCANARY" + "Wv7" * 10 + "SKENDCANARY"
SECRET_SECURITY_TOKEN = "STsecretLEAKCANARY" + "Qx5" * 60 + "STENDCANARY"
SECRET_AK = "AKIDVIASTESTKEY00001"
# Any of these in an output means part of a secret leaked (a truncated repr still shows its start or middle);
# masked forms show at most the first four characters.
SECRET_FRAGMENTS = ("secretLEAK", "Zq9Zq9Zq9", "ENDCANARY", "Wv7Wv7Wv7", "Qx5Qx5Qx5")
TOKEN_ENV = {"VIAS_AUTH_TOKEN": SECRET_TOKEN}
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)
QUICK_THROTTLE = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=0.05)


def assert_no_secret(text: str | bytes, where: object = "") -> None:
    data = text.decode(errors="replace") if isinstance(text, bytes) else text
    for fragment in SECRET_FRAGMENTS:
        assert fragment not in data, f"part of a secret ({fragment!r}) appears in {where or 'the output'}"


assert_no_token = assert_no_secret


def seeded_store(count: int = 40) -> FakeStore:
    """A fake store with `count` ordinary tasks that accepts the test token."""
    store = FakeStore()
    store.tokens.add(SECRET_TOKEN)
    seed_tasks(store, count, special=False)
    return store


def client_for(url: str, auth: RequestAuth | None = None, **kwargs: object) -> ViasClient:
    """A client for the fake's project, authenticated with the test token unless told otherwise."""
    return ViasClient(parse_endpoint(url), DEMO_PROJECT_ID, auth or TokenAuth(Token(SECRET_TOKEN)), **kwargs)  # type: ignore[arg-type]


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tui_app", *args]


def cli_env(env: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(CLI_ROOT), **(env or {})}


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 60,
    cwd: Path = ROOT,
    process: bool = False,
) -> CliResult:
    """Run the CLI as an operator would, with the test's isolated environment: in this process through
    `cli.main` with the test's streams (fast), or as `python -m tui_app` when `process` (signals, exit on a
    crash, a real stdin) or when VIAS_CLI_ROOT points at another checkout."""
    if not process and CLI_ROOT == ROOT:
        return run_cli_in_process(*args, env=env, stdin=stdin, cwd=cwd)
    full_env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(CLI_ROOT), **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "tui_app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=cwd if cwd != ROOT else CLI_ROOT,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def run_cli_in_process(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, cwd: Path = ROOT
) -> CliResult:
    """`cli.main` in this process, with its own environment, working directory, keyring backend and streams."""
    import io

    import keyring
    import keyring.core

    from tui_app import cli

    saved_env, saved_cwd, saved_keyring = dict(os.environ), Path.cwd(), keyring.get_keyring()
    os.environ.update({"NO_COLOR": "1", **(env or {})})
    backend = os.environ.get("PYTHON_KEYRING_BACKEND")
    out, err = io.StringIO(), io.StringIO()
    try:
        if backend:
            keyring.set_keyring(keyring.core.load_keyring(backend))
        os.chdir(cwd)
        code = cli.main(list(args), stdin=io.StringIO(stdin or ""), stdout=out, stderr=err)
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        keyring.set_keyring(saved_keyring)
    return CliResult(code, out.getvalue(), err.getvalue())


def target_args(server: FakeVias | str) -> list[str]:
    url = server if isinstance(server, str) else server.url
    return ["--endpoint", url, "--project-id", DEMO_PROJECT_ID]


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, step: float = 0.01, what: str = "") -> None:
    """Poll (bounded) until `condition` holds; for threads and subprocesses."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what or 'condition'} not met within {timeout:g}s")
        time.sleep(step)


async def until(condition: Callable[[], bool], timeout: float = 15.0, step: float = 0.01, what: str = "") -> None:
    """The same inside an event loop."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"{what or 'condition'} not met within {timeout:g}s")
        await asyncio.sleep(step)


_MEASURE = """
import json, resource, subprocess, sys
limit = int(sys.argv[1])
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))  # a bug must not take the machine down
proc = subprocess.run(sys.argv[2:], capture_output=True, text=True, preexec_fn=cap, timeout=120)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"code": proc.returncode, "out": proc.stdout, "err": proc.stderr, "peak_mb": peak}))
"""


def run_cli_measured(*args: str, env: dict[str, str] | None = None, limit_mb: int = 2048) -> tuple[CliResult, float]:
    """Run the CLI under an address-space cap and return its result and its peak RSS in MB (its own, alone)."""
    import json

    full_env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(CLI_ROOT), **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(limit_mb << 20), sys.executable, "-m", "tui_app", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=150,
        cwd=CLI_ROOT,
    )
    data = json.loads(proc.stdout)
    return CliResult(data["code"], data["out"], data["err"]), float(data["peak_mb"])
