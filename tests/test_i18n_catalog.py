"""A checkout whose Chinese catalog was never compiled says so in one line (and shows English) instead of silently
ignoring --lang zh-CN; a built one says nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

WARNING = "the Chinese catalog is not compiled here"


def _runs(package_root: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_root), "HOME": str(home), "XDG_STATE_HOME": str(home / "state")}
    return subprocess.run(
        [sys.executable, "-m", "tui_app", "--lang", "zh-CN", "runs"],
        capture_output=True,
        text=True,
        env=env,
        cwd=package_root,
        timeout=60,
    )


def test_an_uncompiled_catalog_is_named_once_and_english_is_shown(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tui_app", tmp_path / "tui_app", ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    proc = _runs(tmp_path, tmp_path / "home")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count(WARNING) == 1 and "Traceback" not in proc.stderr
    assert "No runs recorded yet" in proc.stdout  # English, as the line says


def test_a_built_catalog_says_nothing_and_speaks_chinese(tmp_path: Path) -> None:
    proc = _runs(ROOT, tmp_path / "home")  # the conftest compiles the checkout's catalog
    assert proc.returncode == 0, proc.stderr
    assert WARNING not in proc.stderr and "No runs recorded yet" not in proc.stdout
