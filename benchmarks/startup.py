"""Start-up to the console's first frame, in a real terminal, with nothing added to the product.

    python -m benchmarks.startup [--repeat 3]     (starts its own fake VIAS; prints one JSON line)

The clock starts just before `tmux new-session` spawns `python -m tui_app --endpoint URL --project-id P` (the
real CLI, no probe) and stops when the terminal shows the first frame (the run bar's "Ready: paste IDs" line,
drawn with the rest of the screen), read with capture-pane every 10 ms. So it includes the interpreter, every
import, the app's set-up and the first paint as the operator sees them; tmux's own spawn makes it conservative.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, FakeProcess, clean_env
from benchmarks.terminal import Terminal
from tui_app.fake import DEMO_PROJECT_ID, DEMO_TOKEN

FIRST_FRAME = "Ready: paste IDs"


def console_env(workdir: Path) -> dict[str, str]:
    return clean_env(
        TERM="xterm-256color",
        VIAS_AUTH_TOKEN=DEMO_TOKEN,
        XDG_STATE_HOME=str(workdir / "state"),
        XDG_CONFIG_HOME=str(workdir / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        VIAS_METADATA_ENDPOINT="http://127.0.0.1:9",
    )


def first_frame(url: str, workdir: Path) -> float:
    """Seconds from spawning the console in a new terminal to its first frame on that terminal."""
    terminal = Terminal(workdir)
    command = [sys.executable, "-m", "tui_app", "--endpoint", url, "--project-id", DEMO_PROJECT_ID]
    try:
        started = time.perf_counter()
        terminal.start(command, console_env(workdir), ROOT, (120, 40))
        terminal.wait_for(FIRST_FRAME, timeout=30, step=0.01)
        shown = time.perf_counter() - started
        terminal.keys("C-q")
        terminal.wait_exit(20)
    finally:
        terminal.close()
    return shown


def measure(repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp, FakeProcess(10, 0.0) as (url, _ids):
        times = [first_frame(url, Path(tmp)) for _ in range(repeat)]
    return {"first_frame_s": statistics.median(times), "all_s": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(measure(args.repeat)))


if __name__ == "__main__":
    main()
