"""What the fake VIAS can be told to do wrong: per-ID scripts, every Nth delete, latency, auth and listing faults.

A script lists one fault per attempt (the last repeats): `script` for batch deletes (by batch ID), `stop_script`
for batch stops and starts (by batch ID), `job_script` for job deletes (by job ID). "drop-after" acts first and
then drops the connection; every other fault replaces the answer without acting. `every` counts batch deletes
only. Throttling by the gateway's rate limit (gateway.py) is not a fault: it comes before any of these.
"""

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
    stop_script: dict[str, list[str]] = field(default_factory=dict)  # batch id -> fault per stop/start attempt
    job_script: dict[str, list[str]] = field(default_factory=dict)  # job id -> fault per job delete attempt
    job_list_fault: str | None = None  # the job listing (GET /v2/{project}/tasks) fails like that

    def fault_for(self, task_id: str, attempt: int, delete_no: int) -> str:
        steps = self.script.get(task_id)
        if steps:
            return _step(steps, attempt)
        for period, fault in sorted(self.every.items()):
            if period > 0 and delete_no % period == 0:
                return fault
        return "ok"

    def stop_fault_for(self, task_id: str, attempt: int) -> str:
        return _step(self.stop_script.get(task_id) or ["ok"], attempt)

    def job_fault_for(self, job_id: str, attempt: int) -> str:
        return _step(self.job_script.get(job_id) or ["ok"], attempt)


def _step(steps: list[str], attempt: int) -> str:
    return steps[min(attempt, len(steps)) - 1]
