"""The confirmation over a slow link and against crafted pastes, in a real terminal (tmux) behind a relay that
delivers input the way a congested SSH link does (benchmarks/slow_link.py measures the same with many trials; the
docs/performance.md quotes it): an operator confirms on the first try, a crafted paste deletes nothing."""

from __future__ import annotations

import pytest

from benchmarks import slow_link
from tests.tmux import require_tmux

pytestmark = pytest.mark.slow


def test_operators_confirm_and_crafted_pastes_delete_nothing() -> None:
    require_tmux()
    results = slow_link.run(operators=2, pastes=len(slow_link.PASTE_LINKS), batch=0.3, seed=7)
    summary = results["summary"]
    assert isinstance(summary, dict)
    assert summary["not_confirmed"] == 0 and summary["first_try"] == 2, results["operators"]
    assert summary["paste_deletes"] == 0, results["pastes"]
