"""`python -m tui_app.fake`: every switch reaches the server it builds; a whole run over HTTPS as a process."""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import trustme

from tests.helpers import ROOT, SECRET_TOKEN
from tui_app.fake import DEMO_PROJECT_ID, JobCount, JobPaging, JobState, Period, RateLimit
from tui_app.fake.__main__ import build
from tui_app.fake.store import DEMO_IAM_USER


def test_every_switch_reaches_the_server() -> None:
    server, _ = build(
        [
            "--tasks", "7", "--plain", "--project", "cn-east-3=4", "--project", "cn-east-3_ops",
            "--rate-limit", "3/min", "--burst", "5", "--retry-after",
            "--no-ak-lock", "--ak-lock-after", "2", "--ak-lock-seconds", "9",
            "--require-project-header", "--project-mismatch-status", "401",
            "--refuse-running", "--stop-delay", "2.5", "--leftover-state", "upgrading", "--leftover-state", "frozen",
            "--upgrading-refusals", "2", "--empty-batch-stays", "--job-count", "page", "--job-paging", "offset",
            "--job-states-lower", "--not-found-status", "404",
            "--mfa", "--access-key", "AKIDCLI0000000000001:cli-secret", "--token", "cli-token",
            "--latency", "0.2", "--every", "3:500", "--auth-fail-after", "9",
        ]
    )  # fmt: skip
    store, policy = server.store, server.gateway.policy
    assert policy.rate_limit == RateLimit(3, Period.MINUTE, 5, True)
    assert (policy.ak_lock.enabled, policy.ak_lock.threshold, policy.ak_lock.seconds) == (False, 2, 9.0)
    assert policy.require_project_header and policy.project_mismatch_status == 401
    assert store.refuse_running and store.stop_delay == 2.5 and store.empty_batch_stays
    assert store.leftover_states == (JobState.UPGRADING, JobState.FROZEN) and store.upgrading_refusals == 2
    assert (store.job_count, store.job_paging, store.job_states_upper) == (JobCount.PAGE, JobPaging.OFFSET, False)
    assert store.not_found_status == 404 and "cli-token" in store.tokens
    assert store.access_keys["AKIDCLI0000000000001"][0] == "cli-secret"
    assert store.mfa[(DEMO_IAM_USER[0], DEMO_IAM_USER[1])].passcode == "123456"
    assert {p.name: len(p.tasks) for p in store.projects()} == {"cn-north-4": 7, "cn-east-3": 4, "cn-east-3_ops": 20}
    assert not any(t.refuse_delete or t.fail_jobs for p in store.projects() for t in p.tasks.values())
    assert (server.faults.latency, server.faults.every, server.faults.auth_fail_after) == (0.2, {3: "500"}, 9)


def test_defaults_keep_the_old_behaviour() -> None:
    server, _ = build([])
    store, policy = server.store, server.gateway.policy
    assert policy.rate_limit is None and policy.ak_lock.enabled and not policy.require_project_header
    assert not store.refuse_running and store.stop_delay == 0 and len(store.tasks) == 60
    assert any(t.refuse_delete for t in store.tasks.values()) and any(t.fail_jobs for t in store.tasks.values())
    assert store.mfa == {} and [p.name for p in store.projects()] == ["cn-north-4"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--rate-limit", "fast"], "N/s or N/min"),
        (["--tls-cert", "/nonexistent/cert.pem"], "cannot use the TLS certificate"),
        (["--tls-key", "key.pem"], "--tls-key needs --tls-cert"),
        (["--access-key", "no-secret"], "AK:SK"),
        (["--project", "cn-east-3=lots"], "NAME[=TASKS]"),
        (["--every", "x:500"], "N:FAULT"),
        (["--burst", "4"], "need --rate-limit"),
        (["--rate-limit", "5/s", "--burst", "0"], "at least 1"),
    ],
)
def test_bad_switches_are_one_line(args: list[str], words: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui_app.fake", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr


def test_a_whole_run_over_https_with_throttling_and_projects(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "vias.cn-east-3.myhuaweicloud.com")
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    for pem in cert.cert_chain_pems[1:]:
        pem.write_to_path(str(cert_file), append=True)
    cert.private_key_pem.write_to_path(str(key_file))
    command = [sys.executable, "-m", "tui_app.fake", "--port", "0", "--tasks", "5", "--project", "cn-east-3=3"]
    command += ["--tls-cert", str(cert_file), "--tls-key", str(key_file), "--token", SECRET_TOKEN]
    command += ["--rate-limit", "2/min", "--retry-after"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        context = ssl.create_default_context()
        ca.configure_trust(context)
        with httpx.Client(verify=context, headers={"X-Auth-Token": SECRET_TOKEN}, timeout=10) as client:
            projects = client.get(f"{url}/v3/auth/projects").json()["projects"]
            listing = f"{url}/v2/{DEMO_PROJECT_ID}/batch-tasks"
            answers = [client.get(listing) for _ in range(3)]
            stats = client.get(f"{url}/_fake/stats").json()
    finally:
        proc.terminate()
        proc.wait(10)
    assert url.startswith("https://127.0.0.1:")
    assert {p["name"] for p in projects} == {"cn-north-4", "cn-east-3"}
    assert [a.status_code for a in answers] == [200, 200, 429] and int(answers[2].headers["retry-after"]) >= 29
    assert answers[0].json()["count"] == 5
    assert stats["rate_limit"]["admitted"] == 2 and stats["rate_limit"]["throttled"] == 1
    assert stats["requests"] == {"batch_list": 3, "iam_auth_projects": 1}  # looking at the fake is not counted
