"""The line that always says where deletes go and with which credentials (masked), shortened to fit."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from tui_app.credentials import Credentials, expiry_text
from tui_app.i18n import _
from tui_app.keyring_store import KeyringStatus


@dataclass(frozen=True)
class StatusState:
    demo: bool
    profile: str
    target_label: str
    project: str | None
    credentials: Credentials | None
    keyring: KeyringStatus | None
    checking: bool = False


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.state: StatusState | None = None

    def show(self, state: StatusState) -> None:
        self.state = state
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.state is None:
            return
        room = max(20, self.size.width - 2)
        for level in range(3):  # full, compact, tiny: the credentials' source and expiry must stay in view
            text = _line(self.state, level, mono=self.app.no_color)
            if text.cell_len <= room:
                break
        text.truncate(room, overflow="ellipsis")
        self.update(text)


def _line(state: StatusState, level: int, mono: bool) -> Text:
    """Level 0 says everything; 1 drops labels; 2 also shortens the target and the project."""
    compact = level > 0
    text = Text(no_wrap=True, overflow="ellipsis")
    if state.demo:
        text.append(_(" DEMO "), style="bold reverse")
        text.append(" ")
    if not compact:
        text.append(f"{state.profile}@", style="dim")
    label = state.target_label.split(" (")[0].replace(" on loopback", "") if level > 1 else state.target_label
    text.append(label, style="bold" if state.project else ("bold reverse" if mono else "bold red"))
    if state.project:
        project = _short(state.project) if level < 2 else f"{state.project[:4]}…{state.project[-4:]}"
        text.append(" · " + (project if compact else _("project {project}").format(project=project)))
    else:
        text.append(_(" (F6 to set)"))
    text.append(" · ")
    found = state.credentials
    if state.checking:
        text.append(_("credentials: checking…"), style="italic")
    elif found is None:
        missing = (
            _("credentials: no keyring (F4)")
            if state.keyring is not None and not state.keyring.usable
            else _("credentials: none (F4)")
        )
        text.append(missing, style="bold reverse" if mono else "bold red")
    else:
        alarm = "bold reverse" if mono else "bold red"
        style = alarm if found.expired else ("bold" if mono else "yellow") if found.expiring_soon else ""
        expiry = expiry_text(found.expires_at, short=compact)
        label = found.label()
        if level > 1:
            label = label.replace(" chars)", ")")
        text.append(
            _("{credentials} {source}, {expiry}").format(credentials=label, source=found.source.short, expiry=expiry),
            style=style,
        )
    return text


def _short(project: str) -> str:
    """Project IDs are 32 characters; the start and end are enough to recognise one (the confirmation shows all)."""
    return project if len(project) <= 16 else f"{project[:8]}…{project[-6:]}"
