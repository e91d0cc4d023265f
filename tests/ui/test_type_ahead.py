"""Type-ahead cannot confirm a delete: a count submitted by keys read before the confirmation could have been read
is refused (tui_app/ui/screens/confirm.py, READ_TIME). Pilot against the fake VIAS over real TCP."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, Static

from tests.ui.helpers import (
    console,
    has_been_read,
    run_finished,
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


def feedback(screen: ConfirmScreen) -> str:
    return str(screen.query_one("#confirm-feedback", Static).render())


def refused(screen: ConfirmScreen) -> bool:
    return "Too quick" in feedback(screen)


@pytest.fixture
def slow_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """A guard that no run of the suite outpaces, however loaded the machine: "typed at once" is then certain."""
    monkeypatch.setattr(confirm, "READ_TIME", 60.0)


def assert_refused(screen: ConfirmScreen) -> None:
    assert screen.app.screen is screen
    assert "Too quick" in feedback(screen)
    field = screen.query_one("#confirm-input", Input)
    assert field.value == ""  # the count is typed again, after reading
    assert screen.focused is field
    assert screen.query_one("#confirm-yes").disabled


async def test_count_typed_at_once_is_refused_then_accepted_after_reading(
    fake: FakeVias, store: FakeStore, slow_reader: None
) -> None:
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen, read=False)
        await type_text(pilot, "3")
        await pilot.press("enter")
        await until(pilot, lambda: refused(screen) or app.screen is not screen, what="the answer to Enter")
        assert_refused(screen)
        assert app.main.run is None and fake.deletes_seen() == []
        has_been_read(screen)  # the operator has now been reading it for READ_TIME
        await type_text(pilot, "3")
        await pilot.press("enter")
        await run_finished(pilot, app)
    assert sorted(r.task_id for r in fake.deletes_seen()) == sorted(ids)


async def test_delete_button_pressed_at_once_is_refused(fake: FakeVias, store: FakeStore, slow_reader: None) -> None:
    ids = list(store.tasks)[:2]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen, read=False)
        await type_text(pilot, "2")
        assert not screen.query_one("#confirm-yes").disabled
        await pilot.click("#confirm-yes")
        await until(pilot, lambda: refused(screen) or app.screen is not screen, what="the answer to the click")
        assert_refused(screen)
        assert fake.deletes_seen() == []
        has_been_read(screen)
        await type_text(pilot, "2")
        await pilot.click("#confirm-yes")
        await run_finished(pilot, app)
    assert len(fake.deletes_seen()) == 2


async def test_the_real_guard_lets_the_count_through_once_read_time_has_passed(
    fake: FakeVias, store: FakeStore
) -> None:
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
    assert len(fake.deletes_seen()) == 2


async def test_keys_in_a_burst_refuse_the_count_however_late_they_come(fake: FakeVias, store: FakeStore) -> None:
    """The rest of a crafted paste, let through as keys by a stall and spread out by a slow link, arrives long
    after the screen appeared, but its keys come in bursts no person types: refused; typed by hand, accepted."""
    ids = list(store.tasks)[:2]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen, read=False)
        screen.shown_at -= confirm.READ_TIME  # read for long enough: only the rhythm can refuse now
        driver = app._driver
        assert driver is not None
        burst = [events.Key("f20", None), events.Key("f20", None), events.Key("2", "2")]  # one read's worth
        for event in burst:
            driver.process_message(event)
        await until(pilot, lambda: screen.query_one("#confirm-input", Input).value == "2", what="the 2")
        await type_by_hand(pilot, "enter")  # even a deliberate Enter: the count itself came in a burst
        await until(pilot, lambda: confirm.TOO_FAST in feedback(screen), what="the refusal")
        assert screen.query_one("#confirm-input", Input).value == "" and fake.deletes_seen() == []
        await type_by_hand(pilot, "2", "enter")
        await run_finished(pilot, app)
    assert len(fake.deletes_seen()) == 2


async def test_a_key_read_before_the_confirmation_opened_is_refused_however_late_it_is_handled(
    fake: FakeVias, store: FakeStore
) -> None:
    """Keys queued behind a slow burst are handled late, but were typed (read) before the screen existed."""
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        queued_enter = events.Key("enter", "\r")  # read now, before ctrl+d opens the confirmation
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen)  # and handled once the operator could have read it
        await type_text(pilot, "3")
        app.post_message(queued_enter)
        await until(pilot, lambda: refused(screen) or app.screen is not screen, what="the answer to Enter")
        assert_refused(screen)
        assert fake.deletes_seen() == []
        await type_text(pilot, "3")  # typed and read now: accepted
        await pilot.press("enter")
        await run_finished(pilot, app)
    assert len(fake.deletes_seen()) == 3


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
            driver = app._driver
            assert driver is not None
            app.main.ids_pane.focus_input()
            for event in pasted:
                driver.process_message(event)  # as the input thread hands over what it parsed
            await until(pilot, lambda: len(app.main.ids_pane.plan.valid) == 2, what="the paste parsed")
            ctrl_d, skip, two, enter = (e for e in keys if isinstance(e, events.Key))
            driver.process_message(ctrl_d)
            await screen_ready(pilot, PreviewScreen)
            driver.process_message(skip)
            screen = await screen_ready(pilot, ConfirmScreen, read=False)
            has_been_read(screen)  # however long the screen has been up: the keys were typed before it opened
            driver.process_message(two)
            await until(pilot, lambda: screen.query_one("#confirm-input", Input).value == "2", what="the 2")
            driver.process_message(enter)
            await until(pilot, lambda: refused(screen) or app.screen is not screen, what="the answer to Enter")
            assert_refused(screen)
            assert app.main.run is None
        assert server.deletes_seen() == []
