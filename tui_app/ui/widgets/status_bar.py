"""The line that always says where deletes go and with which token."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui_app.credentials import KeyringStatus, TokenInfo, expiry_text


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def show(self, *, demo: bool, profile: str, target_label: str, project: str | None,
             token: TokenInfo | None, keyring: KeyringStatus | None, checking: bool = False) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if demo:
            text.append(" DEMO ", style="bold reverse")
            text.append(" ")
        text.append(f"{profile}@", style="dim")
        text.append(target_label, style="bold")
        text.append(f" · project {_short(project) if project else '(none)'} · ")
        if checking:
            text.append("token: checking keyring…", style="italic")
        elif token is None:
            why = "no keyring" if keyring is not None and not keyring.usable else "none"
            text.append(f"token: {why} (F4)", style="bold red")
        else:
            source = {"env": "env", "keyring": "keyring", "session": "session"}[token.source]
            style = "bold red" if token.expired else "yellow" if token.expiring_soon else ""
            text.append(f"token {token.token.masked()} {source}, {expiry_text(token.expires_at)}", style=style)
        self.update(text)


def _short(project: str) -> str:
    """Project IDs are 32 characters; the start and end are enough to recognise one (the confirmation shows all)."""
    return project if len(project) <= 16 else f"{project[:8]}…{project[-6:]}"
