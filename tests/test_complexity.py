"""Every module of tui_app stays readable (a maintainer's review): no function, method or nested function ranks worse
than C on radon's cyclomatic complexity, and none is over 80 lines. The credential lookup used to be one E-ranked
function of 104 lines; the CLI's parser builder was 146."""

from __future__ import annotations

from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit

from tests.helpers import ROOT

PACKAGE = ROOT / "tui_app"
FILES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 80


def blocks(path: Path) -> list[tuple[str, int, int, str]]:
    """Every function and method (classes are ranked by their methods), with their closures: name, complexity,
    lines, rank."""
    found = []
    pending = list(cc_visit(path.read_text()))
    while pending:
        item = pending.pop()
        pending += [*getattr(item, "methods", []), *getattr(item, "closures", [])]
        if type(item).__name__ == "Function":
            found.append((item.fullname, item.complexity, item.endline - item.lineno + 1, cc_rank(item.complexity)))
    return found


def test_every_module_is_seen() -> None:
    assert len(FILES) > 100 and PACKAGE / "credentials.py" in FILES and PACKAGE / "ui" / "details.py" in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_function_ranks_worse_than_c_or_runs_over_80_lines(path: Path) -> None:
    found = blocks(path)
    worse = [(name, complexity) for name, complexity, _, rank in found if rank > "C"]
    long = [(name, lines) for name, _, lines, _ in found if lines > MAX_LINES]
    assert not worse and not long, (worse, long)
