"""How long to wait before trying again: exponential backoff with jitter for 5xx, timeouts and connection errors,
and the server's Retry-After (capped) when it sends one. Throttling without Retry-After is paced instead
(pacing.py), not backed off per ID."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tui_app.domain.errors import ApiError


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4  # for 5xx, timeouts and connection errors
    max_throttled: int = 12  # 429s tolerated for one ID before giving up on it
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def backoff(self, failures: int, rand: Callable[[], float] = random.random) -> float:
        """Exponential backoff with jitter (never zero, so retries still spread out)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(0, failures - 1))
        return float(ceiling * (0.5 + rand() / 2))

    def throttle_delay(self, error: ApiError, throttles: int, rand: Callable[[], float] = random.random) -> float:
        """How long one requester waits after a 429: the server's Retry-After (capped), else the backoff."""
        if error.retry_after is not None:
            return min(error.retry_after, self.max_retry_after)
        return self.backoff(throttles, rand)


__all__ = ["RetryPolicy"]
