"""Shared pieces of the benchmarks: the fake VIAS in its own process (with its own account of what it served),
whole-process runs measured by their own rusage, a heartbeat that measures event-loop lag, percentiles."""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import queue
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WRAPPER = Path(__file__).resolve().parent / "rusage_wrap.py"
DEFAULT_AS_LIMIT_MB = 4096  # address-space cap for every measured process: a runaway bug fails, the box survives


# --- event-loop lag ---------------------------------------------------------------------------------


@dataclass
class Heartbeat:
    """Schedules a 10 ms sleep over and over; how late each wake-up is, is the event loop's lag."""

    interval: float = 0.01
    lags: list[float] = field(default_factory=list)
    _task: asyncio.Task | None = None

    def start(self) -> Heartbeat:
        self._task = asyncio.get_running_loop().create_task(self._beat())
        return self

    async def _beat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:  # ends when stop() cancels it
            before = loop.time()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, loop.time() - before - self.interval))

    def stop(self) -> dict[str, float]:
        if self._task:
            self._task.cancel()
        return percentiles(self.lags)


def percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0, "n": 0}
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max": ordered[-1],
        "n": len(ordered),
    }


async def wait_until(condition: Callable[[], object], timeout: float = 60.0, step: float = 0.005) -> None:
    """Every wait in the benchmarks is bounded: a stuck run fails loudly instead of hanging."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("benchmark condition not reached in time")
        await asyncio.sleep(step)


# --- the fake VIAS in its own process ---------------------------------------------------------------


def _serve(
    ready: multiprocessing.Queue, done: multiprocessing.Queue, stop: Any, tasks: int, latency: float, seed: int
) -> None:
    from tui_app.fake import FakeStore, FakeVias, FaultPlan, seed_tasks

    class CountingFake(FakeVias):
        """The project's fake, unchanged, except that it counts the TCP connections it accepts."""

        connections = 0

        async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            await super()._serve(reader, writer)

    async def main() -> None:
        store = FakeStore()
        seed_tasks(store, tasks, seed, special=False)  # every task deletes cleanly: any failure is the client's
        async with CountingFake(store, FaultPlan(latency=latency)) as server:
            before = resource.getrusage(resource.RUSAGE_SELF)  # after seeding: only serving is counted
            ready.put((server.url, list(store.tasks)))
            while not stop.is_set():  # until the parent says stop (it always does, in __exit__)
                await asyncio.sleep(0.02)
            after = resource.getrusage(resource.RUSAGE_SELF)
            answers = Counter(r.answer for r in server.requests if r.method == "DELETE")
            done.put(
                {
                    "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                    "connections": server.connections,
                    "deletes": dict(answers),
                    "lists": sum(1 for r in server.requests if r.method == "GET"),
                }
            )

    asyncio.run(main())


class FakeProcess:
    """The fake VIAS (tui_app.fake, seeded with `tasks` clean tasks) in a process of its own, on 127.0.0.1.

    `with FakeProcess(n, latency) as (url, ids)`; afterwards `.stats` says what the server itself saw: its CPU
    seconds while serving, TCP connections accepted, DELETE answers by status. A fresh one per client run means
    fresh IDs (a deleted ID answers 400 afterwards) and the same server state for every client.
    """

    def __init__(self, tasks: int, latency: float, seed: int = 7) -> None:
        ctx = multiprocessing.get_context("fork")  # fast to start; the harness holds no threads or loops here
        self._ready: multiprocessing.Queue = ctx.Queue()
        self._done: multiprocessing.Queue = ctx.Queue()
        self._stop = ctx.Event()
        self._process = ctx.Process(
            target=_serve, args=(self._ready, self._done, self._stop, tasks, latency, seed), daemon=True
        )
        self.stats: dict[str, Any] = {}

    def __enter__(self) -> tuple[str, list[str]]:
        self._process.start()
        try:
            return self._ready.get(timeout=300)
        except queue.Empty:
            self.__exit__()
            raise RuntimeError("the fake VIAS did not start in 300 s") from None

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        with contextlib.suppress(queue.Empty):
            self.stats = self._done.get(timeout=30)
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)


# --- whole processes, measured by their own rusage --------------------------------------------------


@dataclass
class Measured:
    """One whole process: wall time from spawn to exit, and its own CPU and peak RSS (from wait4)."""

    returncode: int
    wall_s: float
    cpu_s: float
    user_s: float
    sys_s: float
    maxrss_mb: float
    stdout: str
    stderr: str


def run_measured(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    timeout: float = 600.0,
    as_limit_mb: int = DEFAULT_AS_LIMIT_MB,
) -> Measured:
    """Run `command` under benchmarks/rusage_wrap.py, which forks it with an address-space cap, waits for it
    with wait4 and reports that process's own rusage: no other child of this harness (the fake, earlier runs)
    can leak into its CPU or peak RSS, and the wrapper's own start-up is not in the wall time."""
    with tempfile.NamedTemporaryFile(prefix="bench-rusage-", suffix=".json", delete=False) as handle:
        report = Path(handle.name)
    wrapped = [sys.executable, str(WRAPPER), "--out", str(report), "--as-limit-mb", str(as_limit_mb), "--", *command]
    proc = subprocess.Popen(
        wrapped,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a timeout kills the wrapper and what it started
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        report.unlink(missing_ok=True)
        raise RuntimeError(f"{command[0]} did not finish in {timeout:.0f} s; killed. stderr: {err[-1500:]}") from None
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        raise RuntimeError(f"no rusage report for {command[:3]}; wrapper stderr: {err[-1500:]}") from None
    finally:
        report.unlink(missing_ok=True)
    return Measured(
        returncode=int(data["returncode"]),
        wall_s=float(data["wall_s"]),
        cpu_s=float(data["user_s"]) + float(data["sys_s"]),
        user_s=float(data["user_s"]),
        sys_s=float(data["sys_s"]),
        maxrss_mb=float(data["maxrss_kb"]) / 1024,
        stdout=out,
        stderr=err,
    )


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a measured process: nothing of the operator's vias-tui settings leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIAS_", "HUAWEICLOUD_", "XDG_"))}
    env.update(extra)
    return env


# --- figures ------------------------------------------------------------------------------------------


def med(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float], fmt: str = "{:.2f}") -> str:
    """'median (min-max)' of a cell, or just the value when there is one."""
    if not values:
        return "-"
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(med(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def machine_busy() -> tuple[float, float, float]:
    """(busy CPU seconds of the whole machine since boot, steal seconds, monotonic clock): deltas show what else
    ran meanwhile. Steal is time this VM wanted a CPU and the host gave it to someone else."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    fields += [0] * (8 - len(fields))
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq) / ticks, steal / ticks, time.monotonic()


def own_cpu() -> float:
    """CPU seconds of this harness and every child it has reaped (clients through their wrappers, fakes)."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + kids.ru_utime + kids.ru_stime
