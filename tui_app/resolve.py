"""Resolve pasted IDs to real batch tasks before confirming, by paging the list API (there is no "get one").

An aid, never a gate: if listing fails part-way, the caller is told why and may proceed on IDs alone.
UI-agnostic: progress goes out through a callback; the caller can stop it at any time.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timezone

from tui_app.domain.errors import ApiError
from tui_app.domain.models import BatchTask, BatchTaskPage
from tui_app.i18n import _
from tui_app.retry_policy import RetryPolicy

PAGE_SIZE = 200  # the API's maximum
MAX_PAGES = 10_000  # the API's page_num limit


@dataclass
class Resolution:
    ids: list[str]
    found: dict[str, BatchTask] = field(default_factory=dict)
    total: int | None = None  # tasks in the project, as the API counts them
    pages: int = 0
    error: ApiError | None = None  # why listing stopped early, if it did
    stopped: bool = False  # the operator stopped it

    @property
    def complete(self) -> bool:
        """Every page was read (or every ID found): a missing ID really is not in this project."""
        return (
            self.error is None
            and not self.stopped
            and (len(self.found) == len(self.ids) or (self.total is not None and self.pages * PAGE_SIZE >= self.total))
        )

    @property
    def not_found(self) -> list[str]:
        return [i for i in self.ids if i not in self.found] if self.complete else []

    @property
    def running(self) -> list[str]:
        return [i for i in self.ids if i in self.found and self.found[i].running > 0]

    def summary(self) -> str:
        found, total = len(self.found), len(self.ids)
        if self.error is not None:
            return _(
                "Could not list the batch tasks ({error}); {found:,} of {total:,} resolved. You can still proceed on "
                "the IDs alone."
            ).format(error=self.error.one_line(), found=found, total=total)
        if self.stopped:
            return _("Stopped listing: {found:,} of {total:,} resolved; the rest are unchecked.").format(
                found=found, total=total
            )
        parts = [_("{found:,} of {total:,} found in this project").format(found=found, total=total)]
        if self.not_found:
            parts.append(_("{count:,} NOT found (wrong region or project?)").format(count=len(self.not_found)))
        if self.running:
            parts.append(_("{count:,} with running jobs").format(count=len(self.running)))
        return _("{parts}.").format(parts=_("; ").join(parts))


ProgressCallback = Callable[[Resolution], None]
ListPage = Callable[[int, int], Awaitable[BatchTaskPage | ApiError]]
Sleep = Callable[[float], Awaitable[None]]
# A preview is an aid: patient with throttling, brief with a failing gateway, never as patient as a run.
PREVIEW_POLICY = RetryPolicy(max_attempts=3, max_throttled=5, base_delay=1.0, max_delay=30.0, max_retry_after=30.0)


async def resolve(
    list_page: ListPage,
    ids: list[str],
    *,
    on_progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Sleep = asyncio.sleep,
    policy: RetryPolicy = PREVIEW_POLICY,
    max_pages: int = MAX_PAGES,
) -> Resolution:
    """Page through the project's tasks until every ID is found, the list ends, `max_pages` were read (then the
    result is not complete), or `should_stop()`.

    `list_page(page_num, page_size)` is the client's `list_batch_tasks`.
    """
    result = Resolution(list(ids))
    wanted = set(ids)
    page_num = 1
    while wanted and page_num <= max_pages:
        if should_stop():
            result.stopped = True
            break
        page = await _page_with_retries(list_page, page_num, policy, sleep)
        if isinstance(page, ApiError):
            result.error = page
            break
        result.pages = page_num
        result.total = page.count
        for task in page.tasks:
            if task.id in wanted:
                result.found[task.id] = task
                wanted.discard(task.id)
        if on_progress:
            on_progress(result)
        if not page.tasks or page_num >= math.ceil(page.count / PAGE_SIZE):
            break
        page_num += 1
    return result


async def _page_with_retries(
    list_page: ListPage, page_num: int, policy: RetryPolicy, sleep: Sleep
) -> BatchTaskPage | ApiError:
    """The engine's retry rules with the preview's patience; anything not worth retrying fails at once."""
    throttles = failures = 0
    while True:
        page = await list_page(page_num, PAGE_SIZE)
        if not isinstance(page, ApiError):
            return page
        if page.is_throttle and throttles < policy.max_throttled:
            throttles += 1
            await sleep(policy.throttle_delay(page, throttles))
        elif page.is_retryable and not page.is_throttle and failures + 1 < policy.max_attempts:
            failures += 1
            await sleep(policy.backoff(failures))
        else:
            return page


def created_text(task: BatchTask) -> str:
    if task.created_at is None:
        return ""
    return task.created_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


__all__ = ["PAGE_SIZE", "Resolution", "created_text", "resolve"]
