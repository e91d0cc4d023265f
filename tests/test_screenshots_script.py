"""The screenshot script regenerates every SVG from the demo, and none shows a secret (the demo's secret key, or
its token)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tui_app.fake import DEMO_SK, DEMO_TOKEN

pytestmark = pytest.mark.slow

NAMES = [
    "01-ids-pane-with-bad-lines.svg",
    "02-confirmation.svg",
    "03-run-in-progress.svg",
    "04-results-error-details.svg",
    "05-credentials-no-keyring.svg",
    "06-help.svg",
    "07-browse.svg",
    "08-confirmation-80x24.svg",
    "09-first-run-no-target.svg",
    "10-results-no-colour.svg",
    "11-confirmation-stop-running.svg",
    "12-results-leftover-jobs.svg",
    "13-locate.svg",
    "zh-CN-01-ids-pane-80x24.svg",
    "zh-CN-02-confirmation-80x24.svg",
    "zh-CN-03-locate-80x24.svg",
    "zh-CN-04-results-80x24.svg",
]


def test_script_writes_every_screenshot_without_the_token(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/make_screenshots.py", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.glob("*.svg")) == NAMES
    for path in tmp_path.glob("*.svg"):
        text = path.read_text().replace("&#160;", " ")
        assert DEMO_TOKEN not in text and DEMO_SK not in text and DEMO_SK[8:20] not in text, path.name
        if path.name[:2] in ("01", "02", "03", "04", "08", "10"):  # the screens that show the credentials
            assert "DEMO…0001" in text, path.name  # the access key ID, masked
    committed = sorted(p.name for p in (ROOT / "screenshots").glob("*.svg"))
    assert committed == NAMES  # the README's screenshots are the ones this script makes
