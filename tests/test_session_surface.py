"""The run session's public surface: a resume sends no more than the front end confirmed, what a session sends is
fixed when it opens, and its progress is read through the session (never through the engine's records)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.helpers import SECRET_TOKEN, seeded_store
from tui_app.fake import DEMO_PROJECT_ID, FakeVias, FaultPlan, running_in_thread
from tui_app.ids import Plan
from tui_app.outcomes import Outcome
from tui_app.secret import Token
from tui_app.session import RunSession, RunSpec
from tui_app.settings import Target
from tui_app.vias.auth import TokenAuth
from tui_app.vias.endpoints import parse_endpoint


def _spec(server: FakeVias, runs: Path, command: str) -> RunSpec:
    target = Target("default", parse_endpoint(server.url), DEMO_PROJECT_ID)
    return RunSpec(target, TokenAuth(Token(SECRET_TOKEN)), 4, 10.0, command, runs_dir=runs)


def test_a_resume_sends_only_what_was_confirmed_and_its_ids_cannot_be_changed_from_outside(tmp_path: Path) -> None:
    store = seeded_store(6)
    ids = list(store.tasks)
    with running_in_thread(FakeVias(store, FaultPlan())) as server:
        with RunSession.open_new(_spec(server, tmp_path, "delete"), Plan.from_ids(ids)) as first:
            path = first.journal.path  # closed before running: every ID is left unsettled
        with RunSession.open_resume(_spec(server, tmp_path, "resume"), path, ids[:2]) as session:
            assert session.ids == ids[:2]
            session.ids.append(ids[5])  # a copy: what the session sends was fixed when it opened
            assert session.progress() == (0, dict.fromkeys(Outcome, 0)) and not session.started
            asyncio.run(session.run(None))
            settled, counts = session.progress()
        assert sorted(r.task_id for r in server.deletes_seen()) == sorted(ids[:2])
    assert settled == 2 and counts[Outcome.DELETED] == 2
