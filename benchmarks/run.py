"""The performance harness: every figure measured side by side in one run, printed as times and ratios.

    python -m benchmarks.run [--ids 2000] [--latency 0.05] [--concurrency 16]

Against the fake VIAS on 127.0.0.1 (its own process) with injected latency L, N IDs, concurrency C:
ideal (N x L / C), a sequential baseline, a bare httpx ceiling, the engine (the real `vias-tui delete`
command, journal on), and the console under Textual's run_test; then 100,000 pasted IDs, start-up times
and the fake's own ceiling. Prints PASS/FAIL against each target. Every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.common import FakeProcess, Heartbeat, percentiles, wait_until
from tui_app.fake import DEMO_PROJECT_ID, DEMO_TOKEN

ROOT = Path(__file__).resolve().parent.parent
SEQUENTIAL_SAMPLE = 200  # the sequential baseline is measured on this many IDs and scaled (it is slow by nature)


async def sequential(url: str, ids: list[str]) -> float:
    """One delete at a time on one keep-alive connection: a shell loop around a one-shot CLI, at best."""
    async with httpx.AsyncClient(base_url=url, headers={"X-Auth-Token": DEMO_TOKEN}) as client:
        started = time.perf_counter()
        for task_id in ids:
            (await client.delete(f"/v2/{DEMO_PROJECT_ID}/batch-tasks/{task_id}")).raise_for_status()
        return time.perf_counter() - started


async def bare(url: str, ids: list[str], concurrency: int) -> float:
    """Plain httpx with a semaphore: the ceiling for any client at this concurrency."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers={"X-Auth-Token": DEMO_TOKEN}, limits=limits) as client:
        gate = asyncio.Semaphore(concurrency)

        async def one(task_id: str) -> None:
            async with gate:
                (await client.delete(f"/v2/{DEMO_PROJECT_ID}/batch-tasks/{task_id}")).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one(task_id) for task_id in ids))
        return time.perf_counter() - started


def engine(url: str, ids: list[str], concurrency: int, workdir: Path) -> tuple[float, float]:
    """The headless `vias-tui delete` command, journal on. Returns (run time it reports, wall time)."""
    ids_file = workdir / "engine-ids.txt"
    ids_file.write_text("\n".join(ids))
    env = {
        **os.environ,
        "VIAS_AUTH_TOKEN": DEMO_TOKEN,
        "XDG_STATE_HOME": str(workdir / "state"),
        "XDG_CONFIG_HOME": str(workdir / "config"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui_app",
            "delete",
            "--endpoint",
            url,
            "--project-id",
            DEMO_PROJECT_ID,
            "--ids-file",
            str(ids_file),
            "--yes",
            "--concurrency",
            str(concurrency),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    wall = time.perf_counter() - started
    match = re.search(r"All (\d+) deleted or already gone in ([0-9.]+)s", proc.stdout)
    if proc.returncode != 0 or not match or int(match.group(1)) != len(ids):
        raise RuntimeError(f"engine run failed: {proc.stdout}\n{proc.stderr}")
    return float(match.group(2)), wall


async def console(url: str, ids: list[str], concurrency: int) -> dict[str, object]:
    """The console running the same kind of batch under run_test, results pane updating, driven by keys."""
    from tui_app.secret import Token
    from tui_app.settings import Target
    from tui_app.ui.app import ConsoleContext, make_app
    from tui_app.vias.endpoints import parse_endpoint

    context = ConsoleContext(
        profile="bench",
        target=Target("bench", parse_endpoint(url), DEMO_PROJECT_ID),
        session_token=Token(DEMO_TOKEN),
        initial_text="\n".join(ids),
        concurrency=concurrency,
        use_env_token=False,
    )
    app = make_app(context)
    keypress: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(lambda: not app.checking_token and len(app.ids_pane.plan.valid) == len(ids))
        await pilot.press("ctrl+d")
        await wait_until(lambda: app.screen.focused is not None and app.screen.focused.id == "confirm-input")
        for char in str(len(ids)):
            await pilot.press(char)
        heartbeat = Heartbeat().start()
        app.simulate_key("enter")  # pilot.press would wait for the app to go idle, which a run never does
        await wait_until(lambda: app.engine is not None and app.engine._t0 > 0, step=0.001)
        run_started = app.engine._t0  # the engine's own clock (time.monotonic) at its first dispatch
        table = app.results_pane.table
        while app.running and time.monotonic() - run_started < 600:
            before_row = table.cursor_row
            pressed = time.perf_counter()
            app.simulate_key("down")
            await wait_until(lambda row=before_row: table.cursor_row != row or not app.running, timeout=10, step=0.001)
            if app.running:
                keypress.append(time.perf_counter() - pressed)
            await asyncio.sleep(0.2)
        await wait_until(lambda: app.last_status is not None, timeout=600, step=0.001)
        elapsed = time.monotonic() - run_started  # until every outcome is in the table
        lag = heartbeat.stop()
        counts = app.results.counts()
    deleted = sum(n for outcome, n in counts.items() if outcome.value == "deleted")
    if deleted != len(ids):
        raise RuntimeError(f"console run did not delete everything: {counts}")
    return {"elapsed": elapsed, "lag": lag, "keypress": percentiles(keypress)}


def startup_first_frame() -> float:
    """Seconds from starting a new Python process to the console's first frame (headless)."""
    code = (
        "import time, sys; t0 = float(sys.argv[1]);from benchmarks.startup import first_frame; print(first_frame(t0))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, repr(time.time())],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    return float(proc.stdout.strip().splitlines()[-1])


def delete_help() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tui_app", "delete", "--help"], capture_output=True, cwd=ROOT, timeout=60, check=True
    )
    return time.perf_counter() - started


def paste_100k(count: int) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.paste100k", "--ids", str(count)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ids", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--paste-ids", type=int, default=100_000, help="IDs pasted into the console")
    parser.add_argument("--json", metavar="PATH", help="also write every figure to PATH")
    args = parser.parse_args()
    n, latency, c = args.ids, args.latency, args.concurrency
    results: dict[str, object] = {"ids": n, "latency": latency, "concurrency": c}
    checks: list[tuple[str, bool, str]] = []

    from benchmarks.fake_ceiling import measure as fake_ceiling

    results["fake_ceiling_per_s"] = fake_ceiling(20_000, c)
    seq_n = min(n, SEQUENTIAL_SAMPLE)
    with tempfile.TemporaryDirectory() as tmp, FakeProcess(tasks=3 * n + seq_n, latency=latency) as (url, ids):
        workdir = Path(tmp)
        batches = [ids[i * n : (i + 1) * n] for i in range(3)]
        seq_ids = ids[3 * n : 3 * n + seq_n]
        ideal = n * latency / c
        seq_time = asyncio.run(sequential(url, seq_ids)) * n / seq_n
        bare_time = asyncio.run(bare(url, batches[0], c))
        engine_time, engine_wall = engine(url, batches[1], c, workdir)
        console_result = asyncio.run(console(url, batches[2], c))
    console_time = float(console_result["elapsed"])  # type: ignore[arg-type]
    results.update(
        ideal_s=ideal,
        sequential_s=seq_time,
        bare_s=bare_time,
        engine_s=engine_time,
        engine_wall_s=engine_wall,
        console_s=console_time,
        console=console_result,
    )
    paste = paste_100k(args.paste_ids)
    results["paste_100k"] = paste
    startups = [startup_first_frame() for _ in range(3)]
    helps = [delete_help() for _ in range(3)]
    results["first_frame_s"] = statistics.median(startups)
    results["delete_help_s"] = statistics.median(helps)

    def rate(seconds: float) -> float:
        return n / seconds

    print(f"\nvias-tui benchmark: N={n} IDs, latency L={latency * 1000:.0f} ms, concurrency C={c}\n")
    print(f"{'':34}{'time':>9}{'deletes/s':>11}")
    for name, seconds in (
        ("ideal (N x L / C)", ideal),
        (f"sequential (measured on {seq_n})", seq_time),
        ("bare httpx + semaphore", bare_time),
        ("engine (vias-tui delete)", engine_time),
        ("console (run_test, table live)", console_time),
    ):
        print(f"{name:34}{seconds:8.2f}s{rate(seconds):11.0f}")
    print(f"{'engine incl. process start-up':34}{engine_wall:8.2f}s")
    print(f"{'fake VIAS ceiling (0 ms latency)':34}{'':9}{results['fake_ceiling_per_s']:11,.0f}")

    engine_vs_ideal = ideal / engine_time
    engine_vs_bare = bare_time / engine_time
    console_vs_engine = engine_time / console_time
    print(f"\nengine / ideal throughput        {engine_vs_ideal:6.2f}")
    print(f"engine / bare client ceiling     {engine_vs_bare:6.2f}")
    print(f"console / engine                 {console_vs_engine:6.2f}")
    print(f"engine vs sequential             {seq_time / engine_time:6.1f}x faster")
    lag = console_result["lag"]
    keys = console_result["keypress"]
    print(
        f"console event-loop lag           p50 {lag['p50'] * 1000:.1f} ms, p99 {lag['p99'] * 1000:.1f} ms, "
        f"max {lag['max'] * 1000:.1f} ms ({lag['n']} beats)"
    )
    print(
        f"console keypress -> effect       p50 {keys['p50'] * 1000:.1f} ms, max {keys['max'] * 1000:.1f} ms "
        f"({keys['n']} presses during the run)"
    )
    plag = paste["lag"]
    print(
        f"100,000 pasted IDs               counts {paste['counts_shown_s']:.2f} s, "
        f"table {paste['table_shown_s']:.2f} s, "
        f"lag p99 {plag['p99'] * 1000:.1f} ms, peak RSS {paste['peak_rss_mb']:.0f} MB, "
        f"scrolled to row {paste['scrolled_to_row']:,}"
    )
    print(f"start-up to first frame          {results['first_frame_s']:.2f} s")
    print(f"vias-tui delete --help           {results['delete_help_s']:.2f} s")

    checks += [
        ("engine >= 0.85 of ideal", engine_vs_ideal >= 0.85, f"{engine_vs_ideal:.2f}"),
        ("engine >= 0.9 of bare ceiling", engine_vs_bare >= 0.9, f"{engine_vs_bare:.2f}"),
        ("console >= 0.9 of engine", console_vs_engine >= 0.9, f"{console_vs_engine:.2f}"),
        ("console lag p99 < 50 ms", lag["p99"] < 0.05, f"{lag['p99'] * 1000:.1f} ms"),
        ("console lag max < 250 ms", lag["max"] < 0.25, f"{lag['max'] * 1000:.1f} ms"),
        ("100k IDs shown < 3 s", paste["table_shown_s"] < 3.0, f"{paste['table_shown_s']:.2f} s"),
        ("100k lag p99 < 100 ms", plag["p99"] < 0.1, f"{plag['p99'] * 1000:.1f} ms"),
        ("100k peak RSS < 400 MB", paste["peak_rss_mb"] < 400, f"{paste['peak_rss_mb']:.0f} MB"),
        (
            "100k table scrollable to the end",
            paste["scrolled_to_row"] > 0.99 * args.paste_ids - 40,
            f"row {paste['scrolled_to_row']:,}",
        ),
        ("first frame < 1.0 s", results["first_frame_s"] < 1.0, f"{results['first_frame_s']:.2f} s"),
        ("delete --help < 0.5 s", results["delete_help_s"] < 0.5, f"{results['delete_help_s']:.2f} s"),
        (
            "fake not the bottleneck (ceiling > 5x engine rate)",
            results["fake_ceiling_per_s"] > 5 * rate(engine_time),
            f"{results['fake_ceiling_per_s']:,.0f}/s",
        ),
    ]
    print()
    for name, ok, figure in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name:52} {figure}")
    results["checks"] = {name: ok for name, ok, _ in checks}
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    sys.exit(0 if all(ok for _, ok, _ in checks) else 1)


if __name__ == "__main__":
    main()
