"""What the fake VIAS can be told to do wrong: per-ID scripts, every Nth delete, latency, auth and listing faults."""

from __future__ import annotations

from dataclasses import dataclass, field

# Per-attempt fault names for FaultPlan.script and FaultPlan.every.
FAULTS = (
    "ok",
    "429",
    "429-bare",
    "500",
    "502-html",
    "503",
    "drop-before",
    "drop-after",
    "hang",
    "trickle",
    "malformed",
    "truncated",
    "401",
    "404",
    "empty-200",
)


@dataclass
class FaultPlan:
    latency: float = 0.0  # seconds added before every answer
    script: dict[str, list[str]] = field(default_factory=dict)  # task id -> fault per delete attempt
    every: dict[int, str] = field(default_factory=dict)  # every Nth delete (server-wide) -> fault
    retry_after: float = 1.0  # for "429"
    auth_fail_after: int | None = None  # deletes answered normally before every request gets 401
    revoke_after: int | None = None  # deletes answered normally before the credentials in use are revoked (once)
    list_fault: str | None = None  # "500" | "429" | "401": the list call fails like that

    def fault_for(self, task_id: str, attempt: int, delete_no: int) -> str:
        steps = self.script.get(task_id)
        if steps:
            return steps[min(attempt, len(steps)) - 1]
        for period, fault in sorted(self.every.items()):
            if period > 0 and delete_no % period == 0:
                return fault
        return "ok"
