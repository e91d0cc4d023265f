"""The console with recognisable secrets (a token, and access keys with a security token): screens, screenshots,
the clipboard, the export, the journal and a crash report never contain them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SECRET_AK, SECRET_SECURITY_TOKEN, SECRET_SK, SECRET_TOKEN, assert_no_secret
from tests.ui.helpers import confirm, console, run_finished, screen_gone, screen_ready, until
from tui_app.credentials import Credentials, CredentialSource
from tui_app.fake import FakeStore, FakeVias, FaultPlan
from tui_app.secret import Secret, Token
from tui_app.ui.screens.confirm import ConfirmScreen
from tui_app.ui.screens.credentials import CredentialsScreen
from tui_app.ui.screens.simple import HelpScreen, PathScreen
from tui_app.vias.auth import AccessKeys

TOKEN = Credentials(CredentialSource.SESSION, token=Token(SECRET_TOKEN))
KEYS = Credentials(
    CredentialSource.SESSION, keys=AccessKeys(SECRET_AK, Secret(SECRET_SK), Secret(SECRET_SECURITY_TOKEN))
)


@pytest.mark.parametrize("found", [TOKEN, KEYS], ids=["token", "access keys"])
async def test_no_screen_or_file_shows_a_secret(
    store: FakeStore, tmp_path: Path, no_keyring: None, found: Credentials
) -> None:
    ids = list(store.tasks)[:6]
    store.tasks[ids[1]].refuse_delete = True
    store.add_keys(SECRET_AK, SECRET_SK, SECRET_SECURITY_TOKEN)
    shots = tmp_path / "shots"
    shots.mkdir()
    async with FakeVias(store, FaultPlan(script={ids[2]: ["502-html", "500", "500"]})) as server:
        app = console(server, "\n".join([*ids, "bad/id"]), session_credentials=found)
        async with app.run_test(size=(120, 40)) as pilot:
            app.save_screenshot("ids.svg", str(shots))
            await pilot.press("ctrl+d")
            await screen_ready(pilot, ConfirmScreen)
            app.save_screenshot("confirm.svg", str(shots))
            await pilot.press("escape")
            await screen_gone(pilot, ConfirmScreen)
            await confirm(pilot, app, 6)
            await run_finished(pilot, app)
            for row in range(7):
                app.main.results_pane.table.move_cursor(row)
                app.save_screenshot(f"row{row}.svg", str(shots))
                await pilot.press("ctrl+y")
                assert_no_secret(app.clipboard)
            await pilot.press("f4")
            screen = await screen_ready(pilot, CredentialsScreen)
            screen.query_one("#cred-token").value = SECRET_TOKEN  # typed but hidden  # type: ignore[attr-defined]
            screen.query_one("#cred-sk").value = SECRET_SK  # type: ignore[attr-defined]
            screen.query_one("#cred-st").value = SECRET_SECURITY_TOKEN  # type: ignore[attr-defined]
            await pilot.pause()
            app.save_screenshot("credentials.svg", str(shots))
            await pilot.press("escape", "f1")
            await screen_ready(pilot, HelpScreen)
            app.save_screenshot("help.svg", str(shots))
            await pilot.press("escape", "ctrl+e")
            prompt = await screen_ready(pilot, PathScreen)
            prompt.query_one("#path-input").value = str(tmp_path / "report.jsonl")  # type: ignore[attr-defined]
            await pilot.press("enter")
            await until(pilot, lambda: (tmp_path / "report.jsonl").exists())
        assert all(r.authorized for r in server.deletes_seen())  # the secrets were really in use
    assert len(list(shots.glob("*.svg"))) == 11
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert_no_secret(path.read_bytes(), path)


async def test_a_crash_report_does_not_print_locals(
    fake: FakeVias, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from tui_app.ui.widgets.status_bar import StatusBar, StatusState

    original = StatusBar.show

    def crash_holding_the_raw_token(self: StatusBar, state: StatusState) -> None:
        found = state.credentials
        raw_token = found.token.reveal() if found is not None and found.token is not None else None
        if raw_token:
            raise RuntimeError("simulated bug while rendering the status line")
        original(self, state)

    monkeypatch.setattr(StatusBar, "show", crash_holding_the_raw_token)
    app = console(fake, session_credentials=TOKEN)
    with pytest.raises(RuntimeError, match="simulated bug"):
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
    assert app.return_code == 1  # a crash is an error exit, not 0
    captured = capfd.readouterr()
    report = captured.out + captured.err
    assert "simulated bug" in report and "raw_token" in report  # the traceback was printed…
    assert_no_secret(report, "the crash report")  # …without the local variable that held the token
