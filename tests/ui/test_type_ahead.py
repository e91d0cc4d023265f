"""Type-ahead, a paste or a script cannot confirm a delete, and a slow link does not lock the operator out: a count
that was not typed key by key after the dialog could be read does not confirm; the dialog then asks for the code it
shows, which confirms in any rhythm (tui_app/ui/screens/confirm.py). Pilot against the fake VIAS over real TCP."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, Static

from tests.ui.helpers import (
    console,
    has_been_read,
    run_finished,
    screen_gone,
    screen_ready,
    type_by_hand,
    type_text,
    until,
)
from tui_app.fake import FakeStore, FakeVias, FaultPlan
from tui_app.ui.paste_guard import END_PAUSE, PASTE_END, PASTE_START, PasteGuardParser
from tui_app.ui.screens import confirm
from tui_app.ui.screens.confirm import ConfirmScreen
from tui_app.ui.screens.preview import PreviewScreen
from tui_app.ui.widgets.toggle import TextToggle


def feedback(screen: ConfirmScreen) -> str:
    return str(screen.query_one("#confirm-feedback", Static).render())


def prompt(screen: ConfirmScreen) -> str:
    return str(screen.query_one("#confirm-prompt", Static).render())


@pytest.fixture
def slow_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """A guard that no run of the suite outpaces, however loaded the machine: "typed at once" is then certain."""
    monkeypatch.setattr(confirm, "READ_TIME", 60.0)


def assert_asked(screen: ConfirmScreen, why: str | None = None) -> None:
    assert screen.app.screen is screen and screen.asked
    assert f"Type the code {screen.code}" in prompt(screen)
    assert feedback(screen) in ((why,) if why else (confirm.BURST, confirm.EARLY))
    field = screen.query_one("#confirm-input", Input)
    assert field.value == ""  # the count is cleared: only the code confirms now
    assert screen.focused is field
    assert screen.query_one("#confirm-yes").disabled


async def test_count_typed_at_once_asks_for_the_code_which_then_confirms(
    fake: FakeVias, store: FakeStore, slow_reader: None
) -> None:
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen, read=False)
        assert f"or the code {screen.code}" in str(screen.query_one("#confirm-code", Static).render())
        await type_text(pilot, "3")
        await pilot.press("enter")
        await until(pilot, lambda: screen.asked or app.screen is not screen, what="the answer to Enter")
        assert_asked(screen, confirm.EARLY)
        assert app.main.run is None and fake.deletes_seen() == []
        await type_text(pilot, screen.code.lower())  # at machine speed, in any case: the code confirms
        await pilot.press("enter")
        await run_finished(pilot, app)
    assert sorted(r.task_id for r in fake.deletes_seen()) == sorted(ids)


async def test_delete_button_pressed_at_once_asks_for_the_code(
    fake: FakeVias, store: FakeStore, slow_reader: None
) -> None:
    ids = list(store.tasks)[:2]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen, read=False)
        await type_text(pilot, "2")
        assert not screen.query_one("#confirm-yes").disabled
        await pilot.click("#confirm-yes")
        await until(pilot, lambda: screen.asked or app.screen is not screen, what="the answer to the click")
        assert_asked(screen, confirm.EARLY)
        assert fake.deletes_seen() == []
        await type_text(pilot, screen.code)
        assert not screen.query_one("#confirm-yes").disabled
        await pilot.click("#confirm-yes")
        await run_finished(pilot, app)
    assert len(fake.deletes_seen()) == 2


async def test_the_count_typed_by_hand_after_reading_confirms_without_a_code(fake: FakeVias, store: FakeStore) -> None:
    """The real READ_TIME on the real clock (the one Textual stamps input with): a deliberate wait, then it confirms."""
    assert confirm.READ_TIME == 0.5
    ids = list(store.tasks)[:2]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen, read=False)
        await until(pilot, lambda: confirm.clock() >= screen.shown_at + confirm.READ_TIME, what="the guard time")
        await type_by_hand(pilot, "2", "enter")
        await run_finished(pilot, app)
        assert not screen.asked
    assert len(fake.deletes_seen()) == 2


async def test_keys_in_a_burst_ask_for_the_code_however_late_they_come(fake: FakeVias, store: FakeStore) -> None:
    """Keys in one read (a congested link, or the rest of a crafted paste spread out by a slow one) arrive long after
    the screen appeared, but come in bursts: the count does not confirm, the code does; the count typed again is a
    wrong code, and a wrong code draws a new one."""
    ids = list(store.tasks)[:2]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen, read=False)
        screen.shown_at -= confirm.READ_TIME  # read for long enough: only the rhythm can decide now
        burst = [events.Key("f20", None), events.Key("f20", None), events.Key("2", "2")]  # one read's worth
        for event in burst:
            app.post_message(event)
        await until(pilot, lambda: screen.query_one("#confirm-input", Input).value == "2", what="the 2")
        await type_by_hand(pilot, "enter")  # even a deliberate Enter: the count itself came in a burst
        await until(pilot, lambda: screen.asked, what="the question")
        assert_asked(screen, confirm.BURST)
        first = screen.code
        await type_by_hand(pilot, "2", "enter")
        await until(pilot, lambda: confirm.WRONG_CODE in feedback(screen), what="the wrong code")
        assert screen.code != first and screen.wrong_codes == 1 and fake.deletes_seen() == []
        await type_by_hand(pilot, *screen.code, "enter")
        await run_finished(pilot, app)
    assert len(fake.deletes_seen()) == 2


async def test_a_key_read_before_the_confirmation_opened_does_not_confirm(fake: FakeVias, store: FakeStore) -> None:
    """Keys queued behind a slow burst are handled late, but were typed (read) before the screen existed."""
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        queued_enter = events.Key("enter", "\r")  # read now, before ctrl+d opens the confirmation
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen)  # and handled once the operator could have read it
        await type_text(pilot, "3")
        app.post_message(queued_enter)
        await until(pilot, lambda: screen.asked or app.screen is not screen, what="the answer to Enter")
        assert_asked(screen)  # read before it opened (and out of order with the keys after it)
        assert fake.deletes_seen() == []
        await type_text(pilot, screen.code)
        await pilot.press("enter")
        await run_finished(pilot, app)
    assert len(fake.deletes_seen()) == 3


async def test_wrong_codes_close_the_dialog_and_nothing_is_sent(
    fake: FakeVias, store: FakeStore, slow_reader: None
) -> None:
    """A paste cannot guess its way in: each wrong code draws a new one, and the third closes the dialog."""
    ids = list(store.tasks)[:2]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen, read=False)
        await type_text(pilot, "2")
        await pilot.press("enter")
        await until(pilot, lambda: screen.asked, what="the question")
        codes = {screen.code}
        for _ in range(confirm.MAX_WRONG_CODES):
            guess = "AAAA" if screen.code != "AAAA" else "CCCC"
            await type_text(pilot, guess)
            await pilot.press("enter")
            codes.add(screen.code)
        await screen_gone(pilot, ConfirmScreen)
        assert len(codes) == confirm.MAX_WRONG_CODES  # a new code after each wrong one but the last
        assert app.main.run is None
    assert fake.deletes_seen() == []


async def test_without_a_record_of_the_input_rhythm_the_count_does_not_confirm(
    fake: FakeVias, store: FakeStore
) -> None:
    ids = list(store.tasks)[:2]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen)
        app.input_rhythm = None  # refuse, not allow, when the rhythm is unknown
        await type_text(pilot, "2")
        await pilot.press("enter")
        await until(pilot, lambda: screen.asked, what="the question")
        assert fake.deletes_seen() == []


async def test_digits_anywhere_go_to_the_count_and_enter_never_switches_an_option(
    fake: FakeVias, store: FakeStore
) -> None:
    """Reported: "2⏎" typed while an option had focus dropped the 2, and Enter switched the option (raising the
    count). Now the 2 goes to the count box and Enter submits it."""
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join([*ids, "0123456789abcdef0123456789abcdef"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen)
        toggle = screen.query_one("#exclude-not-found", TextToggle)
        toggle.focus()
        await pilot.press("enter")
        assert toggle.value is True and screen.count == 3  # Enter on an option switches nothing
        await type_text(pilot, "3")
        assert screen.query_one("#confirm-input", Input).value == "3"
        await pilot.press("enter")
        await run_finished(pilot, app)
    assert len(fake.deletes_seen()) == 3


async def test_a_paste_into_the_dialog_types_nothing(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:2]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen)
        app.post_message(events.Paste("2"))
        await until(pilot, lambda: "a paste does not confirm" in feedback(screen), what="the paste refused")
        assert screen.query_one("#confirm-input", Input).value == ""
        app.post_message(events.Paste(screen.code))
        await pilot.pause()
        assert screen.query_one("#confirm-input", Input).value == "" and app.screen is screen
    assert fake.deletes_seen() == []


async def test_hostile_paste_split_after_its_fake_end_marker_deletes_nothing(store: FakeStore) -> None:
    """The paste guard's residual case, through the real parser into the real app: the terminal pauses right
    after a fake end marker, so the rest of the paste, ctrl+d s 2 Enter, arrives as keys. They are read before the
    confirmation opens, so even handed over one by one as each screen becomes ready they do not confirm."""
    ids = list(store.tasks)[:2]
    now = [0.0]
    parser = PasteGuardParser(clock=lambda: now[0])
    pasted = [*parser.feed(PASTE_START + ids[1] + "\n" + PASTE_END), *parser.tick()]  # a read, as the driver does
    now[0] += END_PAUSE
    pasted += parser.tick()  # the driver's next wait for input found none
    keys = list(parser.feed("\x04s2\r" + PASTE_END))  # a later read: what a pause after the marker lets through
    keys += parser.tick()
    assert [type(e) for e in pasted] == [events.Paste]
    assert [e.key for e in keys if isinstance(e, events.Key)] == ["ctrl+d", "s", "2", "enter"]
    async with FakeVias(store, FaultPlan(latency=1.0)) as server:  # the lookup is still running when "s" comes
        app = console(server, ids[0] + "\n")
        async with app.run_test(size=(100, 30)) as pilot:
            app.main.ids_pane.focus_input()
            for event in pasted:
                app.post_message(event)  # as the input thread hands over what it parsed
            await until(pilot, lambda: len(app.main.ids_pane.plan.valid) == 2, what="the paste parsed")
            ctrl_d, skip, two, enter = (e for e in keys if isinstance(e, events.Key))
            app.post_message(ctrl_d)
            await screen_ready(pilot, PreviewScreen)
            app.post_message(skip)
            screen = await screen_ready(pilot, ConfirmScreen, read=False)
            has_been_read(screen)  # however long the screen has been up: the keys were typed before it opened
            app.post_message(two)
            await until(pilot, lambda: screen.query_one("#confirm-input", Input).value == "2", what="the 2")
            app.post_message(enter)
            await until(pilot, lambda: screen.asked or app.screen is not screen, what="the answer to Enter")
            assert_asked(screen)  # the keys were read before it opened, and in one burst
            assert app.main.run is None
        assert server.deletes_seen() == []
