"""The admission rules alone, on a clock of the test's: one ID at a time until the credentials are proven, a short
first wave, pacing to the gateway's named or measured rate, holds and stops."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tui_app.domain.errors import ApiError
from tui_app.pacing import FIRST_WINDOW, LIMIT_SHARE, MIN_RATE, Admission, named_limit

OK = None
NOT_FOUND = ApiError(400, code="VIAS.00010002")
REJECTED = ApiError(401, code="APIG.0301")
BAD_GATEWAY = ApiError(502)


def throttle(message: str = "") -> ApiError:
    return ApiError(429, code="APIG.0308", message=message)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("The throttling threshold has been reached: policy user over ratelimit, limit:20, time:1 second", 20.0),
        ("policy ip over ratelimit, limit:100, time:1 minute", 100 / 60),
        ("policy user over ratelimit,limit:5,time:1 second", 5.0),
        ("Limit: 2, Time: 1 Hour", 2 / 3600),
        ("throttled", None),
        ("limit:0, time:1 second", None),
    ],
)
def test_the_limit_a_429_names(text: str, rate: float | None) -> None:
    found = named_limit(throttle(text))
    assert found == (pytest.approx(rate) if rate is not None else None)


async def _started(admission: Admission, owner: str) -> bool:
    """Whether `owner` gets a slot without waiting (a bounded look: the loop runs a few times)."""
    task = asyncio.ensure_future(admission.acquire(owner))
    for _ in range(5):
        await asyncio.sleep(0)
    if task.done():
        return task.result()
    task.cancel()
    return False


async def test_one_id_has_the_floor_until_an_answer_proves_the_credentials() -> None:
    admission = Admission(16, clock=Clock())
    assert await _started(admission, "a")
    assert not await _started(admission, "b")  # the first request goes alone
    admission.answered(BAD_GATEWAY)  # no proof: a gateway error says nothing about the credentials
    admission.release()
    assert not await _started(admission, "b")  # "a" keeps the floor for its retry
    assert await _started(admission, "a")
    admission.answered(NOT_FOUND)  # VIAS answered: the gateway accepted the credentials
    admission.release()
    admission.settled("a")
    started = [await _started(admission, f"id{n}") for n in range(FIRST_WINDOW + 2)]
    assert started.count(True) == FIRST_WINDOW  # a short first wave, not all 16 at once


async def test_a_rejection_is_no_proof_and_new_credentials_prove_themselves_again() -> None:
    admission = Admission(8, clock=Clock())
    assert await _started(admission, "a")
    admission.answered(REJECTED)
    admission.release()
    assert not admission.proven
    admission.set_paused(True)
    assert not await _started(admission, "a")
    admission.set_paused(False)
    assert await _started(admission, "a") and not await _started(admission, "b")


async def test_a_named_limit_paces_just_under_it() -> None:
    clock = Clock()
    admission = Admission(16, clock=clock)
    assert await _started(admission, "a")
    admission.answered(OK)
    admission.release()
    change = admission.answered(throttle("policy user over ratelimit, limit:20, time:1 second"))
    assert change is not None and change.limit == 20 and change.rate == pytest.approx(LIMIT_SHARE * 20)
    assert admission.window == FIRST_WINDOW / 2  # fewer in flight after a 429
    assert admission.answered(throttle("limit:20, time:1 second")) is None  # the same overshoot: one decrease
    starts = []
    for n in range(5):
        while not await _started(admission, f"id{n}"):
            clock.now += 0.001
        starts.append(clock.now)
        admission.release()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 1 / (LIMIT_SHARE * 20) - 0.002 for gap in gaps)  # evenly spaced at the paced rate
    clock.now += 30  # a long time without a 429: it never probes beyond a named limit
    for _ in range(40):
        clock.now += 1.1
        admission.answered(OK)
    assert admission.rate == pytest.approx(LIMIT_SHARE * 20)


async def test_without_a_named_limit_it_paces_at_the_admitted_rate_and_probes_for_more() -> None:
    clock = Clock()
    admission = Admission(16, clock=clock)
    for _ in range(10):  # 10 admitted answers within the last second
        admission.answered(OK)
    change = admission.answered(throttle("throttled"))
    assert change is not None and change.limit is None and 5 < change.rate < 10
    first = change.rate
    clock.now += 1.5
    second = admission.answered(throttle("throttled"))
    assert second is not None and second.rate < first  # each further 429, once a second, lowers it
    for _ in range(60):
        clock.now += 1.01
        admission.answered(OK)
    assert admission.rate is not None and admission.rate > first  # freed capacity is found again


async def test_repeated_429s_never_stop_it_entirely() -> None:
    clock = Clock()
    admission = Admission(4, clock=clock)
    for _ in range(100):
        clock.now += 1.1
        admission.answered(throttle("throttled"))
    assert admission.rate == pytest.approx(MIN_RATE)


async def test_retry_after_holds_every_start() -> None:
    clock = Clock()
    admission = Admission(4, clock=clock)
    admission.answered(OK)
    admission.retry_after(2.0)
    assert not await _started(admission, "a")
    clock.now += 2.0
    assert await _started(admission, "a")


async def test_a_hold_blocks_new_starts_and_a_stop_releases_waiters() -> None:
    admission = Admission(4, clock=Clock())
    admission.answered(OK)
    admission.set_held(True)
    waiter = asyncio.ensure_future(admission.acquire("a"))
    await asyncio.sleep(0.01)
    assert not waiter.done()
    admission.set_held(False)
    assert await asyncio.wait_for(waiter, 1) is True
    admission.set_held(True)
    waiter = asyncio.ensure_future(admission.acquire("b"))
    await asyncio.sleep(0.01)
    admission.stop()
    assert await asyncio.wait_for(waiter, 1) is False


def test_a_long_unthrottled_run_keeps_a_bounded_memory_of_its_answers() -> None:
    """The admitted rate looks at the last few seconds only; a run that is never throttled must not keep every
    answer's time (100,000 IDs kept 2.3 MB of them before the fix)."""
    import tracemalloc

    clock = Clock()
    admission = Admission(16, clock=clock)

    def answer(count: int) -> None:
        for _ in range(count):
            clock.now += 0.001  # 1,000 answers a second
            admission.answered(OK)

    answer(10_000)  # past the measuring window: what is kept no longer grows
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        answer(100_000)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 200_000, f"{grown:,} bytes kept for 100,000 answers"
