"""The console app: app-wide state (target, credentials, keyring) as reactives that screens watch, the
credentials lookup, quitting, and a crash report without local variables. The flows live in MainScreen."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterable
from typing import Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from tui_app.credentials import Credentials, find_credentials
from tui_app.i18n import _
from tui_app.keyring_store import KeyringStatus, probe_keyring
from tui_app.problems import OperatorError
from tui_app.settings import Target
from tui_app.ui import messages
from tui_app.ui.context import ConsoleContext
from tui_app.ui.help import help_sections
from tui_app.ui.input_rhythm import InputRhythm
from tui_app.ui.paste_guard import paste_guard_driver
from tui_app.ui.screens.credentials import CredentialsContext, CredentialsScreen
from tui_app.ui.screens.main import MainScreen
from tui_app.ui.screens.simple import HelpScreen
from tui_app.vias.http import HttpSettings


class ViasApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "vias-tui"
    BINDINGS = [
        Binding("f1", "help", _("Help"), id="help", priority=True),
        Binding("question_mark", "help", _("Help"), id="help_question", show=False),
        Binding("ctrl+q", "quit", _("Quit"), id="quit", priority=True),
    ]

    credentials: reactive[Credentials | None] = reactive(None)
    keyring: reactive[KeyringStatus | None] = reactive(None)
    checking: reactive[bool] = reactive(True)
    target: reactive[Target | None] = reactive(None)

    def __init__(self, context: ConsoleContext) -> None:
        super().__init__(driver_class=paste_guard_driver())
        self.context = context
        self._main: MainScreen | None = None
        self.set_reactive(ViasApp.target, context.target)
        if context.session_credentials is not None:
            self.set_reactive(ViasApp.credentials, context.session_credentials)
        self.set_reactive(ViasApp.checking, context.look_for_credentials)
        self.input_rhythm: InputRhythm | None = InputRhythm()
        self.exit_note: str | None = None  # printed on the terminal once the console has closed

    async def on_event(self, event: events.Event) -> None:
        # Every key passes here first, whichever widget gets it: the confirmation asks whether keys came in a
        # burst since it appeared (input_rhythm.py).
        if isinstance(event, events.Key) and not event.is_forwarded and self.input_rhythm is not None:
            self.input_rhythm.saw(event.time)
        await super().on_event(event)

    def _fatal_error(self) -> None:
        """Textual's crash report prints local variables; ours must not (a frame may hold a secret).

        Overrides a private hook of Textual (pinned to 8.x; tests/ui/test_textual_hooks.py fails if it goes).
        """
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None)
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def get_default_screen(self) -> Screen[Any]:
        return self.main

    @property
    def main(self) -> MainScreen:
        """The main screen (it stays readable after the app has exited, for tests and the CLI)."""
        if self._main is None:
            self._main = MainScreen()
        return self._main

    def on_mount(self) -> None:
        # Everything alive after the first frame (modules, classes, Textual's internals) lives as long as the
        # app: take it out of the garbage collector's full scans, which otherwise stall the UI at 100k IDs.
        self.call_after_refresh(gc.freeze)
        if self.context.steady_cursor:
            self.screen_change_signal.subscribe(self, lambda screen: self.call_after_refresh(_steady, screen))
            self.call_after_refresh(_steady, self.screen)
        if self.context.demo:
            self.sub_title = _("DEMO: fake VIAS, nothing leaves this machine")
        self._look_for_credentials()
        if self.context.target is not None and not self.context.demo:
            self.main.look_for_interrupted_run()

    # --- credentials ------------------------------------------------------------------------------------

    @work(exclusive=True, group="credentials-lookup", exit_on_error=False)
    async def _look_for_credentials(self) -> None:
        if not self.context.look_for_credentials:
            self.keyring = await asyncio.to_thread(probe_keyring)
            return
        lookup = await asyncio.to_thread(find_credentials, self.context.profile, self.context.auth_mode)
        self.post_message(messages.CredentialsLooked(lookup))

    def on_credentials_looked(self, message: messages.CredentialsLooked) -> None:
        lookup = message.lookup
        self.keyring = lookup.keyring
        if lookup.credentials is not None:
            self.credentials = lookup.credentials
        elif lookup.problem:
            self.notify(lookup.problem, title=_("Credentials"), severity="warning", timeout=8)
        self.checking = False

    def open_credentials(self, reason: str | None, done: Callable[[Credentials | None], None]) -> None:
        context = self.context
        screen = CredentialsScreen(
            CredentialsContext(
                profile=context.profile,
                current=self.credentials,
                keyring=self.keyring,
                iam_endpoint=context.iam_endpoint,
                iam_region=context.iam_region,
                iam_account=context.iam_account,
                iam_user=context.iam_user,
                iam_user_id=context.iam_user_id,
                reason=reason,
                demo_hint=context.demo_hint,
                http=self._iam_http(),
            )
        )

        def closed(found: Credentials | None) -> None:
            if found is not None:
                self.credentials = found
                self.notify(
                    _("Using {credentials}").format(credentials=found.describe()), title=_("Credentials"), timeout=4
                )
            done(found)

        self.push_screen(screen, closed)

    def _iam_http(self) -> HttpSettings | None:
        try:
            return self.context.iam_http()
        except OperatorError as exc:  # an unusable proxy URL or CA bundle: said at login, where it matters
            self.notify(str(exc), title=_("Network"), severity="error", timeout=8)
            return None

    # --- keys everywhere ---------------------------------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_sections(self)))

    async def action_quit(self) -> None:
        self.main.request_quit()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, MainScreen):
            yield from screen.system_commands()
        yield SystemCommand(_("Help"), _("every key (F1 or ?)"), self.action_help)


def _steady(screen: Screen[Any]) -> None:
    """No blinking cursors: deterministic snapshots and screenshots."""
    for widget in screen.query("Input, TextArea"):
        widget.cursor_blink = False  # type: ignore[attr-defined]


def make_app(context: ConsoleContext) -> ViasApp:
    """The factory the CLI and the tests share."""
    return ViasApp(context)
