"""Token state, and the ways to get a token: paste (keyring or session only), forget, IAM password login.

Keyring calls run in worker threads with the credentials module's timeout, so a stuck Secret Service
becomes a message here, never a frozen screen. The token is only ever shown masked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui_app.credentials import (
    KeyringStatus,
    KeyringUnavailable,
    TokenInfo,
    forget_keyring,
    probe_keyring,
    store_keyring,
)
from tui_app.secret import Token, TokenFormatError


@dataclass
class CredentialsContext:
    profile: str
    current: TokenInfo | None
    keyring: KeyringStatus | None
    iam_endpoint: str | None = None
    iam_region: str | None = None
    iam_account: str | None = None
    iam_user: str | None = None
    reason: str | None = None  # why the screen opened by itself (a rejected token mid-run)
    demo_hint: str | None = None


class CredentialsScreen(ModalScreen[TokenInfo | None]):
    BINDINGS = [Binding("escape", "close", "Close", id="credentials_close")]
    DEFAULT_CSS = """
    CredentialsScreen { align: center middle; }
    CredentialsScreen > VerticalScroll { width: 96%; max-width: 110; height: 95%; border: thick $primary;
                                         background: $surface; padding: 0 1; }
    CredentialsScreen .section { text-style: bold; margin-top: 1; }
    CredentialsScreen #cred-reason { color: $error; text-style: bold; }
    CredentialsScreen #cred-message { height: auto; margin-top: 1; }
    CredentialsScreen Horizontal { height: auto; }
    CredentialsScreen Horizontal Button { margin-right: 1; }
    CredentialsScreen Horizontal Input { width: 1fr; }
    """

    def __init__(self, context: CredentialsContext) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        context = self.context
        with VerticalScroll():
            yield Static(Text(f"Token for profile {context.profile!r}", style="bold"))
            if context.reason:
                yield Static(context.reason, id="cred-reason")
            yield Static(id="cred-state")
            yield Static("Paste a token", classes="section")
            yield Input(placeholder="IAM token (hidden)", password=True, id="cred-token")
            with Horizontal():
                yield Button("Store in keyring", id="cred-store", variant="primary")
                yield Button("Use for this session only", id="cred-session")
                yield Button("Forget stored token", id="cred-forget")
            yield Static("Log in with an IAM password", classes="section")
            with Horizontal():
                yield Input(context.iam_account or "", placeholder="account (domain)", id="cred-account")
                yield Input(context.iam_user or "", placeholder="user", id="cred-user")
                yield Input(placeholder="password (hidden)", password=True, id="cred-password")
            with Horizontal():
                yield Button("Log in", id="cred-login")
                yield Static(self._login_target(), id="cred-login-target")
            yield Static(context.demo_hint or "", id="cred-demo-hint")
            yield Static("", id="cred-message")

    def _login_target(self) -> str:
        if not self.context.iam_endpoint:
            return "set a region in the profile to log in here"
        return f" → {self.context.iam_endpoint} (scope {self.context.iam_region})"

    def on_mount(self) -> None:
        self._render_state()
        self.query_one("#cred-token", Input).focus()
        if self.context.keyring is None:
            self._probe()

    def _render_state(self) -> None:
        context = self.context
        text = Text()
        text.append("Current  ", style="bold")
        text.append((context.current.describe() if context.current else "no token") + "\n")
        text.append("Keyring  ", style="bold")
        if context.keyring is None:
            text.append("checking…")
        elif context.keyring.usable:
            text.append(f"usable ({context.keyring.backend})", style="green")
        else:
            text.append(context.keyring.explain(), style="yellow")
        self.query_one("#cred-state", Static).update(text)
        usable = context.keyring is not None and context.keyring.usable
        self.query_one("#cred-store", Button).disabled = not usable
        self.query_one("#cred-forget", Button).disabled = not usable

    def _message(self, text: str, error: bool = False) -> None:
        self.query_one("#cred-message", Static).update(Text(text, style="bold red" if error else "green"))

    @work(exclusive=True, group="keyring")
    async def _probe(self) -> None:
        self.context.keyring = await asyncio.to_thread(probe_keyring)
        self._render_state()

    def _pasted(self) -> Token | None:
        field = self.query_one("#cred-token", Input)
        try:
            return Token(field.value)
        except TokenFormatError as exc:
            self._message(f"Not used: {exc}.", error=True)
            return None

    @on(Button.Pressed, "#cred-session")
    def _session(self) -> None:
        token = self._pasted()
        if token is not None:
            self.dismiss(TokenInfo(token, "session"))

    @on(Button.Pressed, "#cred-store")
    @on(Input.Submitted, "#cred-token")
    def _store_pressed(self) -> None:
        token = self._pasted()
        if token is None:
            return
        if not (self.context.keyring and self.context.keyring.usable):
            self._message("No usable keyring here: use 'for this session only', or set VIAS_AUTH_TOKEN.", True)
            return
        self._store(token, None)

    @work(exclusive=True, group="keyring")
    async def _store(self, token: Token, expires_at) -> None:
        self._message("Storing in the keyring…")
        try:
            backend = await asyncio.to_thread(store_keyring, self.context.profile, token, expires_at)
        except KeyringUnavailable as exc:
            self.context.keyring = exc.status
            self._render_state()
            self._message(f"Not stored: {exc}", error=True)
            return
        self.dismiss(TokenInfo(token, "keyring", backend, expires_at))

    @on(Button.Pressed, "#cred-forget")
    @work(exclusive=True, group="keyring")
    async def _forget(self) -> None:
        try:
            removed = await asyncio.to_thread(forget_keyring, self.context.profile)
        except KeyringUnavailable as exc:
            self._message(f"Could not reach the keyring: {exc}", error=True)
            return
        if self.context.current and self.context.current.source == "keyring":
            self.context.current = None
            self._render_state()
        self._message("Removed the stored token." if removed else "There was no stored token to remove.")

    @on(Button.Pressed, "#cred-login")
    @on(Input.Submitted, "#cred-password")
    def _login_pressed(self) -> None:
        account = self.query_one("#cred-account", Input).value.strip()
        user = self.query_one("#cred-user", Input).value.strip() or account
        password_field = self.query_one("#cred-password", Input)
        password = password_field.value
        if not self.context.iam_endpoint or not self.context.iam_region:
            self._message("No region known for this profile: set one (vias-tui profile set … --region).", True)
            return
        if not account or not password:
            self._message("Enter the account, user and password.", error=True)
            return
        password_field.value = ""  # do not keep it on screen longer than the request
        self._login(account, user, password)

    @work(exclusive=True, group="login")
    async def _login(self, account: str, user: str, password: str) -> None:
        from tui_app.vias.iam import IamToken, login

        self._message(f"Logging in as {account}/{user}…")
        answer = await login(self.context.iam_endpoint or "", domain=account, user=user, password=password,
                             project_name=self.context.iam_region or "")
        del password
        if not isinstance(answer, IamToken):
            self._message(f"Login failed: {answer.one_line()}", error=True)
            return
        if self.context.keyring and self.context.keyring.usable:
            self._store(answer.token, answer.expires_at)
        else:
            self.dismiss(TokenInfo(answer.token, "session", None, answer.expires_at))

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["CredentialsContext", "CredentialsScreen"]
