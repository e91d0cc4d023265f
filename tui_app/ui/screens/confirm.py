"""The deliberate confirmation: names the count, the target, the credentials and the concurrency, shows what
each ID is (when resolved) and everything that will not be sent.

The operator types the number of IDs and presses Enter. Enter with anything else does nothing; Escape cancels.
The destructive button is disabled until the count matches and never has focus first. When the IDs were
resolved, not-found IDs are excluded by default and tasks with running jobs can be excluded too; the number to
type and the per-ID table follow those choices. At 80x24 everything fits without scrolling the dialog: title and
counts, target, options, at least three rows of the table (which scrolls) and both buttons.

A paste or type-ahead cannot confirm, and a slow link does not lock the operator out. Timing cannot tell the keys
of a person on a congested SSH link (which arrive in bursts) from the tail of a crafted paste that a stall let
through as keys (which arrive in bursts too), so timing does not decide alone: the count confirms only when it
was typed key by key (no keys faster than anyone types since the dialog appeared, input_rhythm.py) and at least
`READ_TIME` after the dialog appeared (the time Textual stamped on the key, so keys read earlier and handled late
count as early). Otherwise the dialog asks for a short code that it shows and that is random per dialog: no paste
and no script written before the dialog appeared can know it, so a code typed in any rhythm confirms. A wrong code
draws a new one; after `MAX_WRONG_CODES` the dialog closes and nothing is sent (a paste cannot guess its way in).
Pastes into the dialog are ignored. Digits typed anywhere in the dialog go to the count box, and Enter never
switches an option.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.text import Text
from textual import _time, events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tui_app.i18n import N_, _
from tui_app.ids import padded, shown
from tui_app.resolve import Resolution, created_text
from tui_app.ui.input_rhythm import InputRhythm
from tui_app.ui.styles import emphasis
from tui_app.ui.widgets.rows_table import Column, RowsTable
from tui_app.ui.widgets.toggle import TextToggle

# Seconds the confirmation must have been on screen before the input that submits the count was typed. Nobody
# reads the count, the target and the list, then types the count, in half a second; the keys of a paste or of
# type-ahead arrive within milliseconds of the keys that opened the screen. Long enough to catch any machine-speed
# burst, short enough that a quick but deliberate operator never meets it.
READ_TIME = 0.5
# The code: easy to read aloud and to type (no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B), at least one letter so that it can
# never be a count. 4 of 22 symbols: about 234,000 codes, so a paste's guess confirms about once in 78,000 dialogs.
CODE_LETTERS = "ACDEFHJKMNPRTUVWXY"
CODE_DIGITS = "3479"
CODE_LENGTH = 4
MAX_WRONG_CODES = 3
BURST = N_("keys came in bursts")  # a slow link, a paste, or a script
EARLY = N_("typed before it could be read")
clock: Callable[[], float] = _time.get_time  # the clock Textual stamps input events with (`Message.time`)
TASK_COLUMNS = [  # at 80 columns the action, the ID, the state (running jobs first) and the name fit
    Column(N_("Action"), "action", 6),
    Column("ID", "id", 32),
    Column(N_("State"), "state", 15),
    Column(N_("Name"), "name", 19, grow_to=40),
    Column(N_("Jobs"), "jobs", 4),
    Column(N_("Algorithm"), "alg", 18),
    Column(N_("Created (UTC)"), "created", None),
]


@dataclass
class ConfirmRequest:
    ids: list[str]
    target: str
    profile: str
    credentials: str
    concurrency: str  # "16 at a time (default)"
    title: str = field(default_factory=lambda: _("Delete batch tasks"))  # in the active language
    skipped: int = 0
    duplicates: int = 0
    excluded: int = 0  # valid IDs already left out by choice (the CLI's flags, an earlier confirmation)
    leftovers: bool = False  # deleting the jobs partial deletes left: the batches' deletes are not sent again
    warnings: list[str] = field(default_factory=list)  # plain sentences, shown with a warning mark
    resolution: Resolution | None = None
    hidden_marked: int = 0  # marked in Browse but hidden by its current filter


@dataclass
class ConfirmResult:
    ids: list[str]  # what to send, in order
    excluded: dict[str, str]  # id -> why it is not sent
    stop: frozenset[str] = frozenset()  # stopped first (they have running jobs), then deleted
    locate: list[str] = field(default_factory=list)  # not confirmed: look for these elsewhere instead (ctrl+l)


PASTE_REFUSED = N_("Type it; a paste does not confirm")
WRONG_CODE = N_("Wrong code: new code shown")  # fits beside the prompt at 80 columns


class CountInput(Input):
    """The count box: typed into, never pasted into."""

    def on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # Input's own handler would insert the text
        event.stop()
        self.screen.query_one("#confirm-feedback", Static).update(_(PASTE_REFUSED))


def new_code() -> str:
    """A confirmation code: random per dialog (the `secrets` module), with at least one letter."""
    while True:
        code = "".join(secrets.choice(CODE_LETTERS + CODE_DIGITS) for _unused in range(CODE_LENGTH))
        if any(ch in CODE_LETTERS for ch in code):
            return code


class ConfirmScreen(ModalScreen[ConfirmResult | None]):
    BINDINGS = [
        Binding("escape", "cancel", _("Cancel"), id="confirm_cancel"),
        Binding("ctrl+l", "locate", _("Locate not found"), id="confirm_locate", show=False, priority=True),
    ]
    AUTO_FOCUS = "#confirm-input"  # focus goes to the count, never first to an option or the Delete button
    CSS_PATH = "confirm.tcss"

    asked: reactive[bool] = reactive(False)  # the count alone no longer confirms: only the code does

    def __init__(self, request: ConfirmRequest) -> None:
        super().__init__()
        self.request = request
        self.resolution = request.resolution
        self.result = ConfirmResult(list(request.ids), {})
        self._ready = False  # a toggle created on reports a change before the screen has mounted
        self.shown_at = clock()  # set again when mounted; tests move it back (tests/ui/helpers.py, has_been_read)
        self._input_at: float | None = None
        self.code = new_code()
        self.wrong_codes = 0
        self.why_asked = ""

    @property
    def count(self) -> int:
        return len(self.result.ids)

    def compose(self) -> ComposeResult:
        resolution = self.resolution
        with Vertical(id="confirm-box"):
            yield Static(id="confirm-title")
            yield Static(self._body(), id="confirm-body")
            if resolution is not None and resolution.not_found:
                label = _("Exclude the {count:,} not found here (ctrl+l: look in your other projects)")
                yield TextToggle(label.format(count=len(resolution.not_found)), value=True, id="exclude-not-found")
            if resolution is not None and resolution.running:
                running = len(resolution.running)
                label = _("Exclude the {count:,} with running jobs")
                yield TextToggle(label.format(count=running), value=False, id="exclude-running")
                label = _("Stop the {count:,} with running jobs first, then delete them")
                yield TextToggle(label.format(count=running), value=False, id="stop-running")
            yield RowsTable(TASK_COLUMNS, id="confirm-tasks")
            with Horizontal(id="confirm-row"):
                yield Static(id="confirm-prompt")
                yield CountInput(id="confirm-input", restrict=r"[0-9A-Za-z]*", max_length=9, placeholder=_("type here"))
                yield Static("", id="confirm-feedback")
            with Horizontal(id="confirm-buttons"):
                yield Static(id="confirm-code")
                yield Button(_("[ Cancel (Esc) ]"), id="confirm-no")
                yield Button(_("[ Delete ]"), id="confirm-yes", variant="error", disabled=True)

    def _body(self) -> Text:
        request = self.request
        mono = self.app.no_color
        warn = emphasis("bold yellow", mono)
        text = Text()

        def line(label: str, value: str, style: str = "") -> None:
            text.append(padded(label, 12), style="bold")
            text.append(value + "\n", style=style)

        line(_("Target"), request.target)
        line(_("Profile"), f"{request.profile} · {request.credentials}")
        line(_("Concurrency"), request.concurrency)
        if request.skipped or request.duplicates or request.excluded:
            parts = [_("{count:,} skipped line(s) (not IDs)").format(count=request.skipped)] if request.skipped else []
            if request.excluded:
                parts.append(_("{count:,} excluded").format(count=request.excluded))
            parts.append(_("{count:,} duplicate(s) dropped").format(count=request.duplicates))
            line(_("Not sent"), _(", ").join(parts))
        if self.resolution is not None:
            resolution = self.resolution
            problem = resolution.error is not None or resolution.not_found or resolution.running
            line(_("Preview"), resolution.summary(), warn if problem else "")
        if request.leftovers:
            text.append(
                "⚠ "
                + _(
                    "Their batches' deletes are not sent again: each batch's remaining jobs are listed and deleted "
                    "one by one; a batch with no job left is gone."
                )
                + "\n",
                style=warn,
            )
        if request.hidden_marked:
            hidden = _("{count:,} of these are marked in Browse but hidden by its current filter.")
            text.append("⚠ " + hidden.format(count=request.hidden_marked) + "\n", style=warn)
        for warning in request.warnings:
            text.append("⚠ " + warning + "\n", style=warn)
        text.rstrip()
        return text

    def on_mount(self) -> None:
        self.shown_at = clock()
        self._ready = True
        self._recount()

    # Keys reach the screen as they bubble up from the focused widget, before the app runs the bindings (Enter in
    # the count box, Enter on the Delete button), so the key that submits is the last one seen here. Clicks are made
    # by Textual on handling the button release, so the release's time is the one to keep.
    def on_key(self, event: events.Key) -> None:
        self._input_at = event.time
        field = self.query_one("#confirm-input", Input)
        character = event.character
        if character and character.isascii() and character.isalnum() and self.focused is not field:
            # Digits (or the code) typed while an option, a button or the table has the focus: into the box.
            event.stop()
            event.prevent_default()
            if not field.disabled:
                field.focus()
                field.insert_text_at_cursor(character)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._input_at = event.time

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._input_at = event.time

    def on_paste(self, event: events.Paste) -> None:
        """A paste never types the count or the code (the count box refuses it too: CountInput)."""
        event.stop()
        event.prevent_default()
        self.query_one("#confirm-feedback", Static).update(PASTE_REFUSED)

    def _typed_by_hand(self) -> str | None:
        """None when the input that submits the count was typed key by key, after the dialog could be read; else
        why the count alone does not confirm. With no record of the input's rhythm, it does not."""
        read_at = self._input_at if self._input_at is not None else clock()
        self._input_at = None
        rhythm: InputRhythm | None = getattr(self.app, "input_rhythm", None)
        if rhythm is None or rhythm.burst_since(self.shown_at):
            return _(BURST)
        if read_at < self.shown_at + READ_TIME:
            return _(EARLY)
        return None

    def _ask_for_code(self, why: str) -> None:
        self.why_asked = why
        self.asked = True
        self.app.bell()
        field = self.query_one("#confirm-input", Input)
        with field.prevent(Input.Changed):
            field.value = ""
        self.query_one("#confirm-yes", Button).disabled = True
        field.focus()

    def watch_asked(self, asked: bool) -> None:
        if self._ready:
            self._render_prompt()

    def _render_prompt(self) -> None:
        count = self.count
        prompt = self.query_one("#confirm-prompt", Static)
        hint = self.query_one("#confirm-code", Static)
        feedback = self.query_one("#confirm-feedback", Static)
        if not count:
            prompt.update(_("Nothing left to delete: everything is excluded."))
            hint.update("")
        elif self.asked:
            prompt.update(Text(_("Type the code {code} and press Enter:").format(code=self.code), style="bold"))
            feedback.update(self.why_asked)
            hint.update(Text(_("Only the code confirms now."), style="bold"))
        else:
            prompt.update(_("Type {count} and press Enter to delete:").format(count=count))
            hint.update(Text(_("(or the code {code}, if asked)").format(code=self.code), style="dim"))

    def _is_code(self, value: str) -> bool:
        return secrets.compare_digest(value.strip().upper(), self.code)

    def _wrong_code(self) -> None:
        self.wrong_codes += 1
        if self.wrong_codes >= MAX_WRONG_CODES:
            self.app.notify(
                _("{count} wrong codes: the confirmation closed and nothing was sent.").format(count=MAX_WRONG_CODES),
                severity="warning",
                timeout=6,
            )
            self.dismiss(None)
            return
        self.code = new_code()  # a guess is never tried against the same code twice
        self.app.bell()
        field = self.query_one("#confirm-input", Input)
        with field.prevent(Input.Changed):
            field.value = ""
        self._render_prompt()
        self.query_one("#confirm-feedback", Static).update(_(WRONG_CODE))

    def _submit(self, value: str) -> None:
        if self.count and self._is_code(value):
            self.dismiss(self.result)  # no paste can know it: confirms in any rhythm
        elif self.asked:
            self._wrong_code()
        elif not self._matches(value):
            self.app.bell()
            self.query_one("#confirm-feedback", Static).update(_("That is not {count}.").format(count=self.count))
        elif (why := self._typed_by_hand()) is not None:
            self._ask_for_code(why)
        else:
            self.dismiss(self.result)

    def _recount(self) -> None:
        excluded: dict[str, str] = {}
        resolution = self.resolution
        if resolution is not None:
            if self._checked("#exclude-not-found"):
                reason = _("not in this project's batch-task list; excluded at confirmation")
                excluded.update((i, reason) for i in resolution.not_found)
            if self._checked("#exclude-running"):
                running = _("has {count} running job(s); excluded at confirmation")
                excluded.update(
                    (i, running.format(count=resolution.found[i].running))
                    for i in resolution.running
                    if i not in excluded
                )
        stop = (
            frozenset(resolution.running) if resolution is not None and self._checked("#stop-running") else frozenset()
        )
        self.result = ConfirmResult([i for i in self.request.ids if i not in excluded], excluded, stop)
        count = self.count
        title = _("{title}: {count:,} will be DELETED")
        if self.request.leftovers:
            title = _("{title}: the leftover jobs of {count:,} batch(es) will be DELETED")
        title = title.format(title=self.request.title, count=count)
        notes = [_("{count:,} stopped first").format(count=len(stop))] if stop else []
        notes += [_("{count:,} excluded").format(count=len(excluded))] if excluded else []
        if notes:
            title = _("{title} ({notes})").format(title=title, notes=_(", ").join(notes))
        self.query_one("#confirm-title", Static).update(
            Text(title, style="bold reverse" if self.app.no_color else "bold")
        )
        field = self.query_one("#confirm-input", Input)
        yes = self.query_one("#confirm-yes", Button)
        self._render_prompt()
        if count:
            field.disabled = False
            yes.label = _("[ Delete {count:,} ]").format(count=count)
        else:
            field.value = ""
            field.disabled = True
            yes.label = _("[ Delete ]")
            self.query_one("#confirm-no", Button).focus()
        ids, excluded_ids = self.request.ids, self.result.excluded
        self.query_one("#confirm-tasks", RowsTable).set_rows(
            len(ids), lambda i: self._task_cells(ids[i], ids[i] in excluded_ids)
        )
        self._typed(Input.Changed(field, field.value))

    def _task_cells(self, task_id: str, excluded: bool) -> list[Text | str]:
        mono = self.app.no_color
        action = Text(_("keep"), style="italic") if excluded else Text(_("DELETE"), style="bold")
        if not excluded and task_id in self.result.stop:
            action = Text(_("STOP+D"), style="bold")
        resolution = self.resolution
        task = resolution.found.get(task_id) if resolution is not None else None
        if task is None:
            if resolution is None or not resolution.complete:
                unknown = _("not looked up") if resolution is None else _("not checked")
                return [action, task_id, Text(unknown, style="italic")]
            return [action, task_id, Text(_("NOT FOUND in this project"), style=emphasis("bold red", mono))]
        state = Text(task.state_summary(), style=emphasis("bold yellow", mono) if task.running else "")
        return [action, task_id, state, shown(task.name), str(task.num_task), task.alg_name, created_text(task)]

    def _checked(self, selector: str) -> bool:
        toggles = self.query(selector)
        return bool(toggles) and toggles.first(TextToggle).value

    @on(TextToggle.Changed)
    def _choice(self, event: TextToggle.Changed) -> None:
        if not self._ready:
            return
        # Excluding and stopping the ones with running jobs are opposite answers: one switches the other off.
        other = {"exclude-running": "#stop-running", "stop-running": "#exclude-running"}.get(event.toggle.id or "")
        if other is not None and event.value:
            for toggle in self.query(other).results(TextToggle):
                toggle.value = False
        self._recount()

    def _matches(self, value: str) -> bool:
        return self.count > 0 and value.strip() == str(self.count)

    @on(Input.Changed, "#confirm-input")
    def _typed(self, event: Input.Changed) -> None:
        if not self._ready:
            return
        ready = self._is_code(event.value) if self.asked else self._matches(event.value) or self._is_code(event.value)
        self.query_one("#confirm-yes", Button).disabled = not (self.count and ready)
        self.query_one("#confirm-feedback", Static).update(self.why_asked if self.asked else "")

    @on(Input.Submitted, "#confirm-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self._submit(event.value)

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self._submit(self.query_one("#confirm-input", Input).value)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_locate(self) -> None:
        """Close without sending anything, and look for the IDs the preview did not find in the other projects."""
        not_found = self.resolution.not_found if self.resolution is not None else []
        if not not_found:
            self.notify(_("Every ID was found in this project; nothing to locate."), timeout=3)
            return
        self.dismiss(ConfirmResult([], {}, locate=list(not_found)))
