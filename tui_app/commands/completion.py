"""`vias-tui completion bash|zsh|fish`: a shell completion script, generated from the argument parser by
argcomplete (every subcommand and option, choices such as --auth's, profile names and regions).

The script the shell loads calls `vias-tui` back with `_ARGCOMPLETE` set; `cli.parse` then hands the parser to
`complete` before parsing anything, and argcomplete prints the candidates and exits. That start is cheap: the
command modules import nothing heavy at the top.
"""

from __future__ import annotations

import argparse

from tui_app.commands.options import add_globals
from tui_app.commands.streams import Streams
from tui_app.i18n import _

SHELLS = ("bash", "zsh", "fish")
HONOURED: frozenset[str] = frozenset()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "completion",
        help=_("print a shell completion script (bash, zsh or fish)"),
        description=_(
            'Print a completion script for vias-tui. bash: add `eval "$(vias-tui completion bash)"` to '
            "~/.bashrc; zsh: the same line in ~/.zshrc; fish: `vias-tui completion fish > "
            "~/.config/fish/completions/vias-tui.fish`."
        ),
    )
    parser.add_argument("shell", choices=SHELLS)
    add_globals(parser, HONOURED, on_subcommand=True)
    parser.set_defaults(command="completion", honoured=HONOURED, handler=run)


def run(args: argparse.Namespace, io: Streams) -> int:
    from argcomplete.shell_integration import shellcode

    io.stdout.write(shellcode(["vias-tui"], shell=args.shell))
    return 0


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer a completion request (argcomplete prints the candidates and exits the process)."""
    import argcomplete

    argcomplete.autocomplete(parser)
