"""What VIAS does to batches and jobs: stop, start, delete (whole, partial or refused), delete one job.

No HTTP here: vias_api.py turns these results into answers. Where the public docs are silent, the behaviour
picked is said at each function and in docs/fake.md:

* A stop acts on running, starting and pending jobs (at once, or via STOPPING for `store.stop_delay` seconds);
  jobs being upgraded, deleted or frozen cannot be stopped and are named in `error_list`; all other jobs are
  already not running and count as succeeded. A stop clears a batch's `refuse_delete`.
* A delete of a batch whose `fail_jobs` > 0 answers 200 but leaves that many jobs behind (the batch stays
  listed with only them), in the states `store.leftover_states` cycles through (failed, upgrading, ...).
* A job being upgraded refuses its next `store.upgrading_refusals` deletes (batch or job); then its upgrade is
  over (STOPPED) and it deletes.
* With `store.refuse_running`, a batch delete is refused while any job is running, starting, pending or
  stopping, with a detail naming those jobs.
* Deleting the last job of a batch removes the batch, unless `store.empty_batch_stays`.
"""

from __future__ import annotations

from collections import Counter

from tui_app.fake.jobs import ACTIVE, BUSY, STOPPABLE, FakeJob, JobState, iso_ms, job_id_for, stable_uuid, state_text
from tui_app.fake.store import FakeProject, FakeStore, FakeTask

_BUSY_WORDS = {
    JobState.UPGRADING: "being upgraded",
    JobState.DELETING: "being deleted",
    JobState.FREEZING: "being frozen",
}
_NAMED = 10  # a refusal names at most this many jobs, then says how many more


class Refused(Exception):
    """VIAS refuses the request: 400 VIAS.00010001 with these fields."""

    def __init__(self, detail: str, reason: str, advice: str) -> None:
        super().__init__(detail)
        self.detail, self.reason, self.advice = detail, reason, advice


# --- the jobs of a batch ---------------------------------------------------------------------------------


def jobs_of(store: FakeStore, project: FakeProject, task: FakeTask, now: float) -> list[FakeJob]:
    """The batch's jobs, created or reconciled from its counters first, STOPPING ones settled when due."""
    if task.jobs is None:
        task.jobs = []
    _reconcile(store, project, task)
    if task.id in project.pending_stops:
        _settle(project, task, now)
    return task.jobs


def settle_project(store: FakeStore, project: FakeProject, now: float) -> None:
    """Settle every batch with STOPPING jobs (before listing, so the counters are current)."""
    for batch_id in list(project.pending_stops):
        task = project.tasks.get(batch_id)
        if task is None:
            project.pending_stops.discard(batch_id)
        else:
            jobs_of(store, project, task, now)


def find_job(store: FakeStore, project: FakeProject, job_id: str, now: float) -> tuple[FakeTask, FakeJob] | None:
    task = project.tasks.get(project.job_index.get(job_id, ""))
    if task is None:
        return None
    job = next((j for j in jobs_of(store, project, task, now) if j.id == job_id), None)
    return None if job is None else (task, job)


def sync_counts(task: FakeTask) -> None:
    """Rewrite the batch's counters from its jobs, in place (callers may hold the dict), in the API's order."""
    counts = Counter(job.state for job in task.jobs or [])
    task.status_info.clear()
    task.status_info.update({state.value: counts[state] for state in JobState if counts[state]})


def _reconcile(store: FakeStore, project: FakeProject, task: FakeTask) -> None:
    jobs = task.jobs if task.jobs is not None else []
    want: Counter[JobState] = Counter()
    for key, count in task.status_info.items():
        state = JobState.parse(key)
        if state is not None and count > 0:
            want[state] += count
    have = Counter(job.state for job in jobs)
    if want == have:
        return
    for state in set(want) | set(have):
        surplus = have[state] - want[state]
        if surplus > 0:
            dropped = {job.id for job in [j for j in reversed(jobs) if j.state is state][:surplus]}
            for job_id in dropped:
                project.job_index.pop(job_id, None)
            jobs[:] = [job for job in jobs if job.id not in dropped]
        for _ in range(-surplus):
            jobs.append(_new_job(store, project, task, state))
    jobs.sort(key=lambda job: job.serial)
    sync_counts(task)


def _new_job(store: FakeStore, project: FakeProject, task: FakeTask, state: JobState) -> FakeJob:
    serial = task.next_job_serial
    task.next_job_serial += 1
    job = FakeJob(job_id_for(task.id, serial), f"{task.name}-{serial + 1:03d}", state, serial)
    if state is JobState.UPGRADING:
        job.refusals_left = store.upgrading_refusals
    project.job_index[job.id] = task.id
    return job


def _settle(project: FakeProject, task: FakeTask, now: float) -> None:
    pending = False
    for job in task.jobs or []:
        if job.state is JobState.STOPPING and job.settles_at is not None:
            if job.settles_at <= now:
                job.state, job.settles_at = JobState.STOPPED, None
            else:
                pending = True
    if not pending:
        project.pending_stops.discard(task.id)
    sync_counts(task)


# --- stop and start ----------------------------------------------------------------------------------------


def stop_job(store: FakeStore, project: FakeProject, task: FakeTask, job: FakeJob, now: float) -> str | None:
    """Stop one job; the error_list entry when it cannot be stopped now."""
    if job.state in BUSY:
        return f"job {job.id} is {_BUSY_WORDS[job.state]}"
    if job.state in STOPPABLE:
        if store.stop_delay > 0:
            job.state, job.settles_at = JobState.STOPPING, now + store.stop_delay
            project.pending_stops.add(task.id)
        else:
            job.state = JobState.STOPPED
    return None


def start_job(job: FakeJob) -> str | None:
    """Start one stopped job (at once); jobs in other states are left as they are."""
    if job.state in BUSY:
        return f"job {job.id} is {_BUSY_WORDS[job.state]}"
    if job.state in (JobState.STOPPED, JobState.STOPPING):
        job.state, job.settles_at = JobState.RUNNING, None
    return None


def act_on_batch(store: FakeStore, project: FakeProject, task: FakeTask, command: str, now: float) -> list[str]:
    """Stop or start every job of a batch; the error_list (one entry per job that could not be)."""
    jobs = jobs_of(store, project, task, now)
    errors = [e for job in jobs if (e := _act(store, project, task, job, command, now))]
    if command == "stop":
        task.refuse_delete = False
    sync_counts(task)
    return errors


def _act(store: FakeStore, project: FakeProject, task: FakeTask, job: FakeJob, command: str, now: float) -> str | None:
    return stop_job(store, project, task, job, now) if command == "stop" else start_job(job)


# --- deletes -----------------------------------------------------------------------------------------------


def delete_batch(store: FakeStore, project: FakeProject, task: FakeTask, now: float) -> tuple[int, list[str]]:
    """Delete a batch: (total jobs, error_list). Raises Refused when VIAS would refuse it."""
    if task.refuse_delete:
        raise _running_refusal(f"batch task {task.id} has {task.status_info.get('running', 0)} running jobs")
    if _needs_no_jobs(store, task):
        total = task.num_task  # the common case stays cheap: no jobs are ever created
        _remove_batch(project, task)
        return total, []
    jobs = jobs_of(store, project, task, now)
    running = [job for job in jobs if job.state in ACTIVE]
    if store.refuse_running and running:
        raise _running_refusal(f"batch task {task.id} has {len(running)} running jobs: {_name_jobs(running)}")
    staying = _staying(store, task, jobs)
    kept = {job.id for job, _error in staying}
    for job in jobs:
        if job.id not in kept:
            project.job_index.pop(job.id, None)
    task.jobs = [job for job in jobs if job.id in kept]
    sync_counts(task)
    if not task.jobs:
        _remove_batch(project, task)
    return len(jobs), [error for _job, error in sorted(staying, key=lambda pair: pair[0].serial)]


def _needs_no_jobs(store: FakeStore, task: FakeTask) -> bool:
    """Nothing about this delete depends on the batch's jobs (none made yet, none to refuse, fail or keep)."""
    return (
        task.jobs is None and not store.refuse_running and task.fail_jobs <= 0 and "upgrading" not in task.status_info
    )


def _running_refusal(detail: str) -> Refused:
    return Refused(detail, "A batch task with running jobs cannot be deleted.", "Stop the batch task, then delete it.")


def _staying(store: FakeStore, task: FakeTask, jobs: list[FakeJob]) -> list[tuple[FakeJob, str]]:
    """The jobs a batch delete leaves, each with its error_list entry: jobs still being upgraded (each refusal
    spent), then the last `fail_jobs` of the others, put in the store's leftover states."""
    staying: list[tuple[FakeJob, str]] = []
    for job in jobs:
        if job.state is JobState.UPGRADING and job.refusals_left > 0:
            staying.append((job, f"job {job.id} is being upgraded"))
            _spend_refusal(job)
    left = [job for job in jobs if all(job is not s for s, _error in staying)]
    extra = left[len(left) - min(max(task.fail_jobs, 0), len(left)) :]
    task.fail_jobs = 0
    for n, job in enumerate(extra):
        job.state = store.leftover_states[n % len(store.leftover_states)]
        job.refusals_left = store.upgrading_refusals if job.state is JobState.UPGRADING else 0
        staying.append((job, _leftover_error(job)))
    return staying


def delete_job(store: FakeStore, project: FakeProject, task: FakeTask, job: FakeJob) -> None:
    """Delete one job. Raises Refused for a job still being upgraded (or running, with `refuse_running`)."""
    if job.state is JobState.UPGRADING and job.refusals_left > 0:
        _spend_refusal(job)
        sync_counts(task)  # the counters follow the job (else the next read would reconcile it away)
        raise Refused(
            f"job {job.id} is being upgraded",
            "A job that is being upgraded cannot be deleted.",
            "Wait for the upgrade to finish, then delete the job again.",
        )
    if store.refuse_running and job.state in ACTIVE:
        raise Refused(f"job {job.id} is {job.state.value}", "A running job cannot be deleted.", "Stop the job first.")
    jobs = task.jobs if task.jobs is not None else []
    jobs[:] = [j for j in jobs if j is not job]
    project.job_index.pop(job.id, None)
    sync_counts(task)
    if not jobs and not store.empty_batch_stays:
        _remove_batch(project, task)


def _spend_refusal(job: FakeJob) -> None:
    job.refusals_left -= 1
    if job.refusals_left <= 0:
        job.state = JobState.STOPPED  # the upgrade is over: the next delete goes through


def _leftover_error(job: FakeJob) -> str:
    if job.state is JobState.FAILED:
        return f"job {job.id}: release of analysis resources timed out"
    if job.state in BUSY:
        return f"job {job.id} is {_BUSY_WORDS[job.state]}"
    return f"job {job.id} is {job.state.value}"


def _name_jobs(jobs: list[FakeJob]) -> str:
    named = ", ".join(job.id for job in jobs[:_NAMED])
    return named + (f" and {len(jobs) - _NAMED} more" if len(jobs) > _NAMED else "")


def _remove_batch(project: FakeProject, task: FakeTask) -> None:
    project.tasks.pop(task.id, None)
    project.pending_stops.discard(task.id)
    for job in task.jobs or []:
        project.job_index.pop(job.id, None)


# --- how a job answers -------------------------------------------------------------------------------------


def task_info(store: FakeStore, task: FakeTask, job: FakeJob) -> dict[str, object]:
    """A job in a listing: the SDK's TaskInfo fields (type "0" is a cloud job)."""
    return {
        "id": job.id,
        "name": job.name,
        "service_id": stable_uuid("service/" + task.alg_name),
        "created_at": iso_ms(task.created_at_ms + job.serial * 1000),
        "state": state_text(job.state, store.job_states_upper),
        "video_source_name": f"{task.video_group_name} cam {job.serial + 1}",
        "title": task.alg_title,
        "type": "0",
        "algorithm_publish_id": stable_uuid("algorithm/" + task.alg_name),
    }


def task_detail(store: FakeStore, project: FakeProject, task: FakeTask, job: FakeJob) -> dict[str, object]:
    """One job (GET /v2/{project_id}/tasks/{task_id}): a subset of the SDK's ShowTaskInfoResponse."""
    info = task_info(store, task, job)
    return {
        **info,
        "creator": "demo-user",
        "project_id": project.id,
        "description": f"job {job.serial + 1} of batch task {task.name}",
        "updated_at": info["created_at"],
        "group_name": task.video_group_name,
        "company": task.company,
        "type": "cloud",
    }


__all__ = [
    "Refused",
    "act_on_batch",
    "delete_batch",
    "delete_job",
    "find_job",
    "jobs_of",
    "settle_project",
    "start_job",
    "stop_job",
    "sync_counts",
    "task_detail",
    "task_info",
]
