"""End to end in a real terminal: tmux runs `vias-tui` against the fake VIAS (its own process), a
bracketed paste of IDs, the typed confirmation, and the screen and the server's request log read back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, SECRET_TOKEN, assert_no_token
from tui_app.fake import DEMO_PROJECT_ID

SOCKET = f"vias-e2e-{os.getpid()}"


def tmux(*args: str, check: bool = True) -> str:
    proc = subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, timeout=20)
    if check and proc.returncode != 0:
        raise AssertionError(f"tmux {args[0]} failed: {proc.stderr}")
    return proc.stdout


def keys(*names: str) -> None:
    """Type like a person: one key at a time."""
    for name in names:
        tmux("send-keys", "-t", "vias", name)
        time.sleep(0.05)


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", "vias")


def wait_for_screen(text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        shown = screen()
        if text in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen()}")


@pytest.fixture
def fake_process():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui_app.fake", "--port", "0", "--tasks", "30", "--token", SECRET_TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    url = proc.stdout.readline().strip()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def fake_get(url: str, path: str) -> object:
    request = urllib.request.Request(url + path, headers={"X-Auth-Token": SECRET_TOKEN})
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        return json.load(response)


def test_paste_confirm_delete_in_a_real_terminal(fake_process: str, tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        if os.environ.get("VIAS_REQUIRE_TMUX") == "1":
            pytest.fail("tmux is required for the end-to-end test")
        pytest.skip("needs tmux")
    url = fake_process
    listing = fake_get(url, f"/v2/{DEMO_PROJECT_ID}/batch-tasks?page_size=200")
    ids = [task["id"] for task in listing["batch_task_list"]][:12]
    paste_file = tmp_path / "paste.txt"
    paste_file.write_text("# from the ticket\n" + "\n".join(ids) + "\nnot/an/id\n" + ids[0] + "\n")
    env = {
        "VIAS_AUTH_TOKEN": SECRET_TOKEN,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TERM": "xterm-256color",
        "NO_COLOR": "1",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "tui_app", "--endpoint", url, "--project-id", DEMO_PROJECT_ID]
    env_args = [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]
    tmux("new-session", "-d", "-s", "vias", "-x", "120", "-y", "36", *env_args, *command)
    try:
        wait_for_screen("Ready: paste IDs")
        tmux("load-buffer", "-b", "ids", str(paste_file))
        tmux("paste-buffer", "-p", "-d", "-b", "ids", "-t", "vias")  # -p: bracketed paste, as a terminal does
        shown = wait_for_screen("12 valid")
        assert "1 skipped" in shown and "1 duplicate" in shown and "not/an/id" in shown
        keys("C-d")
        wait_for_screen("12 will be DELETED")
        keys("1", "3", "Enter")  # the wrong count does nothing
        wait_for_screen("That is not 12")
        keys("BSpace", "BSpace", "1", "2", "Enter")
        # The seeded fake has one task that refuses deletion and one that deletes partially: the console
        # must say so rather than "done".
        final = wait_for_screen("NOT all deleted", timeout=60)
        assert "10 deleted" in final and "1 partial" in final and "1 failed" in final
        assert_no_token(final)
        requests = fake_get(url, "/_fake/requests")
        deletes = [r for r in requests if r["method"] == "DELETE"]
        assert sorted(r["task_id"] for r in deletes) == sorted(ids)
        assert all(r["path"] == f"/v2/{DEMO_PROJECT_ID}/batch-tasks/{r['task_id']}" for r in deletes)
        keys("C-q")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and "vias" in tmux("list-sessions", check=False):
            time.sleep(0.1)
        journals = list((tmp_path / "state").rglob("*.jsonl"))
        assert len(journals) == 1
        assert_no_token(journals[0].read_text(), journals[0])
    finally:
        tmux("kill-server", check=False)
