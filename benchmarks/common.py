"""Shared pieces of the benchmarks: a heartbeat that measures event-loop lag, percentiles, a fake in its
own process."""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
from dataclasses import dataclass, field


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
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, loop.time() - before - self.interval))

    def stop(self) -> dict[str, float]:
        if self._task:
            self._task.cancel()
        return percentiles(self.lags)


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0, "n": 0}
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max": ordered[-1],
        "n": len(ordered),
    }


def _serve(queue: multiprocessing.Queue, stop: multiprocessing.Event, tasks: int, latency: float) -> None:
    from tui_app.fake import FakeStore, FakeVias, FaultPlan, seed_tasks

    async def main() -> None:
        store = FakeStore()
        seed_tasks(store, tasks, special=False)
        async with FakeVias(store, FaultPlan(latency=latency)) as server:
            queue.put((server.url, list(store.tasks)))
            while not stop.is_set():
                await asyncio.sleep(0.05)

    asyncio.run(main())


class FakeProcess:
    """The fake VIAS in a process of its own, so it never competes with what is measured for the GIL."""

    def __init__(self, tasks: int, latency: float) -> None:
        self._queue: multiprocessing.Queue = multiprocessing.Queue()
        self._stop = multiprocessing.Event()
        self._process = multiprocessing.Process(
            target=_serve, args=(self._queue, self._stop, tasks, latency), daemon=True
        )

    def __enter__(self) -> tuple[str, list[str]]:
        self._process.start()
        return self._queue.get(timeout=120)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(10)


async def wait_until(condition, timeout: float = 60.0, step: float = 0.005) -> None:
    """Every wait in the benchmarks is bounded: a stuck run fails loudly instead of hanging."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("benchmark condition not reached in time")
        await asyncio.sleep(step)
