"""Deleting behind an API gateway that throttles per user, as Huawei Cloud's does (token bucket, often no
Retry-After): how close a whole `vias-tui delete` gets to the rate the gateway admits, and how many of its
requests are throttled.

    python -m benchmarks.ratelimit [--limits 5 20 50] [--seconds 20] [--rounds 3] [--json PATH]

For each limit L (requests per second), the fake VIAS runs in a process of its own with `--rate-limit L/s` (bucket
capacity L, no Retry-After, 50 ms per answer) and `L x seconds` clean tasks; `vias-tui delete --yes` at the default
concurrency deletes them all. Per run: wall time, goodput (IDs deleted per second of the run) as a share of L, the
share of the requests the gateway answered 429, and whether every ID was deleted with none given up for throttling.
Figures are medians (min-max) of the rounds. Goals (issue 18): goodput >= 0.9 of L, at most 10% of requests
throttled, every ID deleted. The ideal wall time is N / L.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, clean_env, med, run_measured, spread

PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
TOKEN = "demo-token-MIIDemoOnlyNotARealIamToken0000"
LATENCY = 0.05


def _get(url: str, path: str) -> Any:
    request = urllib.request.Request(url + path, headers={"X-Auth-Token": TOKEN})
    with urllib.request.urlopen(request, timeout=30) as response:  # loopback only
        return json.load(response)


def _ids(url: str, count: int) -> list[str]:
    ids: list[str] = []
    page = 1
    while len(ids) < count:
        listing = _get(url, f"/v2/{PROJECT}/batch-tasks?page_size=200&page_num={page}")
        batch = [task["id"] for task in listing["batch_task_list"]]
        if not batch:
            break
        ids += batch
        page += 1
    return ids[:count]


def one_run(limit: int, seconds: float, workdir: Path, extra: list[str]) -> dict[str, Any]:
    count = int(limit * seconds)
    fake_args = ["--port", "0", "--plain", "--tasks", str(count), "--latency", str(LATENCY)]
    fake = subprocess.Popen(
        [sys.executable, "-m", "tui_app.fake", *fake_args, "--rate-limit", f"{limit}/s", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        assert fake.stdout is not None
        url = fake.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError("the fake VIAS did not start")
        ids = _ids(url, count)  # the listing is throttled too: wait for the bucket to refill before measuring
        time.sleep(max(1.0, (len(ids) // 200 + 1) / limit + 1.0))
        before = _get(url, "/_fake/stats")
        ids_file = workdir / f"ids-{limit}.txt"
        ids_file.write_text("\n".join(ids) + "\n")
        report = workdir / f"report-{limit}.jsonl"
        env = clean_env(
            VIAS_AUTH_TOKEN=TOKEN,
            PYTHONPATH=str(ROOT),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            XDG_STATE_HOME=str(workdir / "state"),
            XDG_CONFIG_HOME=str(workdir / "config"),
            VIAS_METADATA_ENDPOINT="http://127.0.0.1:9",
        )
        command = [sys.executable, "-m", "tui_app", "delete", "--endpoint", url, "--project-id", PROJECT]
        command += ["--ids-file", str(ids_file), "--yes", "--report", str(report)]
        measured = run_measured(command, env=env, timeout=600)
        after = _get(url, "/_fake/stats")
    finally:
        fake.terminate()
        fake.wait(10)
    rows = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    admitted = after["rate_limit"]["admitted"] - before["rate_limit"]["admitted"]
    throttled = after["rate_limit"]["throttled"] - before["rate_limit"]["throttled"]
    deleted = sum(row["outcome"] == "deleted" for row in rows)
    return {
        "limit": limit,
        "ids": len(ids),
        "wall_s": measured.wall_s,
        "ideal_s": len(ids) / limit,
        "goodput_share": (deleted / measured.wall_s) / limit if measured.wall_s else 0.0,
        "throttled_share": throttled / (admitted + throttled) if admitted + throttled else 0.0,
        "requests": admitted + throttled,
        "throttled": throttled,
        "deleted": deleted,
        "all_deleted": deleted == len(ids) and measured.returncode == 0,
        "given_up_for_throttling": sum("still throttled" in (row.get("note") or "") for row in rows),
        "exit_code": measured.returncode,
        "pacing_lines": [line for line in measured.stderr.splitlines() if "pacing at" in line][:5],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ratelimit", description=__doc__)
    parser.add_argument("--limits", type=int, nargs="+", default=[5, 20, 50])
    parser.add_argument("--seconds", type=float, default=20.0, help="each run deletes limit x seconds IDs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--retry-after", action="store_true", help="the gateway sends Retry-After (default: not)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    extra = ["--retry-after"] if args.retry_after else []
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="vias-ratelimit-") as tmp:
        for round_no in range(args.rounds):
            for limit in args.limits:
                run = one_run(limit, args.seconds, Path(tmp), extra)
                run["round"] = round_no + 1
                runs.append(run)
                print(
                    f"round {round_no + 1} limit {limit}/s: {run['ids']} IDs in {run['wall_s']:.1f}s "
                    f"(ideal {run['ideal_s']:.1f}s), goodput {run['goodput_share']:.2f} of the limit, "
                    f"{run['throttled']} of {run['requests']} requests throttled, exit {run['exit_code']}",
                    file=sys.stderr,
                    flush=True,
                )
    header = "| limit | IDs | ideal | vias-tui wall | goodput / limit | throttled | all deleted | goals |"
    print(header)
    print("|---|---|---|---|---|---|---|---|")
    verdicts = []
    for limit in args.limits:
        mine = [r for r in runs if r["limit"] == limit]
        goodput = [r["goodput_share"] for r in mine]
        throttled = [100 * r["throttled_share"] for r in mine]
        ok = all(
            r["goodput_share"] >= 0.9
            and r["throttled_share"] <= 0.10
            and r["all_deleted"]
            and not r["given_up_for_throttling"]
            for r in mine
        )
        verdicts.append(ok)
        wall = spread([r["wall_s"] for r in mine], "{:.1f}")
        print(
            f"| {limit}/s | {mine[0]['ids']} | {mine[0]['ideal_s']:.1f} s | {wall} s "
            f"| {med(goodput):.2f} ({min(goodput):.2f}-{max(goodput):.2f}) "
            f"| {med(throttled):.1f}% ({min(throttled):.1f}-{max(throttled):.1f}) "
            f"| {sum(r['all_deleted'] for r in mine)}/{len(mine)} | {'PASS' if ok else 'FAIL'} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "retry_after": args.retry_after}, indent=2))
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
