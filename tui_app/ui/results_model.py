"""The rows of the results table for one batch (across its retries), with filter and sort. No Textual here.

Lazy on purpose: a batch keeps the plan's entries and a record per answered ID, and builds a row only when
it is drawn or asked for, so starting a 100,000-ID run costs no per-row work (see benchmarks/).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from tui_app.i18n import N_, _
from tui_app.ids import Entry, Plan
from tui_app.outcomes import GONE, JobRecord, Outcome, OutcomeRecord, count_outcomes, skipped_record

PENDING = "pending"
FILTERS = ("all", "problems", *(o.value for o in Outcome))
SORTS = ("input", "outcome", "id", "attempts")
# The words people read for the machine's names (outcomes, filters, sorts); reports, JSON and the journal keep the
# names themselves. Marked here, translated where shown.
WORDS = {
    # TRANSLATORS: outcome of an ID, a word in the results table (at most 9 columns; CJK characters take 2)
    "deleted": N_("deleted"),
    # TRANSLATORS: outcome: some jobs of the batch task were not deleted
    "partial": N_("partial"),
    # TRANSLATORS: outcome: the task does not exist in this project
    "not_found": N_("not_found"),
    # TRANSLATORS: outcome
    "failed": N_("failed"),
    # TRANSLATORS: outcome: never sent
    "skipped": N_("skipped"),
    # TRANSLATORS: outcome: never acted on because the run stopped
    "cancelled": N_("cancelled"),
    # TRANSLATORS: outcome: sent, but no answer is known
    "unknown": N_("unknown"),
    # TRANSLATORS: a row of the results table not answered yet
    PENDING: N_("pending"),
    # TRANSLATORS: results filter: every row
    "all": N_("all"),
    # TRANSLATORS: results filter: every row whose task may still be there
    "problems": N_("problems"),
    # TRANSLATORS: results sort: in the order of the input
    "input": N_("input"),
    # TRANSLATORS: results sort: by outcome, problems first
    "outcome": N_("outcome"),
    # TRANSLATORS: results sort: by ID
    "id": N_("id"),
    # TRANSLATORS: results sort: most attempts first
    "attempts": N_("attempts"),
}
# "5 deleted · 1 failed": one whole message per outcome (the number's place differs between languages).
COUNTED = {
    Outcome.DELETED: N_("{count:,} deleted"),
    Outcome.PARTIAL: N_("{count:,} partial"),
    Outcome.NOT_FOUND: N_("{count:,} not_found"),
    Outcome.FAILED: N_("{count:,} failed"),
    Outcome.SKIPPED: N_("{count:,} skipped"),
    Outcome.CANCELLED: N_("{count:,} cancelled"),
    Outcome.UNKNOWN: N_("{count:,} unknown"),
}
_OUTCOME_ORDER = {
    o: n
    for n, o in enumerate(
        (
            Outcome.FAILED,
            Outcome.UNKNOWN,
            Outcome.PARTIAL,
            Outcome.CANCELLED,
            Outcome.NOT_FOUND,
            Outcome.SKIPPED,
            Outcome.DELETED,
        )
    )
}


def word(name: str) -> str:
    """An outcome, filter or sort name as people read it, in the active language."""
    return _(WORDS[name]) if name in WORDS else name


def counted(outcome: Outcome, count: int) -> str:
    """ "5 deleted", in the active language."""
    return _(COUNTED[outcome]).format(count=count)


class ResultRow(NamedTuple):
    key: str
    id: str
    record: OutcomeRecord | None = None  # None while pending
    position: int = 0
    job: JobRecord | None = None  # a child row: one of the jobs the batch's partial delete left

    @property
    def outcome_word(self) -> str:
        if self.job is not None:
            return self.job.outcome.value
        return self.record.outcome.value if self.record else PENDING

    def child(self, index: int) -> ResultRow:
        """The row of the batch's `index`th leftover job."""
        assert self.record is not None
        job = self.record.jobs[index]
        return ResultRow(f"{self.key}/{job.id}", job.id, self.record, self.position, job)


class BatchResults:
    def __init__(self, entries: Sequence[Entry] = ()) -> None:
        self.entries: list[Entry] = list(entries)
        self.records: dict[str, OutcomeRecord] = {}  # key -> latest record, for answered IDs only
        self.has_jobs = False  # some batch has leftover-job child rows
        self._positions: dict[str, int] | None = None  # key -> position, built on first need

    @classmethod
    def from_plan(cls, plan: Plan) -> BatchResults:
        return cls(plan.entries)

    @classmethod
    def from_records(cls, records: Sequence[OutcomeRecord]) -> BatchResults:
        """A finished run read back from its journal."""
        results = cls(
            [
                Entry(
                    r.line or 0,
                    r.text or r.id,
                    None if r.outcome is Outcome.SKIPPED else r.id,
                    r.note if r.outcome is Outcome.SKIPPED else None,
                    r.excluded,
                )
                for r in records
            ]
        )
        for position, record in enumerate(records):
            results.has_jobs = results.has_jobs or bool(record.jobs)
            if record.outcome is not Outcome.SKIPPED:
                results.records[record.id] = record
            else:
                results.records[_skip_key(position)] = record
        return results

    # --- rows -------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entries)

    def key(self, position: int) -> str:
        entry = self.entries[position]
        return entry.id if entry.id is not None else _skip_key(position)

    def row(self, position: int) -> ResultRow:
        entry = self.entries[position]
        if entry.id is None:
            key = _skip_key(position)
            record = self.records.get(key) or skipped_record(entry.line, entry.text, entry.reason or "", entry.excluded)
            return ResultRow(key, entry.text, record, position)
        return ResultRow(entry.id, entry.id, self.records.get(entry.id), position)

    def position(self, key: str) -> int | None:
        if self._positions is None:
            self._positions = {self.key(i): i for i in range(len(self.entries))}
        return self._positions.get(key)

    @property
    def rows(self) -> Mapping[str, ResultRow]:
        return _RowsByKey(self)

    # --- outcomes ---------------------------------------------------------------------------------

    def apply(self, record: OutcomeRecord) -> ResultRow:
        if self.position(record.id) is None:  # not in the input (cannot happen in a run, but stay whole)
            self.entries.append(Entry(0, record.id, record.id))
            self._positions = None
        self.records[record.id] = record
        self.has_jobs = self.has_jobs or bool(record.jobs)
        position = self.position(record.id)
        assert position is not None
        return self.row(position)

    def reset(self, ids: list[str]) -> None:
        """Mark IDs pending again (a retry is about to send them)."""
        for task_id in ids:
            self.records.pop(task_id, None)

    def counts(self) -> dict[Outcome, int]:
        counts = count_outcomes(r for key, r in self.records.items() if not _is_skip_key(key))
        counts[Outcome.SKIPPED] += sum(1 for entry in self.entries if entry.id is None)
        return counts

    def pending(self) -> int:
        answered = sum(1 for key in self.records if not _is_skip_key(key))
        return sum(1 for entry in self.entries if entry.id is not None) - answered

    def ids_with(self, outcomes: frozenset[Outcome]) -> list[str]:
        return [
            entry.id
            for entry in self.entries
            if entry.id is not None
            and (record := self.records.get(entry.id)) is not None
            and record.outcome in outcomes
        ]

    def view(self, filter_: str = "all", sort: str = "input") -> Sequence[int]:
        """Positions to show, in order. The common case (all rows, input order) is a range: no work."""
        if filter_ == "all" and sort == "input":
            return range(len(self.entries))
        rows = [self.row(i) for i in range(len(self.entries))]
        if filter_ != "all":
            rows = [row for row in rows if _matches(row, filter_)]
        if sort == "outcome":
            # problems first, pending last
            rows.sort(key=lambda r: (_OUTCOME_ORDER.get(r.record.outcome, -1) if r.record else 99, r.position))
        elif sort == "id":
            rows.sort(key=lambda r: r.id)
        elif sort == "attempts":
            rows.sort(key=lambda r: (-(len(r.record.attempts) if r.record else 0), r.position))
        return [row.position for row in rows]


class _RowsByKey(Mapping[str, ResultRow]):
    """results.rows[key]: a read-only view that builds each row on access."""

    def __init__(self, results: BatchResults) -> None:
        self._results = results

    def __getitem__(self, key: str) -> ResultRow:
        position = self._results.position(key)
        if position is None:
            raise KeyError(key)
        return self._results.row(position)

    def __iter__(self) -> Iterator[str]:
        return (self._results.key(i) for i in range(len(self._results)))

    def __len__(self) -> int:
        return len(self._results)


def _skip_key(position: int) -> str:
    return f"skipped:{position}"  # ':' never occurs in a valid ID, so this cannot collide with one


def _is_skip_key(key: str) -> bool:
    return ":" in key


def _matches(row: ResultRow, filter_: str) -> bool:
    if row.record is None:
        return False  # pending rows show only under "all"
    if filter_ == "problems":
        return row.record.outcome not in GONE
    return row.record.outcome.value == filter_
