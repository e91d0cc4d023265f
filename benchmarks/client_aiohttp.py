"""Baseline client, run as a whole process: aiohttp ClientSession with TCPConnector(limit=C) and C workers.

    python benchmarks/client_aiohttp.py URL PROJECT IDS_FILE C      (the token comes from VIAS_AUTH_TOKEN)

The same approach as the transport research's aiohttp client. Prints {"statuses": {...}, "run_s": ...} as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import aiohttp


async def main() -> None:
    base, project, ids_file, concurrency = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(ids_file) as handle:
        ids = [line.strip() for line in handle if line.strip()]
    headers = {"X-Auth-Token": os.environ["VIAS_AUTH_TOKEN"], "Accept": "application/json"}
    statuses: dict[int, int] = {}
    todo = iter(ids)  # shared by the workers: each ID is taken once, the loop ends when it is exhausted
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            for task_id in todo:
                async with session.delete(f"{base}/v2/{project}/batch-tasks/{task_id}") as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run = time.perf_counter() - started
    print(json.dumps({"statuses": statuses, "run_s": run}), flush=True)


asyncio.run(main())
