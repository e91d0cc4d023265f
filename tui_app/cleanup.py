"""Finishing a cleanup for one batch: stop it first when it has running jobs (if asked), delete it, and delete the
jobs a partial delete leaves (if asked), each step by the same rules as a batch delete (the engine's `exchange`:
admission, pacing, retries, the auth stop or pause) and each step journalled, so that a resume never stops or
deletes twice what was answered.

What the API does not document, and what is assumed (the UI and docs/safety.md say so too):
- a batch with running jobs may be refused with a 400 whose text names running jobs; after a stop its jobs may take
  a while to stop, so a delete refused for running jobs right after a stop is tried again a few times;
- a partial delete (200, failed_count > 0) leaves its failed jobs in the project, listed by `batch_id`; a batch with
  no job left is gone (the leftover cleanup does not delete the batch again);
- the jobs list's `page` may count from 0 or from 1, or be an offset: pages are read until one is short, or two in
  a row bring nothing new, within a page budget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tui_app.domain.errors import ApiError
from tui_app.domain.models import DeleteResult, Job, JobDeleteResult, JobPage, StopResult
from tui_app.i18n import N_
from tui_app.id_outcomes import STOPPED, Ended, Ending, IdProgress, success_record
from tui_app.outcomes import JobRecord, Note, Outcome, OutcomeRecord

if TYPE_CHECKING:
    from tui_app.engine import DeleteEngine

STOP_SETTLE_TRIES = 5  # deletes tried after a stop while the service still says jobs are running (1+2+4+8 s)
JOB_REFUSAL_TRIES = 3  # a job the service refuses for now ("being upgraded") is tried this many times
JOB_PAGE_SIZE = 100
MAX_JOB_PAGES = 200  # per listing: 20,000 jobs at most, far beyond what a partial batch keeps


@dataclass
class BatchSteps:
    """What a journal says was already done for a batch (a resume continues from there, never repeats it)."""

    stopped: bool = False  # a stop was answered
    partial: DeleteResult | None = None  # the batch delete answered partial; its leftovers were being deleted
    jobs: dict[str, JobRecord] = field(default_factory=dict)  # job deletes answered
    jobs_sent: set[str] = field(default_factory=set)  # job deletes sent (answered or not)


@dataclass(frozen=True)
class CleanupPlan:
    stop_running: bool = False  # stop a batch with running jobs (seen at the preview, or refused for them) first
    clean_leftovers: bool = False  # delete the jobs a partial delete leaves
    to_stop: frozenset[str] = frozenset()  # batches the preview showed with running jobs
    prior: Mapping[str, BatchSteps] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.stop_running or self.clean_leftovers


def refused_for_running(error: ApiError | None) -> bool:
    """A refusal that names running jobs (undocumented; the API page: build for a 400 that names them)."""
    if error is None or error.http_status not in (400, 409):
        return False
    text = " ".join(t for t in (error.message, error.detail, error.reason, error.advice) if t).lower()
    return "running" in text or "stop" in text


class BatchCleanup:
    """The steps for one batch, on the engine's machinery."""

    def __init__(self, engine: DeleteEngine, plan: CleanupPlan, task_id: str, progress: IdProgress) -> None:
        self.engine = engine
        self.plan = plan
        self.task_id = task_id
        self.progress = progress
        self.prior = plan.prior.get(task_id) or BatchSteps()
        self.stopped = self.prior.stopped
        self.stop_attempts = IdProgress()

    async def run(self) -> OutcomeRecord:
        plan, task_id = self.plan, self.task_id
        if plan.stop_running and task_id in plan.to_stop and not self.stopped:
            refused = await self._stop()
            if refused is not None:
                return refused
        if self.prior.partial is not None:  # answered partial before this process: the delete is never sent again
            record = success_record(task_id, self.prior.partial, [], retried=False)
        else:
            record = await self._delete()
        record = self._with_steps(record)
        if record.outcome is not Outcome.PARTIAL or not plan.clean_leftovers or record.result is None:
            return record
        # The partial answer goes in this run's journal before any job is touched (again, if it came from another
        # run's results): a resume then continues with the jobs and never sends the batch's delete again.
        self._journal_step("delete", record.result.to_json())
        return await self._leftovers(record)

    # --- stop, then delete -------------------------------------------------------------------------------

    async def _delete(self) -> OutcomeRecord:
        engine, progress = self.engine, self.progress
        record = await engine.delete_batch(self.task_id, progress)
        refused = record.outcome is Outcome.FAILED and refused_for_running(record.error) and not progress.unanswered
        if not (refused and self.plan.stop_running and not self.stopped):
            return record
        failed = await self._stop()
        if failed is not None:
            return failed
        for tries in range(STOP_SETTLE_TRIES):
            progress.failures = progress.throttles = 0
            progress.ending = None
            record = await engine.delete_batch(self.task_id, progress)
            if not (record.outcome is Outcome.FAILED and refused_for_running(record.error)):
                return record
            if tries + 1 < STOP_SETTLE_TRIES:
                await engine.sleep(float(2**tries))  # the jobs are still stopping
        note = N_("stopped, but the service still refused the delete for running jobs after {count} tries")
        return replace(record, note=Note(note, count=STOP_SETTLE_TRIES))

    async def _stop(self) -> OutcomeRecord | None:
        """Stop the batch; None when it stopped, else the batch's outcome (it was not deleted)."""
        engine, task_id, progress = self.engine, self.task_id, self.stop_attempts
        journal = engine.journal
        answer = await engine.exchange(
            task_id,
            progress,
            lambda: engine.client.stop_batch_task(task_id),  # type: ignore[attr-defined]
            (lambda n: journal.sent(task_id, n, step="stop")) if journal is not None else None,
            label="stop",
        )
        if isinstance(answer, StopResult):
            self.stopped = True
            self._journal_step("stop", answer.to_json())
            return None
        attempts = [*progress.attempts, *self.progress.attempts]
        if answer is Ended.STOPPED:
            return self.progress.stopped(task_id, engine.stop_status, engine.stop_error)
        if answer is Ended.ABORTED:
            note = Note(N_("the run stopped while stopping it was in flight; not deleted (it may be stopped)"))
            return OutcomeRecord(task_id, Outcome.CANCELLED, attempts, progress.error, note=note)
        assert isinstance(answer, ApiError)
        if progress.ending is Ending.NOT_FOUND:
            note = Note(N_("gone before it could be stopped"))
            return OutcomeRecord(task_id, Outcome.NOT_FOUND, attempts, answer, note=note)
        if progress.ending is Ending.AUTH:
            note = Note(N_("the credentials were rejected while stopping it; not deleted"))
            return OutcomeRecord(task_id, Outcome.CANCELLED, attempts, answer, note=note)
        return OutcomeRecord(
            task_id, Outcome.FAILED, attempts, answer, note=Note(N_("stopping it failed; not deleted"))
        )

    def _with_steps(self, record: OutcomeRecord) -> OutcomeRecord:
        if not self.stopped and not self.stop_attempts.attempts:
            return record
        return replace(record, attempts=[*self.stop_attempts.attempts, *record.attempts], stopped=self.stopped)

    def _journal_step(self, step: str, data: dict[str, object]) -> None:
        journal = self.engine.journal
        if journal is not None:
            self.engine.journalled(lambda: journal.step(self.task_id, step, data))

    # --- the jobs a partial delete leaves -----------------------------------------------------------------

    async def _leftovers(self, record: OutcomeRecord) -> OutcomeRecord:
        jobs, problem = await self._list_jobs()
        done = dict(self.prior.jobs)
        pending = [job for job in jobs if job.id not in done]
        for result in await asyncio.gather(*(self._delete_job(job) for job in pending)):
            done[result.id] = result
        if self.engine.stop_status is not None:  # the run stopped: what was answered is journalled; resume goes on
            note = Note(N_("the run stopped before the jobs it left were done"))
            return replace(record, jobs=list(done.values()), note=note)
        remaining, problem = await self._list_jobs() if problem is None else ([], problem)
        children = list(done.values())
        if problem is not None:
            note = Note(
                N_("its jobs could not all be listed ({problem}); {count} leftover job(s) handled"),
                problem=problem,
                count=len(children),
            )
            return replace(record, jobs=children, note=note)
        if not remaining:
            deleted = sum(1 for job in children if job.outcome in (Outcome.DELETED, Outcome.NOT_FOUND))
            note = Note(
                N_("the delete answered partial; then its {count} leftover job(s) were deleted and none remains"),
                count=deleted,
            )
            return replace(record, outcome=Outcome.DELETED, jobs=children, note=note)
        # The jobs' answers are quoted as they are recorded (the service's words, and notes in English).
        why = "; ".join(sorted({_recorded(job) for job in children if job.outcome is not Outcome.DELETED}))[:300]
        left = len(remaining)
        note = (
            Note(N_("{count} job(s) remain: {why}"), count=left, why=why)
            if why
            else Note(N_("{count} job(s) remain"), count=left)
        )
        return replace(record, jobs=children, note=note)

    async def _list_jobs(self) -> tuple[list[Job], str | None]:
        """Every job the batch still has, by pages (see the module docstring); a problem ends it early."""
        engine, found = self.engine, dict[str, Job]()
        page, step, empty = 0, 1, 0
        previous: list[str] = []
        for _page in range(MAX_JOB_PAGES):
            listing = await engine.exchange(
                self.task_id,
                IdProgress(),
                lambda page=page: engine.client.list_jobs(self.task_id, page, JOB_PAGE_SIZE),  # type: ignore[attr-defined, misc]
                None,
                label="list jobs",
            )
            if isinstance(listing, Ended):
                return list(found.values()), Note(STOPPED)
            if isinstance(listing, ApiError):
                return list(found.values()), listing.one_line()
            assert isinstance(listing, JobPage)
            ids = [job.id for job in listing.jobs]
            if page == 1 and len(previous) > 1 and ids[:-1] == previous[1:]:
                step = JOB_PAGE_SIZE  # `page` is an offset: this page is the last one shifted by one
            new = [job for job in listing.jobs if job.id not in found]
            found.update((job.id, job) for job in new)
            empty = 0 if new else empty + 1
            if len(listing.jobs) < JOB_PAGE_SIZE or empty >= 2:
                return list(found.values()), None
            previous, page = ids, page + step
        return list(found.values()), Note(N_("more than {count} pages of jobs"), count=MAX_JOB_PAGES)

    async def _delete_job(self, job: Job) -> JobRecord:
        engine, batch = self.engine, self.task_id
        journal = engine.journal
        progress = IdProgress(unanswered=job.id in self.prior.jobs_sent)
        for tries in range(JOB_REFUSAL_TRIES):
            answer = await engine.exchange(
                job.id,
                progress,
                lambda: engine.client.delete_job(job.id),  # type: ignore[attr-defined]
                (lambda n: journal.sent(batch, n, step="job_delete", job=job.id)) if journal is not None else None,
                label="job",
            )
            refused = isinstance(answer, ApiError) and progress.ending is Ending.REFUSED
            if not refused or tries + 1 == JOB_REFUSAL_TRIES:
                break
            progress.failures = progress.throttles = 0
            await engine.sleep(1.0 + tries)  # "being upgraded": it may let go in a moment
        record = self._job_record(job, answer, progress)
        if journal is not None:
            engine.journalled(lambda: journal.job(batch, record))
        return record

    def _job_record(self, job: Job, answer: object, progress: IdProgress) -> JobRecord:
        attempts, error = progress.attempts, progress.error
        if isinstance(answer, JobDeleteResult):
            outcome = Outcome.DELETED if answer.body_ok else Outcome.UNKNOWN
            note = (
                None
                if answer.body_ok
                else Note(N_("HTTP {status}, not the documented answer; check the job"), status=answer.http_status)
            )
            return JobRecord(job.id, job.name, job.state, outcome, attempts, None, note)
        if answer is Ended.STOPPED:
            outcome = Outcome.UNKNOWN if progress.unanswered else Outcome.CANCELLED
            return JobRecord(job.id, job.name, job.state, outcome, attempts, error, Note(N_("the run stopped first")))
        if answer is Ended.ABORTED:
            note = Note(N_("cancelled while the request was in flight; the job may be deleted"))
            return JobRecord(job.id, job.name, job.state, Outcome.UNKNOWN, attempts, error, note)
        if progress.ending is Ending.NOT_FOUND:
            gone = Note(N_("already gone"))
            return JobRecord(job.id, job.name, job.state, Outcome.NOT_FOUND, attempts, error, gone)
        outcome = Outcome.UNKNOWN if progress.unanswered and progress.ending is not Ending.REFUSED else Outcome.FAILED
        if progress.ending is Ending.AUTH:
            outcome = Outcome.UNKNOWN if progress.unanswered else Outcome.CANCELLED
        return JobRecord(job.id, job.name, job.state, outcome, attempts, error, None)


def _recorded(job: JobRecord) -> str:
    """What happened to a job, as the journal keeps it: the answer, and the note in English."""
    if job.error is not None:
        return job.error.one_line() + (f" ({job.note})" if job.note else "")
    return job.note or job.outcome.value


__all__ = ["BatchCleanup", "BatchSteps", "CleanupPlan", "refused_for_running"]
