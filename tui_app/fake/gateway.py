"""The API gateway in front of VIAS and IAM: who is calling, may they act on this project here, and are they
over their rate limit. In that order, as the gateway does it: authentication (with the AK lock), then the
project's authorization, then throttling; only an admitted request reaches the service.

Answers (documented in docs/fake.md; where the public docs are silent, the choice is marked *assumed*):

* No token and no signature, an unknown token, a bad signature: 401 APIG.0301 "Incorrect IAM authentication
  information: <what was wrong>" (the list call too).
* A token that "must be updated": revoked (see FakeStore.revoke_credentials), expired, or used in a region other
  than the one its project is in: 401 APIG.0307 "The token must be updated.".
* A locked AK (aklock.py): 401 APIG.0301 "AK access failed to reach the limit,forbidden".
* *Assumed*: a token used on another project's path, an AK/SK request for a project that is not in the region
  reached (or unknown), a signed X-Project-Id that differs from the path's project, and an AK/SK request without a
  signed X-Project-Id for a subproject (or for any project with `require_project_header`): 403 APIG.0302 "The IAM
  user is not authorized to access the API: <why>" (`project_mismatch_status=401`: 401 APIG.0301 instead).
* Throttled (ratelimit.py): 429 APIG.0308 with the policy's message, `Retry-After` only when switched on.

Throttling and the project checks apply to VIAS calls (/v2/...); IAM's project listings are authenticated (and
count towards the AK lock) but not throttled: IAM has limits of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from tui_app.fake.aklock import LOCKED_MESSAGE, AkLock, AkLockPolicy
from tui_app.fake.answers import Answer, apig
from tui_app.fake.ratelimit import RateLimit, RateLimiter
from tui_app.fake.routes import Route
from tui_app.fake.store import FakeStore
from tui_app.fake.verifier import verify_request

_SIGNED = re.compile(r"SignedHeaders=([^,\s]+)")
MUST_UPDATE = "The token must be updated."


@dataclass
class GatewayPolicy:
    rate_limit: RateLimit | None = None  # None: no throttling
    ak_lock: AkLockPolicy = field(default_factory=AkLockPolicy)
    require_project_header: bool = False  # AK/SK requests need a signed X-Project-Id equal to the path's project
    project_mismatch_status: int = 403  # 403 (APIG.0302) or 401 (APIG.0301)


@dataclass(slots=True)
class Admission:
    answer: Answer | None = None  # the refusal; None when admitted
    credential: str = ""  # "token", "ak:<AK>", or "" (none accepted)
    user: str = ""  # the IAM user ID behind the credential

    @property
    def ok(self) -> bool:
        return self.answer is None


@dataclass(slots=True)
class _Caller:
    credential: str
    user: str
    token_project: str | None = None  # the project a token is scoped to
    signed_project: str | None = None  # X-Project-Id, when signed with the request


class Gateway:
    def __init__(self, policy: GatewayPolicy | None = None) -> None:
        self.policy = policy or GatewayPolicy()
        self.lock = AkLock(self.policy.ak_lock)
        self._limiter: RateLimiter | None = None

    @property
    def limiter(self) -> RateLimiter | None:
        """The bucket keeper for the current policy (a new one when the policy's rate limit is changed)."""
        wanted = self.policy.rate_limit
        if wanted is None:
            return None
        if self._limiter is None or self._limiter.limit != wanted:
            self._limiter = RateLimiter(wanted)
        return self._limiter

    def admit(
        self, store: FakeStore, route: Route, method: str, target: str, headers: dict[str, str], body: bytes, rid: str
    ) -> Admission:
        self.lock.policy = self.policy.ak_lock
        caller = self._authenticate(store, method, target, headers, body, rid)
        if isinstance(caller, Answer):
            return Admission(caller)
        if route.is_vias:
            problem = self._authorize(store, route, caller, rid)
            if problem is not None:
                return Admission(problem, caller.credential, caller.user)
            limiter = self.limiter
            wait = limiter.admit(caller.user) if limiter is not None else None
            if limiter is not None and wait is not None:
                extra = {"Retry-After": limiter.retry_after(wait)} if limiter.limit.retry_after else {}
                throttled = apig(429, "APIG.0308", limiter.limit.message(), rid, extra)
                return Admission(throttled, caller.credential, caller.user)
        return Admission(None, caller.credential, caller.user)

    def stats(self) -> dict[str, object]:
        limiter = self.limiter
        return {"rate_limit": limiter.stats() if limiter else None, "locked_access_keys": self.lock.locked_count()}

    # --- who is calling ----------------------------------------------------------------------------------

    def _authenticate(
        self, store: FakeStore, method: str, target: str, headers: dict[str, str], body: bytes, rid: str
    ) -> _Caller | Answer:
        token = headers.get("x-auth-token")
        if token is not None and token in store.tokens:
            info = store.token_identity(token)
            if info.expires_at <= datetime.now(timezone.utc):
                return apig(401, "APIG.0307", MUST_UPDATE, rid)
            return _Caller("token", info.user_id, token_project=info.project_id)
        if "authorization" in headers:
            return self._signature(store, method, target, headers, body, datetime.now(timezone.utc), rid)
        if token is not None and token in store.revoked_tokens:
            return apig(401, "APIG.0307", MUST_UPDATE, rid)
        why = "the token was not accepted" if token is not None else "no X-Auth-Token and no signature"
        return apig(401, "APIG.0301", f"Incorrect IAM authentication information: {why}", rid)

    def _signature(
        self, store: FakeStore, method: str, target: str, headers: dict[str, str], body: bytes, now: datetime, rid: str
    ) -> _Caller | Answer:
        def keys(ak: str) -> tuple[str, str | None] | None:
            found = store.access_keys.get(ak)
            if found is None or (found[2] is not None and found[2] <= now):
                return None  # unknown, or temporary keys past their expiry
            return found[0], found[1]

        verdict = verify_request(method, target, headers, body, keys, now)
        ak = verdict.ak
        if ak is not None and self.lock.locked(ak):
            return apig(401, "APIG.0301", LOCKED_MESSAGE, rid)
        if verdict.ok and ak is not None:
            self.lock.succeeded(ak)
            match = _SIGNED.search(headers.get("authorization", ""))
            signed = match[1].split(";") if match else []
            project = headers.get("x-project-id") if "x-project-id" in signed else None
            return _Caller(f"ak:{ak}", store.ak_user(ak), signed_project=project)
        if ak is not None and self.lock.failed(ak):
            return apig(401, "APIG.0301", LOCKED_MESSAGE, rid)
        return apig(401, "APIG.0301", f"Incorrect IAM authentication information: {verdict.reason}", rid)

    # --- may they act on this project here --------------------------------------------------------------

    def _authorize(self, store: FakeStore, route: Route, caller: _Caller, rid: str) -> Answer | None:
        path_project = route.project_id or ""
        project = store.project(path_project)
        if caller.token_project is not None:
            scoped = store.project(caller.token_project)
            if (scoped.region if scoped else store.region) != route.region:
                return apig(401, "APIG.0307", MUST_UPDATE, rid)  # a token from another region
            if path_project != caller.token_project:
                return self._mismatch(f"the token is scoped to another project than {path_project}", rid)
            return None
        if project is None or project.region != route.region:
            return self._mismatch(f"project {path_project} is not a project of region {route.region}", rid)
        if caller.signed_project is not None and caller.signed_project != path_project:
            return self._mismatch(f"X-Project-Id {caller.signed_project} is not the project in the path", rid)
        if caller.signed_project is None and (self.policy.require_project_header or project.is_subproject):
            return self._mismatch(f"no signed X-Project-Id for project {path_project}", rid)
        return None

    def _mismatch(self, why: str, rid: str) -> Answer:
        if self.policy.project_mismatch_status == 401:
            return apig(401, "APIG.0301", f"Incorrect IAM authentication information: {why}", rid)
        return apig(403, "APIG.0302", f"The IAM user is not authorized to access the API: {why}", rid)


__all__ = ["MUST_UPDATE", "Admission", "Gateway", "GatewayPolicy"]
