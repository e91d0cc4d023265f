"""The console with a recognisable token: screens, screenshots, clipboard, export, journal and a crash
report never contain it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SECRET_TOKEN, assert_no_token
from tests.ui.helpers import confirm, console, run_finished, until
from tui_app.fake import FakeStore, FakeVias, FaultPlan
from tui_app.secret import Token
from tui_app.ui.screens.credentials import CredentialsScreen
from tui_app.ui.screens.simple import HelpScreen, PathScreen


async def test_no_screen_or_file_shows_the_token(store: FakeStore, tmp_path: Path, no_keyring) -> None:
    ids = list(store.tasks)[:6]
    store.tasks[ids[1]].refuse_delete = True
    shots = tmp_path / "shots"
    shots.mkdir()
    async with FakeVias(store, FaultPlan(script={ids[2]: ["502-html", "500", "500"]})) as server:
        app = console(server, "\n".join([*ids, "bad/id"]), session_token=Token(SECRET_TOKEN))
        async with app.run_test(size=(120, 40)) as pilot:
            app.save_screenshot("ids.svg", str(shots))
            await pilot.press("ctrl+d")
            await pilot.pause(0.2)
            app.save_screenshot("confirm.svg", str(shots))
            await pilot.press("escape")
            await confirm(pilot, app, 6)
            await run_finished(pilot, app)
            for row in range(7):
                app.results_pane.table.move_cursor(row)
                await pilot.pause(0.05)
                app.save_screenshot(f"row{row}.svg", str(shots))
                await pilot.press("ctrl+y")
                assert_no_token(app.clipboard)
            await pilot.press("f4")
            await until(pilot, lambda: isinstance(app.screen, CredentialsScreen))
            app.screen.query_one("#cred-token").value = SECRET_TOKEN  # typed but hidden
            await pilot.pause(0.1)
            app.save_screenshot("credentials.svg", str(shots))
            await pilot.press("escape", "f1")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            app.save_screenshot("help.svg", str(shots))
            await pilot.press("escape", "ctrl+e")
            await until(pilot, lambda: isinstance(app.screen, PathScreen))
            app.screen.query_one("#path-input").value = str(tmp_path / "report.jsonl")
            await pilot.press("enter")
            await until(pilot, lambda: (tmp_path / "report.jsonl").exists())
    assert len(list(shots.glob("*.svg"))) == 11
    for path in [*tmp_path.rglob("*"), *Path(tmp_path / "state").rglob("*")]:
        if path.is_file():
            assert_no_token(path.read_bytes(), path)


async def test_a_crash_report_does_not_print_locals(
    fake: FakeVias, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from tui_app.ui.widgets.status_bar import StatusBar

    original = StatusBar.show

    def crash_holding_the_raw_token(self, **kwargs):
        raw_token = kwargs["token"].token.reveal() if kwargs.get("token") else None
        if raw_token:
            raise RuntimeError("simulated bug while rendering the status line")
        return original(self, **kwargs)

    monkeypatch.setattr(StatusBar, "show", crash_holding_the_raw_token)
    app = console(fake, session_token=Token(SECRET_TOKEN))
    with pytest.raises(RuntimeError, match="simulated bug"):
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause(0.2)
    captured = capfd.readouterr()
    report = captured.out + captured.err
    assert "simulated bug" in report and "raw_token" in report  # the traceback was printed…
    assert_no_token(report, "the crash report")  # …without the local variable that held the token
