"""When the engine may send its next request: the API gateway's rules, and the operator's.

* **Credentials are proven by one request.** Until an answer shows that the gateway accepted the credentials, one
  request at a time: a wrong or locked key costs one rejected request, not a first wave of C (the gateway locks an
  AK for everyone after more than five failed authentications in a row).
* **Pacing to the rate the gateway admits.** Its limits are per user (shared with the user's other tools), often
  without Retry-After. After a 429 the run paces its request starts at a rate just under what the gateway admits:
  the limit named in the 429 ("policy user over ratelimit, limit:20, time:1 second", the documented APIG.0308
  text), else the rate of admitted answers just measured. Each further 429 lowers it (at most once a second, since
  the answers to requests already in flight arrive together); each second without one raises it a little, so that
  capacity freed by the user's other tools is found again. The number in flight follows: at most the concurrency,
  and no more than the rate admits. A Retry-After holds every request until then (never a backoff that keeps
  growing: a run that kept doubling its wait took 262.6 s for what 20 s allowed).
* **Holds**: while the operator answers a question (quit? cancel?), or while rejected credentials are replaced,
  nothing new is sent; requests in flight finish and are recorded.

No I/O here and no knowledge of HTTP beyond the answer's kind: `Admission` is driven by the engine and tested alone.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from tui_app.domain.errors import ApiError

LIMIT_SHARE = 0.95  # of a limit the gateway named: headroom for jitter in when answers arrive
MEASURED_SHARE = 0.9  # of the admitted rate just measured, when the gateway named none
DECREASE = 0.85  # each further 429 while pacing
RECOVER = 0.1  # of the ceiling, added each second without a 429 while well under it
INCREASE = 0.01  # of the ceiling, added each second without a 429 once near it (probing for freed capacity)
EPOCH = 1.0  # seconds: one decrease per epoch (answers to requests already in flight arrive together)
MIN_RATE = 0.2  # requests per second: a gateway that throttles everything is still asked, slowly
RECENT = 3.0  # seconds of admitted answers the measured rate looks at
FIRST_WINDOW = 8  # requests in flight once the credentials are proven; then GROWTH times that each round, up to C
GROWTH = 4  # until the first 429 (8, 32, then 64 at most)

_LIMIT = re.compile(r"limit\s*:\s*(\d+(?:\.\d+)?)\s*,\s*time\s*:\s*(\d+)?\s*(second|minute|hour)", re.IGNORECASE)
_UNIT = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


def named_limit(error: ApiError) -> float | None:
    """Requests per second that a 429's text names ("policy user over ratelimit, limit:20, time:1 second")."""
    found = _LIMIT.search(" ".join(t for t in (error.message, error.detail, error.raw_body) if t))
    if not found:
        return None
    count, span, unit = float(found.group(1)), float(found.group(2) or 1), _UNIT[found.group(3).lower()]
    rate = count / (span * unit)
    return rate if rate > 0 and math.isfinite(rate) else None


@dataclass(frozen=True)
class PaceChange:
    """What the run bar and the progress lines say: pacing at ~`rate`/s (the gateway's `limit`, when named)."""

    rate: float
    limit: float | None


class Admission:
    def __init__(self, concurrency: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.concurrency = concurrency
        self.clock = clock
        self.in_flight = 0
        self.proven = False  # an answer showed the credentials are accepted: fan out
        self.probe_owner: str | None = None  # the ID that has the floor until then
        self.held = False  # the operator is answering a question
        self.paused = False  # the credentials were rejected; waiting for new ones
        self.stopped = False
        self.hold_until = 0.0  # Retry-After
        self.rate: float | None = None  # requests per second, once a 429 came; None: no pacing
        self.limit: float | None = None  # the gateway's limit, when a 429 named it
        self.ceiling = 0.0  # the rate pacing climbs back towards
        # How many may be in flight: from FIRST_WINDOW up to the concurrency (_grow), so that a gateway's small
        # bucket meets a short first wave, not C requests at once; halved by a 429.
        self.window = float(min(concurrency, FIRST_WINDOW))
        self._slowed = False
        self._round = 0  # answers in the current round, while the window quadruples
        self._next_start = 0.0
        self._last_decrease = -math.inf
        self._last_increase = 0.0
        self._admitted: deque[float] = deque()  # when recent admitted (not throttled) answers came
        self._started = clock()
        self._changed = asyncio.Event()

    # --- the engine's side ----------------------------------------------------------------------------

    async def acquire(self, owner: str) -> bool:
        """Wait until a request for `owner` (an ID) may start; False when the run stopped instead. Until the
        credentials are proven, one ID at a time has the floor, with its retries."""
        while True:
            if self.stopped:
                return False
            wait = self._wait(owner)
            if wait <= 0:
                if not self.proven:
                    self.probe_owner = owner
                self.in_flight += 1
                if self.rate is not None:
                    now = self.clock()
                    self._next_start = max(now, self._next_start) + 1.0 / self.rate
                return True
            self._changed.clear()  # no await between the check and the wait: no wake-up is lost
            waiter = asyncio.ensure_future(self._changed.wait())
            try:
                await asyncio.wait((waiter,), timeout=None if math.isinf(wait) else wait)
            finally:
                waiter.cancel()

    def release(self) -> None:
        """A request ended (answered or not)."""
        self.in_flight -= 1
        self._pulse()

    def settled(self, owner: str) -> None:
        """`owner`'s ID has its outcome: if it had the floor while the credentials were unproven, pass it on."""
        if self.probe_owner == owner:
            self.probe_owner = None
            self._pulse()

    def answered(self, error: ApiError | None) -> PaceChange | None:
        """An attempt came back: `error` None for a success. Returns a change of pace worth telling."""
        now = self.clock()
        if error is not None and error.is_throttle:
            return self._throttled(error, now)
        if error is None or error.answered:
            self._admitted.append(now)
            self._forget_before(now - RECENT)  # kept to the window: a run that is never throttled never reads it
            if error is None or (not error.is_auth and error.http_status is not None and error.http_status < 500):
                self.proven = True  # the gateway let it through to VIAS
            self._grow()
            self._pulse()
        return self._climb(now)

    def _grow(self) -> None:
        """Quadruple the window each round trip (a window's worth of answers) until the first 429; after it, one
        more per window's worth. Within a round the window stays: the answers of one wave come back together, and
        requests sent on the first of them before a 429 among them is read would meet the same empty bucket."""
        if self.window >= self.concurrency:
            return
        if self._slowed:
            self.window = min(float(self.concurrency), self.window + 1.0 / self.window)
            return
        self._round += 1
        if self._round >= int(self.window):
            self._round = 0
            self.window = min(float(self.concurrency), self.window * GROWTH)

    def retry_after(self, seconds: float) -> None:
        self.hold_until = max(self.hold_until, self.clock() + seconds)
        self._pulse()

    # --- holds and stops ---------------------------------------------------------------------------

    def set_held(self, held: bool) -> None:
        self.held = held
        self._pulse()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused:
            self.proven = False  # new credentials prove themselves with one request, like the first ones
            self.probe_owner = None
        self._pulse()

    def stop(self) -> None:
        self.stopped = True
        self._pulse()

    # --- inside -----------------------------------------------------------------------------------------

    def _wait(self, owner: str) -> float:
        """Seconds until a request may start (0: now), or infinity: until something changes."""
        if self.held or self.paused:
            return math.inf
        if self.in_flight >= (int(self.window) if self.proven else 1):
            return math.inf
        if not self.proven and self.probe_owner not in (None, owner):
            return math.inf
        now = self.clock()
        return max(0.0, self.hold_until - now, self._next_start - now)

    def _pulse(self) -> None:
        self._changed.set()

    def _forget_before(self, moment: float) -> None:
        while self._admitted and self._admitted[0] < moment:
            self._admitted.popleft()

    def _measured(self, now: float) -> float:
        self._forget_before(now - RECENT)
        return len(self._admitted) / max(1.0, min(RECENT, now - self._started))

    def _throttled(self, error: ApiError, now: float) -> PaceChange | None:
        if self.rate is not None:  # the bucket is empty now: the next token is a pacing interval away
            self._next_start = max(self._next_start, now + 1.0 / self.rate)
        if now - self._last_decrease < EPOCH:
            return None  # the same overshoot, answered several times
        self._last_decrease = now
        self.window = max(1.0, self.window / 2)
        self._slowed = True
        limit = named_limit(error)
        if limit is not None:
            self.limit = limit
            self.ceiling = LIMIT_SHARE * limit
            rate = self.ceiling if self.rate is None or self.rate > self.ceiling else self.rate * DECREASE
        elif self.rate is None:
            self.ceiling = MEASURED_SHARE * self._measured(now) or 1.0
            rate = self.ceiling
        else:
            self.ceiling = self.rate
            rate = self.rate * DECREASE
        self.rate = max(MIN_RATE, rate)
        self._next_start = max(self._next_start, now + 1.0 / self.rate)
        self._last_increase = now
        self._pulse()
        return PaceChange(self.rate, self.limit)

    def _climb(self, now: float) -> PaceChange | None:
        if self.rate is None or now - self._last_increase < EPOCH:
            return None
        self._last_increase = now
        top = self.ceiling if self.limit is not None else math.inf  # a named limit is not probed beyond
        # Back to just under the last rate that drew a 429 quickly, then probe beyond it slowly.
        fast = self.rate < LIMIT_SHARE * self.ceiling
        step = max((RECOVER if fast else INCREASE) * self.ceiling, 0.05)
        rate = min(top, self.rate + step, LIMIT_SHARE * self.ceiling) if fast else min(top, self.rate + step)
        if rate <= self.rate:
            return None
        self.rate = rate
        return PaceChange(rate, self.limit)


__all__ = ["Admission", "PaceChange", "named_limit"]
