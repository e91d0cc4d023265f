"""The real Secret Service: gnome-keyring-daemon in a private dbus-run-session, driven through the CLI.

CI sets VIAS_REQUIRE_REAL_KEYRING=1 so a missing daemon fails the run instead of skipping silently.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SECRET_TOKEN, assert_no_token, target_args
from tui_app.fake import FakeVias

pytestmark = pytest.mark.real_keyring

NEEDED = ("dbus-run-session", "gnome-keyring-daemon")


def _require_tools() -> None:
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if missing:
        if os.environ.get("VIAS_REQUIRE_REAL_KEYRING") == "1":
            pytest.fail(f"real keyring test required but {', '.join(missing)} missing")
        pytest.skip(f"needs {', '.join(missing)} (apt-get install gnome-keyring dbus)")


def test_token_set_status_delete_forget_through_gnome_keyring(fake_thread: FakeVias, store, tmp_path: Path) -> None:
    _require_tools()
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(list(store.tasks)[:3]))
    token_file = tmp_path / "token.txt"  # the shell reads the token from a file, never from its command line
    token_file.write_text(SECRET_TOKEN)
    cli = f"{shlex.quote(sys.executable)} -m tui_app"
    target = " ".join(shlex.quote(a) for a in target_args(fake_thread))
    script = f"""
set -u
echo -n test-unlock-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
sleep 0.5
echo "== set";    {cli} token set --profile ops < {shlex.quote(str(token_file))}; echo "rc=$?"
echo "== status"; {cli} token status --profile ops; echo "rc=$?"
echo "== delete"; {cli} delete --profile ops {target} --ids-file {shlex.quote(str(ids))} --yes; echo "rc=$?"
echo "== forget"; {cli} token forget --profile ops; echo "rc=$?"
echo "== after";  {cli} token status --profile ops; echo "rc=$?"
"""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "VIAS_", "GNOME_KEYRING"))}
    env.update(
        HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"), XDG_RUNTIME_DIR=str(tmp_path / "run"), NO_COLOR="1"
    )
    (tmp_path / "run").mkdir(mode=0o700)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    proc = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    out = proc.stdout
    sections = dict(part.split("\n", 1) for part in out.split("== ")[1:])
    assert "rc=0" in sections["set"], out + proc.stderr
    assert "SecretService" in sections["set"]
    assert "from keyring (SecretService" in sections["status"] and "rc=0" in sections["status"]
    assert "All 3 deleted" in sections["delete"] and "rc=0" in sections["delete"]
    assert len(fake_thread.deletes_seen()) == 3
    assert "Removed the stored token" in sections["forget"]
    assert "rc=3" in sections["after"]
    assert_no_token(out + proc.stderr)
