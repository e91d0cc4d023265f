"""docs/textual-paste-issue.md quotes real output: docs/textual_paste_repro.py still prints it, the app and the code
in the text are what produced it, and the suggested fix and tests do what the text says they do."""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from textual._xterm_parser import XTermParser

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
ISSUE = (DOCS / "textual-paste-issue.md").read_text()
SCRIPT = DOCS / "textual_paste_repro.py"
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", ISSUE, re.DOTALL)


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("textual_paste_repro", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # inspect.getsource looks classes up there
    spec.loader.exec_module(module)
    return module


def quoted(lines: list[str]) -> bool:
    """The lines, as one fenced block of the issue."""
    return "```\n" + "\n".join(lines) + "\n```" in ISSUE


def python_block(containing: str) -> str:
    (block,) = [block for block in PYTHON_BLOCKS if containing in block]
    return block


@pytest.mark.parametrize("mode", ["", "--variants", "--fixed", "--app"])
def test_the_issue_quotes_what_the_script_prints(mode: str) -> None:
    if mode == "--app" and sys.platform == "win32":
        pytest.skip("needs a pty")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *([mode] if mode else [])],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    assert header.startswith("textual 8.")
    lines = [line for line in lines if not line.startswith("input: ")]
    assert quoted(lines), "\n".join(lines)


def test_the_parser_snippet_of_the_issue_prints_what_it_quotes() -> None:
    snippet = python_block("events = [*parser.feed(")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(snippet, {"__name__": "snippet"})
    assert quoted(printed.getvalue().splitlines())


def test_the_app_of_the_issue_is_the_one_the_script_runs() -> None:
    app_block = python_block("class Repro(")
    assert inspect.getsource(script().Repro) in app_block
    assert app_block.endswith('print("what the app received:", *app.received, sep="\\n")\n')


def test_the_suggested_diff_is_the_one_checked() -> None:
    diff = (DOCS / "textual-paste-fix.diff").read_text()
    assert "```diff\n" + diff + "```" in ISSUE


def _outcomes(tests: dict[str, Any], parser_class: type[XTermParser]) -> list[bool]:
    """Run the issue's suggested tests with `XTermParser` meaning `parser_class`: True for each case that passes."""
    tests["XTermParser"] = parser_class
    outcomes = []
    for name, test in tests.items():
        if not name.startswith("test_"):
            continue
        marks = getattr(test, "pytestmark", [])
        cases = [(value,) for value in marks[0].args[1]] if marks else [()]
        for case in cases:
            try:
                test(*case)
            except AssertionError:
                outcomes.append(False)
            else:
                outcomes.append(True)
    return outcomes


def test_the_suggested_tests_fail_on_textual_and_pass_with_the_diff() -> None:
    tests: dict[str, Any] = {"__name__": "suggested"}
    exec(python_block("def test_bracketed_paste_is_one_event_whatever_it_holds"), tests)
    stock = _outcomes(tests, XTermParser)
    assert len(stock) == 7 and not any(stock)  # "all seven fail on 8.2.8"
    assert all(_outcomes(tests, script().fixed_parser()))
