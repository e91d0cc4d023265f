"""Reference client, run as a whole process: bare httpx, the default AsyncClient (httpcore's pool) with
limits=C, and C workers. Reference only: vias-tui uses its own pool under httpx (tui_app/vias/transport.py).

    python benchmarks/client_httpx.py URL PROJECT IDS_FILE C      (the token comes from VIAS_AUTH_TOKEN)

Prints {"statuses": {...}, "run_s": ...} as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import httpx


async def main() -> None:
    base, project, ids_file, concurrency = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(ids_file) as handle:
        ids = [line.strip() for line in handle if line.strip()]
    headers = {"X-Auth-Token": os.environ["VIAS_AUTH_TOKEN"], "Accept": "application/json"}
    statuses: dict[int, int] = {}
    todo = iter(ids)  # shared by the workers: each ID is taken once, the loop ends when it is exhausted
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30.0, trust_env=False) as client:

        async def worker() -> None:
            for task_id in todo:
                response = await client.delete(f"{base}/v2/{project}/batch-tasks/{task_id}")
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run = time.perf_counter() - started
    print(json.dumps({"statuses": statuses, "run_s": run}), flush=True)


asyncio.run(main())
