"""The console in Simplified Chinese at 80x24, under Pilot against the demo's fake VIAS over TCP: the main screen,
the confirmation, Locate (ctrl+l from the confirmation), a finished run's results with an error selected, the help
and the credentials screen show no English of the console's own (tests/ui/chinese.py says what may stay)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.helpers import FAST
from tests.ui.chinese import CJK, chinese_console, leaks, module, screen_lines
from tests.ui.helpers import console, until
from tui_app.demo import ELSEWHERE, demo_context, demo_paste, demo_server
from tui_app.domain.errors import ApiError
from tui_app.fake import FakeVias, FaultPlan
from tui_app.outcomes import Outcome, OutcomeRecord
from tui_app.paths import default_runs_dir

SIZE = (80, 24)


def lines(app: Any) -> list[str]:
    return screen_lines(app.export_screenshot(), *SIZE)


def assert_chinese(app: Any, foreign: list[str], what: str) -> None:
    shown = lines(app)
    assert leaks(shown, foreign) == [], f"English on the {what}:\n" + "\n".join(shown)
    assert sum(bool(CJK.search(line)) for line in shown) >= 3, f"the {what} is not in Chinese:\n" + "\n".join(shown)


async def on_top(pilot: Pilot[Any], screen: str) -> Any:
    """Wait until the screen on top is the (Chinese) class `screen` of its module, mounted and settled."""
    module_name, _dot, name = screen.rpartition(".")
    kind = getattr(module(module_name), name)

    def ready() -> bool:
        top = pilot.app.screen
        return isinstance(top, kind) and top.is_mounted and (top.focused is not None or not top.focus_chain)

    await until(pilot, ready, what=f"{name} on top")
    await pilot.pause()
    return pilot.app.screen


def service_texts(error: ApiError | None) -> list[str]:
    if error is None:
        return []
    fields = (error.code, error.message, error.detail, error.reason, error.advice, error.raw_body, error.request_id)
    return [text for text in fields if text]


def not_the_consoles(record: OutcomeRecord) -> list[str]:
    """What a results row shows that the console does not write: the service's answer, the task's name, and the
    texts of modules outside the console (translated with them): OutcomeRecord.describe() (outcomes.py), the notes
    and attempts' answers of the engine (engine.py, cleanup.py). A skipped row's note is the IDs parser's or the
    confirmation's: not foreign."""
    texts = [record.describe(), record.name or "", *service_texts(record.error)]
    if record.outcome is not Outcome.SKIPPED:
        texts += [record.note or "", *(attempt.answer for attempt in record.attempts)]
    if record.result is not None:
        texts += [*record.result.error_list, record.result.request_id or ""]
    for job in record.jobs:
        texts += [job.name, job.state, job.describe(), *service_texts(job.error)]
    return texts


async def test_every_screen_speaks_chinese_at_80x24() -> None:
    server = demo_server(latency=0.0)
    async with FakeVias(server.store, FaultPlan()) as fake:
        pasted = demo_paste(fake)
        foreign = [text for line in pasted.splitlines() for text in (line, repr(line))]  # the input, also quoted
        with chinese_console() as ui:
            context = demo_context(fake, text=pasted, runs_dir=default_runs_dir())
            context.policy = FAST
            app = ui.make_app(context)
            said: list[str] = []  # every notification (a toast may be gone before a screenshot shows it)
            notify = app.notify

            def noted(message: str, **kwargs: Any) -> None:
                said.extend([message, kwargs.get("title", "")])
                notify(message, **kwargs)

            app.notify = noted  # type: ignore[method-assign]
            async with app.run_test(size=SIZE) as pilot:
                await until(pilot, lambda: app.main.ids_pane.up_to_date, what="the paste parsed")
                await pilot.pause()
                assert_chinese(app, foreign, "main screen")

                await pilot.press("ctrl+d")
                confirm = await on_top(pilot, "tui_app.ui.screens.confirm.ConfirmScreen")
                resolution = confirm.resolution
                assert resolution is not None and resolution.not_found == [ELSEWHERE]
                # resolve.py and models.py (outside the console) make the preview's summary and the states
                foreign += [resolution.summary()]
                foreign += [text for task in resolution.found.values() for text in (task.name, task.state_summary())]
                assert_chinese(app, foreign, "confirmation")

                await pilot.press("ctrl+l")
                locate = await on_top(pilot, "tui_app.ui.screens.locate.LocateScreen")
                await until(pilot, lambda: locate.finished, what="the search ended")
                await pilot.pause()
                # locate.py makes each ID's line; the command lines stay as they are
                foreign += [locate.search.where(task_id) for task_id in locate.ids]
                foreign += locate.search.commands(locate.where.endpoint_for)
                assert_chinese(app, foreign, "Locate screen")
                await pilot.press("escape")

                await pilot.press("ctrl+d")
                confirm = await on_top(pilot, "tui_app.ui.screens.confirm.ConfirmScreen")
                confirm.shown_at -= module("tui_app.ui.screens.confirm").READ_TIME  # read, and typed by hand
                app.input_rhythm.gap = 0.0
                for key in str(confirm.count):
                    await pilot.press(key)
                await pilot.press("enter")
                main = app.main
                await until(pilot, lambda: main.last_status is not None and not main.running, 30, "the run ended")
                rows = main.results_pane.rows_shown()
                failed = next(i for i, row in enumerate(rows) if row.record and row.record.outcome is Outcome.FAILED)
                main.results_pane.table.move_cursor(failed)
                await pilot.pause()
                foreign += [text for row in rows if row.record for text in not_the_consoles(row.record)]
                assert_chinese(app, foreign, "results")

                await pilot.press("f1")
                await on_top(pilot, "tui_app.ui.screens.simple.HelpScreen")
                assert_chinese(app, foreign, "help screen")
                await pilot.press("escape")

                await pilot.press("f4")
                await on_top(pilot, "tui_app.ui.screens.credentials.CredentialsScreen")
                assert_chinese(app, foreign, "credentials screen")
    # Not confirmed (Locate instead), and the run's end with what to do next: each said in Chinese.
    assert len([text for text in said if text]) >= 3 and leaks(said, foreign) == [], said


@pytest.mark.usefixtures("no_keyring")
async def test_the_check_finds_the_english_console() -> None:
    """The check above cannot pass on an untranslated console: on the English main screen it finds the footer, the
    ready line and the tabs."""
    server = demo_server(latency=0.0)
    async with FakeVias(server.store, FaultPlan()) as fake:
        pasted = demo_paste(fake)
        app = console(fake, pasted)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.main.ids_pane.up_to_date, what="the paste parsed")
            await pilot.pause()
            found = leaks(lines(app), [text for line in pasted.splitlines() for text in (line, repr(line))])
    assert any("Ready: paste IDs" in line for line in found), found
    assert any("Quit" in line and "Help" in line for line in found), found
    assert any("Results (F3)" in line for line in found), found


def test_the_english_console_is_back_afterwards() -> None:
    """chinese_console() leaves the process as it found it: English modules, English language."""
    from tui_app import i18n
    from tui_app.ui.screens import main as english_main

    with chinese_console() as ui:
        chinese_main: ModuleType = module("tui_app.ui.screens.main")
        assert chinese_main is not english_main and ui.ViasApp.BINDINGS[0].description == "帮助"
    assert module("tui_app.ui.screens.main") is english_main and i18n.current() == i18n.ENGLISH
    assert english_main.MainScreen.BINDINGS[0].description == "Delete…"
