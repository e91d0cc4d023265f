"""The screenshot script regenerates every SVG from the demo, and none shows the token."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tui_app.fake import DEMO_TOKEN


def test_script_writes_every_screenshot_without_the_token(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "scripts/make_screenshots.py", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in tmp_path.glob("*.svg"))
    assert names == [
        "01-ids-pane-with-bad-lines.svg",
        "02-confirmation.svg",
        "03-run-in-progress.svg",
        "04-results-error-details.svg",
        "05-credentials-no-keyring.svg",
        "06-help.svg",
        "07-browse.svg",
    ]
    for path in tmp_path.glob("*.svg"):
        text = path.read_text().replace("&#160;", " ")
        assert DEMO_TOKEN not in text, path.name
        if path.name != "07-browse.svg":  # Browse is a full screen without the status line
            assert "demo…(42 chars)" in text, path.name  # the status line shows it masked
    committed = sorted(p.name for p in (ROOT / "screenshots").glob("*.svg"))
    assert committed == names  # the README's screenshots are the ones this script makes
