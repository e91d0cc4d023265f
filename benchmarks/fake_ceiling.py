"""How fast the fake VIAS itself can answer deletes, so a benchmark can tell when the fake is the limit.

    python -m benchmarks.fake_ceiling [--deletes 20000] [--connections 32]     (prints one JSON line)

At zero latency, a cheap load generator (curl --parallel when the local curl has it, else a raw-socket asyncio
client in this process) deletes fresh tasks from a fake in its own process. Reported: deletes/s achieved, and the
fake's own CPU seconds per delete (from its rusage while serving), hence the most one core could serve
(1 / CPU per delete). On 2 cores the fake and the client under test share the machine: at concurrency C with
all C requests answered in one burst, the last answer of a burst waits about C x (CPU per delete).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from benchmarks.clients import missing, run_client
from benchmarks.common import FakeProcess
from tui_app.fake import DEMO_PROJECT_ID, DEMO_TOKEN


async def _raw_load(port: int, ids: list[str], connections: int) -> float:
    todo = list(reversed(ids))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while todo:  # bounded: each pass takes one ID off the list
            task_id = todo.pop()
            writer.write(
                f"DELETE /v2/{DEMO_PROJECT_ID}/batch-tasks/{task_id} HTTP/1.1\r\nHost: x\r\n"
                f"X-Auth-Token: {DEMO_TOKEN}\r\n\r\n".encode()
            )
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            await asyncio.wait_for(reader.readexactly(length), 30)
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - started


def measure(deletes: int, connections: int) -> dict[str, object]:
    if missing("curl") is None:
        with tempfile.TemporaryDirectory(prefix="bench-ceiling-") as tmp:
            record = run_client("curl", deletes, 0.0, connections, Path(tmp), timeout=300)
        if record.get("error"):
            raise RuntimeError(f"fake ceiling run failed: {record['error']}")
        wall, server, generator = float(record["wall_s"]), record["server"], "curl --parallel"
    else:
        fake = FakeProcess(deletes, 0.0)
        with fake as (url, ids):
            wall = asyncio.run(_raw_load(int(url.rsplit(":", 1)[1]), ids, connections))
        server, generator = fake.stats, "raw-socket asyncio client"
    cpu_per_delete = float(server["cpu_s"]) / deletes
    return {
        "deletes": deletes,
        "connections": connections,
        "generator": generator,
        "wall_s": wall,
        "per_s": deletes / wall,
        "fake_cpu_per_delete_ms": cpu_per_delete * 1000,
        "fake_one_core_ceiling_per_s": 1 / cpu_per_delete if cpu_per_delete else float("inf"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deletes", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    print(json.dumps(measure(args.deletes, args.connections)))


if __name__ == "__main__":
    main()
