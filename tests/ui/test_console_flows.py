"""The console's flows driven with Pilot against the fake VIAS over real TCP."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.helpers import SECRET_TOKEN, assert_no_secret
from tests.ui.helpers import (
    confirm,
    console,
    parsed,
    paste,
    run_finished,
    screen_gone,
    screen_ready,
    type_text,
    until,
)
from tui_app.credentials import CredentialSource
from tui_app.fake import FakeStore, FakeVias, FaultPlan
from tui_app.outcomes import Outcome, RunStatus
from tui_app.ui.screens.confirm import ConfirmScreen
from tui_app.ui.screens.credentials import CredentialsScreen
from tui_app.ui.screens.preview import PreviewScreen
from tui_app.ui.screens.simple import AskScreen, HelpScreen, PathScreen


async def test_paste_shows_valid_duplicate_and_skipped_with_reasons(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:5]
    app = console(fake)
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(pilot, app, "\r\n".join([*ids, ids[0], "a/b", "x?y", '"two words"']))
        pane = app.main.ids_pane
        plan = pane.plan
        assert (len(plan.valid), plan.duplicate_count, len(plan.skipped)) == (5, 1, 3)
        side = str(pane.query_one("#plan-issues").render())
        assert "line 7" in side and "'/'" in side and "whitespace" in side
        counts = str(pane.query_one("#plan-counts").render())
        assert "5 valid" in counts and "3 skipped" in counts


async def test_wrong_count_does_nothing_and_escape_sends_nothing(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen)
        assert "3 will be DELETED" in str(screen.query_one("#confirm-title").render())
        assert screen.focused is screen.query_one("#confirm-input")  # never the destructive button
        await type_text(pilot, "4")
        await pilot.press("enter")
        assert app.screen is screen
        assert "not 3" in str(screen.query_one("#confirm-feedback").render())
        assert screen.query_one("#confirm-yes").disabled
        await pilot.press("escape")
        await screen_gone(pilot, ConfirmScreen)
    assert fake.deletes_seen() == []


async def test_full_run_shows_outcomes_and_error_details(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:8]
    store.tasks[ids[2]].refuse_delete = True
    store.tasks[ids[4]].fail_jobs = 1
    app = console(fake, "\n".join([*ids, "feedfacefeedfacefeedfacefeedface", "bad/id"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await confirm(pilot, app, 8)  # the preview found 8: the unknown ID is excluded by default
        await run_finished(pilot, app)
        main = app.main
        counts = main.results.counts()
        assert counts[Outcome.DELETED] == 6 and counts[Outcome.FAILED] == 1 and counts[Outcome.PARTIAL] == 1
        assert counts[Outcome.NOT_FOUND] == 0 and counts[Outcome.SKIPPED] == 2
        excluded = main.results.row(8).record
        assert excluded is not None and excluded.outcome is Outcome.SKIPPED
        assert "excluded at confirmation" in (excluded.note or "")
        assert len(fake.deletes_seen()) == 8
        run_text = str(main.run_bar.query_one("#run-text").render())
        assert "NOT all deleted" in run_text and "1 failed" in run_text
        table = main.results_pane.table
        table.move_cursor(2)
        details = main.results_pane.query_one("#details-text")
        await until(pilot, lambda: "VIAS.00010001" in str(details.render()))
        text = str(details.render())
        for expected in (
            "Invalid parameters.",
            "running jobs",
            "cannot be deleted",
            "Stop the batch task",
            "fake-",
            "Hint",
            "Attempt 1",
        ):
            assert expected in text
        assert "fix the input" not in text  # the hint agrees with the service's advice
        await pilot.press("ctrl+y")
        assert "VIAS.00010001" in app.clipboard and "Request ID" in app.clipboard
        assert_no_secret(app.clipboard)
        table.move_cursor(4)
        await until(pilot, lambda: "Job error 1" in str(details.render()))
        assert "failed 1" in str(details.render())


async def test_filter_and_sort_and_a_new_batch_starts_unfiltered(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:6]
    store.tasks[ids[3]].refuse_delete = True
    app = console(fake, "\n".join([*ids, "x/y"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await confirm(pilot, app, 6)
        await run_finished(pilot, app)
        pane = app.main.results_pane
        pane.table.focus()
        await pilot.press("f")  # problems
        assert pane.filter == "problems" and pane.table.row_count == 2
        await pilot.press("f")  # deleted
        assert pane.table.row_count == 5
        await pilot.press("s")
        assert pane.sort == "outcome"
        await pilot.press("ctrl+n")
        await until(pilot, lambda: app.main.ids_pane.text == "")
        await paste(pilot, app, "\n".join(list(store.tasks)[10:12]))
        await confirm(pilot, app, 2)
        await run_finished(pilot, app)
        assert (pane.filter, pane.sort) == ("all", "input") and pane.table.row_count == 2


async def test_cancel_asks_once_and_accounts_for_every_id(store: FakeStore) -> None:
    ids = list(store.tasks)[:30]
    async with FakeVias(store, FaultPlan(latency=0.15)) as server:
        app = console(server, "\n".join(ids), concurrency=2)
        async with app.run_test(size=(100, 30)) as pilot:
            await confirm(pilot, app, 30)
            await until(pilot, lambda: len(server.deletes_seen()) >= 2)
            main = app.main
            table = main.results_pane.table

            # rows on screen show their outcome while the run is still going, not only at the end
            await until(pilot, lambda: "deleted" in table.render_line(1).text)
            assert main.running and "pending" in table.render_line(20).text
            await pilot.press("ctrl+x")
            ask = await screen_ready(pilot, AskScreen)
            assert ask.focused is ask.query_one("#ask-no")
            await pilot.press("y")
            await run_finished(pilot, app)
            sent = {r.task_id for r in server.deletes_seen()}
            counts = main.results.counts()
            assert main.last_status is RunStatus.CANCELLED
            assert sum(counts.values()) == 30 and counts[Outcome.CANCELLED] > 0
            for row in main.results.rows.values():
                assert row.record is not None
                if row.record.outcome is Outcome.CANCELLED:
                    assert row.id not in sent


async def test_retry_failed_sends_only_those(store: FakeStore) -> None:
    ids = list(store.tasks)[:5]
    faults = FaultPlan(script={ids[1]: ["500", "500", "500"]})
    async with FakeVias(store, faults) as server:
        app = console(server, "\n".join(ids))
        async with app.run_test(size=(100, 30)) as pilot:
            await confirm(pilot, app, 5)
            await run_finished(pilot, app)
            main = app.main
            assert main.results.rows[ids[1]].record.outcome is Outcome.FAILED  # type: ignore[union-attr]
            server.faults.script = {}
            await pilot.press("ctrl+r")
            screen = await screen_ready(pilot, ConfirmScreen)
            assert "Retry" in str(screen.query_one("#confirm-title").render())
            await type_text(pilot, "1")
            await pilot.press("enter")
            await until(pilot, lambda: main.running or main.last_status is not None)
            await run_finished(pilot, app)
            assert main.results.rows[ids[1]].record.outcome is Outcome.DELETED  # type: ignore[union-attr]
            assert [r.task_id for r in server.deletes_seen()].count(ids[0]) == 1
            assert len(main.journals) == 2


async def test_export_writes_every_row_and_names_the_whole_path(
    fake: FakeVias, store: FakeStore, tmp_path: Path
) -> None:
    ids = list(store.tasks)[:4]
    app = console(fake, "\n".join([*ids, "bad/id", ids[0]]))
    async with app.run_test(size=(100, 30)) as pilot:
        await confirm(pilot, app, 4)
        await run_finished(pilot, app)
        await pilot.press("ctrl+e")
        prompt = await screen_ready(pilot, PathScreen)
        assert any("a duplicate once" in str(static.render()) for static in prompt.query("Static"))
        prompt.query_one("#path-input").value = str(tmp_path / "missing-dir" / "out.csv")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: "does not exist" in str(prompt.query_one("#path-error").render()))
        prompt.query_one("#path-input").value = str(tmp_path / "out.csv")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: (tmp_path / "out.csv").exists())
        bar = app.main.results_pane.query_one("#results-bar")
        await until(pilot, lambda: f"report: {tmp_path / 'out.csv'}" in str(bar.render()))
    rows = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert [r["outcome"] for r in rows] == ["deleted"] * 4 + ["skipped"]


async def test_credentials_rejected_mid_run_pauses_then_resumes(store: FakeStore) -> None:
    ids = list(store.tasks)[:20]
    async with FakeVias(store, FaultPlan(auth_fail_after=5)) as server:
        app = console(server, "\n".join(ids), concurrency=2)
        async with app.run_test(size=(100, 32)) as pilot:
            await confirm(pilot, app, 20)
            screen = await screen_ready(pilot, CredentialsScreen)
            assert "credentials were rejected" in str(screen.query_one("#cred-reason").render())
            sent_while_paused = len(server.deletes_seen())
            await until(pilot, lambda: app.main.run_bar.query_one("#run-text").render() is not None)
            assert len(server.deletes_seen()) == sent_while_paused  # nothing goes out while paused
            server.faults.auth_fail_after = None
            server.store.tokens.add(SECRET_TOKEN)
            screen.query_one("#cred-token").value = SECRET_TOKEN  # type: ignore[attr-defined]
            await pilot.click("#cred-session")
            await run_finished(pilot, app)
            assert app.main.results.counts()[Outcome.DELETED] == 20
            assert app.credentials is not None and app.credentials.source is CredentialSource.SESSION
            assert_no_secret(str(app.main.query_one("#status").render()))


async def test_credentials_rejected_then_cancel_records_the_rest_cancelled(store: FakeStore) -> None:
    ids = list(store.tasks)[:12]
    async with FakeVias(store, FaultPlan(auth_fail_after=3)) as server:
        app = console(server, "\n".join(ids), concurrency=1)
        async with app.run_test(size=(100, 32)) as pilot:
            await confirm(pilot, app, 12)
            await screen_ready(pilot, CredentialsScreen)
            await pilot.press("escape")
            await screen_ready(pilot, AskScreen)
            await pilot.press("y")
            await run_finished(pilot, app)
            counts = app.main.results.counts()
            assert counts[Outcome.DELETED] == 3 and counts[Outcome.CANCELLED] == 9


async def test_no_keyring_credentials_screen_explains_and_enter_uses_the_token_for_the_session(
    fake: FakeVias, store: FakeStore, no_keyring: None
) -> None:
    ids = list(store.tasks)[:2]
    app = console(fake, "\n".join(ids), session_credentials=None, look_for_credentials=True)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: not app.checking)
        assert app.credentials is None
        await pilot.press("ctrl+d")  # no credentials: says so and opens the credentials screen
        screen = await screen_ready(pilot, CredentialsScreen)
        state = str(screen.query_one("#cred-state").render())
        assert "headless" in state and "VIAS_AUTH_TOKEN" in state
        assert screen.query_one("#cred-store").disabled and screen.query_one("#cred-forget").disabled
        assert screen.focused is screen.query_one("#cred-token")
        await type_text(pilot, SECRET_TOKEN[:40])
        screen.query_one("#cred-token").value = SECRET_TOKEN  # type: ignore[attr-defined]
        await pilot.press("enter")  # no keyring: Enter means "for this session"
        await screen_gone(pilot, CredentialsScreen)
        assert app.credentials is not None and app.credentials.source is CredentialSource.SESSION
        status = str(app.main.query_one("#status").render())
        assert "session" in status and "MIIs…" in status
        assert_no_secret(status)
    assert fake.deletes_seen() == []


async def test_tab_from_the_token_field_reaches_a_safe_button_first(fake: FakeVias, no_keyring: None) -> None:
    app = console(fake, "", session_credentials=None, look_for_credentials=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: not app.checking)
        await pilot.press("f4")
        screen = await screen_ready(pilot, CredentialsScreen)
        await pilot.press("tab")
        assert screen.focused is screen.query_one("#cred-session")
        await pilot.press("tab")
        assert screen.focused is not None and screen.focused.id != "cred-forget"


async def test_iam_login_from_the_credentials_screen(fake: FakeVias, no_keyring: None) -> None:
    app = console(fake)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.press("f4")
        screen = await screen_ready(pilot, CredentialsScreen)
        screen.query_one("#cred-password").value = "demo-password"  # type: ignore[attr-defined]
        await pilot.click("#cred-login")
        await screen_gone(pilot, CredentialsScreen)
        found = app.credentials
        assert found is not None and found.source is CredentialSource.SESSION and found.expires_at is not None
        assert found.token is not None and found.token.reveal() in fake.store.tokens


async def test_iam_login_with_virtual_mfa_from_the_credentials_screen(fake: FakeVias, no_keyring: None) -> None:
    from tui_app.fake.store import DEMO_IAM_USER, MfaDevice

    fake.store.mfa[DEMO_IAM_USER[:2]] = MfaDevice(passcode="246810")
    app = console(fake)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.press("f4")
        screen = await screen_ready(pilot, CredentialsScreen)
        screen.query_one("#cred-password").value = "demo-password"  # type: ignore[attr-defined]
        await pilot.click("#cred-login")
        message = screen.query_one("#cred-message")
        await until(pilot, lambda: "login protection" in str(message.render()), what="MFA asked for")
        assert screen.focused is screen.query_one("#cred-user-id")
        assert screen.query_one("#cred-password").value == ""  # type: ignore[attr-defined]  # not kept
        screen.query_one("#cred-password").value = "demo-password"  # type: ignore[attr-defined]
        screen.query_one("#cred-user-id").value = fake.store.user_id(*DEMO_IAM_USER[:2])  # type: ignore[attr-defined]
        screen.query_one("#cred-mfa").value = "246810"  # type: ignore[attr-defined]
        screen.query_one("#cred-mfa").focus()
        await pilot.press("enter")  # Enter in the code field logs in (a second click within Button's 0.2 s
        await screen_gone(pilot, CredentialsScreen)  # active effect would be ignored, as Textual designs it)
        assert app.credentials is not None and app.credentials.token is not None


async def test_help_lists_every_key_and_load_file_keeps_a_bad_path(
    fake: FakeVias, store: FakeStore, tmp_path: Path
) -> None:
    app = console(fake)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(list(store.tasks)[:3]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        help_screen = await screen_ready(pilot, HelpScreen)
        text = str(help_screen.query_one("Static").render())
        for description in (
            "Delete",
            "Cancel run",
            "Retry",
            "Export",
            "Load file",
            "New batch",
            "Creds",
            "Copy details",
            "Filter",
            "Sort",
            "Quit",
        ):
            assert description in text
        await pilot.press("escape")
        await screen_gone(pilot, HelpScreen)
        await pilot.press("ctrl+o")
        prompt = await screen_ready(pilot, PathScreen)
        prompt.query_one("#path-input").value = str(ids_file)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: len(app.main.ids_pane.plan.valid) == 3)
        await pilot.press("ctrl+o")
        prompt = await screen_ready(pilot, PathScreen)
        missing = str(tmp_path / "missing.txt")
        prompt.query_one("#path-input").value = missing  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: "No such file" in str(prompt.query_one("#path-error").render()))
        assert app.screen is prompt and prompt.query_one("#path-input").value == missing  # type: ignore[attr-defined]
        assert len(app.main.ids_pane.plan.valid) == 3  # a bad path loses nothing


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_whole_flow_by_keyboard_at_size(fake: FakeVias, store: FakeStore, size: tuple[int, int]) -> None:
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=size) as pilot:
        await confirm(pilot, app, 3)
        await run_finished(pilot, app)
        await pilot.press("f2")
        await pilot.press("ctrl+n")  # after a run: the IDs are in the journal, so no question
        await until(pilot, lambda: app.main.ids_pane.text_area.text == "")
        assert not app.main.results.rows
    assert len(fake.deletes_seen()) == 3


async def test_new_batch_asks_before_dropping_ids_never_run_and_ctrl_z_brings_them_back(
    fake: FakeVias, store: FakeStore
) -> None:
    ids = list(store.tasks)[:4]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await parsed(pilot, app)
        await pilot.press("ctrl+n")
        ask = await screen_ready(pilot, AskScreen)
        assert "4 ID(s) pasted but never run" in str(ask.query_one("#ask-question").render())
        await pilot.press("n")
        await screen_gone(pilot, AskScreen)
        assert len(app.main.ids_pane.current_plan().valid) == 4
        await pilot.press("ctrl+n")
        await screen_ready(pilot, AskScreen)
        await pilot.press("y")
        area = app.main.ids_pane.text_area
        await until(pilot, lambda: area.text == "")
        area.focus()
        await pilot.press("ctrl+z")
        await until(pilot, lambda: ids[0] in area.text)
        await parsed(pilot, app)
        assert len(app.main.ids_pane.current_plan().valid) == 4


async def test_throttling_is_shown_as_backing_off_not_failure(store: FakeStore) -> None:
    ids = list(store.tasks)[:6]
    async with FakeVias(store, FaultPlan(every={2: "429"}, retry_after=0.6)) as server:
        app = console(server, "\n".join(ids), concurrency=1)
        async with app.run_test(size=(100, 30)) as pilot:
            await confirm(pilot, app, 6)
            seen: list[str] = []

            def throttled_shown() -> bool:
                seen.append(str(app.main.run_bar.query_one("#run-text").render()))
                return "throttled, backing off" in seen[-1]

            await until(pilot, throttled_shown)
            await run_finished(pilot, app)
            assert app.main.results.counts()[Outcome.DELETED] == 6
            assert not any("failed" in text for text in seen)


async def test_preview_shows_what_each_id_is_and_choices_change_the_count(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:6]
    store.tasks[ids[1]].status_info["running"] = 4
    store.tasks[ids[2]].status_info["running"] = 0
    running = [i for i in ids if store.tasks[i].status_info.get("running")]
    app = console(fake, "\n".join([*ids, "feedfacefeedfacefeedfacefeedface"]))
    async with app.run_test(size=(130, 44)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen)
        body = str(screen.query_one("#confirm-body").render())
        assert "6 of 7 found in this project" in body and "1 NOT found (wrong region or project?)" in body
        assert f"{len(running)} with running jobs" in body
        table = screen.query_one("#confirm-tasks")
        first = table.render_line(1).text  # type: ignore[attr-defined]
        assert ids[0] in first and "DELETE" in first and store.tasks[ids[0]].name[:20] in first
        assert "NOT FOUND" in table.render_line(7).text and "keep" in table.render_line(7).text  # type: ignore[attr-defined]
        title = screen.query_one("#confirm-title")
        assert "6 will be DELETED" in str(title.render())
        await pilot.click("#exclude-running")
        expected = 6 - len(running)
        await until(pilot, lambda: f"{expected} will be DELETED" in str(title.render()))
        await pilot.click("#exclude-not-found")
        await until(pilot, lambda: f"{expected + 1} will be DELETED" in str(title.render()))
        screen.query_one("#confirm-input").focus()
        await type_text(pilot, str(expected + 1))
        await pilot.press("enter")
        await run_finished(pilot, app)
        assert app.main.results.counts()[Outcome.NOT_FOUND] == 1
    sent = {r.task_id for r in fake.deletes_seen()}
    assert "feedfacefeedfacefeedfacefeedface" in sent and not sent & set(running)


async def test_everything_excluded_asks_for_no_count(fake: FakeVias) -> None:
    app = console(fake, "feedfacefeedfacefeedfacefeedface\ncafecafecafecafecafecafecafecafe")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen)
        assert "0 will be DELETED (2 excluded)" in str(screen.query_one("#confirm-title").render())
        assert "Nothing left to delete" in str(screen.query_one("#confirm-prompt").render())
        assert screen.query_one("#confirm-input").disabled and screen.query_one("#confirm-yes").disabled
        assert screen.focused is screen.query_one("#confirm-no")
        await pilot.press("escape")
    assert fake.deletes_seen() == []


async def test_listing_failure_is_explained_and_does_not_block(store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    async with FakeVias(store, FaultPlan(list_fault="500")) as server:
        app = console(server, "\n".join(ids))
        async with app.run_test(size=(110, 36)) as pilot:
            await pilot.press("ctrl+d")
            screen = await screen_ready(pilot, ConfirmScreen)
            body = str(screen.query_one("#confirm-body").render())
            assert "Could not list the batch tasks" in body and "proceed on the IDs alone" in body
            await type_text(pilot, "3")
            await pilot.press("enter")
            await run_finished(pilot, app)
        assert len(server.deletes_seen()) == 3


async def test_preview_can_be_skipped_or_cancelled(store: FakeStore) -> None:

    ids = list(store.tasks)[:3]
    async with FakeVias(store, FaultPlan(latency=3.0)) as server:  # the lookup outlasts the keys below
        app = console(server, "\n".join(ids))
        async with app.run_test(size=(110, 36)) as pilot:
            await pilot.press("ctrl+d")
            await screen_ready(pilot, PreviewScreen)
            await pilot.press("escape")
            await screen_gone(pilot, PreviewScreen)
            assert not isinstance(app.screen, ConfirmScreen)
            await pilot.press("ctrl+d")
            await screen_ready(pilot, PreviewScreen)
            await pilot.press("s")
            screen = await screen_ready(pilot, ConfirmScreen)
            assert "Stopped listing" in str(screen.query_one("#confirm-body").render())
            assert "3 will be DELETED" in str(screen.query_one("#confirm-title").render())
        assert server.deletes_seen() == []


async def test_large_paste_is_shown_read_only_and_deletes_like_any_other(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:5]
    filler = [f"{n:032x}" for n in range(1, 6_000)]  # unknown IDs: the preview excludes them
    app = console(fake, "")
    async with app.run_test(size=(110, 34)) as pilot:
        await paste(pilot, app, "\n".join([*ids, "bad/one", *filler]))
        pane = app.main.ids_pane
        await until(pilot, lambda: len(pane.plan.valid) == 5 + len(filler))
        assert pane.large and not pane.text_area.display
        banner = str(pane.query_one("#large-banner").render())
        assert "Large input: 6,005 lines" in banner and "read-only" in banner
        entries = pane.query_one("#entries")
        assert entries.row_count == 6_005  # type: ignore[attr-defined]
        assert "skipped: contains '/'" in entries.render_line(6).text  # type: ignore[attr-defined]
        await pilot.press("ctrl+d")
        screen = await screen_ready(pilot, ConfirmScreen)
        assert "5 will be DELETED" in str(screen.query_one("#confirm-title").render())
        await type_text(pilot, "5")
        await pilot.press("enter")
        await run_finished(pilot, app)
        assert app.main.results.counts()[Outcome.DELETED] == 5
        await pilot.press("f2")
        await paste(pilot, app, "\n".join(ids[:2]))  # a paste replaces the large input
        await until(pilot, lambda: not pane.large and len(pane.plan.valid) == 2)
    assert sorted(r.task_id for r in fake.deletes_seen()) == sorted(ids)


async def test_sending_pauses_the_moment_a_stop_question_opens_and_no_resumes(store: FakeStore) -> None:
    """Reported: ctrl+x / ctrl+q opened a dialog while deletes kept going (368 of 2,000 settled at the keypress,
    438 while the dialog was open, 672 at the end). Now nothing new goes out while it is open; No sends on."""
    ids = list(store.tasks)[:40]
    async with FakeVias(store, FaultPlan(latency=0.1)) as server:
        app = console(server, "\n".join(ids), concurrency=4)
        async with app.run_test(size=(100, 30)) as pilot:
            await confirm(pilot, app, 40)
            await until(pilot, lambda: len(server.deletes_seen()) >= 6, what="the run under way")
            await pilot.press("ctrl+x")
            await screen_ready(pilot, AskScreen)
            main = app.main
            engine = main.run.session.engine  # type: ignore[union-attr]
            assert engine is not None and engine.held
            await until(pilot, lambda: engine.admission.in_flight == 0, what="the requests in flight answered")
            seen = len(server.deletes_seen())
            await pilot.pause(0.5)  # five latencies: a run that kept sending would have sent 20 more
            assert len(server.deletes_seen()) == seen and "Paused" in str(main.run_bar.query_one("#run-text").render())
            await pilot.press("n")
            await until(pilot, lambda: len(server.deletes_seen()) > seen, what="sending again after No")
            await pilot.press("ctrl+q")
            await screen_ready(pilot, AskScreen)
            await until(pilot, lambda: engine.admission.in_flight == 0, what="the requests in flight answered")
            at_question = len(server.deletes_seen())
            await pilot.press("y")
            await until(pilot, lambda: app.return_code == 130, what="the console closed")
        assert len(server.deletes_seen()) == at_question  # quitting sent nothing more
    note = app.exit_note or ""
    assert "vias-tui resume " in note and "deleted" in note
    run_id = note.split("vias-tui resume ")[1].strip()
    assert run_id and run_id in note


async def test_wrong_credentials_cost_one_rejected_request_and_open_the_credentials_screen(store: FakeStore) -> None:
    """The lookup is the first request: rejected, it opens the credentials screen and nothing is deleted. And a
    run whose credentials are rejected sends one request, not a first wave of C."""
    ids = list(store.tasks)[:20]
    async with FakeVias(store, FaultPlan()) as server:
        app = console(server, "\n".join(ids), concurrency=16)
        async with app.run_test(size=(100, 32)) as pilot:
            keys = dict(server.store.access_keys)
            server.store.access_keys.clear()  # the demo's access keys are now wrong
            await pilot.press("ctrl+d")
            screen = await screen_ready(pilot, CredentialsScreen)
            reason = str(screen.query_one("#cred-reason").render())
            assert "rejected while looking the IDs up" in reason and "Nothing was deleted" in reason
            assert server.deletes_seen() == []
            assert len([r for r in server.requests if r.answer == "401"]) == 1
            await pilot.press("escape")
            server.store.access_keys.update(keys)
            server.faults.auth_fail_after = 0  # the listing works; every delete is rejected
            await confirm(pilot, app, 20)
            await screen_ready(pilot, CredentialsScreen)
            await pilot.pause(0.3)
            assert len(server.deletes_seen()) == 1  # the run's first request went alone


async def test_stop_running_in_the_confirmation_then_clean_the_leftovers_from_results(store: FakeStore) -> None:
    """The confirmation's option stops the batches with running jobs first; after the run, ctrl+k deletes the
    jobs a partial delete left (with its own typed count), shown as child rows under their batch."""
    ids = list(store.tasks)[:3]
    store.refuse_running = True
    store.tasks[ids[0]].status_info = {"running": 2, "stopped": 1}
    store.tasks[ids[1]].status_info = {"stopped": 4}
    store.tasks[ids[1]].fail_jobs = 2
    store.upgrading_refusals = 0
    store.tasks[ids[2]].status_info = {"stopped": 1}
    async with FakeVias(store, FaultPlan()) as server:
        app = console(server, "\n".join(ids))
        async with app.run_test(size=(110, 40)) as pilot:
            await pilot.press("ctrl+d")
            screen = await screen_ready(pilot, ConfirmScreen)
            exclude, stop = screen.query_one("#exclude-running"), screen.query_one("#stop-running")
            exclude.value = True  # type: ignore[attr-defined]
            await pilot.pause()
            stop.value = True  # type: ignore[attr-defined]
            await pilot.pause()
            assert exclude.value is False  # type: ignore[attr-defined]  # the opposite answer switched off
            title = str(screen.query_one("#confirm-title").render())
            assert "3 will be DELETED (1 stopped first)" in title
            await type_text(pilot, "3")
            await pilot.press("enter")
            await run_finished(pilot, app)
            main = app.main
            assert main.results.rows[ids[0]].record.stopped  # type: ignore[union-attr]
            assert main.results.rows[ids[1]].record.outcome is Outcome.PARTIAL  # type: ignore[union-attr]
            await pilot.press("ctrl+k")
            confirm_screen = await screen_ready(pilot, ConfirmScreen)
            assert "leftover jobs of 1 batch(es)" in str(confirm_screen.query_one("#confirm-title").render())
            await type_text(pilot, "1")
            await pilot.press("enter")
            await run_finished(pilot, app)
            record = main.results.rows[ids[1]].record
            assert record is not None and record.outcome is Outcome.DELETED and len(record.jobs) == 2
            shown = [row.id for row in main.results_pane.rows_shown()]
            assert shown[shown.index(ids[1]) + 1 : shown.index(ids[1]) + 3] == [job.id for job in record.jobs]
        assert len(server.deletes_seen(ids[1])) == 1  # the partial batch's delete: never sent again
    assert not set(ids) & set(store.tasks)
