"""The performance harness: vias-tui against baselines, whole processes side by side, PASS/FAIL against goals.

    python -m benchmarks.run [--rounds 3] [--ids 2000] [--latency 0.05] [--sweep 4,16,32,64] [--json PATH]
    python -m benchmarks.run --quick          # tiny sizes, 1 round: checks the harness, not the speed
    python -m benchmarks.run --only throughput,cpu --sweep 16,32,64   # some sections only

What is measured (all traffic goes to the project's fake VIAS, tui_app.fake, in a process of its own on
127.0.0.1; every client run gets a fresh fake seeded with fresh tasks, and counts only if the fake itself answered
exactly N DELETEs with 200):
  1. Throughput at L=50 ms added latency, N=2,000 IDs, C in 4/16/32/64: ideal (N x L / C), aiohttp, curl
     --parallel, bare httpx (reference only) and `vias-tui delete` (journal on), each a whole process, wall time
     from spawn to exit, in interleaved rounds (shuffled order per round); median and min-max per cell.
  2. CPU seconds per 1,000 deletes at L=0, C=32, N=4,000 for vias-tui and aiohttp (curl for context), whole
     processes; also each one's fixed start-up cost (the same client deleting 1 ID).
  3. Scale: 25,000, 50,000 and 100,000 IDs through `vias-tui delete` at L=2 ms, C=32: time, time per ID,
     peak RSS (the process's own ru_maxrss), under an address-space cap.
  4. The console in a real terminal (tmux on a private socket), driven like an operator: bracketed paste of the
     IDs, ctrl+d, wait for "will be DELETED", type the count shown, Enter, wait for the end, ctrl+q. The app
     runs exactly as `vias-tui` builds it, with a heartbeat and a state poll added (benchmarks/console_probe.py).
  5. Kept checks: 100,000 pasted IDs, start-up to the first frame in a terminal, `delete --help`, the fake's own
     ceiling.
How: each measured process runs under benchmarks/rusage_wrap.py, which reports that process's own CPU and peak
RSS (os.wait4) and caps its address space. Python processes share a warm bytecode cache in a private directory
(as after `pip install`); the cold figure is printed too. The harness says how much CPU other processes used
meanwhile. Needs `pip install '.[bench]'` (aiohttp), curl >= 7.66 and tmux; a missing one is skipped with a note
and its checks FAIL as "not measured".
How long: about 10 minutes on a 2-core machine (10.2 measured); --quick 20-50 s. Exit 0 only if all PASS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.clients import CLIENTS, missing, run_client
from benchmarks.common import ROOT, FakeProcess, machine_busy, med, own_cpu, percentiles, run_measured, spread
from benchmarks.startup import console_env
from benchmarks.terminal import Terminal, tmux_missing
from tui_app.fake import DEMO_PROJECT_ID
from tui_app.ui.screens.confirm import READ_TIME

# --- goals ---------------------------------------------------------------------------------------------
VS_IDEAL = 0.85
VS_AIOHTTP = 0.90
CPU_VS_AIOHTTP = 2.0
SCALE_RSS_MB = 150
SCALE_LINEAR = 1.3
CONSOLE_VS_HEADLESS = 0.90
CONSOLE_LAG_P99 = 0.050
PASTE_SHOWN_S = 3.0
PASTE_LAG_P99 = 0.100
PASTE_RSS_MB = 400
FIRST_FRAME_S = 1.0
HELP_S = 0.5
CEILING_MARGIN = 3.0  # the fake must answer at least this many times faster than the fastest client measured

SCALE_AS_LIMIT_MB = 2048  # the 100k run's address-space cap: a leak ends in MemoryError, not a swamped box


@dataclass
class Config:
    quick: bool
    rounds: int
    ids: int
    latency: float
    sweep: list[int]
    cpu_ids: int
    cpu_c: int
    scale_sizes: list[int]
    scale_latency: float
    scale_c: int
    console_cs: list[int]
    paste_ids: int
    ceiling_deletes: int
    startup_repeat: int
    help_repeat: int


def config_from(args: argparse.Namespace) -> Config:
    quick = bool(args.quick)
    sweep = [int(c) for c in (args.sweep or ("4,16" if quick else "4,16,32,64")).split(",") if c.strip()]
    return Config(
        quick=quick,
        rounds=args.rounds or (1 if quick else 3),
        ids=args.ids or (200 if quick else 2000),
        latency=args.latency if args.latency is not None else (0.01 if quick else 0.05),
        sweep=sweep,
        cpu_ids=300 if quick else 4000,
        cpu_c=32,
        scale_sizes=[500, 1000, 2000] if quick else [25_000, 50_000, 100_000],
        scale_latency=0.002,
        scale_c=32,
        console_cs=[16] if quick else [16, 32],
        paste_ids=3000 if quick else 100_000,
        ceiling_deletes=2000 if quick else 20_000,
        startup_repeat=1 if quick else 3,
        help_repeat=3 if quick else 5,
    )


# --- bookkeeping -----------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    figure: str
    context: str = ""


@dataclass
class Report:
    results: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    def check(self, name: str, ok: bool, figure: str, context: str = "") -> None:
        self.checks.append(Check(name, ok, figure, context))


def log(text: str) -> None:
    """Progress goes to stderr; the report (tables, PASS/FAIL) to stdout."""
    print(text, file=sys.stderr, flush=True)


def header(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


def table(rows: Sequence[Sequence[str]], align: str) -> None:
    """Print rows as columns; `align` has one 'l' or 'r' per column."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(w) if a == "l" else cell.rjust(w) for cell, w, a in zip(row, widths, align, strict=True)]
        print("  ".join(cells).rstrip(), flush=True)


class Meter:
    """CPU used outside this harness's processes during a section (other work on the machine, the tmux server),
    and CPU time the VM's host withheld (steal)."""

    def __init__(self) -> None:
        self.busy, self.steal, self.clock = machine_busy()
        self.mine = own_cpu()

    def done(self) -> dict[str, float]:
        busy, steal, clock = machine_busy()
        wall = clock - self.clock
        other = max(0.0, (busy - self.busy) - (own_cpu() - self.mine))
        cpus = os.cpu_count() or 1
        return {
            "wall_s": wall,
            "other_cpu_s": other,
            "other_share_of_machine": other / (wall * cpus),
            "steal_s": steal - self.steal,
        }


def other_line(meter: dict[str, float]) -> str:
    return (
        f"(meanwhile: processes outside this harness used {meter['other_cpu_s']:.1f} CPU s in {meter['wall_s']:.0f} s, "
        f"{meter['other_share_of_machine']:.0%} of the machine (the tmux server counts here in section 4); "
        f"steal {meter['steal_s']:.1f} s)"
    )


def guarded(what: str, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """One measurement; a failure is recorded (and becomes a FAIL), it does not end the harness."""
    try:
        return action()
    except Exception as exc:  # a measurement that breaks is a finding, not a reason to lose the others
        log(f"  {what}: ERROR {type(exc).__name__}: {exc}")
        return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-3000:]}


def runs_of(records: Iterable[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [r for r in records if all(r.get(k) == v for k, v in match.items())]


def good(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if not r.get("error")]


def client_timeout(count: int, latency: float, concurrency: int) -> float:
    return 120.0 + 20 * count * max(latency, 0.002) / concurrency


def progress(record: dict[str, Any], prefix: str = "") -> None:
    server = record.get("server") or {}
    flag = f"  ERROR: {record['error'][:400]}" if record.get("error") else ""
    log(
        f"  {prefix}{record['client']:<9} C={record['C']:<3} N={record['N']:<6} wall {record.get('wall_s', 0):6.2f}s "
        f"cpu {record.get('cpu_s', 0):5.2f}s rss {record.get('maxrss_mb', 0):5.0f}MB "
        f"conns {server.get('connections')} fake cpu {server.get('cpu_s', 0):.2f}s{flag}"
    )


# --- 0. environment -----------------------------------------------------------------------------------------


def prepare(cfg: Config, workdir: Path, report: Report) -> None:
    """Note what else runs, measure a cold start once, then give every Python process a warm bytecode cache."""
    load = os.getloadavg()
    report.results["machine"] = {
        "cpus": os.cpu_count(),
        "loadavg_at_start": load,
        "python": sys.version.split()[0],
        "shell_PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
    }
    print(f"machine: {os.cpu_count()} CPUs, load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    cold: dict[str, Any] = {}
    cold_help: dict[str, Any] = {}
    if not cfg.quick:
        if tmux_missing() is None:
            from benchmarks.startup import measure as startup_measure

            cold = guarded("cold start", lambda: startup_measure(1))
        cold_help = guarded("cold help", lambda: {"wall_s": help_once()})
    report.results["cold_start"] = {"first_frame": cold, "delete_help": cold_help}
    # As after `pip install` (which compiles bytecode): this shell sets PYTHONDONTWRITEBYTECODE, so without a
    # cache every start of vias-tui would compile its own sources again, which no installed copy does.
    os.environ["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if not cfg.quick:
        log("warming up (bytecode cache, page cache): one small untimed run of each client …")
        for name in CLIENTS:
            if missing(name) is None:
                guarded(f"warm-up {name}", lambda name=name: run_client(name, 50, 0.0, 4, workdir, timeout=120))
        guarded("warm-up help", lambda: {"wall_s": help_once()})
        modules = (
            "tui_app.ui.app, tui_app.commands.console, tui_app.demo, benchmarks.console_probe, benchmarks.paste100k"
        )
        guarded("warm-up imports", lambda: {"rc": run_measured([sys.executable, "-c", f"import {modules}"]).returncode})
    if "first_frame_s" in cold:
        cold_text = (
            f"cold (this shell's setting, nothing cached): first frame {cold['first_frame_s']:.2f} s, "
            f"delete --help {cold_help.get('wall_s', float('nan')):.2f} s"
        )
    else:
        cold_text = "the cold start was not measured" + (" (--quick)" if cfg.quick else "")
    print(f"bytecode: a warm cache in a private PYTHONPYCACHEPREFIX for every Python process measured; {cold_text}")


def help_once() -> float:
    measured = run_measured([sys.executable, "-m", "tui_app", "delete", "--help"], timeout=60)
    if measured.returncode != 0:
        raise RuntimeError(f"delete --help exited {measured.returncode}: {measured.stderr[-300:]}")
    return measured.wall_s


# --- 1. throughput -------------------------------------------------------------------------------------------


def section_throughput(cfg: Config, workdir: Path, report: Report, rng: random.Random) -> None:
    n, latency = cfg.ids, cfg.latency
    header(
        f"1. Throughput: L={latency * 1000:.0f} ms, N={n:,}, C in {', '.join(map(str, cfg.sweep))}; whole processes, "
        f"{cfg.rounds} interleaved round(s)"
    )
    available = [name for name in CLIENTS if missing(name) is None and not (cfg.quick and name == "httpx")]
    for name in CLIENTS:
        if missing(name):
            print(f"note: {missing(name)}")
    if cfg.quick:
        print("note: --quick leaves out bare httpx (reference only, and the slowest)")
    meter = Meter()
    records: list[dict[str, Any]] = []
    for round_no in range(cfg.rounds):
        log(f"section 1, round {round_no + 1}/{cfg.rounds}")
        for concurrency in cfg.sweep:
            order = available[:]
            rng.shuffle(order)
            for name in order:
                record = guarded(
                    f"{name} C={concurrency}",
                    lambda name=name, c=concurrency: run_client(
                        name, n, latency, c, workdir, timeout=client_timeout(n, latency, c)
                    ),
                )
                record.setdefault("client", name)
                record.setdefault("C", concurrency)
                record.setdefault("N", n)
                record["round"] = round_no
                records.append(record)
                progress(record, f"r{round_no + 1} ")
    report.results["throughput"] = {"N": n, "L": latency, "rounds": cfg.rounds, "runs": records}
    report.results["throughput"]["meter"] = meter.done()

    rows = [["C", "client", "wall s: median (min-max)", "deletes/s", "x ideal", "vias-tui/this", "CPU s", "conns"]]
    rows[0] += ["fake CPU", "runs"]
    summary: dict[int, dict[str, Any]] = {}
    for concurrency in cfg.sweep:
        ideal = n * latency / concurrency
        rows.append([str(concurrency), "ideal (N*L/C)", f"{ideal:.2f}", f"{n / ideal:.0f}", "1.00", "", "", "", "", ""])
        cell: dict[str, Any] = {"ideal_s": ideal}
        vias_walls = [r["wall_s"] for r in good(runs_of(records, client="vias-tui", C=concurrency))]
        for name in CLIENTS:
            mine = runs_of(records, client=name, C=concurrency)
            if not mine:
                continue
            ok = good(mine)
            walls = [r["wall_s"] for r in ok]
            wall = med(walls)
            cell[name] = {
                "wall_s": wall,
                "walls": walls,
                "cpu_s": med([r["cpu_s"] for r in ok]),
                "run_s": med([r["run_s"] for r in ok if r.get("run_s") is not None]),
                "fake_cpu_s": med([r["server"]["cpu_s"] for r in ok]),
                "connections": med([r["server"]["connections"] for r in ok]),
                "errors": len(mine) - len(ok),
            }
            rows.append(
                [
                    "",
                    name + (" (reference)" if name == "httpx" else ""),
                    spread(walls),
                    f"{n / wall:.0f}" if walls else "-",
                    f"{ideal / wall:.2f}" if walls else "-",
                    f"{wall / med(vias_walls):.2f}" if walls and vias_walls else "-",
                    f"{cell[name]['cpu_s']:.2f}" if walls else "-",
                    f"{cell[name]['connections']:g}" if walls else "-",
                    f"{cell[name]['fake_cpu_s']:.2f}" if walls else "-",
                    f"{len(ok)}/{len(mine)}" + (" ERR" if len(ok) < len(mine) else ""),
                ]
            )
        summary[concurrency] = cell
    table(rows, "rllrrrrrrl")
    print(
        "x ideal = ideal / wall (throughput ratio); vias-tui/this = this client's wall / vias-tui's wall (>1: vias-tui "
        "faster); conns = TCP connections the fake accepted; fake CPU = the fake's own CPU s while serving."
    )
    for concurrency, cell in summary.items():
        vias = cell.get("vias-tui")
        if not vias or not vias["walls"]:
            continue
        overhead = vias["wall_s"] - vias["run_s"]
        print(
            f"C={concurrency}: vias-tui's own run time (start-up and exit excluded) {vias['run_s']:.2f} s = "
            f"{cell['ideal_s'] / vias['run_s']:.2f} of ideal; its start-up + exit {overhead:.2f} s"
        )
    print(other_line(report.results["throughput"]["meter"]))
    report.results["throughput"]["summary"] = summary

    for concurrency, cell in summary.items():
        vias = cell.get("vias-tui") or {}
        vias_wall = vias.get("wall_s", float("nan")) if vias.get("walls") else float("nan")
        ideal = cell["ideal_s"]
        context = []
        burst_ms = 1000 * concurrency * vias.get("fake_cpu_s", 0.0) / n if vias.get("walls") else 0.0
        for other in ("curl", "aiohttp"):
            if cell.get(other, {}).get("walls"):
                context.append(f"{other} {ideal / cell[other]['wall_s']:.2f}")
        ratio = ideal / vias_wall
        note = f"of ideal: {', '.join(context)}" if context else ""
        if not vias.get("walls"):
            report.check(f"vias-tui >= {VS_IDEAL} of ideal at C={concurrency}", False, "not measured", "runs failed")
            report.check(f"vias-tui >= {VS_AIOHTTP} of aiohttp at C={concurrency}", False, "not measured")
            continue
        if ratio < VS_IDEAL and context:
            note += (
                f"; the fake and the client share {os.cpu_count()} cores, and the fake answers a burst of "
                f"{concurrency} over ~{burst_ms:.0f} ms of its CPU; vias-tui's start-up + exit is "
                f"{vias_wall - vias['run_s']:.2f} s of its {vias_wall:.2f} s"
            )
        report.check(f"vias-tui >= {VS_IDEAL} of ideal at C={concurrency}", ratio >= VS_IDEAL, f"{ratio:.2f}", note)
        aio = cell.get("aiohttp", {})
        if aio.get("walls"):
            vs = aio["wall_s"] / vias_wall
            curl = cell.get("curl", {})
            note = f"vs curl {curl['wall_s'] / vias_wall:.2f}" if curl.get("walls") else ""
            report.check(f"vias-tui >= {VS_AIOHTTP} of aiohttp at C={concurrency}", vs >= VS_AIOHTTP, f"{vs:.2f}", note)
        else:
            report.check(
                f"vias-tui >= {VS_AIOHTTP} of aiohttp at C={concurrency}",
                False,
                "not measured",
                missing("aiohttp") or "aiohttp runs failed",
            )


# --- 2. CPU ------------------------------------------------------------------------------------------------


def section_cpu(cfg: Config, workdir: Path, report: Report, rng: random.Random) -> None:
    n, c = cfg.cpu_ids, cfg.cpu_c
    header(f"2. CPU per 1,000 deletes: L=0, C={c}, N={n:,}; whole processes, {cfg.rounds} interleaved round(s)")
    names = [name for name in ("vias-tui", "aiohttp", "curl") if missing(name) is None]
    for name in ("aiohttp", "curl"):
        if name not in names:
            print(f"note: {missing(name)}")
    meter = Meter()
    records: list[dict[str, Any]] = []
    for round_no in range(cfg.rounds):
        log(f"section 2, round {round_no + 1}/{cfg.rounds}")
        jobs = [(name, count) for name in names for count in (n, 1)]  # 1 ID: the fixed cost of a start
        rng.shuffle(jobs)
        for name, count in jobs:
            record = guarded(
                f"{name} N={count}",
                lambda name=name, count=count: run_client(name, count, 0.0, c, workdir, timeout=300),
            )
            record.update(round=round_no, client=name, N=count, C=c)
            records.append(record)
            progress(record, f"r{round_no + 1} ")
    meter_done = meter.done()
    rows = [["client", "CPU s / 1,000 deletes", "CPU s, 1 ID (start-up)", "per 1,000 after start-up", "user / sys"]]
    rows[0] += ["wall s", "fake CPU s / 1,000"]
    per_k: dict[str, float] = {}
    for name in names:
        full = good(runs_of(records, client=name, N=n))
        one = good(runs_of(records, client=name, N=1))
        if not full:
            rows.append([name, "ERR", "", "", "", "", ""])
            continue
        cpus = [r["cpu_s"] * 1000 / n for r in full]
        per_k[name] = med(cpus)
        start = med([r["cpu_s"] for r in one]) if one else float("nan")
        marginal = (med([r["cpu_s"] for r in full]) - start) * 1000 / (n - 1)
        rows.append(
            [
                name,
                spread(cpus),
                f"{start:.2f}",
                f"{marginal:.2f}",
                f"{med([r['user_s'] for r in full]):.2f} / {med([r['sys_s'] for r in full]):.2f}",
                spread([r["wall_s"] for r in full]),
                f"{med([r['server']['cpu_s'] * 1000 / n for r in full]):.2f}",
            ]
        )
    table(rows, "lrrrrrr")
    print(other_line(meter_done))
    report.results["cpu"] = {"N": n, "C": c, "runs": records, "per_1000": per_k, "meter": meter_done}
    if "vias-tui" in per_k and "aiohttp" in per_k:
        ratio = per_k["vias-tui"] / per_k["aiohttp"]
        note = f"vias-tui {per_k['vias-tui']:.2f} s, aiohttp {per_k['aiohttp']:.2f} s per 1,000"
        if "curl" in per_k:
            note += f", curl {per_k['curl']:.2f} s"
        name = f"vias-tui CPU per 1,000 deletes <= {CPU_VS_AIOHTTP:g}x aiohttp"
        report.check(name, ratio <= CPU_VS_AIOHTTP, f"{ratio:.2f}x", note)
    else:
        why = missing("aiohttp") or "a CPU run failed"
        report.check(f"vias-tui CPU per 1,000 deletes <= {CPU_VS_AIOHTTP:g}x aiohttp", False, "not measured", why)


# --- 3. scale ----------------------------------------------------------------------------------------------


def section_scale(cfg: Config, workdir: Path, report: Report) -> None:
    c, latency = cfg.scale_c, cfg.scale_latency
    sizes = ", ".join(f"{size:,}" for size in cfg.scale_sizes)
    header(f"3. Scale: {sizes} IDs through vias-tui delete, L={latency * 1000:.0f} ms, C={c}, journal on")
    meter = Meter()
    records: list[dict[str, Any]] = []
    for size in cfg.scale_sizes:
        log(f"section 3, N={size:,}")
        record = guarded(
            f"vias-tui N={size}",
            lambda size=size: run_client(
                "vias-tui",
                size,
                latency,
                c,
                workdir,
                timeout=client_timeout(size, latency, c) + size * 0.005,  # CPU-bound here: allow 5 ms per ID
                as_limit_mb=SCALE_AS_LIMIT_MB,
            ),
        )
        record.update(client="vias-tui", N=size, C=c)
        records.append(record)
        progress(record)
    meter_done = meter.done()
    rows = [["N", "wall s", "ms per ID", "deletes/s", "run s (own)", "CPU s", "peak RSS MB", "fake CPU s"]]
    for record in records:
        if record.get("error"):
            rows.append([f"{record['N']:,}", "ERR", "", "", "", "", "", ""])
            continue
        rows.append(
            [
                f"{record['N']:,}",
                f"{record['wall_s']:.2f}",
                f"{1000 * record['wall_s'] / record['N']:.3f}",
                f"{record['N'] / record['wall_s']:.0f}",
                f"{record['run_s']:.2f}" if record.get("run_s") else "-",
                f"{record['cpu_s']:.2f}",
                f"{record['maxrss_mb']:.0f}",
                f"{record['server']['cpu_s']:.2f}",
            ]
        )
    table(rows, "rrrrrrrr")
    print(f"peak RSS is the process's own ru_maxrss (wait4); address space capped at {SCALE_AS_LIMIT_MB} MB")
    print(other_line(meter_done))
    report.results["scale"] = {"L": latency, "C": c, "runs": records, "meter": meter_done}
    largest, smallest = records[-1], records[0]
    name = f"{largest['N']:,} IDs: peak RSS < {SCALE_RSS_MB} MB"
    if largest.get("error"):
        report.check(name, False, "not measured", largest["error"][:200])
    else:
        rss = largest["maxrss_mb"]
        report.check(name, rss < SCALE_RSS_MB, f"{rss:.0f} MB", f"{largest['N'] / largest['wall_s']:.0f} deletes/s")
    name = f"time linear in N: per ID at {largest['N']:,} within {SCALE_LINEAR}x of {smallest['N']:,}"
    if largest.get("error") or smallest.get("error"):
        report.check(name, False, "not measured")
    else:
        ratio = (largest["wall_s"] / largest["N"]) / (smallest["wall_s"] / smallest["N"])
        own = ""
        if largest.get("run_s") and smallest.get("run_s"):
            alone = (largest["run_s"] / largest["N"]) / (smallest["run_s"] / smallest["N"])
            own = f"run time alone, start-up excluded: {alone:.2f}x"
        report.check(name, ratio <= SCALE_LINEAR, f"{ratio:.2f}x", own)


# --- 4. the console in a real terminal ------------------------------------------------------------------------


def console_once(n: int, latency: float, concurrency: int, workdir: Path) -> dict[str, Any]:
    """One operator session in tmux against a fresh fake: paste, ctrl+d, type the count, Enter, wait, ctrl+q."""
    fake = FakeProcess(n, latency)
    out = workdir / f"probe-{uuid.uuid4().hex[:8]}.json"
    state = workdir / f"console-{uuid.uuid4().hex[:8]}"
    screen = ""
    with fake as (url, ids):
        terminal = Terminal(workdir)
        command = [sys.executable, "-m", "benchmarks.console_probe", "--out", str(out), "--"]
        command += ["--endpoint", url, "--project-id", DEMO_PROJECT_ID, "--concurrency", str(concurrency)]
        try:
            terminal.start(command, console_env(state), ROOT, (120, 40))
            terminal.wait_for("Ready: paste IDs", timeout=60)
            terminal.wait_until_gone("credentials: checking", timeout=60)
            terminal.paste("\n".join(ids) + "\n")
            terminal.wait_for(rf"\b{n:,} valid", timeout=60)
            terminal.keys("C-d")
            shown = terminal.wait_for(r"([\d,]+) will be DELETED", timeout=120)
            time.sleep(READ_TIME)  # the confirmation refuses a count typed before it could be read
            terminal.keys(*shown.group(1).replace(",", ""))  # the count the confirmation shows, digit by digit
            terminal.keys("Enter")
            ideal = n * latency / concurrency
            terminal.wait_for(r"All deleted or gone|NOT all deleted", timeout=120 + 20 * ideal, step=0.25)
            screen = terminal.screen()
            terminal.keys("C-q")
            terminal.wait_exit(60)
        finally:
            screen = screen or terminal.screen()
            terminal.close()
    data: dict[str, Any] = json.loads(out.read_text())
    data.update(client="console", C=concurrency, N=n, server=fake.stats)
    problems = []
    if data.get("counts") != {"deleted": n} or data.get("status") != "finished":
        problems.append(f"the console reported {data.get('status')} {data.get('counts')}")
    if fake.stats.get("deletes") != {"200": n}:
        problems.append(f"the fake answered {fake.stats.get('deletes')}")
    if "All deleted or gone" not in screen:
        problems.append("the run bar did not say 'All deleted or gone'")
    if data.get("exit_code") not in (0, None) or data.get("error"):
        problems.append(f"the console exited {data.get('exit_code')} {data.get('error') or ''}")
    if problems:
        data["error"] = "; ".join(problems) + f"\n{screen}"
    return data


def section_console(cfg: Config, workdir: Path, report: Report) -> None:
    n, latency = cfg.ids, cfg.latency
    header(
        f"4. The console in a real terminal (tmux, 120x40): N={n:,}, L={latency * 1000:.0f} ms, "
        f"C in {', '.join(map(str, cfg.console_cs))}; {cfg.rounds} round(s)"
    )
    why = tmux_missing()
    if why:
        print(f"note: {why}")
        for c in cfg.console_cs:
            report.check(f"console >= {CONSOLE_VS_HEADLESS} of headless at C={c}", False, "not measured", why)
            report.check(f"console lag p99 < {CONSOLE_LAG_P99 * 1000:.0f} ms at C={c}", False, "not measured", why)
        return
    meter = Meter()
    headless_runs = [r for r in report.results.get("throughput", {}).get("runs", []) if r.get("client") == "vias-tui"]
    records: list[dict[str, Any]] = []
    for round_no in range(cfg.rounds):
        log(f"section 4, round {round_no + 1}/{cfg.rounds}")
        for c in cfg.console_cs:
            record = guarded(f"console C={c}", lambda c=c: console_once(n, latency, c, workdir))
            record.update(round=round_no, C=c)
            records.append(record)
            lag = record.get("lag_during_run", {})
            flag = f"  ERROR: {record['error'][:300]}" if record.get("error") else ""
            log(
                f"  r{round_no + 1} console   C={c:<3} run {record.get('run_s') or 0:6.2f}s lag p99 "
                f"{lag.get('p99', 0) * 1000:.0f} ms max {lag.get('max', 0) * 1000:.0f} ms{flag}"
            )
            if c not in cfg.sweep:  # no headless figure at this C from section 1: measure it here, interleaved
                extra = guarded(
                    f"vias-tui C={c}",
                    lambda c=c: run_client("vias-tui", n, latency, c, workdir, timeout=client_timeout(n, latency, c)),
                )
                extra.update(round=round_no, client="vias-tui", C=c, N=n)
                headless_runs.append(extra)
                progress(extra, f"r{round_no + 1} ")
    meter_done = meter.done()
    rows = [["C", "console run s", "deletes/s", "headless wall s", "console/headless", "same, run only"]]
    rows[0] += ["lag p50 / p99 / max ms", "session open s", "runs"]
    summary: dict[int, dict[str, Any]] = {}
    for c in cfg.console_cs:
        mine = runs_of(records, C=c)
        ok = good(mine)
        durations = [r["run_s"] for r in ok]
        lags = [lag for r in ok for lag in r.get("lags_during_run", [])]
        pooled = percentiles(lags)
        headless = good(runs_of(headless_runs, C=c))
        headless_wall = med([r["wall_s"] for r in headless])
        headless_run = med([r["run_s"] for r in headless if r.get("run_s")])
        console_s = med(durations)
        summary[c] = {
            "console_run_s": console_s,
            "runs": durations,
            "headless_wall_s": headless_wall,
            "headless_run_s": headless_run,
            "vs_headless": headless_wall / console_s if durations else float("nan"),
            "vs_headless_run_only": headless_run / console_s if durations else float("nan"),
            "lag_pooled": pooled,
            "errors": len(mine) - len(ok),
        }
        rows.append(
            [
                str(c),
                spread(durations),
                f"{n / console_s:.0f}" if durations else "-",
                f"{headless_wall:.2f}",
                f"{summary[c]['vs_headless']:.2f}",
                f"{summary[c]['vs_headless_run_only']:.2f}",
                f"{pooled['p50'] * 1000:.1f} / {pooled['p99'] * 1000:.1f} / {pooled['max'] * 1000:.0f}",
                f"{med([r['session_open_s'] for r in ok if r.get('session_open_s') is not None]):.2f}",
                f"{len(ok)}/{len(mine)}" + (" ERR" if len(ok) < len(mine) else ""),
            ]
        )
    table(rows, "rlrrrrrrl")
    print(
        "console run = from the run starting (main.run set) to its end (main.last_status set), measured on the app's "
        "loop; headless wall = the whole `vias-tui delete` process (section 1), so start-up counts against headless; "
        "'same, run only' compares with vias-tui's own run time instead (stricter). Lag: 10 ms heartbeat on the app's "
        "loop during the run, all rounds pooled."
    )
    print(other_line(meter_done))
    report.results["console"] = {"N": n, "L": latency, "runs": records, "summary": summary, "meter": meter_done}
    for c, cell in summary.items():
        if not cell["runs"]:
            report.check(f"console >= {CONSOLE_VS_HEADLESS} of headless at C={c}", False, "not measured")
            report.check(f"console lag p99 < {CONSOLE_LAG_P99 * 1000:.0f} ms at C={c}", False, "not measured")
            continue
        report.check(
            f"console >= {CONSOLE_VS_HEADLESS} of headless at C={c}",
            cell["vs_headless"] >= CONSOLE_VS_HEADLESS,
            f"{cell['vs_headless']:.2f}",
            f"{n / cell['console_run_s']:.0f} vs {n / cell['headless_wall_s']:.0f} deletes/s; run time only: "
            f"{cell['vs_headless_run_only']:.2f}",
        )
        p99 = cell["lag_pooled"]["p99"]
        report.check(
            f"console lag p99 < {CONSOLE_LAG_P99 * 1000:.0f} ms at C={c}",
            p99 < CONSOLE_LAG_P99,
            f"{p99 * 1000:.1f} ms",
            f"max {cell['lag_pooled']['max'] * 1000:.0f} ms over {cell['lag_pooled']['n']} beats",
        )


# --- 5. kept checks ----------------------------------------------------------------------------------------------


def section_kept(cfg: Config, workdir: Path, report: Report, fastest_rate: float) -> None:
    header("5. Kept checks: pasted IDs, start-up, --help, the fake's own ceiling")
    meter = Meter()
    log("section 5: paste")
    paste = guarded("paste", lambda: _paste(cfg.paste_ids))
    log("section 5: start-up")
    if tmux_missing() is None:
        from benchmarks.startup import measure as startup_measure

        startup = guarded("start-up", lambda: startup_measure(cfg.startup_repeat))
    else:
        startup = {"error": tmux_missing()}
    log("section 5: --help")
    helps = guarded("help", lambda: {"all_s": [help_once() for _ in range(cfg.help_repeat)]})
    log("section 5: fake ceiling")
    from benchmarks.fake_ceiling import measure as ceiling_measure

    ceiling = guarded("ceiling", lambda: ceiling_measure(cfg.ceiling_deletes, 32))
    meter_done = meter.done()
    report.results["kept"] = {"paste": paste, "startup": startup, "help": helps, "ceiling": ceiling}
    report.results["kept"]["meter"] = meter_done
    rows = [["check", "measured", "goal"]]
    count = f"{cfg.paste_ids:,}"
    if not paste.get("error"):
        lag = " / ".join(f"{paste['lag'][k] * 1000:.1f}" for k in ("p50", "p99", "max"))
        shown_goal = f"< {PASTE_SHOWN_S:g} s"
        rows += [
            [f"{count} pasted IDs: counts shown", f"{paste['counts_shown_s']:.2f} s", shown_goal],
            [f"{count} pasted IDs: results table shown, at the end", f"{paste['table_shown_s']:.2f} s", shown_goal],
            [f"{count} pasted IDs: lag p50 / p99 / max", f"{lag} ms", f"p99 < {PASTE_LAG_P99 * 1000:.0f} ms"],
            [f"{count} pasted IDs: peak RSS (own, wait4)", f"{paste['maxrss_mb']:.0f} MB", f"< {PASTE_RSS_MB} MB"],
        ]
    if not startup.get("error"):
        rows.append(["start-up to first frame (tmux)", spread(startup["all_s"]), f"< {FIRST_FRAME_S:g} s"])
    if not helps.get("error"):
        rows.append(["vias-tui delete --help", spread(helps["all_s"]), f"< {HELP_S:g} s"])
    if not ceiling.get("error"):
        load = f"fake VIAS at L=0 ({ceiling['generator']}, {ceiling['connections']} connections)"
        one_core = f"{ceiling['fake_cpu_per_delete_ms']:.3f} ms -> {ceiling['fake_one_core_ceiling_per_s']:,.0f}/s"
        rows += [
            [load, f"{ceiling['per_s']:,.0f} deletes/s", f"> {CEILING_MARGIN:g}x the fastest client"],
            ["fake VIAS CPU per delete -> one core's ceiling", one_core, ""],
        ]
    table(rows, "lrl")
    print(other_line(meter_done))

    if paste.get("error"):
        for name in ("counts and table shown", "lag p99", "peak RSS"):
            report.check(f"{count} pasted IDs: {name}", False, "not measured", paste["error"][:200])
    else:
        shown = max(paste["counts_shown_s"], paste["table_shown_s"])
        figure = f"{paste['counts_shown_s']:.2f} s / {paste['table_shown_s']:.2f} s"
        report.check(f"{count} pasted IDs: counts and table shown < {PASTE_SHOWN_S:g} s", shown < PASTE_SHOWN_S, figure)
        p99 = paste["lag"]["p99"]
        report.check(
            f"{count} pasted IDs: lag p99 < {PASTE_LAG_P99 * 1000:.0f} ms", p99 < PASTE_LAG_P99, f"{p99 * 1000:.1f} ms"
        )
        rss = paste["maxrss_mb"]
        report.check(f"{count} pasted IDs: peak RSS < {PASTE_RSS_MB} MB", rss < PASTE_RSS_MB, f"{rss:.0f} MB")
    if startup.get("error"):
        why = str(startup["error"])[:200]
        report.check(f"start-up to first frame < {FIRST_FRAME_S:g} s", False, "not measured", why)
    else:
        first = startup["first_frame_s"]
        report.check(
            f"start-up to first frame < {FIRST_FRAME_S:g} s",
            first < FIRST_FRAME_S,
            f"{first:.2f} s",
            "from spawning it in a new terminal to its first frame there",
        )
    if helps.get("error"):
        report.check(f"vias-tui delete --help < {HELP_S:g} s", False, "not measured", helps["error"][:200])
    else:
        value = med(helps["all_s"])
        report.check(f"vias-tui delete --help < {HELP_S:g} s", value < HELP_S, f"{value:.2f} s")
    if ceiling.get("error"):
        report.check("fake VIAS not the bottleneck", False, "not measured", ceiling["error"][:200])
    else:
        margin = ceiling["per_s"] / fastest_rate if fastest_rate else float("inf")
        report.check(
            f"fake VIAS not the bottleneck: ceiling > {CEILING_MARGIN:g}x the fastest client",
            margin > CEILING_MARGIN,
            f"{margin:.1f}x",
            f"{ceiling['per_s']:,.0f}/s vs {fastest_rate:,.0f}/s; but at L>0 it answers each burst of C requests "
            "serially on one core (see section 1's note)",
        )


def _paste(count: int) -> dict[str, Any]:
    measured = run_measured(
        [sys.executable, "-m", "benchmarks.paste100k", "--ids", str(count)], timeout=300, as_limit_mb=SCALE_AS_LIMIT_MB
    )
    if measured.returncode != 0:
        raise RuntimeError(f"paste100k exited {measured.returncode}: {measured.stderr[-800:]}")
    data: dict[str, Any] = json.loads(measured.stdout.strip().splitlines()[-1])
    data["maxrss_mb"] = measured.maxrss_mb
    data["wall_s"] = measured.wall_s
    return data


# --- main ----------------------------------------------------------------------------------------------------


def fastest(report: Report) -> float:
    rates = [r["N"] / r["wall_s"] for r in good(report.results.get("throughput", {}).get("runs", []))]
    return max(rates, default=0.0)


def verdict(report: Report) -> bool:
    header("Verdict")
    width = max(len(check.name) for check in report.checks)
    for check in report.checks:
        line = f"{'PASS' if check.ok else 'FAIL'}  {check.name:<{width}}  {check.figure}"
        if check.context:
            line += f"  ({check.context})"
        print(line)
    passed = sum(check.ok for check in report.checks)
    print(f"\n{passed} of {len(report.checks)} checks pass")
    report.results["checks"] = [check.__dict__ for check in report.checks]
    return passed == len(report.checks)


SECTIONS = ("throughput", "cpu", "scale", "console", "kept")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3; --quick 1)")
    parser.add_argument("--ids", type=int, help="IDs per throughput and console run (default 2000)")
    parser.add_argument("--latency", type=float, help="seconds the fake adds to every answer (default 0.05)")
    parser.add_argument("--sweep", help="concurrencies, comma separated (default 4,16,32,64)")
    parser.add_argument("--json", metavar="PATH", help="write every figure to PATH")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 round: for the smoke test")
    parser.add_argument("--seed", type=int, default=1, help="seed for the order of clients within a round")
    parser.add_argument("--only", help=f"comma-separated sections to run (default all): {', '.join(SECTIONS)}")
    args = parser.parse_args(argv)
    only = [name.strip() for name in (args.only or ",".join(SECTIONS)).split(",") if name.strip()]
    if unknown := [name for name in only if name not in SECTIONS]:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    cfg = config_from(args)
    report = Report()
    report.results["config"] = cfg.__dict__
    rng = random.Random(args.seed)
    started = time.monotonic()
    print(f"vias-tui benchmark{' (--quick: tiny sizes, the figures mean nothing)' if cfg.quick else ''}")
    with tempfile.TemporaryDirectory(prefix="vias-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "config").mkdir()
        prepare(cfg, workdir, report)
        if "throughput" in only:
            section_throughput(cfg, workdir, report, rng)
        if "cpu" in only:
            section_cpu(cfg, workdir, report, rng)
        if "scale" in only:
            section_scale(cfg, workdir, report)
        if "console" in only:
            section_console(cfg, workdir, report)
        if "kept" in only:
            section_kept(cfg, workdir, report, fastest(report))
    ok = verdict(report)
    elapsed = time.monotonic() - started
    load = os.getloadavg()
    report.results["machine"]["loadavg_at_end"] = load
    report.results["elapsed_s"] = elapsed
    print(f"took {elapsed / 60:.1f} min; load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(report.results, indent=1, default=str))
        print(f"every figure: {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
