"""Run one command and report its own rusage: a tiny, stdlib-only wrapper the harness puts around every client.

    python benchmarks/rusage_wrap.py --out REPORT.json [--as-limit-mb 4096] -- COMMAND [ARGS...]

The child gets an address-space cap (RLIMIT_AS) before it execs, so a memory bug ends in MemoryError instead of
taking the machine down. The wrapper waits for exactly that child with os.wait4, so CPU and peak RSS are the
child's own (plus any children it reaped itself), never another process's. Wall time runs from just before the
fork to the child's exit: the wrapper's own start-up is not in it. The child's stdout and stderr are the wrapper's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--as-limit-mb", type=int, default=4096)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    limit = args.as_limit_mb * 1024 * 1024

    def cap() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.perf_counter()
    child = subprocess.Popen(command, preexec_fn=cap)  # preexec_fn is safe here: this wrapper has one thread
    _, status, usage = os.wait4(child.pid, 0)  # the harness bounds this wait: it kills the group on timeout
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting again
    report = {
        "returncode": child.returncode,
        "wall_s": wall,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "maxrss_kb": usage.ru_maxrss,  # Linux: kilobytes
        "as_limit_mb": args.as_limit_mb,
    }
    with open(args.out, "w") as handle:
        json.dump(report, handle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
