"""The projects the current credentials can see, from IAM: `GET /v3/auth/projects` (KeystoneListAuthProjects),
signed or with the token like any request of this client. Used to look for batch tasks in the operator's other
projects and regions. A project named "cn-east-3" is that region's; "cn-east-3_ops" is a subproject in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui_app.domain.errors import ApiError
from tui_app.domain.identifiers import is_project_id
from tui_app.i18n import _
from tui_app.vias import wire

if TYPE_CHECKING:
    from tui_app.vias.client import ViasClient

MAX_PROJECTS = 1000


@dataclass(frozen=True)
class Project:
    id: str
    name: str

    @property
    def region(self) -> str:
        return self.name.split("_", 1)[0]


async def auth_projects(iam: ViasClient) -> list[Project] | ApiError:
    """`iam` is a client whose endpoint is IAM's. Projects with an ID that is not a plain token are left out (an
    ID becomes a path segment)."""
    answer = await iam.send("GET", "/v3/auth/projects")
    if isinstance(answer, ApiError):
        return answer
    if answer.status != 200:
        return iam.scrubbed(wire.error_from(answer.status, answer.headers, answer.body))
    parsed = wire.json_object(answer.body.text()) if answer.body.problem() is None else None
    items = (parsed or {}).get("projects")
    if not isinstance(items, list):
        return iam.scrubbed(ApiError(answer.status, message=_("IAM's project list was not the documented JSON")))
    projects = []
    for item in items[:MAX_PROJECTS]:
        if not isinstance(item, dict) or item.get("enabled") is False:
            continue
        project_id, name = str(item.get("id") or ""), iam.clean_text(item.get("name"))
        if is_project_id(project_id) and iam.clean_text(project_id) == project_id and name:
            projects.append(Project(project_id, name))
    return projects


__all__ = ["Project", "auth_projects"]
