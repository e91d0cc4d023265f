"""End to end in tmux: pasted text that holds the terminal's own end-of-paste marker (tmux, like xterm, does not
filter it out of what it pastes) stays text: it presses no key, opens no confirmation and sends no request."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.test_e2e_tmux import TOKEN_ENV, console_args, fake_process, requests_seen, task_ids  # noqa: F401
from tests.tmux import console_in_tmux
from tui_app.ui.paste_guard import PASTE_END

pytestmark = pytest.mark.slow


def test_a_paste_holding_the_end_marker_presses_no_key(fake_process: str, tmp_path: Path) -> None:  # noqa: F811
    url = fake_process
    ids = task_ids(url, 2)
    before = len(requests_seen(url))  # the test's own listing
    with console_in_tmux(console_args(url), TOKEN_ENV, (100, 30), tmp_path) as tmux:
        tmux.wait_for("Ready: paste IDs")
        tmux.paste(ids[0] + "\n", tmp_path)
        tmux.wait_for("1 valid")
        # The report's paste: with the first marker taken as the end, ctrl+d s 2 Enter would act as keys.
        tmux.paste(ids[1] + "\n" + PASTE_END + "\x04s2\r" + PASTE_END + "\x04s2\r\n", tmp_path)
        shown = tmux.wait_for("2 valid")
        time.sleep(1.0)  # room for any stray key to act
        screen = tmux.screen()
        assert "will be DELETED" not in screen and "Looking up" not in screen, screen
        assert "2 valid" in screen and "␛" in screen, screen  # the marker is shown as text, ESC as its picture
        assert "2 valid" in shown
    assert requests_seen(url)[before:] == []  # no lookup, no delete: nothing left the console
