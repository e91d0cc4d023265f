"""Argument parsing, subcommands and exit codes. Heavy imports happen inside the handlers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from tui_app import __version__
from tui_app.problems import EXIT_INTERRUPTED, EXIT_USAGE, OperatorError

# Mirrors engine.MAX_CONCURRENCY (importing the engine here would slow `--help` down); a test keeps them equal.
CONCURRENCY_LIMIT = 64
AUTH_MODES = ("auto", "token", "aksk", "ecs-agency")

Handler = Callable[[argparse.Namespace], int]


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= CONCURRENCY_LIMIT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {CONCURRENCY_LIMIT}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.1 <= value <= 600:
        raise argparse.ArgumentTypeError("must be between 0.1 and 600 seconds")
    return value


def _add_target(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("target and credentials (flag > environment > profile)")
    group.add_argument("--profile", help="profile name (env VIAS_PROFILE; default 'default')")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--region", help="region, e.g. cn-north-4 (env VIAS_REGION)")
    where.add_argument("--endpoint", help="explicit endpoint URL; https, or http on loopback (env VIAS_ENDPOINT)")
    group.add_argument("--project-id", help="project ID (env VIAS_PROJECT_ID, then HUAWEICLOUD_SDK_PROJECT_ID)")
    group.add_argument("--ca-bundle", help="PEM file of CA certificates to trust for the endpoint")
    group.add_argument("--auth", choices=AUTH_MODES, help="which credentials to use (env VIAS_AUTH; default auto)")
    group.add_argument(
        "--timeout", type=_seconds, default=30.0, help="seconds one attempt may take, connect to last byte (default 30)"
    )
    group.add_argument(
        "--concurrency",
        type=_concurrency,
        default=None,
        help=f"parallel requests, 1-{CONCURRENCY_LIMIT} (env VIAS_CONCURRENCY; default 16)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vias-tui",
        description="Delete Huawei Cloud VIAS batch tasks safely and in bulk. Without a command, opens the console.",
    )
    parser.add_argument("--version", action="version", version=f"vias-tui {__version__}")
    parser.add_argument("--demo", action="store_true", help="run against a built-in fake VIAS (no cloud account)")
    _add_target(parser)
    parser.set_defaults(handler=_lazy("tui_app.commands.console", "run"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    delete = sub.add_parser(
        "delete",
        help="delete batch tasks headless (for scripts)",
        description="Delete the batch tasks listed in a file (or stdin) without the console.",
    )
    _add_target(delete)
    delete.add_argument("--ids-file", required=True, metavar="PATH", help="file with IDs, or - for stdin")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation (required without a terminal)")
    delete.add_argument("--dry-run", action="store_true", help="show what would be sent; send nothing")
    delete.add_argument(
        "--preview",
        action="store_true",
        help="first list the project's batch tasks and show what each ID is (name, jobs, state)",
    )
    delete.add_argument(
        "--keep-not-found",
        action="store_true",
        help="with --preview: also send IDs the listing did not find (excluded by default)",
    )
    delete.add_argument(
        "--exclude-running", action="store_true", help="with --preview: do not send tasks that have running jobs"
    )
    delete.add_argument(
        "--allow-overlap",
        action="store_true",
        help="send IDs even while another live run against the same target has them unsettled",
    )
    delete.add_argument("--report", metavar="PATH", help="write a report of every entry to PATH")
    delete.add_argument("--format", choices=["jsonl", "csv"], help="report format (default: from PATH's suffix)")
    delete.set_defaults(handler=_lazy("tui_app.commands.delete", "run"))

    token = sub.add_parser("token", help="store, check or forget the IAM token for a profile")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    for name, text in (
        ("set", "read a token from stdin (no echo) and store it in the OS keyring"),
        ("status", "where the token comes from, masked, and when it expires (exit 3 if none)"),
        ("forget", "remove the stored credentials from the OS keyring"),
        ("login", "IAM password login; stores the token and its expiry"),
    ):
        action = token_sub.add_parser(name, help=text, description=text)
        action.add_argument("--profile", help="profile name (default 'default')")
        if name == "set":
            action.add_argument("--expires-at", help="ISO 8601 expiry, if known (e.g. 2026-11-29T09:05:22Z)")
        if name == "login":
            action.add_argument("--account", help="IAM account (domain) name; default from the profile")
            action.add_argument("--user", help="IAM user name; default from the profile")
            action.add_argument("--region", help="region to scope the token to; default from the profile")
            action.add_argument(
                "--iam-endpoint", help="IAM endpoint URL (default https://iam.REGION.myhuaweicloud.com)"
            )
            action.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
            action.add_argument("--ca-bundle", help="PEM file of CA certificates to trust for IAM")
        module = "tui_app.commands.stored" if name == "forget" else "tui_app.commands.token"
        action.set_defaults(handler=_lazy(module, f"{name}_" if name == "set" else name))

    aksk = sub.add_parser("aksk", help="store, check or forget access keys (AK/SK) for a profile")
    aksk_sub = aksk.add_subparsers(dest="aksk_command", metavar="ACTION", required=True)
    for name, text in (
        ("set", "read the AK, then the SK (hidden) and an optional security token; store them"),
        ("status", "which access keys would be used, masked (exit 3 if none)"),
        ("forget", "remove the stored credentials from the OS keyring"),
    ):
        action = aksk_sub.add_parser(name, help=text, description=text)
        action.add_argument("--profile", help="profile name (default 'default')")
        if name == "set":
            action.add_argument("--expires-at", help="ISO 8601 expiry of temporary keys, if known")
        module = "tui_app.commands.stored" if name == "forget" else "tui_app.commands.aksk"
        action.set_defaults(handler=_lazy(module, f"{name}_" if name == "set" else name))

    auth = sub.add_parser("auth", help="which credentials would be used, and why")
    auth_sub = auth.add_subparsers(dest="auth_command", metavar="ACTION", required=True)
    auth_status = auth_sub.add_parser(
        "status", help="the source --auth would use, and why each earlier one was skipped (masked)"
    )
    auth_status.add_argument("--profile", help="profile name (default 'default')")
    auth_status.add_argument(
        "--auth", choices=AUTH_MODES, help="the mode to check (default: env VIAS_AUTH, the profile, auto)"
    )
    auth_status.set_defaults(handler=_lazy("tui_app.commands.aksk", "auth_status"))

    profile = sub.add_parser("profile", help="list, show, set or delete profiles")
    profile_sub = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    list_profiles = profile_sub.add_parser("list", help="list profiles")
    list_profiles.set_defaults(handler=_lazy("tui_app.commands.profile", "list_"))
    show = profile_sub.add_parser("show", help="show one profile and where each value comes from")
    show.add_argument("name", nargs="?")
    show.set_defaults(handler=_lazy("tui_app.commands.profile", "show"))
    set_profile = profile_sub.add_parser("set", help="create or update a profile")
    set_profile.add_argument("name")
    where = set_profile.add_mutually_exclusive_group()
    where.add_argument("--region")
    where.add_argument("--endpoint")
    set_profile.add_argument("--project-id")
    set_profile.add_argument("--account", dest="iam_domain", help="IAM account (domain) name for token login")
    set_profile.add_argument("--user", dest="iam_user", help="IAM user name for token login")
    set_profile.add_argument("--ca-bundle")
    set_profile.add_argument("--auth", choices=AUTH_MODES, help="which credentials to use by default")
    set_profile.add_argument("--concurrency", type=_concurrency, help="parallel requests for this profile")
    set_profile.set_defaults(handler=_lazy("tui_app.commands.profile", "set_"))
    delete_profile = profile_sub.add_parser("delete", help="delete a profile (and say whether credentials remain)")
    delete_profile.add_argument("name")
    delete_profile.set_defaults(handler=_lazy("tui_app.commands.profile", "delete"))

    runs = sub.add_parser("runs", help="list recent runs from their journals")
    runs.add_argument("--limit", type=int, default=20)
    runs.set_defaults(handler=_lazy("tui_app.commands.runs", "list_"))
    resume = sub.add_parser(
        "resume",
        help="send again what an interrupted or cancelled run left unanswered",
        description="Re-plan the IDs of a run that have no final outcome (never sent, "
        "cancelled, unknown), confirm, and append to the same journal.",
    )
    which = resume.add_mutually_exclusive_group(required=True)
    which.add_argument("run_id", nargs="?", help="run ID (or a unique prefix), see `vias-tui runs`")
    which.add_argument("--last", action="store_true", help="the most recent run")
    resume.add_argument("--profile", help="profile for the credentials (default: the run's own profile)")
    resume.add_argument("--auth", choices=AUTH_MODES, help="which credentials to use (default auto)")
    resume.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    resume.add_argument("--concurrency", type=_concurrency, default=None)
    resume.add_argument("--timeout", type=_seconds, default=30.0)
    resume.add_argument("--ca-bundle", help="PEM file of CA certificates to trust for the endpoint")
    resume.add_argument(
        "--allow-overlap",
        action="store_true",
        help="send IDs even while another live run against the same target has them unsettled",
    )
    resume.add_argument("--report", metavar="PATH", help="write a report of the whole run to PATH")
    resume.add_argument("--format", choices=["jsonl", "csv"])
    resume.set_defaults(handler=_lazy("tui_app.commands.resume", "run"))
    report = sub.add_parser("report", help="export the report of a run from its journal")
    report.add_argument("run_id", nargs="?", help="run ID (default: the latest)")
    report.add_argument("--output", "-o", required=True, metavar="PATH", help="where to write; - for stdout")
    report.add_argument("--format", choices=["jsonl", "csv"])
    report.set_defaults(handler=_lazy("tui_app.commands.runs", "report"))
    return parser


def _lazy(module: str, name: str) -> Handler:
    def handler(args: argparse.Namespace) -> int:
        import importlib

        function: Handler = getattr(importlib.import_module(module), name)
        return function(args)

    return handler


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except OperatorError as exc:
        print(f"vias-tui: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("vias-tui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
