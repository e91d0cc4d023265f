"""`vias-tui completion bash|zsh|fish`: scripts generated from the argument parser (argcomplete) that really
complete subcommands, options, choices, regions and profile names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import CLI_ROOT, run_cli


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_a_script_for_vias_tui(shell: str) -> None:
    result = run_cli("completion", shell)
    assert result.code == 0 and "vias-tui" in result.out
    if shell == "fish":
        assert "complete --command vias-tui" in result.out or "complete -c vias-tui" in result.out


def test_the_bash_script_is_valid_bash() -> None:
    bash = shutil.which("bash")
    assert bash is not None
    script = run_cli("completion", "bash").out
    proc = subprocess.run([bash, "-n"], input=script, text=True, capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr


def _complete(line: str, tmp_path: Path) -> list[str]:
    """What the program answers when the shell asks for completions of `line` (argcomplete's protocol)."""
    out = tmp_path / "completions"
    env = {
        **os.environ,
        "PYTHONPATH": str(CLI_ROOT),
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": "bash",
        "_ARGCOMPLETE_IFS": "\n",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
    }
    subprocess.run([sys.executable, "-m", "tui_app"], env=env, timeout=60, capture_output=True, cwd=CLI_ROOT)
    return [word.strip() for word in out.read_text().split("\n")] if out.exists() else []


def test_subcommands_options_choices_regions_and_profiles_complete(tmp_path: Path) -> None:
    assert "delete" in _complete("vias-tui de", tmp_path)
    assert "--ids-file" in _complete("vias-tui delete --ids", tmp_path)
    assert "--concurrency" in _complete("vias-tui --con", tmp_path)
    assert {"token", "aksk"} <= set(_complete("vias-tui --auth ", tmp_path))
    assert "cn-north-4" in _complete("vias-tui delete --region cn-", tmp_path)
    assert run_cli("profile", "set", "ops-beijing", "--region", "cn-north-4").code == 0
    assert "ops-beijing" in _complete("vias-tui --profile ops", tmp_path)


def test_run_ids_complete_for_resume_and_report(tmp_path: Path) -> None:
    from tui_app.paths import default_runs_dir

    runs = default_runs_dir()
    runs.mkdir(parents=True, exist_ok=True)
    for run_id in ("20261203T101500Z-aaaaaa", "20261202T090000Z-bbbbbb"):
        (runs / f"{run_id}.jsonl").write_text("")
    assert set(_complete("vias-tui resume 2026", tmp_path)) == {"20261203T101500Z-aaaaaa", "20261202T090000Z-bbbbbb"}
    assert _complete("vias-tui report 20261203", tmp_path) == ["20261203T101500Z-aaaaaa"]
