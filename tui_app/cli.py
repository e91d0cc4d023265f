"""The command line: wiring only. Each command module owns its flags (`register`) and its work (`run`, whose heavy
imports stay inside it so that `--help` and completion start fast); the options `vias-tui --help` lists are accepted
before or after the subcommand (commands/options.py). The language is chosen first of all, from a pre-scan of the
command line (language_choice.py), so that the parser's own help and errors are translated too."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO, cast

from tui_app import __version__, i18n
from tui_app.commands import aksk, completion, console, delete, locate, profile, resume, runs, token
from tui_app.commands.help_format import CellWrappingHelpFormatter
from tui_app.commands.options import GLOBALS, add_globals, merge
from tui_app.commands.streams import Streams
from tui_app.i18n import _
from tui_app.language_choice import LanguageError, option_value, start
from tui_app.problems import EXIT_INTERRUPTED, EXIT_USAGE, OperatorError

# The order `vias-tui --help` lists them in.
COMMANDS = (delete, resume, locate, runs, token, aksk, profile, completion)


class _UsageExit(SystemExit):
    """argparse's exit on a usage error, with its message (for --output json's error document)."""

    def __init__(self, code: object, message: str) -> None:
        super().__init__(code)
        self.message = message


class _Parser(argparse.ArgumentParser):
    """Argparse writing its help and errors to the streams given to `main` (tests run the CLI in-process)."""

    out: TextIO = sys.stdout
    err: TextIO = sys.stderr

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", CellWrappingHelpFormatter)  # subcommands' parsers too
        super().__init__(*args, **kwargs)

    def _print_message(self, message: str, file: TextIO | None = None) -> None:  # type: ignore[override]
        if message:
            (self.out if file is sys.stdout else self.err).write(message)

    def error(self, message: str) -> NoReturn:
        try:
            super().error(message)
        except SystemExit as exc:
            raise _UsageExit(exc.code, message) from None


def build_parser(stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> argparse.ArgumentParser:
    parser_class: type[_Parser] = type("Parser", (_Parser,), {"out": stdout, "err": stderr})
    parser = parser_class(
        prog="vias-tui",
        description=_("Delete Huawei Cloud VIAS batch tasks safely and in bulk. Without a command, opens the console."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"vias-tui {__version__}",
        help=_("show program's version number and exit"),
    )
    parser.add_argument("--demo", action="store_true", help=_("open the console against a built-in fake VIAS"))
    add_globals(parser, (option.dest for option in GLOBALS), on_subcommand=False)
    parser.set_defaults(command="console", honoured=console.HONOURED, handler=console.run)
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command_name", metavar="COMMAND", parser_class=parser_class),
    )
    for module in COMMANDS:
        module.register(sub)
    return parser


def parse(argv: Sequence[str] | None, io: Streams | None = None) -> argparse.Namespace:
    """Parse and reconcile the global options; OperatorError (exit 2) for an option the command does not honour."""
    io = io or Streams.system()
    parser = build_parser(io.stdout, io.stderr)
    if "_ARGCOMPLETE" in os.environ:  # shell completion (`vias-tui completion`): answers and exits
        completion.complete(parser)
    args = parser.parse_args(argv)
    if args.command != "console" and args.demo:
        raise OperatorError(
            _("--demo opens the console; it does not apply to `vias-tui {command}`").format(command=args.command)
        )
    if "output" not in args.honoured:  # a command without a JSON mode: its refusal of --output is for people
        io.json_output = False
    merge(args, args.command, args.honoured)
    return args


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    io = Streams(stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr)
    argv = list(sys.argv[1:] if argv is None else argv)
    with i18n.restored():  # as it was afterwards: tests run the CLI in-process
        try:
            start(argv)  # first of all: the parser's help and errors are in the chosen language too
        except LanguageError as exc:
            io.warn(f"vias-tui: {exc}")
            if _json_asked(argv):
                io.document({"error": {"message": str(exc), "exit_code": EXIT_USAGE}})
            return EXIT_USAGE
        if i18n.catalog_missing():  # English on purpose: there is no catalog to say it in Chinese
            io.warn(
                "vias-tui: the Chinese catalog is not compiled here (install with pip, which builds it, or run "
                "`pybabel compile -d tui_app/locale -D vias-tui`); showing English"
            )
        return _run(argv, io)


def _json_asked(argv: Sequence[str]) -> bool:
    """--output json on the command line, before the parser has read it (a usage error prints a document too)."""
    return option_value(argv, "--output") == "json"


def _run(argv: Sequence[str], io: Streams) -> int:
    io.json_output = _json_asked(argv)  # until the parser says: errors in parsing print a document too
    try:
        args = parse(argv, io)
        if args.lang and i18n.normalize(args.lang) != i18n.current():  # e.g. an abbreviated --lan the scan missed
            i18n.use(i18n.normalize(args.lang) or i18n.ENGLISH)
        io.json_output = args.output == "json"
        return int(args.handler(args, io))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = EXIT_USAGE if isinstance(exc.code, str) else int(exc.code or 0)
        if isinstance(exc, _UsageExit) and io.json_output:
            io.document({"error": {"message": exc.message, "exit_code": code}})
        return code
    except OperatorError as exc:
        io.warn(f"vias-tui: {exc}")
        if io.json_output:
            io.document({"error": {"message": str(exc), "exit_code": exc.exit_code}})
        return exc.exit_code
    except KeyboardInterrupt:
        io.warn(_("vias-tui: interrupted"))
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
