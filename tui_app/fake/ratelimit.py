"""API-gateway throttling: one token bucket per user, refilled continuously.

Written by hand because the fake needs exactly the gateway's rules and counts the benchmarks can read, which a
general rate-limit library would hide: every authenticated VIAS request of a user (list, delete, stop, jobs, ...)
takes one token from that user's bucket; the bucket holds at most `burst` tokens (default: the limit N) and
gains N tokens per second (or per minute). A request that finds less than one token is throttled: it takes
nothing, does nothing, and is answered 429 APIG.0308.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

_KEEP_SECONDS = 3600  # per-second counts kept for the last hour


class Period(str, Enum):
    SECOND = "second"
    MINUTE = "minute"

    @property
    def seconds(self) -> float:
        return 1.0 if self is Period.SECOND else 60.0


@dataclass(frozen=True)
class RateLimit:
    limit: int  # N requests per period
    period: Period = Period.SECOND
    burst: int | None = None  # bucket capacity; None: N
    retry_after: bool = False  # send Retry-After on a 429 (the real gateway often does not)

    def __post_init__(self) -> None:
        if self.limit < 1 or (self.burst is not None and self.burst < 1):
            raise ValueError("a rate limit and its burst must be at least 1")

    @property
    def capacity(self) -> int:
        return self.burst if self.burst is not None else self.limit

    @property
    def per_second(self) -> float:
        return self.limit / self.period.seconds

    def message(self) -> str:
        return (
            "The throttling threshold has been reached: policy user over ratelimit, "
            f"limit:{self.limit}, time:1 {self.period.value}"
        )

    @classmethod
    def parse(cls, text: str, burst: int | None = None, retry_after: bool = False) -> RateLimit:
        """ "5/s", "5/second", "300/min", "300/minute"."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(s|sec|second|m|min|minute)\s*", text)
        if match is None:
            raise ValueError("a rate limit is N/s or N/min, e.g. 5/s")
        period = Period.SECOND if match[2].startswith("s") else Period.MINUTE
        return cls(int(match[1]), period, burst, retry_after)


class RateLimiter:
    def __init__(
        self,
        limit: RateLimit,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self._clock, self._wall = clock, wall
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, when last refilled)
        self.admitted = 0
        self.throttled = 0
        self.per_second: dict[int, list[int]] = {}  # wall-clock second -> [admitted, throttled]

    def admit(self, user: str) -> float | None:
        """None when the request may go on (one token taken); else the seconds until a token is there."""
        now = self._clock()
        tokens, last = self._buckets.get(user, (float(self.limit.capacity), now))
        tokens = min(float(self.limit.capacity), tokens + (now - last) * self.limit.per_second)
        admitted = tokens >= 1.0
        if admitted:
            tokens -= 1.0
        self._buckets[user] = (tokens, now)
        self._count(admitted)
        return None if admitted else (1.0 - tokens) / self.limit.per_second

    def retry_after(self, wait: float) -> str:
        return str(max(1, math.ceil(wait)))  # Retry-After is whole seconds

    def _count(self, admitted: bool) -> None:
        second = int(self._wall())
        slot = self.per_second.get(second)
        if slot is None:
            slot = self.per_second[second] = [0, 0]
            if len(self.per_second) > _KEEP_SECONDS:
                del self.per_second[min(self.per_second)]
        slot[0 if admitted else 1] += 1
        if admitted:
            self.admitted += 1
        else:
            self.throttled += 1

    def stats(self) -> dict[str, object]:
        return {
            "limit": self.limit.limit,
            "period": self.limit.period.value,
            "burst": self.limit.capacity,
            "admitted": self.admitted,
            "throttled": self.throttled,
            "per_second": {str(k): {"admitted": v[0], "throttled": v[1]} for k, v in sorted(self.per_second.items())},
        }


__all__ = ["Period", "RateLimit", "RateLimiter"]
