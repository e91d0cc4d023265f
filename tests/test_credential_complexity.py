"""The credential modules stay small (a maintainer's review): no function or method ranks worse than C on radon's
cyclomatic complexity, and none is over 80 lines. The lookup used to be one E-ranked function of 104 lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit

from tests.helpers import ROOT

PACKAGE = ROOT / "tui_app"
FILES = sorted(
    [
        PACKAGE / "credentials.py",
        PACKAGE / "credential_types.py",
        PACKAGE / "credential_chain.py",
        PACKAGE / "keyring_store.py",
        PACKAGE / "sdk_credentials.py",
        *(path for path in (PACKAGE / "credential_sources").glob("*.py") if path.name != "__init__.py"),
    ]
)
MAX_LINES = 80


def blocks(path: Path) -> list[tuple[str, int, int, str]]:
    """Every function and method (classes are ranked by their methods): name, complexity, lines, rank."""
    found = []
    for block in cc_visit(path.read_text()):
        for item in [block, *getattr(block, "methods", [])]:
            if type(item).__name__ == "Function":
                found.append((item.fullname, item.complexity, item.endline - item.lineno + 1, cc_rank(item.complexity)))
    return found


def test_the_files_are_there() -> None:
    assert len(FILES) == 10 and all(path.exists() for path in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_function_ranks_worse_than_c_or_runs_over_80_lines(path: Path) -> None:
    found = blocks(path)
    assert found, f"radon saw no functions in {path}"
    worse = [(name, complexity) for name, complexity, _, rank in found if rank > "C"]
    long = [(name, lines) for name, _, lines, _ in found if lines > MAX_LINES]
    assert not worse and not long, (worse, long)
