"""The gateway's lock on an access key after repeated failed authentications.

As the API Gateway FAQ describes it: more than five consecutive failed authentications for one AK (a wrong
signature or SK, a stale X-Sdk-Date, a missing security token, an unknown key) lock that AK for 5 minutes.
While locked, every request signed with it, correct ones included, gets 401 APIG.0301 "AK access failed to reach
the limit,forbidden". A success resets the count. Assumed where the FAQ is silent: the failure that goes over the
threshold (the sixth, by default) is itself answered with the lock message; requests while locked neither
extend the lock nor count; when the lock ends the count starts again from zero.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

LOCKED_MESSAGE = "AK access failed to reach the limit,forbidden"


@dataclass
class AkLockPolicy:
    enabled: bool = True
    threshold: int = 5  # this many consecutive failures are tolerated; one more locks the key
    seconds: float = 300.0


class AkLock:
    def __init__(self, policy: AkLockPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._failures: dict[str, int] = {}
        self._until: dict[str, float] = {}

    def locked(self, ak: str) -> bool:
        until = self._until.get(ak)
        if until is None:
            return False
        if self._clock() >= until:
            del self._until[ak]
            self._failures.pop(ak, None)
            return False
        return True

    def failed(self, ak: str) -> bool:
        """Count a failed authentication; True when this one locks the key."""
        if not self.policy.enabled:
            return False
        count = self._failures.get(ak, 0) + 1
        if count > self.policy.threshold:
            self._until[ak] = self._clock() + self.policy.seconds
            self._failures[ak] = 0
            return True
        self._failures[ak] = count
        return False

    def succeeded(self, ak: str) -> None:
        self._failures.pop(ak, None)

    def locked_count(self) -> int:
        return sum(1 for ak in list(self._until) if self.locked(ak))


__all__ = ["LOCKED_MESSAGE", "AkLock", "AkLockPolicy"]
