"""`python -m tui_app.fake --port 0` runs the fake VIAS (and IAM, and the ECS metadata service) on loopback and
prints its URL. Every switch is described in docs/fake.md."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import ssl
import sys

from tui_app.fake.aklock import AkLockPolicy
from tui_app.fake.faults import FAULTS, FaultPlan
from tui_app.fake.gateway import GatewayPolicy
from tui_app.fake.jobs import JobCount, JobPaging, JobState
from tui_app.fake.ratelimit import RateLimit
from tui_app.fake.seeding import seed_projects, seed_tasks
from tui_app.fake.server import FakeVias
from tui_app.fake.store import DEMO_IAM_USER, DEMO_MFA_PASSCODE, DEMO_TOKEN, FakeStore, MfaDevice


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tui_app.fake", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost", "::1"])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--tasks", type=int, default=60, help="demo batch tasks to seed in the default project")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plain", action="store_true", help="seed only tasks that delete cleanly")
    parser.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="NAME[=TASKS]",
        help="seed another project: a region (cn-east-3) or a subproject (cn-east-3_ops); repeatable",
    )
    parser.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate chain")
    parser.add_argument("--tls-key", metavar="PEM", help="the certificate's private key (default: in --tls-cert)")

    faults = parser.add_argument_group("faults")
    faults.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    faults.add_argument(
        "--every",
        action="append",
        default=[],
        metavar="N:FAULT",
        help=f"every Nth batch delete answers with FAULT ({', '.join(FAULTS)})",
    )
    faults.add_argument("--auth-fail-after", type=int, default=None, help="answer 401 after N deletes")
    faults.add_argument("--not-found-status", type=int, choices=[400, 404], default=400)

    creds = parser.add_argument_group("credentials")
    creds.add_argument("--token", action="append", default=[], help="accept this token too (repeatable)")
    creds.add_argument("--access-key", action="append", default=[], metavar="AK:SK", help="accept these keys")
    creds.add_argument(
        "--mfa", nargs="?", const=DEMO_MFA_PASSCODE, metavar="PASSCODE", help="give the demo user virtual MFA"
    )

    gateway = parser.add_argument_group("API gateway")
    gateway.add_argument("--rate-limit", metavar="N/s|N/min", help="throttle each user to N per second or minute")
    gateway.add_argument("--burst", type=int, help="bucket capacity (default: N)")
    gateway.add_argument("--retry-after", action="store_true", help="send Retry-After on a 429")
    gateway.add_argument("--ak-lock", action=argparse.BooleanOptionalAction, default=True, help="lock AKs")
    gateway.add_argument("--ak-lock-after", type=int, default=5, metavar="N", help="failures tolerated (5)")
    gateway.add_argument("--ak-lock-seconds", type=float, default=300.0, help="how long a lock lasts (300)")
    gateway.add_argument("--require-project-header", action="store_true", help="AK/SK needs a signed X-Project-Id")
    gateway.add_argument("--project-mismatch-status", type=int, choices=[401, 403], default=403)

    jobs = parser.add_argument_group("batches and jobs")
    jobs.add_argument("--refuse-running", action="store_true", help="refuse deleting a batch with running jobs")
    jobs.add_argument("--stop-delay", type=float, default=0.0, help="seconds a stopped job stays STOPPING")
    states = [s.value for s in JobState]
    jobs.add_argument(
        "--leftover-state", action="append", choices=states, metavar="STATE", help="a partial delete's leftovers"
    )
    jobs.add_argument("--upgrading-refusals", type=int, default=1, help="deletes an upgrading job refuses (1)")
    jobs.add_argument("--empty-batch-stays", action="store_true", help="a batch without jobs stays listed")
    jobs.add_argument("--job-count", choices=[c.value for c in JobCount], default=JobCount.TOTAL.value)
    jobs.add_argument("--job-paging", choices=[p.value for p in JobPaging], default=JobPaging.FROM_0.value)
    jobs.add_argument("--job-states-lower", action="store_true", help="TaskInfo.state in lower case")
    return parser


def _split(parser: argparse.ArgumentParser, items: list[str], sep: str, what: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        left, found, right = item.partition(sep)
        if not left or (not found and sep == ":"):
            parser.error(f"{what} wants {'AK:SK' if sep == ':' else 'NAME[=TASKS]'}")
        pairs.append((left, right))
    return pairs


def build(argv: list[str] | None = None) -> tuple[FakeVias, argparse.Namespace]:
    """The server the command line describes (not started)."""
    parser = _parser()
    args = parser.parse_args(argv)
    every: dict[int, str] = {}
    for period, fault in _split(parser, args.every, ":", "--every"):
        if not period.isdigit() or fault not in FAULTS:
            parser.error(f"--every wants N:FAULT with FAULT one of {', '.join(FAULTS)}")
        every[int(period)] = fault
    store = _store(parser, args)
    faults = FaultPlan(latency=args.latency, every=every, auth_fail_after=args.auth_fail_after)
    if args.rate_limit is None and (args.burst is not None or args.retry_after):
        parser.error("--burst and --retry-after need --rate-limit")
    try:
        limit = RateLimit.parse(args.rate_limit, args.burst, args.retry_after) if args.rate_limit else None
    except ValueError as problem:
        parser.error(f"--rate-limit: {problem}")
    policy = GatewayPolicy(
        rate_limit=limit,
        ak_lock=AkLockPolicy(args.ak_lock, args.ak_lock_after, args.ak_lock_seconds),
        require_project_header=args.require_project_header,
        project_mismatch_status=args.project_mismatch_status,
    )
    server = FakeVias(store, faults, host=args.host, port=args.port, tls=_tls(parser, args), gateway=policy)
    return server, args


def _store(parser: argparse.ArgumentParser, args: argparse.Namespace) -> FakeStore:
    store = FakeStore(not_found_status=args.not_found_status)
    store.tokens.update(args.token)
    for ak, sk in _split(parser, args.access_key, ":", "--access-key"):
        store.add_keys(ak, sk)
    if args.mfa is not None:
        store.mfa[(DEMO_IAM_USER[0], DEMO_IAM_USER[1])] = MfaDevice(args.mfa)
    store.refuse_running, store.stop_delay = args.refuse_running, args.stop_delay
    store.leftover_states = tuple(JobState(s) for s in args.leftover_state or ()) or store.leftover_states
    store.upgrading_refusals, store.empty_batch_stays = args.upgrading_refusals, args.empty_batch_stays
    store.job_count, store.job_paging = JobCount(args.job_count), JobPaging(args.job_paging)
    store.job_states_upper = not args.job_states_lower
    seed_tasks(store, args.tasks, args.seed, special=not args.plain)
    projects = []
    for name, count in _split(parser, args.project, "=", "--project"):
        if not count.isdigit() and count:
            parser.error("--project wants NAME[=TASKS]")
        projects.append((name, int(count or 20)))
    seed_projects(store, projects, args.seed, special=not args.plain)
    return store


def _tls(parser: argparse.ArgumentParser, args: argparse.Namespace) -> ssl.SSLContext | None:
    if args.tls_cert is None:
        if args.tls_key is not None:
            parser.error("--tls-key needs --tls-cert")
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(args.tls_cert, args.tls_key)
    except (OSError, ssl.SSLError) as problem:
        parser.error(f"cannot use the TLS certificate or key: {problem.strerror or problem}")
    return context


def main(argv: list[str] | None = None) -> int:
    server, _ = build(argv)
    return asyncio.run(_serve(server))


async def _serve(server: FakeVias) -> int:
    await server.start()
    print(server.url, flush=True)
    projects = ", ".join(f"{p.name} {p.id} ({len(p.tasks)} tasks)" for p in server.store.projects())
    print(f"projects: {projects}; demo token {DEMO_TOKEN}", file=sys.stderr, flush=True)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, done.set)
    await done.wait()
    await server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
