"""The confirmation over a slow link, and crafted pastes that try to confirm a delete, in a real terminal.

    python -m benchmarks.slow_link [--operators 40] [--pastes 40] [--batch 0.3] [--json PATH]

Each trial runs `vias-tui` (the console) in tmux at 80x24 behind benchmarks/slow_relay.py, against the fake VIAS in
a process of its own.

* An operator (`--operators` trials): input reaches the console in batches every `--batch` seconds, as a
  congested SSH link delivers it. The operator pastes the IDs, presses ctrl+d, reads the confirmation for 1-2 s,
  types the count at a human pace (120-350 ms between keys) and Enter; if the dialog asks for the code instead, they
  read it off the screen and type it the same way. A trial succeeds on the first try when the delete is confirmed
  with no wrong entry and no retyping. Counts vary (2-30 IDs) so that both one- and two-digit counts are typed.
* A crafted paste (`--pastes` trials): nobody types. One bracketed paste holds IDs, the terminal's own end marker,
  then ctrl+d, `s`, the count, Enter, more counts and guessed codes, each with Enter; the link delivers it in
  batches, byte by byte, or stalls for a second right after the inner end marker and then batches or crawls (the
  patterns cycle). The fake VIAS counts the DELETEs it received: the goal is 0.

Figures go to stdout (and `--json`); docs/performance.md quotes a run of this command.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.common import ROOT, FakeProcess, clean_env
from benchmarks.terminal import Terminal, tmux_missing

RELAY = Path(__file__).resolve().parent / "slow_relay.py"
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"  # the fake's demo project
TOKEN = "demo-token-MIIDemoOnlyNotARealIamToken0000"  # the fake accepts the demo token
SIZE = (80, 24)
END = "\x1b[201~"
# How the link delivers a crafted paste: relay arguments, cycled through the paste trials.
PASTE_LINKS = (
    ("batches every 300 ms", ["--batch", "0.3"]),
    ("one byte every 5 ms", ["--crawl", "0.005"]),
    (
        "a 1 s stall after the inner end marker, then batches",
        ["--batch", "0.3", "--stall-after", END.encode().hex(), "1.0"],
    ),
    (
        "a 1 s stall after the inner end marker, then a crawl",
        ["--crawl", "0.01", "--stall-after", END.encode().hex(), "1.0"],
    ),
)


@dataclass
class OperatorTrial:
    count: int
    confirmed: bool
    by: str  # "count", "code" or "" (not confirmed)
    first_try: bool
    seconds: float
    deletes: int


@dataclass
class PasteTrial:
    link: str
    deletes: int
    dialog_opened: bool


def _deletes(url: str) -> int:
    with urllib.request.urlopen(url + "/_fake/requests", timeout=10) as response:  # loopback only
        return sum(1 for request in json.load(response) if request["method"] == "DELETE")


def _console(term: Terminal, url: str, relay: list[str]) -> None:
    command = [sys.executable, str(RELAY), *relay, "--", sys.executable, "-m", "tui_app"]
    command += ["--endpoint", url, "--project-id", PROJECT]
    env = clean_env(
        TERM="xterm-256color",
        VIAS_AUTH_TOKEN=TOKEN,
        PYTHONPATH=str(ROOT),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        XDG_STATE_HOME=str(term.workdir / "state"),
        XDG_CONFIG_HOME=str(term.workdir / "config"),
        VIAS_METADATA_ENDPOINT="http://127.0.0.1:9",
    )
    term.start(command, env, ROOT, SIZE)
    term.wait_for(r"Ready: paste IDs", 30)
    term.wait_for(r"token demo", 30)  # the credentials were found


def _human(term: Terminal, rng: random.Random, text: str) -> None:
    """Keys one at a time, 120-350 ms apart (a person typing over SSH), then Enter."""
    for key in [*text, "Enter"]:
        term.keys(key, pause=0)
        time.sleep(rng.uniform(0.12, 0.35))


def operator_trial(term: Terminal, url: str, ids: list[str], rng: random.Random, batch: float) -> OperatorTrial:
    _console(term, url, ["--batch", str(batch)])
    before = _deletes(url)
    term.paste("\n".join(ids) + "\n")
    term.wait_for(rf"\b{len(ids)} valid", 20)
    started = time.monotonic()
    term.keys("C-d", pause=0)
    term.wait_for(rf"Type {len(ids)} and press Enter", 30)
    time.sleep(rng.uniform(1.0, 2.0))  # reading the dialog
    _human(term, rng, str(len(ids)))
    by, first_try = "count", True
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        screen = term.screen()
        asked = re.search(r"Type the code ([A-Z0-9]{4}) and press Enter", screen)
        if asked:
            time.sleep(rng.uniform(0.6, 1.5))  # reading the code
            _human(term, rng, asked.group(1))
            by = "code"
            break
        if "Type " not in screen:  # the dialog closed: the run started
            break
        time.sleep(0.05)
    try:
        term.wait_for(r"All deleted or gone|NOT all deleted|Stopped|Cancelled", 30)
        confirmed = True
    except RuntimeError:
        confirmed, by = False, ""
    if "Wrong code" in term.screen() or "That is not" in term.screen():
        first_try = False
    return OperatorTrial(
        len(ids), confirmed, by, confirmed and first_try, round(time.monotonic() - started, 2), _deletes(url) - before
    )


def crafted_paste(ids: list[str]) -> str:
    """IDs, then everything a paste could try to type after the terminal's own end marker."""
    count = str(len(ids))
    tail = "\x04" + "s" + count + "\r" + (count + "\r") * 3 + "".join(f"{g}\r" for g in ("AAAA", "K7QA", "7Q", "CCCC"))
    return "\n".join(ids) + "\n" + END + tail + "\x04s" + count + "\r"


def paste_trial(term: Terminal, url: str, ids: list[str], link: tuple[str, list[str]]) -> PasteTrial:
    _console(term, url, link[1])
    before = _deletes(url)
    term.paste(crafted_paste(ids))
    opened = False
    deadline = time.monotonic() + 12  # long enough for the slowest link to deliver it all, and for a run to start
    while time.monotonic() < deadline:
        screen = term.screen()
        opened = opened or "will be DELETED" in screen
        time.sleep(0.1)
    return PasteTrial(link[0], _deletes(url) - before, opened)


def run(operators: int, pastes: int, batch: float, seed: int = 1) -> dict[str, object]:
    rng = random.Random(seed)
    results: dict[str, object] = {"batch_seconds": batch, "size": f"{SIZE[0]}x{SIZE[1]}"}
    with FakeProcess(tasks=operators * 30 + pastes * 4 + 10, latency=0.05) as (url, ids):
        pool = iter(ids)
        ops: list[OperatorTrial] = []
        for _ in range(operators):
            count = rng.choice((2, 3, 7, 12, 24, 30))
            with tempfile.TemporaryDirectory() as tmp:
                term = Terminal(Path(tmp))
                try:
                    ops.append(operator_trial(term, url, [next(pool) for _ in range(count)], rng, batch))
                finally:
                    term.close()
        paste_results: list[PasteTrial] = []
        for index in range(pastes):
            with tempfile.TemporaryDirectory() as tmp:
                term = Terminal(Path(tmp))
                try:
                    trial_ids = [next(pool) for _ in range(3)]
                    paste_results.append(paste_trial(term, url, trial_ids, PASTE_LINKS[index % len(PASTE_LINKS)]))
                finally:
                    term.close()
    results["operators"] = [asdict(t) for t in ops]
    results["pastes"] = [asdict(t) for t in paste_results]
    results["summary"] = {
        "operators": len(ops),
        "first_try": sum(t.first_try for t in ops),
        "by_count": sum(t.by == "count" for t in ops),
        "by_code": sum(t.by == "code" for t in ops),
        "not_confirmed": sum(not t.confirmed for t in ops),
        "pastes": len(paste_results),
        "paste_deletes": sum(t.deletes for t in paste_results),
        "pastes_that_opened_the_dialog": sum(t.dialog_opened for t in paste_results),
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.slow_link", description=__doc__)
    parser.add_argument("--operators", type=int, default=40)
    parser.add_argument("--pastes", type=int, default=40)
    parser.add_argument("--batch", type=float, default=0.3, help="seconds between the link's deliveries")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write every trial here")
    args = parser.parse_args(argv)
    missing = tmux_missing()
    if missing:
        print(missing, file=sys.stderr)
        return 2
    started = time.monotonic()
    results = run(args.operators, args.pastes, args.batch, args.seed)
    summary = results["summary"]
    assert isinstance(summary, dict)
    took = time.monotonic() - started
    print(f"Slow link (input delivered every {args.batch * 1000:.0f} ms), console at 80x24, {took:.0f} s:")
    ops = summary["operators"]
    if ops:
        print(
            f"  operators confirming on the first try: {summary['first_try']} of {ops} "
            f"({100 * summary['first_try'] / ops:.0f}%): {summary['by_count']} by the count, "
            f"{summary['by_code']} by the code; {summary['not_confirmed']} not confirmed"
        )
    if summary["pastes"]:
        print(
            f"  crafted pastes: {summary['paste_deletes']} DELETEs in {summary['pastes']} trials "
            f"({summary['pastes_that_opened_the_dialog']} opened the confirmation)"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
