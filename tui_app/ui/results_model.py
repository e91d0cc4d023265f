"""The rows of the results table for one batch (across its retries), with filter and sort. No Textual here."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui_app.ids import Plan
from tui_app.outcomes import GONE, Outcome, OutcomeRecord, count_outcomes

PENDING = "pending"
FILTERS = ("all", "problems", *(o.value for o in Outcome))
SORTS = ("input", "outcome", "id", "attempts")
_OUTCOME_ORDER = {o: n for n, o in enumerate((Outcome.FAILED, Outcome.UNKNOWN, Outcome.PARTIAL, Outcome.CANCELLED,
                                              Outcome.NOT_FOUND, Outcome.SKIPPED, Outcome.DELETED))}


@dataclass
class ResultRow:
    key: str
    id: str
    record: OutcomeRecord | None = None  # None while pending
    position: int = 0

    @property
    def outcome_word(self) -> str:
        return self.record.outcome.value if self.record else PENDING


@dataclass
class BatchResults:
    rows: dict[str, ResultRow] = field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan: Plan) -> BatchResults:
        results = cls()
        for entry in plan.entries:
            if entry.id is None:
                record = OutcomeRecord(entry.text, Outcome.SKIPPED, note=entry.reason, text=entry.text, line=entry.line)
                results.add(f"skip-{len(results.rows)}", entry.text, record)
            else:
                results.add(entry.id, entry.id, None)
        return results

    def add(self, key: str, task_id: str, record: OutcomeRecord | None) -> None:
        self.rows[key] = ResultRow(key, task_id, record, len(self.rows))

    def apply(self, record: OutcomeRecord) -> ResultRow:
        row = self.rows.get(record.id)
        if row is None:
            self.add(record.id, record.id, record)
            return self.rows[record.id]
        row.record = record
        return row

    def reset(self, ids: list[str]) -> None:
        """Mark IDs pending again (a retry is about to send them)."""
        for task_id in ids:
            if task_id in self.rows:
                self.rows[task_id].record = None

    def counts(self) -> dict[Outcome, int]:
        return count_outcomes(row.record for row in self.rows.values() if row.record)

    def pending(self) -> int:
        return sum(1 for row in self.rows.values() if row.record is None)

    def ids_with(self, outcomes: frozenset[Outcome]) -> list[str]:
        return [row.id for row in self.rows.values() if row.record and row.record.outcome in outcomes
                and row.record.outcome is not Outcome.SKIPPED]

    def records(self) -> list[OutcomeRecord]:
        return [row.record for row in self.rows.values() if row.record]

    def view(self, filter_: str = "all", sort: str = "input") -> list[ResultRow]:
        rows = [row for row in self.rows.values() if _matches(row, filter_)]
        if sort == "outcome":
            rows.sort(key=lambda r: (_OUTCOME_ORDER.get(r.record.outcome, -1) if r.record else -2, r.position))
        elif sort == "id":
            rows.sort(key=lambda r: r.id)
        elif sort == "attempts":
            rows.sort(key=lambda r: (-(len(r.record.attempts) if r.record else 0), r.position))
        return rows


def _matches(row: ResultRow, filter_: str) -> bool:
    if filter_ == "all":
        return True
    if row.record is None:
        return False  # pending rows show only under "all"
    if filter_ == "problems":
        return row.record.outcome not in GONE
    return row.record.outcome.value == filter_
