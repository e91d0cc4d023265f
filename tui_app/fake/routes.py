"""Which API a request is for, and which region it reached.

A request reaches a region by its Host (`vias.{region}.myhuaweicloud.com`, `.cn` too, or `iam.{region}...`), or
by a path prefix `/_region/{region}` on the fake's own URL (an endpoint `http://127.0.0.1:PORT/_region/cn-east-3`
reaches cn-east-3 without DNS; the prefix wins over the Host). Any other Host reaches the store's default region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit

_HOST = re.compile(r"(?:vias|iam)\.([a-z0-9-]+)\.myhuaweicloud\.(?:com|cn)")


class RequestKind(str, Enum):
    BATCH_LIST = "batch_list"
    BATCH_DELETE = "batch_delete"
    BATCH_STOP = "batch_stop"
    BATCH_START = "batch_start"
    BATCH_ACTION = "batch_action"  # a command other than stop or start
    JOB_LIST = "job_list"
    JOB_SHOW = "job_show"
    JOB_DELETE = "job_delete"
    JOB_STOP = "job_stop"
    JOB_START = "job_start"
    JOB_ACTION = "job_action"
    IAM_LOGIN = "iam_login"
    IAM_PROJECTS = "iam_projects"
    IAM_AUTH_PROJECTS = "iam_auth_projects"
    METADATA = "metadata"
    FAKE = "fake"  # the fake's own introspection (/_fake/requests, /_fake/stats)
    UNKNOWN = "unknown"


VIAS_KINDS = frozenset(k for k in RequestKind if k.value.startswith(("batch_", "job_")))
IAM_AUTHENTICATED = frozenset({RequestKind.IAM_PROJECTS, RequestKind.IAM_AUTH_PROJECTS})
_ACTIONS = {
    ("batch-tasks", "stop"): RequestKind.BATCH_STOP,
    ("batch-tasks", "start"): RequestKind.BATCH_START,
    ("tasks", "stop"): RequestKind.JOB_STOP,
    ("tasks", "start"): RequestKind.JOB_START,
}


@dataclass(frozen=True)
class Route:
    kind: RequestKind
    region: str
    path: str  # the request target as received, without a /_region prefix
    segments: tuple[str, ...]  # decoded path segments, without the prefix
    query: dict[str, str]
    project_id: str | None = None
    target_id: str | None = None  # the batch or job ID in the path
    command: str | None = None  # stop / start / anything else sent as {command}

    @property
    def is_vias(self) -> bool:
        return self.kind in VIAS_KINDS


def parse_route(method: str, target: str, host: str, default_region: str) -> Route:
    parts = urlsplit(target)
    raw = parts.path.split("/")
    segments = tuple([unquote(s) for s in raw if s])
    region = region_of_host(host) or default_region
    path = parts.path
    if len(segments) >= 2 and segments[0] == "_region":
        region, segments = segments[1], segments[2:]
        path = "/" + "/".join(raw[3:])
    path += f"?{parts.query}" if parts.query else ""
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()} if parts.query else {}
    kind, project, target_id, command = _classify(method, segments)
    return Route(kind, region, path, segments, query, project, target_id, command)


@lru_cache(maxsize=256)
def region_of_host(host: str) -> str | None:
    name = host.strip().lower()
    if name.startswith("["):
        return None  # an IPv6 literal
    match = _HOST.fullmatch(name.rsplit(":", 1)[0] if ":" in name else name)
    return match[1] if match else None


_Classified = tuple[RequestKind, str | None, str | None, str | None]  # kind, project, target ID, command
_UNKNOWN: _Classified = (RequestKind.UNKNOWN, None, None, None)
_METADATA_PREFIXES = (("meta-data", "latest"), ("openstack", "latest"))
_IAM = {
    ("POST", ("v3", "auth", "tokens")): RequestKind.IAM_LOGIN,
    ("GET", ("v3", "projects")): RequestKind.IAM_PROJECTS,
    ("GET", ("v3", "auth", "projects")): RequestKind.IAM_AUTH_PROJECTS,
}


def _classify(method: str, seg: tuple[str, ...]) -> _Classified:
    if seg[:2] in _METADATA_PREFIXES:
        return RequestKind.METADATA, None, None, None
    if seg[:1] == ("_fake",):
        return RequestKind.FAKE, None, None, None
    iam = _IAM.get((method, seg))
    if iam is not None:
        return iam, None, None, None
    if len(seg) < 3 or seg[0] != "v2" or seg[2] not in ("batch-tasks", "tasks"):
        return _UNKNOWN
    return _classify_vias(method, seg[1], seg[2], seg[3:])


def _classify_vias(method: str, project: str, collection: str, rest: tuple[str, ...]) -> _Classified:
    """/v2/{project}/batch-tasks... or /v2/{project}/tasks...: a batch or a job, listed, shown, deleted or acted on."""
    batch = collection == "batch-tasks"
    if method == "GET" and not rest:
        return (RequestKind.BATCH_LIST if batch else RequestKind.JOB_LIST), project, None, None
    if method == "GET" and len(rest) == 1 and not batch:
        return RequestKind.JOB_SHOW, project, rest[0], None
    if method == "DELETE" and len(rest) == 1:
        return (RequestKind.BATCH_DELETE if batch else RequestKind.JOB_DELETE), project, rest[0], None
    if method == "PUT" and len(rest) == 3 and rest[1] == "action":
        other = RequestKind.BATCH_ACTION if batch else RequestKind.JOB_ACTION
        return _ACTIONS.get((collection, rest[2]), other), project, rest[0], rest[2]
    return _UNKNOWN


__all__ = ["IAM_AUTHENTICATED", "VIAS_KINDS", "RequestKind", "Route", "parse_route", "region_of_host"]
