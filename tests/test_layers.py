"""The package's import graph has one-way layers (pyproject.toml, [tool.importlinter]): the HTTP client (vias/) and
the domain types sit at the bottom and import nothing above them; the front ends sit at the top."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.helpers import ROOT


def test_import_layers_are_one_way() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, textwrap.shorten(proc.stdout + proc.stderr, 4000)
    assert "1 kept, 0 broken" in proc.stdout
