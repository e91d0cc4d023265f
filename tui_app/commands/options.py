"""The options `vias-tui --help` lists, accepted before or after the subcommand (as aws and KooCLI accept theirs).

Each command says which of them it honours. Argparse alone gets this wrong: a subcommand that defines the same
option writes its default over the value given before the subcommand, silently (`vias-tui --endpoint A delete`
deleted against the profile's endpoint). So the copy on a subcommand parses into a `sub_`-prefixed name, both
copies default to "not given", and `merge` reconciles them after parsing: one value wins only when the other was not
given, two different values are refused, and an option the command does not honour is refused (exit 2) before
anything is read or sent.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui_app.i18n import CHOICES as LANGUAGE_CHOICES
from tui_app.i18n import N_, _, ngettext
from tui_app.i18n import normalize as normalize_language
from tui_app.problems import OperatorError

if TYPE_CHECKING:
    from tui_app.settings import Target

CONCURRENCY_LIMIT = 64  # mirrors engine.MAX_CONCURRENCY (importing the engine here would slow `--help`); tested
AUTH_MODES = ("auto", "token", "aksk", "ecs-agency")
OUTPUT_FORMATS = ("text", "json")
SUB = "sub_"  # the dest prefix of an option's copy on a subcommand
DEFAULT_TIMEOUT = 30.0


def concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value!r} is not a whole number").format(value=text)) from None
    if not 1 <= value <= CONCURRENCY_LIMIT:
        raise argparse.ArgumentTypeError(_("must be between 1 and {limit}").format(limit=CONCURRENCY_LIMIT))
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value!r} is not a number of seconds").format(value=text)) from None
    if not 0.1 <= value <= 600:
        raise argparse.ArgumentTypeError(_("must be between 0.1 and 600 seconds"))
    return value


def language(text: str) -> str:
    """zh-CN, zh_CN, zh or en, any case: as `zh-CN` or `en` (the spelling a profile saves)."""
    if normalize_language(text) is None:
        raise argparse.ArgumentTypeError(_("{value!r} is not a language; use zh-CN or en").format(value=text))
    return "en" if normalize_language(text) == "en" else "zh-CN"


@dataclass(frozen=True)
class GlobalOption:
    dest: str
    flags: tuple[str, ...]
    help: str  # marked with N_: translated (and its {limit} filled in) when a parser is built
    kwargs: dict[str, Any] = field(default_factory=dict)
    default: object = None  # the value a command sees when the option was given nowhere

    @property
    def name(self) -> str:
        return self.flags[0]


GLOBALS: tuple[GlobalOption, ...] = (
    GlobalOption(
        "profile", ("--profile",), N_("profile name (env VIAS_PROFILE; default 'default')"), {"metavar": "NAME"}
    ),
    GlobalOption("region", ("--region",), N_("region, e.g. cn-north-4 (env VIAS_REGION)"), {"metavar": "REGION"}),
    GlobalOption(
        "endpoint",
        ("--endpoint",),
        N_("explicit endpoint URL; https, or http on loopback (env VIAS_ENDPOINT)"),
        {"metavar": "URL"},
    ),
    GlobalOption(
        "project_id",
        ("--project-id",),
        N_("project ID (env VIAS_PROJECT_ID, then HUAWEICLOUD_SDK_PROJECT_ID)"),
        {"metavar": "ID"},
    ),
    GlobalOption("ca_bundle", ("--ca-bundle",), N_("PEM file of CA certificates to trust"), {"metavar": "PEM"}),
    GlobalOption(
        "auth", ("--auth",), N_("which credentials to use (env VIAS_AUTH; default auto)"), {"choices": AUTH_MODES}
    ),
    GlobalOption(
        "timeout",
        ("--timeout",),
        N_("seconds one attempt may take, connect to last byte (default 30)"),
        {"type": seconds, "metavar": "SECONDS"},
        DEFAULT_TIMEOUT,
    ),
    GlobalOption(
        "concurrency",
        ("--concurrency",),
        N_("parallel requests, 1-{limit} (env VIAS_CONCURRENCY; default 16)"),
        {"type": concurrency, "metavar": "N"},
    ),
    GlobalOption(
        "proxy",
        ("--proxy",),
        N_(
            "HTTP proxy URL, http://[user:password@]host:port ('' for none; default: env VIAS_PROXY, the profile, "
            "then HTTPS_PROXY / ALL_PROXY with NO_PROXY)"
        ),
        {"metavar": "URL"},
    ),
    GlobalOption(
        "output",
        ("--output",),
        N_("text for people (default) or one JSON document on stdout for scripts"),
        {"choices": OUTPUT_FORMATS},
        "text",
    ),
    GlobalOption(
        "lang",
        ("--lang",),
        N_("interface language: zh-CN or en (env VIAS_LANG, the profile's lang, then the locale)"),
        {"type": language, "metavar": "{" + ",".join(LANGUAGE_CHOICES) + "}"},
    ),
)
BY_DEST = {option.dest: option for option in GLOBALS}


def _profile_names(**_kwargs: Any) -> list[str]:
    """Shell completion for --profile: the saved profiles (read only when completing)."""
    from tui_app.settings import load_profiles

    try:
        return sorted(load_profiles())
    except Exception:  # a broken profiles file must not break the operator's shell
        return []


def complete_run_ids(**_kwargs: Any) -> list[str]:
    """Shell completion for a run ID (resume, report): the recorded runs, newest first."""
    from tui_app.paths import default_runs_dir
    from tui_app.runlog import list_runs

    try:
        return [path.stem for path in list_runs(default_runs_dir())]
    except Exception:  # an unreadable state directory must not break the operator's shell
        return []


def with_completer(action: argparse.Action, completer: Callable[..., list[str]]) -> None:
    setattr(action, "completer", completer)  # noqa: B010 - what argcomplete reads


def _regions(**_kwargs: Any) -> list[str]:
    from tui_app.vias.endpoints import REGIONS

    return list(REGIONS)


class _Once(argparse.Action):
    """Store the value; a second, different value in the same place is refused (argparse would keep the last)."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: Any = None
    ) -> None:
        previous = getattr(namespace, self.dest, argparse.SUPPRESS)
        if previous is not argparse.SUPPRESS and previous != values:
            raise OperatorError(
                _("{option} is given twice, as {first!r} and as {second!r}; give it once").format(
                    option=self.option_strings[0], first=previous, second=values
                )
            )
        setattr(namespace, self.dest, values)


COMPLETERS = {"profile": _profile_names, "region": _regions}
TARGET = frozenset({"profile", "region", "endpoint", "project_id", "ca_bundle", "proxy"})
RUN = TARGET | {"auth", "timeout", "concurrency"}
# Honoured by every command, whatever its own set says: every command prints text. add_globals adds these to every
# parser and merge never refuses them.
EVERYWHERE = frozenset({"lang"})


def add_globals(parser: argparse.ArgumentParser, dests: Iterable[str], *, on_subcommand: bool) -> None:
    """Add the global options named by `dests` to `parser` (its own group in --help)."""
    wanted = set(dests) | EVERYWHERE
    group = parser.add_argument_group(_("options also accepted before the command"))
    where = group.add_mutually_exclusive_group() if {"region", "endpoint"} <= wanted else group
    for option in GLOBALS:
        if option.dest not in wanted:
            continue
        target = where if option.dest in ("region", "endpoint") else group
        dest = SUB + option.dest if on_subcommand else option.dest
        action = target.add_argument(
            *option.flags,
            dest=dest,
            default=argparse.SUPPRESS,
            action=_Once,
            help=_(option.help).format(limit=CONCURRENCY_LIMIT),
            **option.kwargs,
        )
        if option.dest in COMPLETERS:
            with_completer(action, COMPLETERS[option.dest])


def merge(args: argparse.Namespace, command: str, honoured: frozenset[str]) -> None:
    """Reconcile each global option's two positions into `args.<dest>`; refuse what `command` does not honour.
    `args.honoured` becomes the full set the command honours (its own, plus EVERYWHERE)."""
    honoured = honoured | EVERYWHERE
    args.honoured = honoured
    given: dict[str, object] = {}
    for option in GLOBALS:
        top = getattr(args, option.dest, argparse.SUPPRESS)
        sub = getattr(args, SUB + option.dest, argparse.SUPPRESS)
        if hasattr(args, SUB + option.dest):
            delattr(args, SUB + option.dest)
        if top is not argparse.SUPPRESS and sub is not argparse.SUPPRESS and top != sub:
            raise OperatorError(
                _(
                    "{option} is given twice, as {before!r} before `{command}` and as {after!r} after it; give it once"
                ).format(option=option.name, before=top, command=command, after=sub)
            )
        value = sub if sub is not argparse.SUPPRESS else top
        if value == "" and option.dest != "proxy":  # --proxy '' is "no proxy"; any other '' would fall back
            raise OperatorError(_("{option} is empty; give a value or leave the option out").format(option=option.name))
        if value is not argparse.SUPPRESS:
            given[option.dest] = value
        setattr(args, option.dest, option.default if value is argparse.SUPPRESS else value)
    refused = [BY_DEST[dest].name for dest in given if dest not in honoured]
    if refused:
        where, helping = (
            (_("the console (vias-tui without a command)"), "vias-tui --help")
            if command == "console"
            else (f"`vias-tui {command}`", f"vias-tui {command} --help")
        )
        raise OperatorError(
            ngettext(
                "{options} does not apply to {where}; nothing was done (see `{help}`)",
                "{options} do not apply to {where}; nothing was done (see `{help}`)",
                len(refused),
            ).format(options=", ".join(refused), where=where, help=helping)
        )
    if given.get("region") and given.get("endpoint"):
        raise OperatorError(_("--region and --endpoint both name where to send requests; give one"))


__all__ = [
    "AUTH_MODES",
    "CONCURRENCY_LIMIT",
    "EVERYWHERE",
    "GLOBALS",
    "OUTPUT_FORMATS",
    "RUN",
    "TARGET",
    "GlobalOption",
    "add_globals",
    "concurrency",
    "language",
    "merge",
    "seconds",
]


def target_from(args: argparse.Namespace) -> Target:
    """The target the command line names, over the environment and the profile (settings.resolve_target)."""
    from tui_app.settings import resolve_target

    return resolve_target(
        args.profile,
        region=args.region,
        endpoint=args.endpoint,
        project_id=args.project_id,
        ca_bundle=args.ca_bundle,
        proxy=args.proxy,
    )
