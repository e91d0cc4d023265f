"""End to end in a real terminal: tmux runs `vias-tui` against the fake VIAS (its own process) at 80x24 and
120x40, with and without colour: a bracketed paste, the confirmation as an operator sees it (rows, buttons,
option marks, focus), the typed count, the run, results and details; hostile pastes that must not act as keys;
quitting mid-run; stderr redirected; a crash."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT, SECRET_TOKEN, assert_no_secret, wait_for
from tests.tmux import console_in_tmux
from tui_app.fake import DEMO_PROJECT_ID
from tui_app.runlog import read_run
from tui_app.ui.screens.confirm import READ_TIME

pytestmark = pytest.mark.slow
TOKEN_ENV = {"VIAS_AUTH_TOKEN": SECRET_TOKEN}


@pytest.fixture
def fake_process() -> Iterator[str]:
    yield from _fake(latency=0.0)


@pytest.fixture
def slow_fake_process() -> Iterator[str]:
    yield from _fake(latency=0.4)


def _fake(latency: float) -> Iterator[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui_app.fake",
            "--port",
            "0",
            "--tasks",
            "60",
            "--token",
            SECRET_TOKEN,
            "--latency",
            str(latency),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def fake_get(url: str, path: str) -> object:
    request = urllib.request.Request(url + path, headers={"X-Auth-Token": SECRET_TOKEN})
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        return json.load(response)


def task_ids(url: str, count: int) -> list[str]:
    listing = fake_get(url, f"/v2/{DEMO_PROJECT_ID}/batch-tasks?page_size=200")
    assert isinstance(listing, dict)
    return [task["id"] for task in listing["batch_task_list"]][:count]


def requests_seen(url: str) -> list[dict[str, object]]:
    seen = fake_get(url, "/_fake/requests")
    assert isinstance(seen, list)
    return seen


def console_args(url: str) -> list[str]:
    return ["--endpoint", url, "--project-id", DEMO_PROJECT_ID]


_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def style_of(screen: str, word: str) -> dict[str, object]:
    """The SGR state (reverse, bold, foreground and background 256-colour numbers) at the first `word`."""
    for line in screen.splitlines():
        plain = _SGR.sub("", line)
        if word not in plain:
            continue
        state: dict[str, object] = {"reverse": False, "bold": False, "fg": None, "bg": None}
        position = 0
        target = plain.index(word)
        for match in _SGR.finditer(line):
            if len(_SGR.sub("", line[: match.start()])) > target:
                break
            codes = [int(c) if c else 0 for c in match.group(1).split(";")]
            index = 0
            while index < len(codes):
                code = codes[index]
                if code == 0:
                    state = {"reverse": False, "bold": False, "fg": None, "bg": None}
                elif code == 1:
                    state["bold"] = True
                elif code == 7:
                    state["reverse"] = True
                elif code in (38, 48) and index + 2 < len(codes) and codes[index + 1] == 5:
                    state["fg" if code == 38 else "bg"] = codes[index + 2]
                    index += 2
                elif code in (39, 49):
                    state["fg" if code == 39 else "bg"] = None
                index += 1
            position = match.end()
        del position
        return state
    raise AssertionError(f"{word!r} is not on the screen")


def grey(colour: object) -> int:
    """A 256-colour number as a grey level 0-255 (NO_COLOR turns every colour into a grey)."""
    if not isinstance(colour, int):
        return -1
    if colour >= 232:
        return 8 + (colour - 232) * 10
    if colour >= 16:
        r, g, b = ((colour - 16) // 36, (colour - 16) // 6 % 6, (colour - 16) % 6)
        return int(sum(55 + 40 * c if c else 0 for c in (r, g, b)) / 3)
    return 0 if colour == 0 else 255


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no-colour"])
def test_paste_confirm_delete_read_results(
    fake_process: str, tmp_path: Path, size: tuple[int, int], no_color: bool
) -> None:
    url = fake_process
    ids = task_ids(url, 12)
    env = {**TOKEN_ENV, **({"NO_COLOR": "1"} if no_color else {})}
    with console_in_tmux(console_args(url), env, size, tmp_path) as tmux:
        tmux.wait_for("Ready: paste IDs")
        tmux.paste("# from the ticket\n" + "\n".join(ids) + "\nnot/an/id\n" + ids[0] + "\n", tmp_path)
        shown = tmux.wait_for("12 valid")
        assert "1 skipped" in shown and "1 duplicate" in shown and "not/an/id" in shown
        tmux.keys("C-d")
        confirm = tmux.wait_for("will be DELETED")
        # What is about to be deleted is on screen, with both buttons, without scrolling the dialog.
        assert sum("DELETE " in line for line in confirm.splitlines()) >= 3
        assert "[ Cancel (Esc) ]" in confirm and "[ Delete" in confirm
        prompt = next(line for line in confirm.splitlines() if "and press Enter to delete:" in line)
        assert "type here" in prompt and not re.search(r"delete:\s+\d", prompt)  # empty, never reads as typed
        running = re.search(r"\[ \] Exclude the (\d+) with running jobs", confirm)
        assert running is not None, confirm
        # Focus shows on the option by more than colour, and its label stays.
        for _ in range(6):
            tmux.keys("Tab", pause=0.5)  # one at a time: a queued Tab would move on past the option
            if "›[ ] Exclude the" in tmux.screen():
                break
        assert "›[ ] Exclude the" in tmux.screen()
        tmux.keys("Space")
        tmux.wait_for("›[x] Exclude the")
        tmux.wait_for(f"{12 - int(running.group(1))} will be DELETED")
        tmux.keys("Escape")
        tmux.wait_for("Not confirmed")
        tmux.keys("C-d")
        tmux.wait_for("12 will be DELETED")
        time.sleep(READ_TIME)  # a count typed before the confirmation could be read is refused
        tmux.keys("1", "3", "Enter")  # the wrong count does nothing
        tmux.wait_for("That is not 12")
        tmux.keys("BSpace", "BSpace", "1", "2", "Enter")
        # The seeded fake has tasks that refuse deletion or delete partially: the console says so, not "done".
        tmux.wait_for("NOT all deleted", timeout=60)
        final = tmux.wait_for("^r Retry")  # the run ended: its keys are in the footer, ctrl+x left it
        assert "deleted ·" in final and "failed" in final and "^x Cancel run" not in final
        footer = final.rstrip("\n").splitlines()[-1]
        assert "f1 Help" in footer and "^q Quit" in footer, footer  # at 80 columns too
        styled = tmux.screen(attributes=True)
        if no_color:  # every colour became a grey: the problem words must still stand out, not fade
            failed = style_of(styled, "failed ")
            assert failed["reverse"] or abs(grey(failed["fg"]) - grey(failed["bg"])) >= 90, failed
        tmux.keys("f")  # problems only
        problems = tmux.wait_for("filter: problems")
        assert "deleted " not in problems.split("Outcome", 1)[1].split("─")[0]
        tmux.keys("Home")
        details = tmux.wait_for("Outcome ")
        assert "HTTP status" in details or "Note" in details
        assert_no_secret(tmux.screen() + styled)
        deletes = [r for r in requests_seen(url) if r["method"] == "DELETE"]
        assert sorted(r["task_id"] for r in deletes) == sorted(ids)
        assert all(r["path"] == f"/v2/{DEMO_PROJECT_ID}/batch-tasks/{r['task_id']}" for r in deletes)
        tmux.keys("C-q")
        tmux.wait_until_closed()
    journals = list((tmp_path / "state").rglob("*.jsonl"))
    assert len(journals) == 1
    assert_no_secret(journals[0].read_text(), journals[0])


HOSTILE_PASTES = [
    "note: see log\x1b[0m\x04s2\r",  # ESC ends a naive paste; ctrl+d, s and Enter would then act as keys
    "id\x1b[31mred",  # a colour sequence that would recolour the screen if drawn raw
    "nul\x00byte\x00here",
    "cr\rline\r\nlf\x04\x1b[D\x1b[Ax",  # CRs, ctrl+d and arrow keys inside the paste
]


def test_hostile_pastes_change_nothing_but_text(fake_process: str, tmp_path: Path) -> None:
    url = fake_process
    ids = task_ids(url, 2)
    before = len(requests_seen(url))  # the test's own listing
    with console_in_tmux(console_args(url), TOKEN_ENV, (100, 30), tmp_path) as tmux:
        tmux.wait_for("Ready: paste IDs")
        tmux.paste("\n".join(ids) + "\n", tmp_path)
        tmux.wait_for("2 valid")
        for text in HOSTILE_PASTES:
            tmux.paste(text + "\n", tmp_path)
            time.sleep(0.8)
            screen = tmux.screen()
            assert "will be DELETED" not in screen and "Looking up" not in screen, screen
            assert f"{2 + text.count('line')} valid" in screen, screen  # the IDs before it are intact
        assert "␛" in tmux.screen()  # the ESC is shown as a picture of itself, as text
        assert requests_seen(url)[before:] == []  # no lookup, no delete: nothing left the console


def test_quitting_mid_run_waits_for_the_answers_in_flight(slow_fake_process: str, tmp_path: Path) -> None:
    url = slow_fake_process
    ids = task_ids(url, 40)
    exit_file = tmp_path / "exit-code"
    with console_in_tmux([*console_args(url), "--concurrency", "4"], TOKEN_ENV, (100, 30), tmp_path, exit_file) as tmux:
        tmux.wait_for("Ready: paste IDs")
        tmux.paste("\n".join(ids) + "\n", tmp_path)
        tmux.wait_for("40 valid")
        tmux.keys("C-d")
        screen = tmux.wait_for("will be DELETED", timeout=30)
        count = re.search(r"(\d+) will be DELETED", screen)
        assert count is not None
        time.sleep(READ_TIME)
        tmux.keys(*count.group(1), "Enter")
        tmux.wait_for("ETA", timeout=30)
        tmux.run("set-option", "-t", "vias", "remain-on-exit", "on")  # to read what the terminal gets after
        tmux.keys("C-q")
        tmux.wait_for("Stop and quit")
        tmux.keys("y")
        wait_for(lambda: exit_file.exists() and exit_file.read_text().strip() != "", what="the exit code")
        note = tmux.wait_for("vias-tui resume", history=True)  # one line: what was done, and how to finish it
    assert exit_file.read_text().strip() == "130"
    assert re.search(r"quit during run \S+: \d+ deleted.*Resume the rest \(\d+\) with: vias-tui resume \S+", note), note
    log = read_run(next((tmp_path / "state").rglob("*.jsonl")))
    sent = {str(r["task_id"]) for r in requests_seen(url) if r["method"] == "DELETE"}
    assert sent and len(sent) < len(ids)  # it stopped part-way
    for task_id in sent:
        record = log.records[task_id]
        assert record.outcome.value != "unknown", record  # every request sent got its answer recorded
    assert log.unsettled()  # the rest can be resumed


def test_a_redirected_stderr_still_gets_a_console(tmp_path: Path) -> None:
    err = tmp_path / "err.log"
    exit_file = tmp_path / "exit-code"
    with console_in_tmux(["--demo"], {}, (100, 30), tmp_path, exit_file) as tmux:
        tmux.run("set-option", "-t", "vias", "remain-on-exit", "off")
        tmux.run(
            "respawn-pane",
            "-k",
            "-t",
            "vias",
            "bash",
            "-c",
            f"cd {ROOT} && {sys.executable} -m tui_app --demo 2>{err}; echo $? > {exit_file}",
        )
        tmux.wait_for("Ready: paste IDs")
        assert "\x1b[" not in err.read_text(errors="replace")
        tmux.keys("C-q")
        tmux.wait_until_closed()
    assert exit_file.read_text().strip() == "0" and "\x1b" not in err.read_text(errors="replace")


CRASH = """
import tui_app.ui.screens.main as main
def broken(self, tab):
    secret_in_a_local = "MIIsecret" + "LEAK" + "CANARY" + "Zq9" * 40 + "END" + "CANARY"
    raise RuntimeError("simulated bug in the console")
main.MainScreen.action_show_tab = broken
"""


def test_a_crash_exits_non_zero_with_a_report_and_no_locals(tmp_path: Path) -> None:
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(CRASH)  # a bug, planted where Python loads it at start-up
    exit_file = tmp_path / "exit-code"
    with console_in_tmux(["--demo"], {"PYTHONPATH": f"{inject}:{ROOT}"}, (120, 40), tmp_path, exit_file) as tmux:
        tmux.run("set-option", "-g", "remain-on-exit", "on")
        tmux.wait_for("Ready: paste IDs")
        tmux.keys("F3")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not exit_file.exists():
            time.sleep(0.1)
        report = tmux.screen(history=True)
    assert exit_file.read_text().strip() == "1"
    assert "simulated bug in the console" in report
    assert "locals" not in report and "Zq9Zq9" not in report  # the source line shows; its value never does
    assert_no_secret(report)
