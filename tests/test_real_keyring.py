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

from tests.helpers import ROOT, SECRET_AK, SECRET_SK, SECRET_TOKEN, assert_no_secret, target_args
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
    keys_file = tmp_path / "keys.txt"  # AK, SK, no security token: as `aksk set` reads them from a pipe
    keys_file.write_text(f"{SECRET_AK}\n{SECRET_SK}\n\n")
    store.add_keys(SECRET_AK, SECRET_SK)
    more_ids = tmp_path / "more.txt"
    more_ids.write_text("\n".join(list(store.tasks)[3:5]))
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
echo "== aksk";   {cli} aksk set --profile keys < {shlex.quote(str(keys_file))}; echo "rc=$?"
echo "== kstatus"; {cli} auth status --profile keys; echo "rc=$?"
echo "== kdelete"; {cli} delete --profile keys {target} --ids-file {shlex.quote(str(more_ids))} --yes; echo "rc=$?"
echo "== kforget"; {cli} aksk forget --profile keys; echo "rc=$?"
"""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "VIAS_", "GNOME_KEYRING"))}
    env["VIAS_METADATA_ENDPOINT"] = "http://127.0.0.1:9"
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
    assert len(fake_thread.deletes_seen()) == 5
    assert "Removed the stored credentials" in sections["forget"]
    assert "rc=3" in sections["after"]
    assert "Stored access keys AKID…0001" in sections["aksk"] and "rc=0" in sections["aksk"]
    assert "from keyring (SecretService" in sections["kstatus"] and "rc=0" in sections["kstatus"]
    assert "All 2 deleted" in sections["kdelete"] and "rc=0" in sections["kdelete"]
    assert {r.credential for r in fake_thread.deletes_seen()[3:]} == {f"ak:{SECRET_AK}"}
    assert "Removed the stored credentials" in sections["kforget"]
    assert_no_secret(out + proc.stderr)
