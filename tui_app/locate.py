"""Finding batch tasks that are not in the current project: in the operator's other projects and regions.

The projects come from IAM (the ones the current credentials can see); each one's batch-task list is paged with
the same client rules as a preview, within a page budget per project, until every ID is found. Read-only: nothing
is ever deleted here; what is found comes with one command line to delete it there, which asks for its own
confirmation. UI-agnostic: progress goes out through a callback, and the caller can stop it at any time.
"""

from __future__ import annotations

import asyncio
import re
import shlex
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tui_app.domain.errors import ApiError
from tui_app.i18n import _
from tui_app.ids import escaped
from tui_app.resolve import resolve
from tui_app.vias.auth import RequestAuth
from tui_app.vias.client import ViasClient
from tui_app.vias.endpoints import Endpoint, EndpointError
from tui_app.vias.http import HttpSettings
from tui_app.vias.projects import Project, auth_projects

_REGION = re.compile(r"[a-z]{2,}(?:-[a-z0-9]+){1,4}")  # cn-east-3, ap-southeast-1, la-north-2 ...

PAGE_BUDGET = 50  # pages of 200 per project: 10,000 batch tasks


@dataclass(frozen=True)
class Found:
    task_id: str
    project: Project
    name: str


@dataclass
class Search:
    ids: list[str]
    projects: list[Project] = field(default_factory=list)  # the projects to look in
    found: dict[str, Found] = field(default_factory=dict)
    searched: list[Project] = field(default_factory=list)
    failed: list[tuple[Project, ApiError]] = field(default_factory=list)  # could not be searched, and why
    partly: list[Project] = field(default_factory=list)  # searched up to the page budget only
    no_endpoint: list[Project] = field(default_factory=list)  # a region with no VIAS endpoint known here
    current: Project | None = None  # being searched now
    stopped: bool = False
    error: ApiError | None = None  # IAM did not list the projects: nothing was searched
    home: str | None = None  # the current target's project, when it is searched too

    @property
    def rejected(self) -> bool:
        """The credentials were refused by IAM, or by every project tried, and nothing was found."""
        if self.error is not None:
            return self.error.is_auth
        return (
            bool(self.failed) and not self.searched and not self.found and all(e.is_auth for _project, e in self.failed)
        )

    @property
    def done(self) -> int:
        return len(self.searched) + len(self.failed) + len(self.no_endpoint)

    @property
    def missing(self) -> list[str]:
        return [task_id for task_id in self.ids if task_id not in self.found]

    def where(self, task_id: str) -> str:
        """One line per ID: where it is, or where it was looked for."""
        hit = self.found.get(task_id)
        if hit is not None:
            return _found_text(hit, home=hit.project.id == self.home)
        if self.error is not None:
            return _("not searched: IAM did not list your projects")
        searched = len(self.searched)
        if self.home is not None:
            line = _("not found in any of {count} project(s) you can see").format(count=searched)
        else:
            line = _("not found in any of {count} other project(s) you can see").format(count=searched)
        unsure = len(self.failed) + len(self.partly) + len(self.no_endpoint)
        if unsure:
            line = _("{line} ({count} could not be searched to the end)").format(line=line, count=unsure)
        if self.stopped:
            line = _("{line} (the search was stopped)").format(line=line)
        return line

    def offered(self, where: Where) -> list[str]:
        """The commands offered from `where`: its profile and the options it carries."""
        return self.commands(where.endpoint_for, where.profile, where.carried)

    def commands(
        self, endpoint_for: Callable[[str], Endpoint | None], profile: str | None = None, carried: Sequence[str] = ()
    ) -> list[str]:
        """For each project with found IDs, one command line that deletes them there, with the same profile (its
        credentials) and the `carried` options (see carried_options). The IDs come through `--ids-file <(...)`
        (bash, zsh) so that stdin stays the terminal and the command previews and asks for its own typed
        confirmation."""
        by_project: dict[str, list[Found]] = {}
        for hit in self.found.values():
            if hit.project.id == self.home:
                continue  # the operator's own target: a plain delete
            by_project.setdefault(hit.project.id, []).append(hit)
        lines = []
        options = [*(("--profile", shlex.quote(profile)) if profile else ()), *carried]
        who = "".join(f"{part} " for part in options)
        for hits in by_project.values():
            project = hits[0].project
            endpoint = endpoint_for(project.region)
            standard = endpoint is None or endpoint.base_url == f"https://vias.{project.region}.myhuaweicloud.com"
            where = (
                f"--region {project.region}"
                if standard or endpoint is None
                else f"--endpoint {shlex.quote(endpoint.base_url)}"
            )
            ids = " ".join(shlex.quote(hit.task_id) for hit in hits)
            lines.append(
                f"vias-tui {who}delete {where} --project-id {project.id} --preview --ids-file <(printf '%s\\n' {ids})"
            )
        return lines


def _found_text(hit: Found, *, home: bool) -> str:
    project, name = hit.project, escaped(hit.name)  # the server's text: no newline or ESC reaches a terminal
    if home:
        if name:
            return _("found in the current target (project {project}, name {name})").format(
                project=project.id, name=name
            )
        return _("found in the current target (project {project})").format(project=project.id)
    # A region's own project is named for the region: only a subproject's name says more than the region does.
    named = project.id if project.name == project.region else f"{project.id} {escaped(project.name)}"
    if name:
        return _("found in {region} (project {project}, name {name})").format(
            region=project.region, project=named, name=name
        )
    return _("found in {region} (project {project})").format(region=project.region, project=named)


Progress = Callable[[Search], None]


async def locate(
    ids: list[str],
    projects: list[Project],
    open_client: Callable[[Project], ViasClient | None],
    *,
    page_budget: int = PAGE_BUDGET,
    on_progress: Progress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], Awaitable[None]] | None = None,
) -> Search:
    """Look for `ids` in `projects`, one after another, until every one is found. `open_client(project)` gives a
    client for that project's region (None: no VIAS endpoint is known for it)."""
    search = Search(list(ids), list(projects))
    for project in projects:
        if should_stop():
            search.stopped = True
            break
        wanted = search.missing
        if not wanted:
            break
        client = open_client(project)
        if client is None:
            search.no_endpoint.append(project)
            continue
        search.current = project
        if on_progress is not None:
            on_progress(search)
        async with client:
            result = await resolve(
                client.list_batch_tasks,
                wanted,
                should_stop=should_stop,
                max_pages=page_budget,
                sleep=sleep or asyncio.sleep,
            )
        for task_id, task in result.found.items():
            search.found[task_id] = Found(task_id, project, task.name)
        if result.error is not None:
            search.failed.append((project, result.error))
        elif result.stopped:
            search.stopped = True
        else:
            search.searched.append(project)
            if not result.complete and search.missing:
                search.partly.append(project)
        if on_progress is not None:
            on_progress(search)
    search.current = None
    return search


@dataclass(frozen=True)
class Where:
    """Where the search starts from: the current target (left out of the search) and how to reach IAM and each
    region's VIAS."""

    project_id: str
    auth: RequestAuth
    http: HttpSettings
    iam: Endpoint
    endpoint_for: Callable[[str], Endpoint | None]
    home: Endpoint | None = None  # search the current project first, at this endpoint (None: only the others)
    profile: str | None = None  # named in the commands offered, so that they use the same credentials
    carried: tuple[str, ...] = ()  # more options the commands repeat (carried_options)


def carried_options(*, ca_bundle: str | None, auth: str | None, proxy: str | None) -> tuple[str, ...]:
    """What the offered commands repeat so that they reach the projects the way this search did: the CA bundle,
    the kind of credentials and the proxy, shell-quoted. A proxy with a password is left out: the lines are shown
    and copied, and the password is a secret (the environment or the profile that gave it gives it again)."""
    parts: list[str] = []
    if ca_bundle:
        parts += ["--ca-bundle", shlex.quote(ca_bundle)]
    if auth and auth != "auto":
        parts += ["--auth", shlex.quote(auth)]
    if proxy is not None and not _has_password(proxy):
        parts += ["--proxy", shlex.quote(proxy)]
    return tuple(parts)


def _has_password(url: str) -> bool:
    try:
        return urlsplit(url).password is not None
    except ValueError:  # not a URL the search could have used either: leave it out, never show it
        return True


async def locate_elsewhere(
    where: Where,
    ids: list[str],
    *,
    page_budget: int = PAGE_BUDGET,
    on_progress: Progress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Search:
    """List the projects the credentials can see (IAM), then look for `ids` in every one but the current."""
    async with ViasClient(where.iam, where.project_id, where.auth, http=where.http) as iam:
        projects = await auth_projects(iam)
    if isinstance(projects, ApiError):
        return Search(list(ids), error=projects)
    order = [p for p in projects if p.id != where.project_id]
    if where.home is not None:
        listed = [p for p in projects if p.id == where.project_id]
        order.insert(0, listed[0] if listed else Project(where.project_id, where.home.region or "current"))

    def open_client(project: Project) -> ViasClient | None:
        if project.id == where.project_id and where.home is not None:
            endpoint: Endpoint | None = where.home
        else:
            endpoint = _endpoint(where.endpoint_for, project.region)
        return None if endpoint is None else ViasClient(endpoint, project.id, where.auth, http=where.http)

    search = await locate(
        ids, order, open_client, page_budget=page_budget, on_progress=on_progress, should_stop=should_stop
    )
    search.home = where.project_id if where.home is not None else None
    return search


def _endpoint(endpoint_for: Callable[[str], Endpoint | None], region: str) -> Endpoint | None:
    if not _REGION.fullmatch(region):
        return None  # a project name that does not start with a region: nowhere known to look
    try:
        return endpoint_for(region)
    except EndpointError:
        return None


def why(error: ApiError) -> str:
    """Why a project (or IAM) could not be searched, with what to do about a token's one-project scope."""
    if error.http_status in (401, 403):
        return _(
            "{error}: a token is scoped to one project (log in per project, or use access keys, which reach every "
            "project of the account)"
        ).format(error=error.one_line())
    return error.one_line()


__all__ = ["PAGE_BUDGET", "Found", "Search", "Where", "locate", "locate_elsewhere", "why"]
