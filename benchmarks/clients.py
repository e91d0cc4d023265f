"""The clients the harness compares, each run as a whole process against a fresh fake VIAS of its own.

aiohttp and bare httpx are small scripts beside this file; curl is `curl --parallel` with a config file of URLs
and the token header; vias-tui is `python -m tui_app delete` (what the `vias-tui` entry point runs), journal on,
with its own XDG_STATE_HOME, the keyring disabled and the ECS metadata lookup pointed at a closed loopback port.
A run counts only when the fake itself answered exactly N DELETEs with 200 (and the client exited 0).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from benchmarks.common import DEFAULT_AS_LIMIT_MB, ROOT, FakeProcess, clean_env, run_measured
from tui_app.fake import DEMO_PROJECT_ID, DEMO_TOKEN

HERE = Path(__file__).resolve().parent
CLIENTS = ("aiohttp", "curl", "httpx", "vias-tui")
_SUMMARY = re.compile(r"All (\d+) deleted or already gone in ([0-9.]+)s")


def missing(name: str) -> str | None:
    """Why a client cannot run here, or None."""
    if name == "aiohttp" and importlib.util.find_spec("aiohttp") is None:
        return "aiohttp is not installed (pip install '.[bench]'); that baseline is skipped"
    if name == "curl":
        if shutil.which("curl") is None:
            return "curl is not installed; that baseline is skipped"
        try:
            text = subprocess.run(["curl", "--help", "all"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return "curl --help failed; that baseline is skipped"
        if "--parallel-max" not in text:
            return "the local curl has no --parallel (needs curl >= 7.66); that baseline is skipped"
    return None


def vias_env(workdir: Path) -> dict[str, str]:
    state = workdir / f"state-{uuid.uuid4().hex[:8]}"  # a fresh journal directory for every run
    return clean_env(
        VIAS_AUTH_TOKEN=DEMO_TOKEN,
        XDG_STATE_HOME=str(state),
        XDG_CONFIG_HOME=str(workdir / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        VIAS_METADATA_ENDPOINT="http://127.0.0.1:9",  # no ECS metadata lookups leave the machine
    )


def command_for(name: str, url: str, ids: list[str], concurrency: int, workdir: Path) -> list[str]:
    ids_file = workdir / "ids.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    if name == "vias-tui":
        return [
            sys.executable,
            "-m",
            "tui_app",
            "delete",
            "--endpoint",
            url,
            "--project-id",
            DEMO_PROJECT_ID,
            "--ids-file",
            str(ids_file),
            "--yes",
            "--concurrency",
            str(concurrency),
        ]
    if name == "curl":
        config = workdir / "curl.cfg"
        lines = [f'header = "X-Auth-Token: {DEMO_TOKEN}"', 'header = "Accept: application/json"']
        for task_id in ids:
            lines += [f'url = "{url}/v2/{DEMO_PROJECT_ID}/batch-tasks/{task_id}"', 'output = "/dev/null"']
        config.write_text("\n".join(lines) + "\n")
        return [
            "curl",
            "--silent",
            "--parallel",
            "--parallel-max",
            str(concurrency),
            "-X",
            "DELETE",
            "--write-out",
            "%{http_code}\\n",
            "--config",
            str(config),
        ]
    script = {"aiohttp": "client_aiohttp.py", "httpx": "client_httpx.py"}[name]
    return [sys.executable, str(HERE / script), url, DEMO_PROJECT_ID, str(ids_file), str(concurrency)]


def run_client(
    name: str,
    count: int,
    latency: float,
    concurrency: int,
    workdir: Path,
    *,
    timeout: float,
    as_limit_mb: int = DEFAULT_AS_LIMIT_MB,
) -> dict[str, Any]:
    """One whole-process run of `name` deleting `count` fresh IDs at `concurrency` against a fresh fake."""
    fake = FakeProcess(count, latency)
    with fake as (url, ids):
        command = command_for(name, url, ids, concurrency, workdir)
        measured = run_measured(command, env=vias_env(workdir), timeout=timeout, as_limit_mb=as_limit_mb)
    record: dict[str, Any] = {
        "client": name,
        "C": concurrency,
        "N": count,
        "L": latency,
        "wall_s": measured.wall_s,
        "cpu_s": measured.cpu_s,
        "user_s": measured.user_s,
        "sys_s": measured.sys_s,
        "maxrss_mb": measured.maxrss_mb,
        "returncode": measured.returncode,
        "server": fake.stats,
        "run_s": None,  # the client's own figure for its run, without start-up and exit
    }
    problems: list[str] = []
    if name == "vias-tui":
        match = _SUMMARY.search(measured.stdout)
        if match and int(match.group(1)) == count:
            record["run_s"] = float(match.group(2))
        else:
            problems.append(f"no 'All {count} deleted' line: {measured.stdout[-400:]!r}")
    elif name == "curl":
        codes: dict[str, int] = {}
        for code in measured.stdout.split():
            codes[code] = codes.get(code, 0) + 1
        record["statuses"] = codes
    else:
        try:
            data = json.loads(measured.stdout.strip().splitlines()[-1])
            record["statuses"], record["run_s"] = data["statuses"], data["run_s"]
        except (ValueError, IndexError, KeyError):
            problems.append(f"unreadable output: {measured.stdout[-300:]!r}")
    if measured.returncode != 0:
        problems.append(f"exit code {measured.returncode}")
    answered = fake.stats.get("deletes")
    if answered != {"200": count}:
        problems.append(f"the fake answered {answered} (expected {{'200': {count}}})")
    if problems:
        record["error"] = "; ".join(problems) + (f"; stderr: {measured.stderr[-600:]}" if measured.stderr else "")
    return record


__all__ = ["CLIENTS", "ROOT", "missing", "run_client", "vias_env"]
