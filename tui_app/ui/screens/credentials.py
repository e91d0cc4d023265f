"""The credentials in use, and the ways to get others: paste a token or access keys (stored in the keyring, or for
this session only where there is none), forget the stored ones, or log in with an IAM password.

Keyring calls run in worker threads with the keyring module's timeout, so a stuck Secret Service becomes a message
here, never a frozen screen. Secrets are only ever shown masked. Enter in a secret field does the obvious thing:
store it when there is a keyring, else use it for this session.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui_app.credentials import Credentials, CredentialSource
from tui_app.domain.keys import SdkCredentialsError, check_keys
from tui_app.i18n import _
from tui_app.ids import padded
from tui_app.keyring_store import (
    KeyringStatus,
    KeyringUnavailable,
    StoredKeys,
    forget_entry,
    probe_keyring,
    store_keys,
    store_token,
)
from tui_app.secret import Secret, Token, TokenFormatError
from tui_app.ui.screens.simple import AskScreen
from tui_app.ui.styles import emphasis
from tui_app.vias.auth import AccessKeys
from tui_app.vias.http import HttpSettings

if TYPE_CHECKING:
    from tui_app.vias.iam import MfaCode


@dataclass
class CredentialsContext:
    profile: str
    current: Credentials | None
    keyring: KeyringStatus | None
    iam_endpoint: str | None = None
    iam_region: str | None = None
    iam_account: str | None = None
    iam_user: str | None = None
    iam_user_id: str | None = None
    reason: str | None = None  # why the screen opened by itself (credentials rejected mid-run)
    demo_hint: str | None = None
    http: HttpSettings | None = None  # how IAM is reached (the proxy, the CA bundle); None: the environment's


class CredentialsScreen(ModalScreen[Credentials | None]):
    BINDINGS = [Binding("escape", "close", _("Close"), id="credentials_close")]
    AUTO_FOCUS = "#cred-token"
    CSS_PATH = "credentials.tcss"

    def __init__(self, context: CredentialsContext) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        context = self.context
        with Vertical(id="cred-box"):
            # Above the scrolling part: at 80x24 the first lines always say why this screen is here.
            yield Static(Text(_("Credentials for profile {profile!r}").format(profile=context.profile), style="bold"))
            if context.reason:
                yield Static(context.reason, id="cred-reason")
            with VerticalScroll(id="cred-scroll"):
                yield from self._fields(context)

    def _fields(self, context: CredentialsContext) -> ComposeResult:
        """The scrolling part: what is in use, and the ways to get others."""
        yield Static(id="cred-state")
        yield Static(_("Paste a token (Enter: keyring if there is one, else this session)"), classes="section")
        yield Input(placeholder=_("IAM token (hidden)"), password=True, id="cred-token")
        with Horizontal():
            yield Button(_("Use for this session only"), id="cred-session")
            yield Button(_("Store in keyring"), id="cred-store", variant="primary")
        yield Static(_("Or access keys (AK/SK; a security token for temporary keys)"), classes="section")
        with Horizontal():
            yield Input(placeholder=_("access key ID (AK)"), id="cred-ak")
            yield Input(placeholder=_("secret key (SK, hidden)"), password=True, id="cred-sk")
            yield Input(placeholder=_("security token (optional)"), password=True, id="cred-st")
        with Horizontal():
            yield Button(_("Use keys for this session only"), id="cred-keys-session")
            yield Button(_("Store keys in keyring"), id="cred-keys-store", variant="primary")
        yield Static(_("Or log in with an IAM password (gets a 24 h token)"), classes="section")
        with Horizontal():
            yield Input(context.iam_account or "", placeholder=_("account (domain)"), id="cred-account")
            yield Input(context.iam_user or "", placeholder=_("user"), id="cred-user")
            yield Input(placeholder=_("password (hidden)"), password=True, id="cred-password")
        with Horizontal():  # for users with login protection (virtual MFA); the code is never kept
            yield Input(context.iam_user_id or "", placeholder=_("user ID (for MFA)"), id="cred-user-id")
            yield Input(placeholder=_("MFA code (if asked)"), password=True, id="cred-mfa", restrict=r"[0-9]*")
        with Horizontal():
            yield Button(_("Log in"), id="cred-login")
            yield Static(self._login_target(), id="cred-login-target")
        yield Static(context.demo_hint or "", id="cred-demo-hint")
        yield Static("", id="cred-message")
        with Horizontal():
            yield Button(_("Forget stored credentials…"), id="cred-forget")

    def _login_target(self) -> str:
        if not self.context.iam_endpoint:
            return _("set a region in the profile to log in here")
        return _(" → {endpoint} (scope {region})").format(
            endpoint=self.context.iam_endpoint, region=self.context.iam_region
        )

    def on_mount(self) -> None:
        self._render_state()
        if self.context.keyring is None:
            self._probe()

    @property
    def keyring_usable(self) -> bool:
        return self.context.keyring is not None and self.context.keyring.usable

    def _render_state(self) -> None:
        context = self.context
        mono = self.app.no_color
        text = Text()
        text.append(padded(_("In use"), 9), style="bold")
        text.append((context.current.describe() if context.current else _("none")) + "\n")
        text.append(padded(_("Keyring"), 9), style="bold")
        if context.keyring is None:
            text.append(_("checking…"))
        elif context.keyring.usable:
            text.append(
                _("usable ({backend})").format(backend=context.keyring.backend), style=emphasis("green", mono, "")
            )
        else:
            text.append(context.keyring.explain(), style=emphasis("yellow", mono, ""))
        self.query_one("#cred-state", Static).update(text)
        for selector in ("#cred-store", "#cred-keys-store", "#cred-forget"):
            self.query_one(selector, Button).disabled = not self.keyring_usable

    def _message(self, text: str, error: bool = False) -> None:
        mono = self.app.no_color
        style = emphasis("bold red", mono, "bold reverse") if error else emphasis("green", mono, "")
        self.query_one("#cred-message", Static).update(Text(text, style=style))

    @work(exclusive=True, group="keyring")
    async def _probe(self) -> None:
        self.context.keyring = await asyncio.to_thread(probe_keyring)
        self._render_state()

    # --- a token --------------------------------------------------------------------------------------

    def _pasted_token(self) -> Token | None:
        try:
            return Token(self.query_one("#cred-token", Input).value)
        except TokenFormatError as exc:
            self._message(_("Not used: {reason}.").format(reason=exc), error=True)
            return None

    @on(Button.Pressed, "#cred-session")
    def _token_for_session(self) -> None:
        token = self._pasted_token()
        if token is not None:
            self.dismiss(Credentials(CredentialSource.SESSION, token=token))

    @on(Button.Pressed, "#cred-store")
    def _token_to_keyring(self) -> None:
        token = self._pasted_token()
        if token is not None:
            self._store(Credentials(CredentialSource.SESSION, token=token))

    @on(Input.Submitted, "#cred-token")
    def _token_entered(self) -> None:
        token = self._pasted_token()
        if token is None:
            return
        found = Credentials(CredentialSource.SESSION, token=token)
        if self.keyring_usable:
            self._store(found)
        else:
            self.dismiss(found)

    # --- access keys ----------------------------------------------------------------------------------

    def _entered_keys(self) -> AccessKeys | None:
        ak = self.query_one("#cred-ak", Input).value.strip()
        sk = self.query_one("#cred-sk", Input).value.strip()
        token = self.query_one("#cred-st", Input).value.strip()
        if not ak or not sk:
            self._message(_("Enter both the access key ID and the secret key."), error=True)
            return None
        try:
            check_keys(ak, sk, token or None, _("the fields"))
        except SdkCredentialsError as exc:
            self._message(_("Not used: {reason}.").format(reason=exc), error=True)
            return None
        return AccessKeys(ak, Secret(sk), Secret(token) if token else None)

    @on(Button.Pressed, "#cred-keys-session")
    def _keys_for_session(self) -> None:
        keys = self._entered_keys()
        if keys is not None:
            self.dismiss(Credentials(CredentialSource.SESSION, keys=keys))

    @on(Button.Pressed, "#cred-keys-store")
    def _keys_to_keyring(self) -> None:
        keys = self._entered_keys()
        if keys is not None:
            self._store(Credentials(CredentialSource.SESSION, keys=keys))

    @on(Input.Submitted, "#cred-sk")
    @on(Input.Submitted, "#cred-st")
    def _keys_entered(self) -> None:
        keys = self._entered_keys()
        if keys is None:
            return
        found = Credentials(CredentialSource.SESSION, keys=keys)
        if self.keyring_usable:
            self._store(found)
        else:
            self.dismiss(found)

    # --- the keyring ----------------------------------------------------------------------------------

    @work(exclusive=True, group="keyring")
    async def _store(self, found: Credentials, expires_at: datetime | None = None) -> None:
        if not self.keyring_usable:
            self._message(
                _("No usable keyring here: use them for this session only, or set them in the environment."),
                error=True,
            )
            return
        self._message(_("Storing in the keyring…"))
        profile = self.context.profile
        try:
            if found.token is not None:
                backend = await asyncio.to_thread(store_token, profile, found.token, expires_at)
            else:
                assert found.keys is not None
                keys = StoredKeys(found.keys.ak, found.keys.sk, found.keys.security_token)
                backend = await asyncio.to_thread(store_keys, profile, keys, expires_at)
        except KeyringUnavailable as exc:
            self.context.keyring = exc.status
            self._render_state()
            self._message(_("Not stored: {reason}").format(reason=exc), error=True)
            return
        self.dismiss(
            Credentials(
                CredentialSource.KEYRING, token=found.token, keys=found.keys, expires_at=expires_at, where=backend
            )
        )

    @on(Button.Pressed, "#cred-forget")
    def _forget_pressed(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._forget()

        self.app.push_screen(
            AskScreen(
                _("Remove the credentials stored in the keyring for profile {profile!r}?").format(
                    profile=self.context.profile
                ),
                yes=_("Forget them"),
                no=_("Keep them"),
            ),
            answered,
        )

    @work(exclusive=True, group="keyring")
    async def _forget(self) -> None:
        try:
            removed = await asyncio.to_thread(forget_entry, self.context.profile)
        except KeyringUnavailable as exc:
            self._message(_("Could not reach the keyring: {reason}").format(reason=exc), error=True)
            return
        if self.context.current and self.context.current.source is CredentialSource.KEYRING:
            self.context.current = None
            self._render_state()
        self._message(_("Removed the stored credentials.") if removed else _("There were no stored credentials."))

    # --- IAM login ------------------------------------------------------------------------------------

    @on(Button.Pressed, "#cred-login")
    @on(Input.Submitted, "#cred-password")
    @on(Input.Submitted, "#cred-mfa")
    def _login_pressed(self) -> None:
        from tui_app.vias.iam import MfaCode

        account = self.query_one("#cred-account", Input).value.strip()
        user = self.query_one("#cred-user", Input).value.strip() or account
        password_field = self.query_one("#cred-password", Input)
        password = password_field.value
        code_field = self.query_one("#cred-mfa", Input)
        code, user_id = code_field.value.strip(), self.query_one("#cred-user-id", Input).value.strip()
        if not self.context.iam_endpoint or not self.context.iam_region:
            self._message(_("No region known for this profile: set one (vias-tui profile set … --region)."), True)
            return
        if not account or not password:
            self._message(_("Enter the account, user and password."), error=True)
            return
        if code and not user_id:
            self._message(_("The MFA code needs your IAM user ID (My Credentials > API Credentials)."), error=True)
            return
        password_field.value = ""  # do not keep them on screen longer than the request
        code_field.value = ""
        self._login(account, user, password, MfaCode(user_id, code) if code else None)

    @work(exclusive=True, group="login")
    async def _login(self, account: str, user: str, password: str, mfa: MfaCode | None) -> None:
        from tui_app.vias.iam import IamToken, login, needs_mfa

        self._message(_("Logging in as {account}/{user}…").format(account=account, user=user))
        answer = await login(
            self.context.iam_endpoint or "",
            domain=account,
            user=user,
            password=password,
            project_name=self.context.iam_region or "",
            http=self.context.http,
            mfa=mfa,
        )
        del password, mfa
        if not isinstance(answer, IamToken):
            if needs_mfa(answer):
                self._message(
                    _(
                        "Login failed: {error}. This user has login protection (virtual MFA): enter your "
                        "user ID and the 6-digit code from your authenticator, with the password, then Log in."
                    ).format(error=answer.one_line()),
                    error=True,
                )
                self.query_one("#cred-user-id", Input).focus()
                return
            self._message(_("Login failed: {error}").format(error=answer.one_line()), error=True)
            return
        found = Credentials(CredentialSource.SESSION, token=answer.token, expires_at=answer.expires_at)
        if self.keyring_usable:
            self._store(found, answer.expires_at)
        else:
            self.dismiss(found)

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["CredentialsContext", "CredentialsScreen"]
