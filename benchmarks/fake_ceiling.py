"""How many deletes per second the fake VIAS answers at zero latency, with a raw-socket load generator.

    python -m benchmarks.fake_ceiling [--deletes 20000] [--connections 16]

The load generator runs in a separate process so the figure is the server's, not the client's.
Traffic goes to 127.0.0.1 only; the loop is bounded by --deletes.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time

from tui_app.fake import DEMO_PROJECT_ID, DEMO_TOKEN, FakeStore, FakeVias, seed_tasks


def _serve(port_queue: multiprocessing.Queue, count: int, stop: multiprocessing.Event) -> None:
    async def main() -> None:
        store = FakeStore()
        seed_tasks(store, count, special=False)
        async with FakeVias(store) as server:
            port_queue.put((server.port, list(store.tasks)))
            while not stop.is_set():
                await asyncio.sleep(0.05)

    asyncio.run(main())


async def _load(port: int, ids: list[str], connections: int) -> float:
    queue = list(reversed(ids))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while queue:
            task_id = queue.pop()
            writer.write(
                f"DELETE /v2/{DEMO_PROJECT_ID}/batch-tasks/{task_id} HTTP/1.1\r\nHost: x\r\n"
                f"X-Auth-Token: {DEMO_TOKEN}\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - started


def measure(deletes: int, connections: int) -> float:
    """Deletes per second the fake sustains."""
    ports: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(ports, deletes, stop), daemon=True)
    server.start()
    try:
        port, ids = ports.get(timeout=60)
        elapsed = asyncio.run(_load(port, ids, connections))
    finally:
        stop.set()
        server.join(10)
    return deletes / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deletes", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    rate = measure(args.deletes, args.connections)
    verdict = "PASS" if rate > 1000 else "FAIL"
    print(
        f"fake VIAS ceiling: {rate:,.0f} deletes/s over {args.connections} keep-alive connections "
        f"({args.deletes:,} deletes, zero latency)  [{verdict}: target > 1,000/s]"
    )


if __name__ == "__main__":
    main()
