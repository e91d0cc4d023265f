"""The lazy results model: rows built on demand, counts, filters, sorts, retries."""

from __future__ import annotations

from tui_app.ids import parse
from tui_app.outcomes import RETRYABLE, Attempt, Outcome, OutcomeRecord
from tui_app.ui.results_model import BatchResults


def test_rows_follow_input_order_and_skipped_keys_cannot_collide_with_ids() -> None:
    # 'skip-1' is a valid ID; the skipped entry on the same position must not shadow it
    results = BatchResults.from_plan(parse("skip-1\nbad/x\nabcd1234"))
    assert [row.id for row in results.rows.values()] == ["skip-1", "bad/x", "abcd1234"]
    assert results.rows["skip-1"].record is None
    assert results.row(1).record.outcome is Outcome.SKIPPED and "'/'" in results.row(1).record.note
    assert len(results.rows) == 3 and results.pending() == 2


def test_apply_counts_reset_and_retryable_ids() -> None:
    results = BatchResults.from_plan(parse("aaaa1111\nbbbb2222\ncccc3333\nx/y"))
    results.apply(OutcomeRecord("aaaa1111", Outcome.DELETED))
    results.apply(OutcomeRecord("bbbb2222", Outcome.FAILED, [Attempt(1, 0, 0.1, "HTTP 500")] * 3))
    counts = results.counts()
    assert (counts[Outcome.DELETED], counts[Outcome.FAILED], counts[Outcome.SKIPPED]) == (1, 1, 1)
    assert results.pending() == 1
    assert results.ids_with(RETRYABLE) == ["bbbb2222"]
    results.reset(["bbbb2222"])
    assert results.rows["bbbb2222"].record is None and results.pending() == 2


def test_views() -> None:
    results = BatchResults.from_plan(parse("aaaa1111\nbbbb2222\ncccc3333\nx/y"))
    results.apply(OutcomeRecord("aaaa1111", Outcome.DELETED))
    results.apply(OutcomeRecord("bbbb2222", Outcome.FAILED, [Attempt(n, 0, 0.1, "HTTP 500") for n in (1, 2)]))
    assert isinstance(results.view(), range) and list(results.view()) == [0, 1, 2, 3]
    assert results.view("problems") == [1, 3]
    assert results.view("failed") == [1]
    assert results.view("all", "outcome")[0] == 1  # failures first
    assert results.view("all", "attempts")[0] == 1
    assert [results.row(p).id for p in results.view("all", "id")] == ["aaaa1111", "bbbb2222", "cccc3333", "x/y"]


def test_from_records_round_trip() -> None:
    records = [
        OutcomeRecord("aaaa1111", Outcome.DELETED, line=1),
        OutcomeRecord("x/y", Outcome.SKIPPED, note="contains '/'", text="x/y", line=2),
    ]
    results = BatchResults.from_records(records)
    assert [row.record.outcome for row in results.rows.values()] == [Outcome.DELETED, Outcome.SKIPPED]
    assert results.counts()[Outcome.SKIPPED] == 1 and results.pending() == 0
