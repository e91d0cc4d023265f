"""The console's flows driven with Pilot against the fake VIAS over real TCP."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import SECRET_TOKEN, assert_no_token
from tests.ui.helpers import confirm, confirm_screen_ready, console, paste, run_finished, type_text, until
from tui_app.fake import FakeStore, FakeVias, FaultPlan
from tui_app.outcomes import Outcome
from tui_app.ui.screens.confirm import ConfirmScreen
from tui_app.ui.screens.credentials import CredentialsScreen
from tui_app.ui.screens.simple import AskScreen, HelpScreen, PathScreen


async def test_paste_shows_valid_duplicate_and_skipped_with_reasons(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:5]
    app = console(fake)
    async with app.run_test(size=(100, 30)) as pilot:
        await paste(pilot, app, "\r\n".join([*ids, ids[0], "a/b", "x?y", '"two words"']))
        plan = app.ids_pane.plan
        assert (len(plan.valid), plan.duplicate_count, len(plan.skipped)) == (5, 1, 3)
        side = str(app.ids_pane.query_one("#plan-issues").render())
        assert "line 7" in side and "'/'" in side and "whitespace" in side
        counts = str(app.ids_pane.query_one("#plan-counts").render())
        assert "5 valid" in counts and "3 skipped" in counts


async def test_wrong_count_does_nothing_and_escape_sends_nothing(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        screen = app.screen
        assert "3 will be DELETED" in str(screen.query_one("#confirm-title").render())
        assert screen.focused is screen.query_one("#confirm-input")  # never the destructive button
        await type_text(pilot, "4")
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert "not 3" in str(screen.query_one("#confirm-feedback").render())
        assert screen.query_one("#confirm-yes").disabled
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await pilot.pause(0.2)
    assert fake.deletes_seen() == []


async def test_full_run_shows_outcomes_and_error_details(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:8]
    store.tasks[ids[2]].refuse_delete = True
    store.tasks[ids[4]].fail_jobs = 1
    app = console(fake, "\n".join([*ids, "feedfacefeedfacefeedfacefeedface", "bad/id"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await confirm(pilot, app, 8)  # the preview found 8: the unknown ID is excluded by default
        await run_finished(pilot, app)
        counts = app.results.counts()
        assert counts[Outcome.DELETED] == 6 and counts[Outcome.FAILED] == 1 and counts[Outcome.PARTIAL] == 1
        assert counts[Outcome.NOT_FOUND] == 0 and counts[Outcome.SKIPPED] == 2
        excluded = app.results.row(8).record
        assert excluded.outcome is Outcome.SKIPPED and "excluded at confirmation" in excluded.note
        assert len(fake.deletes_seen()) == 8
        run_text = str(app.run_bar.query_one("#run-text").render())
        assert "NOT all deleted" in run_text and "1 failed" in run_text
        table = app.results_pane.table
        table.move_cursor(2)
        await pilot.pause(0.1)
        details = str(app.results_pane.query_one("#details-text").render())
        for expected in (
            "VIAS.00010001",
            "Invalid parameters.",
            "running jobs",
            "cannot be deleted",
            "Stop the batch task",
            "fake-",
            "Hint",
            "Attempt 1",
        ):
            assert expected in details
        await pilot.press("ctrl+y")
        assert "VIAS.00010001" in app.clipboard and "Request ID" in app.clipboard
        assert_no_token(app.clipboard)
        table.move_cursor(4)
        await pilot.pause(0.1)
        partial = str(app.results_pane.query_one("#details-text").render())
        assert "failed 1" in partial and "Job error 1" in partial


async def test_filter_and_sort(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:6]
    store.tasks[ids[3]].refuse_delete = True
    app = console(fake, "\n".join([*ids, "x/y"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await confirm(pilot, app, 6)
        await run_finished(pilot, app)
        pane = app.results_pane
        pane.table.focus()
        await pilot.press("f")  # problems
        assert pane.filter == "problems" and pane.table.row_count == 2
        await pilot.press("f")  # deleted
        assert pane.table.row_count == 5
        await pilot.press("s")
        assert pane.sort == "outcome"


async def test_cancel_asks_once_and_accounts_for_every_id(store: FakeStore) -> None:
    ids = list(store.tasks)[:30]
    async with FakeVias(store, FaultPlan(latency=0.15)) as server:
        app = console(server, "\n".join(ids), concurrency=2)
        async with app.run_test(size=(100, 30)) as pilot:
            await confirm(pilot, app, 30)
            await until(pilot, lambda: len(server.deletes_seen()) >= 2)

            def first_row_on_screen() -> str:
                return app.results_pane.table.render_line(1).text

            # rows on screen show their outcome while the run is still going, not only at the end
            await until(pilot, lambda: "deleted" in first_row_on_screen())
            assert app.running and "pending" in app.results_pane.table.render_line(30).text
            await pilot.press("ctrl+x")
            await until(pilot, lambda: isinstance(app.screen, AskScreen))
            assert app.screen.focused is app.screen.query_one("#ask-no")
            await pilot.press("y")
            await run_finished(pilot, app)
            sent = {r.task_id for r in server.deletes_seen()}
            counts = app.results.counts()
            assert app.last_status == "cancelled"
            assert sum(counts.values()) == 30 and counts[Outcome.CANCELLED] >= 20
            for row in app.results.rows.values():
                if row.record.outcome is Outcome.CANCELLED:
                    assert row.id not in sent


async def test_retry_failed_sends_only_those(store: FakeStore) -> None:
    ids = list(store.tasks)[:5]
    faults = FaultPlan(script={ids[1]: ["500", "500"]})
    async with FakeVias(store, faults) as server:
        app = console(server, "\n".join(ids))
        async with app.run_test(size=(100, 30)) as pilot:
            await confirm(pilot, app, 5)
            await run_finished(pilot, app)
            assert app.results.rows[ids[1]].record.outcome is Outcome.FAILED
            server.faults.script = {}
            app.last_status = None
            await pilot.press("ctrl+r")
            await confirm_screen_ready(pilot, app)
            assert "Retry" in str(app.screen.query_one("#confirm-title").render())
            await type_text(pilot, "1")
            await pilot.press("enter")
            await run_finished(pilot, app)
            assert app.results.rows[ids[1]].record.outcome is Outcome.DELETED
            assert [r.task_id for r in server.deletes_seen()].count(ids[0]) == 1
            assert len(app.journals) == 2


async def test_export_writes_every_row(fake: FakeVias, store: FakeStore, tmp_path: Path) -> None:
    ids = list(store.tasks)[:4]
    app = console(fake, "\n".join([*ids, "bad/id"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await confirm(pilot, app, 4)
        await run_finished(pilot, app)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, PathScreen))
        field = app.screen.query_one("#path-input")
        field.value = str(tmp_path / "out.csv")
        await pilot.press("enter")
        await until(pilot, lambda: (tmp_path / "out.csv").exists())
    rows = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert [r["outcome"] for r in rows] == ["deleted"] * 4 + ["skipped"]


async def test_token_rejected_mid_run_pauses_then_resumes(store: FakeStore) -> None:
    ids = list(store.tasks)[:20]
    async with FakeVias(store, FaultPlan(auth_fail_after=5)) as server:
        app = console(server, "\n".join(ids), concurrency=2)
        async with app.run_test(size=(100, 32)) as pilot:
            await confirm(pilot, app, 20)
            await until(pilot, lambda: isinstance(app.screen, CredentialsScreen))
            assert "token was rejected" in str(app.screen.query_one("#cred-reason").render())
            sent_while_paused = len(server.deletes_seen())
            await pilot.pause(0.3)
            assert len(server.deletes_seen()) == sent_while_paused  # nothing goes out while paused
            server.faults.auth_fail_after = None
            server.store.tokens.add(SECRET_TOKEN)
            app.screen.query_one("#cred-token").value = SECRET_TOKEN
            await pilot.click("#cred-session")
            await run_finished(pilot, app)
            assert app.results.counts()[Outcome.DELETED] == 20
            assert app.token.source == "session"
            assert_no_token(str(app.query_one("#status").render()))


async def test_token_rejected_then_cancel_records_the_rest_cancelled(store: FakeStore) -> None:
    ids = list(store.tasks)[:12]
    async with FakeVias(store, FaultPlan(auth_fail_after=3)) as server:
        app = console(server, "\n".join(ids), concurrency=1)
        async with app.run_test(size=(100, 32)) as pilot:
            await confirm(pilot, app, 12)
            await until(pilot, lambda: isinstance(app.screen, CredentialsScreen))
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, AskScreen))
            await pilot.press("y")
            await run_finished(pilot, app)
            counts = app.results.counts()
            assert counts[Outcome.DELETED] == 3 and counts[Outcome.CANCELLED] == 9


async def test_no_keyring_credentials_screen_explains_and_session_token_works(
    fake: FakeVias, store: FakeStore, no_keyring: None
) -> None:
    ids = list(store.tasks)[:2]
    app = console(fake, "\n".join(ids), session_token=None, use_env_token=True)
    app.token = None
    app.checking_token = True
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: not app.checking_token)
        assert app.token is None
        await pilot.press("ctrl+d")  # no token: says so and opens the credentials screen
        await until(pilot, lambda: isinstance(app.screen, CredentialsScreen))
        state = str(app.screen.query_one("#cred-state").render())
        assert "headless" in state and "VIAS_AUTH_TOKEN" in state
        assert app.screen.query_one("#cred-store").disabled
        app.screen.query_one("#cred-token").value = SECRET_TOKEN
        await pilot.click("#cred-session")
        await until(pilot, lambda: not isinstance(app.screen, CredentialsScreen))
        assert app.token.source == "session"
        status = str(app.query_one("#status").render())
        assert "session" in status and "MIIs…" in status
        assert_no_token(status)
    assert fake.deletes_seen() == []


async def test_iam_login_from_the_credentials_screen(fake: FakeVias, no_keyring: None) -> None:
    app = console(fake)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.press("f4")
        await until(pilot, lambda: isinstance(app.screen, CredentialsScreen))
        app.screen.query_one("#cred-password").value = "demo-password"
        await pilot.click("#cred-login")
        await until(pilot, lambda: not isinstance(app.screen, CredentialsScreen))
        assert app.token.source == "session" and app.token.expires_at is not None
        assert app.token.token.reveal() in fake.store.tokens


async def test_help_lists_every_key_and_load_file(fake: FakeVias, store: FakeStore, tmp_path: Path) -> None:
    app = console(fake)
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(list(store.tasks)[:3]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen.query_one("Static").render())
        for description in (
            "Delete",
            "Cancel run",
            "Retry failed",
            "Export",
            "Load file",
            "New batch",
            "Token",
            "Copy details",
            "Filter",
            "Sort",
        ):
            assert description in text
        await pilot.press("escape")
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, PathScreen))
        app.screen.query_one("#path-input").value = str(ids_file)
        await pilot.press("enter")
        await until(pilot, lambda: len(app.ids_pane.plan.valid) == 3)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, PathScreen))
        app.screen.query_one("#path-input").value = str(tmp_path / "missing.txt")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert len(app.ids_pane.plan.valid) == 3  # a bad path loses nothing


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_whole_flow_by_keyboard_at_size(fake: FakeVias, store: FakeStore, size: tuple[int, int]) -> None:
    ids = list(store.tasks)[:3]
    app = console(fake, "\n".join(ids))
    async with app.run_test(size=size) as pilot:
        await confirm(pilot, app, 3)
        await run_finished(pilot, app)
        await pilot.press("f2")
        await pilot.press("ctrl+n")
        assert app.ids_pane.text_area.text == "" and not app.results.rows
    assert len(fake.deletes_seen()) == 3


async def test_quit_during_a_run_asks_first(store: FakeStore) -> None:
    ids = list(store.tasks)[:30]
    async with FakeVias(store, FaultPlan(latency=0.3)) as server:
        app = console(server, "\n".join(ids), concurrency=1)
        async with app.run_test(size=(100, 30)) as pilot:
            await confirm(pilot, app, 30)
            await until(pilot, lambda: app.running)
            app.simulate_key("ctrl+q")  # a run keeps the app busy: do not wait for it to go idle
            await until(pilot, lambda: isinstance(app.screen, AskScreen))
            app.simulate_key("n")
            await until(pilot, lambda: not isinstance(app.screen, AskScreen))
            assert app.is_running and app.running  # still running: nothing was cancelled
            await pilot.press("ctrl+x")
            await until(pilot, lambda: isinstance(app.screen, AskScreen))
            await pilot.press("y")
            await run_finished(pilot, app)


async def test_throttling_is_shown_as_backing_off_not_failure(store: FakeStore) -> None:
    ids = list(store.tasks)[:6]
    async with FakeVias(store, FaultPlan(every={2: "429"}, retry_after=0.6)) as server:
        app = console(server, "\n".join(ids), concurrency=1)
        async with app.run_test(size=(100, 30)) as pilot:
            await confirm(pilot, app, 6)
            seen: list[str] = []

            def throttled_shown() -> bool:
                seen.append(str(app.run_bar.query_one("#run-text").render()))
                return "throttled, backing off" in seen[-1]

            await until(pilot, throttled_shown)
            await run_finished(pilot, app)
            assert app.results.counts()[Outcome.DELETED] == 6
            assert not any("failed" in text for text in seen)


async def test_preview_shows_what_each_id_is_and_choices_change_the_count(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:6]
    store.tasks[ids[1]].status_info["running"] = 4
    store.tasks[ids[2]].status_info["running"] = 0
    running = [i for i in ids if store.tasks[i].status_info.get("running")]
    app = console(fake, "\n".join([*ids, "feedfacefeedfacefeedfacefeedface"]))
    async with app.run_test(size=(130, 44)) as pilot:
        await pilot.press("ctrl+d")
        await confirm_screen_ready(pilot, app)
        screen = app.screen
        body = str(screen.query_one("#confirm-body").render())
        assert "6 of 7 found in this project" in body and "1 NOT found (wrong region or project?)" in body
        assert f"{len(running)} with running jobs" in body
        table = screen.query_one("#confirm-tasks")
        first = table.render_line(1).text
        assert ids[0] in first and store.tasks[ids[0]].name[:20] in first and store.tasks[ids[0]].alg_name in first
        assert "NOT FOUND" in table.render_line(7).text
        assert "6 will be DELETED" in str(screen.query_one("#confirm-title").render())
        await pilot.click("#exclude-running")
        expected = 6 - len(running)
        assert f"{expected} will be DELETED" in str(screen.query_one("#confirm-title").render())
        await pilot.click("#exclude-not-found")
        assert f"{expected + 1} will be DELETED" in str(screen.query_one("#confirm-title").render())
        screen.query_one("#confirm-input").focus()
        await type_text(pilot, str(expected + 1))
        await pilot.press("enter")
        await run_finished(pilot, app)
    sent = {r.task_id for r in fake.deletes_seen()}
    assert "feedfacefeedfacefeedfacefeedface" in sent and not sent & set(running)
    assert app.results.counts()[Outcome.NOT_FOUND] == 1


async def test_listing_failure_is_explained_and_does_not_block(store: FakeStore) -> None:
    ids = list(store.tasks)[:3]
    async with FakeVias(store, FaultPlan(list_fault="500")) as server:
        app = console(server, "\n".join(ids))
        async with app.run_test(size=(110, 36)) as pilot:
            await pilot.press("ctrl+d")
            await confirm_screen_ready(pilot, app)
            body = str(app.screen.query_one("#confirm-body").render())
            assert "Could not list the batch tasks" in body and "proceed on the IDs alone" in body
            await type_text(pilot, "3")
            await pilot.press("enter")
            await run_finished(pilot, app)
        assert len(server.deletes_seen()) == 3


async def test_preview_can_be_skipped_or_cancelled(store: FakeStore) -> None:
    from tui_app.ui.screens.preview import PreviewScreen

    ids = list(store.tasks)[:3]
    async with FakeVias(store, FaultPlan(latency=0.4)) as server:
        app = console(server, "\n".join(ids))
        async with app.run_test(size=(110, 36)) as pilot:
            await pilot.press("ctrl+d")
            await until(pilot, lambda: isinstance(app.screen, PreviewScreen))
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, PreviewScreen))
            assert not isinstance(app.screen, ConfirmScreen)
            await pilot.press("ctrl+d")
            await until(pilot, lambda: isinstance(app.screen, PreviewScreen))
            await pilot.press("s")
            await confirm_screen_ready(pilot, app)
            assert "Stopped listing" in str(app.screen.query_one("#confirm-body").render())
            assert "3 will be DELETED" in str(app.screen.query_one("#confirm-title").render())
        assert server.deletes_seen() == []


async def test_large_paste_is_shown_read_only_and_deletes_like_any_other(fake: FakeVias, store: FakeStore) -> None:
    ids = list(store.tasks)[:5]
    filler = [f"{n:032x}" for n in range(1, 6_000)]  # unknown IDs: the preview excludes them
    app = console(fake, "")
    async with app.run_test(size=(110, 34)) as pilot:
        await paste(pilot, app, "\n".join([*ids, "bad/one", *filler]))
        await until(pilot, lambda: len(app.ids_pane.plan.valid) == 5 + len(filler))
        pane = app.ids_pane
        assert pane.large and not pane.text_area.display
        banner = str(pane.query_one("#large-banner").render())
        assert "Large input: 6,005 lines" in banner and "read-only" in banner
        entries = pane.query_one("#entries")
        assert entries.row_count == 6_005 and "skipped: contains '/'" in entries.render_line(6).text
        await pilot.press("ctrl+d")
        await confirm_screen_ready(pilot, app)
        assert "5 will be DELETED" in str(app.screen.query_one("#confirm-title").render())
        await type_text(pilot, "5")
        await pilot.press("enter")
        await run_finished(pilot, app)
        assert app.results.counts()[Outcome.DELETED] == 5
        await pilot.press("f2")
        await paste(pilot, app, "\n".join(ids[:2]))  # a paste replaces the large input
        await until(pilot, lambda: not app.ids_pane.large and len(app.ids_pane.plan.valid) == 2)
    assert sorted(r.task_id for r in fake.deletes_seen()) == sorted(ids)


async def test_console_without_a_target_explains_and_sends_nothing(fake: FakeVias) -> None:
    app = console(
        fake,
        "abcd1234",
        target=None,
        target_problem="no project ID: pass --project-id ID, set VIAS_PROJECT_ID, or save it in a profile",
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        assert "no target" in str(app.query_one("#status").render())
        await pilot.press("ctrl+d")
        await pilot.press("f5")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, ConfirmScreen)
        shown = [n.message for n in app._notifications]
        assert any("--project-id" in message for message in shown)
    assert fake.requests == []
