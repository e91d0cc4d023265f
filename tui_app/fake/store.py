"""The fake VIAS's in-memory state: projects and their batch tasks, tokens, access keys, IAM users.

`store.tasks` and `store.project_id` are the default project (named after `store.region`, cn-north-4); more
projects (other regions, subprojects such as "cn-east-3_ops") live in `store.other_projects`. Everything a
request can reach goes through `store.project(project_id)`.

Identities: every token and access key belongs to an IAM user (a user ID). Tokens and keys the store does not
know the owner of belong to the demo user, so by default all of them share one user (one rate-limit bucket).
Tokens are scoped to one project (the default project unless the IAM login scoped them elsewhere).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from tui_app.fake.jobs import FakeJob, JobCount, JobPaging, JobState

DEMO_TOKEN = "demo-token-MIIDemoOnlyNotARealIamToken0000"
DEMO_AK = "DEMOAKNOTAREALKEY0001"  # the demo's access keys, accepted like the demo token by every store
DEMO_SK = "demo-sk-NotARealSecretKeyOnlyForTheDemo00"
DEMO_PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
DEMO_REGION = "cn-north-4"
DEMO_IAM_USER = ("demo-account", "demo-user", "demo-password")
DEMO_DOMAIN_ID = "d0d0a1b2c3d4e5f60718293a4b5c6d7e"
DEMO_MFA_PASSCODE = "123456"
# The regions of the project's API notes; a seeded project in any other region adds that region.
KNOWN_REGIONS = (
    "cn-north-4",
    "cn-east-3",
    "cn-south-1",
    "cn-southwest-2",
    "ap-southeast-1",
    "ap-southeast-3",
    "ap-southeast-4",
)


def derived_id(*parts: str) -> str:
    """Deterministic 32-hex IDs for projects and users the fake makes up."""
    return hashlib.blake2b("/".join(parts).encode(), digest_size=16).hexdigest()


DEMO_USER_ID = derived_id("user", DEMO_IAM_USER[0], DEMO_IAM_USER[1])
_NEVER = datetime.max.replace(tzinfo=timezone.utc)


@dataclass
class FakeTask:
    id: str
    name: str
    alg_name: str
    video_group_name: str
    video_source_name: str
    type: str
    created_at_ms: int
    status_info: dict[str, int]  # the batch's job counters; derived from `jobs` once those exist
    company: str = "huawei"
    refuse_delete: bool = False  # behaves like a batch with running jobs that VIAS will not delete (a stop clears it)
    fail_jobs: int = 0  # a delete answers 200 but this many jobs fail and stay behind (a partial delete)
    alg_title: str = ""  # the algorithm's (Chinese) title: what the list's `title` filter matches
    jobs: list[FakeJob] | None = field(default=None, repr=False)  # None until first needed (see jobs.py)
    next_job_serial: int = 0

    @property
    def num_task(self) -> int:
        return sum(self.status_info.values())

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "batch_task_name": self.name,
            "video_source_name": self.video_source_name,
            "video_group_name": self.video_group_name,
            "alg_name": self.alg_name,
            "company": self.company,
            "type": self.type,
            "num_task": self.num_task,
            "created_at": self.created_at_ms,
            "batch_task_status_info": dict(self.status_info),
        }


@dataclass
class FakeProject:
    id: str
    name: str  # a region name ("cn-east-3") or a subproject ("cn-east-3_ops")
    region: str
    tasks: dict[str, FakeTask] = field(default_factory=dict)
    job_index: dict[str, str] = field(default_factory=dict)  # job ID -> batch ID, for jobs that exist
    pending_stops: set[str] = field(default_factory=set)  # batches with STOPPING jobs still to settle
    parent_id: str = DEMO_DOMAIN_ID  # a region's own project: the account; a subproject: its region's project

    @property
    def is_subproject(self) -> bool:
        return self.name != self.region

    def as_json(self, domain_id: str, base_url: str = "https://iam.myhuaweicloud.com") -> dict[str, object]:
        """An IAM project as KeystoneListAuthProjects' AuthProjectResult has it."""
        return {
            "id": self.id,
            "name": self.name,
            "domain_id": domain_id,
            "enabled": True,
            "is_domain": False,
            "parent_id": self.parent_id,
            "description": "",
            "links": {"self": f"{base_url}/v3/projects/{self.id}"},
        }


@dataclass(frozen=True)
class TokenInfo:
    user_id: str
    project_id: str
    expires_at: datetime


@lru_cache(maxsize=16)
def _default_token(project_id: str) -> TokenInfo:
    return TokenInfo(DEMO_USER_ID, project_id, _NEVER)


@dataclass(frozen=True)
class MfaDevice:
    """Virtual-MFA login protection: the passcode accepted is `passcode`, or with `totp_secret` the current
    RFC 6238 code (30 s steps, 6 digits, one step either side)."""

    passcode: str | None = DEMO_MFA_PASSCODE
    totp_secret: bytes | None = None


@dataclass
class FakeStore:
    project_id: str = DEMO_PROJECT_ID
    tasks: dict[str, FakeTask] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=lambda: {DEMO_TOKEN})
    iam_users: dict[tuple[str, str], str] = field(
        default_factory=lambda: {(DEMO_IAM_USER[0], DEMO_IAM_USER[1]): DEMO_IAM_USER[2]}
    )
    not_found_status: int = 400  # VIAS may answer an unknown ID with 400 VIAS.00010002 or a 404
    # Access keys: AK -> (SK, the security token temporary keys must come with, when they expire)
    access_keys: dict[str, tuple[str, str | None, datetime | None]] = field(
        default_factory=lambda: {DEMO_AK: (DEMO_SK, None, None)}
    )
    metadata_agency: bool = True  # the metadata service hands out temporary keys (an ECS with an agency)
    metadata_session_tokens: bool = True  # it wants a session token (PUT .../api/token) before answering
    temporary_key_ttl: float = 3600.0
    # --- projects and identities ---
    region: str = DEMO_REGION  # the default project's region (and the region an unknown Host reaches)
    domain_id: str = DEMO_DOMAIN_ID
    other_projects: dict[str, FakeProject] = field(default_factory=dict)
    token_info: dict[str, TokenInfo] = field(default_factory=dict)  # tokens not here: demo user, default project
    revoked_tokens: set[str] = field(default_factory=set)  # answered APIG.0307 "must be updated"
    ak_users: dict[str, str] = field(default_factory=dict)  # AK -> user ID (default: the demo user)
    iam_user_ids: dict[tuple[str, str], str] = field(default_factory=dict)  # default: derived from the names
    mfa: dict[tuple[str, str], MfaDevice] = field(default_factory=dict)  # users with virtual-MFA login protection
    # --- how batches and jobs behave ---
    refuse_running: bool = False  # a batch delete is refused (400) while any job is running/starting/pending/stopping
    stop_delay: float = 0.0  # seconds a stopped job spends STOPPING before it is STOPPED (0: at once)
    leftover_states: tuple[JobState, ...] = (JobState.FAILED, JobState.UPGRADING)  # a partial delete's leftovers
    upgrading_refusals: int = 1  # deletes an UPGRADING leftover refuses before its upgrade is over
    empty_batch_stays: bool = False  # a batch whose last job was deleted stays listed (0 jobs) until deleted
    job_count: JobCount = JobCount.TOTAL
    job_paging: JobPaging = JobPaging.FROM_0
    job_states_upper: bool = True  # TaskInfo.state as the SDK documents it (RUNNING); False: lower case
    _default: FakeProject | None = field(default=None, init=False, repr=False)

    # --- projects ---

    def default_project(self) -> FakeProject:
        """The project `tasks` and `project_id` describe (kept in step if a test replaces either)."""
        project = self._default
        if project is None:
            project = self._default = FakeProject(self.project_id, self.region, self.region, self.tasks)
        elif project.tasks is not self.tasks or project.id != self.project_id or project.region != self.region:
            project.id, project.name, project.region, project.tasks = (
                self.project_id,
                self.region,
                self.region,
                self.tasks,
            )
        return project

    def project(self, project_id: str) -> FakeProject | None:
        if project_id == self.project_id:
            return self.default_project()
        return self.other_projects.get(project_id)

    def projects(self) -> list[FakeProject]:
        return [self.default_project(), *self.other_projects.values()]

    def regions(self) -> set[str]:
        return {*KNOWN_REGIONS, *(p.region for p in self.projects())}

    def main_project(self, region: str) -> FakeProject | None:
        return next((p for p in self.projects() if p.region == region and not p.is_subproject), None)

    def add_project(self, name: str, project_id: str | None = None) -> FakeProject:
        """A project named for its region ("cn-east-3") or a subproject ("cn-east-3_ops": region before "_")."""
        existing = next((p for p in self.projects() if p.name == name), None)
        if existing is not None:
            return existing
        region = name.partition("_")[0]
        project = FakeProject(project_id or derived_id("project", name), name, region)
        if project.is_subproject:
            main = self.main_project(region) or self.add_project(region)
            project.parent_id = main.id
        self.other_projects[project.id] = project
        return project

    def find_project(self, name: str | None = None, project_id: str | None = None) -> FakeProject | None:
        return next((p for p in self.projects() if p.name == name or p.id == project_id), None)

    # --- tasks ---

    def add_task(self, task: FakeTask, project_id: str | None = None) -> FakeTask:
        project = self.project(project_id or self.project_id)
        if project is None:
            raise KeyError("no such project in the fake store")
        project.tasks[task.id] = task
        return task

    # --- credentials and identities ---

    def user_id(self, account: str, user: str) -> str:
        return self.iam_user_ids.get((account, user)) or derived_id("user", account, user)

    def token_identity(self, token: str) -> TokenInfo:
        info = self.token_info.get(token)
        if info is None:  # a token a test or the demo handed in: the demo user's, for the default project
            return _default_token(self.project_id)
        return info

    def ak_user(self, ak: str) -> str:
        return self.ak_users.get(ak, DEMO_USER_ID)

    def revoke_credentials(self) -> None:
        """Like a password change or rotated keys: tokens in use now answer "must be updated", keys are gone."""
        self.revoked_tokens.update(self.tokens)
        self.tokens.clear()
        self.access_keys.clear()

    def add_keys(self, ak: str, sk: str, security_token: str | None = None, expires_at: datetime | None = None) -> None:
        self.access_keys[ak] = (sk, security_token, expires_at)

    def issue_temporary_keys(self) -> tuple[str, str, str, datetime]:
        """What the metadata service hands an ECS with an agency: AK, SK, security token, expiry."""
        ak = "TMPAK" + secrets.token_hex(8).upper()
        sk = secrets.token_urlsafe(30)
        token = "gQ" + secrets.token_urlsafe(120)
        expires = datetime.now(timezone.utc) + timedelta(seconds=self.temporary_key_ttl)
        self.add_keys(ak, sk, token, expires)
        return ak, sk, token, expires

    def issue_token(self, user_id: str | None = None, project_id: str | None = None) -> tuple[str, datetime]:
        token = "MIIfake" + secrets.token_urlsafe(96)
        expires = datetime.now(timezone.utc) + timedelta(hours=24)
        self.tokens.add(token)
        self.token_info[token] = TokenInfo(user_id or DEMO_USER_ID, project_id or self.project_id, expires)
        return token, expires


__all__ = [
    "DEMO_DOMAIN_ID",
    "DEMO_IAM_USER",
    "DEMO_MFA_PASSCODE",
    "DEMO_PROJECT_ID",
    "DEMO_REGION",
    "DEMO_TOKEN",
    "DEMO_USER_ID",
    "KNOWN_REGIONS",
    "FakeProject",
    "FakeStore",
    "FakeTask",
    "MfaDevice",
    "TokenInfo",
    "derived_id",
]
