"""The benchmark harness still runs end to end (tiny sizes; speed itself is for the benchmark, not tests)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_harness_runs_and_reports_every_target() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--ids",
            "48",
            "--latency",
            "0.01",
            "--concurrency",
            "4",
            "--paste-ids",
            "3000",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 1 only means a target missed at these toy sizes
    for line in (
        "engine (vias-tui delete)",
        "console (run_test, table live)",
        "engine / ideal throughput",
        "console event-loop lag",
        "100,000 pasted IDs",
        "first frame",
    ):
        assert line in proc.stdout
    assert proc.stdout.count("PASS") + proc.stdout.count("FAIL") == 12
