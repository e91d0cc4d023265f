"""Where deletes go, when nothing said so yet (a first run): set the region (or an endpoint) and the project now,
saved to the profile or for this session only; or the exact `vias-tui profile set` command; or the demo."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from tui_app.domain.identifiers import is_project_id
from tui_app.i18n import _
from tui_app.problems import OperatorError
from tui_app.settings import Profile, SettingsError, Target, load_profiles, save_profiles
from tui_app.ui.styles import emphasis
from tui_app.vias.endpoints import REGIONS, parse_endpoint, region_endpoint


def _demo_hint() -> list[str | tuple[str, str]]:
    """The way to the demo, with the command in bold wherever the language puts it."""
    before, _command, after = _(
        "Quit (ctrl+q) and run {command}: a fake VIAS on this machine, nothing leaves it."
    ).partition("{command}")
    return [before, ("vias-tui --demo", "bold"), after]


@dataclass
class TargetChoice:
    target: Target
    saved: bool


class TargetScreen(ModalScreen[TargetChoice | None]):
    BINDINGS = [Binding("escape", "close", _("Close"), id="target_close")]
    AUTO_FOCUS = "#target-region"
    CSS_PATH = "target.tcss"

    def __init__(self, profile: str, problem: str | None) -> None:
        super().__init__()
        self.profile = profile
        self.problem = problem

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(_("Where should deletes go?"), style="bold"))
            intro = (
                _(
                    "Nothing set it yet ({problem}). Choose a region (or an endpoint URL) and the project ID, then "
                    "save them to profile {profile!r} or use them for this session only."
                )
                if self.problem
                else _(
                    "Nothing set it yet. Choose a region (or an endpoint URL) and the project ID, then save them to "
                    "profile {profile!r} or use them for this session only."
                )
            )
            yield Static(intro.format(problem=self.problem, profile=self.profile))
            with Horizontal():
                yield Select(
                    [(f"{region} ({_(name)})", region) for region, name in REGIONS.items()],
                    prompt=_("region"),
                    id="target-region",
                )
                yield Input(placeholder=_("or an endpoint URL (https://…)"), id="target-endpoint")
            yield Input(placeholder=_("project ID (32 hex characters, from IAM > My Credentials)"), id="target-project")
            with Horizontal():
                yield Button(
                    _("Save to profile {profile!r}").format(profile=self.profile), id="target-save", variant="primary"
                )
                yield Button(_("Use for this session only"), id="target-session")
            yield Static("", id="target-message")
            yield Static(
                Text.assemble(
                    ("\n" + _("From a shell instead:") + "\n", "bold"),
                    f"  vias-tui profile set {self.profile} --region cn-north-4 --project-id PROJECT_ID\n",
                    (_("Just trying it out?") + " ", "bold"),
                    *_demo_hint(),
                )
            )

    def _chosen(self) -> Target | None:
        region_value = self.query_one("#target-region", Select).value
        region = region_value if isinstance(region_value, str) else None
        endpoint = self.query_one("#target-endpoint", Input).value.strip()
        project = self.query_one("#target-project", Input).value.strip()
        try:
            where = parse_endpoint(endpoint, region) if endpoint else region_endpoint(region) if region else None
        except OperatorError as exc:
            self._message(str(exc))
            return None
        if where is None:
            self._message(_("Choose a region or type an endpoint URL."))
            return None
        if not is_project_id(project):
            self._message(_("The project ID must be 4-64 letters, digits, '-' or '_'."))
            return None
        sources = {"endpoint": "the console", "project_id": "the console"}
        return Target(self.profile, where, project, sources)

    def _message(self, text: str) -> None:
        self.app.bell()
        self.query_one("#target-message", Static).update(
            Text(text, style=emphasis("bold red", self.app.no_color, "bold reverse"))
        )

    @on(Button.Pressed, "#target-session")
    def _session(self) -> None:
        target = self._chosen()
        if target is not None:
            self.dismiss(TargetChoice(target, saved=False))

    @on(Button.Pressed, "#target-save")
    @on(Input.Submitted, "#target-project")
    def _save(self) -> None:
        target = self._chosen()
        if target is None:
            return
        try:
            profiles = load_profiles()
            profile = profiles.get(self.profile, Profile(self.profile))
            if target.endpoint.region and not self.query_one("#target-endpoint", Input).value.strip():
                profile.region, profile.endpoint = target.endpoint.region, None
            else:
                profile.endpoint, profile.region = target.endpoint.base_url, None
            profile.project_id = target.project_id
            profiles[self.profile] = profile
            save_profiles(profiles)
        except SettingsError as exc:
            self._message(_("Not saved: {reason}").format(reason=exc))
            return
        self.dismiss(TargetChoice(target, saved=True))

    def action_close(self) -> None:
        self.dismiss(None)
