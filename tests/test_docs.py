"""The docs say only what is true, as far as a machine can tell: the README stays a guide (at most 16 KB), every
relative link in the README, CONTRIBUTING.md and docs/*.md leads to a file (and heading) that exists, every
`vias-tui` command line in the README's code blocks parses with the real parser and shows each option as the
command's own --help spells it, and the README's quick-start test command is the one .ci/run runs.

Each check is a function that returns its problems, so the last tests can show that each one fails on a broken
README (a test that could not fail would prove nothing)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import unquote

from tests.helpers import ROOT
from tui_app import cli
from tui_app.commands.streams import Streams
from tui_app.problems import OperatorError

README = ROOT / "README.md"
README_LIMIT = 16 * 1024
CI_RUN = ROOT / ".ci" / "run"
CI_MARKER = "README's test command"  # the comment in .ci/run right above the command it runs
DOCS = [README, ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
# Beside the README's every code block, the `sh` blocks of these hold vias-tui commands to check too (other pages
# use the word for other things: the Babel domain, the bundle's name, its error lines).
COMMAND_PAGES = [ROOT / "CONTRIBUTING.md", *(ROOT / "docs" / name for name in ("cli.md", "fake.md", "install.md"))]

_FENCE = re.compile(r"^(?P<fence>```|~~~)(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>.+?)[ \t#]*$", re.MULTILINE)
# `vias-tui` as a command word (not a path, a file name or "vias-tui:" in output), and the words after it up to
# the end of the shell command: a pipe, a list operator, a redirection or the end of a `$( )`.
_INVOCATION = re.compile(r"(?<![\w./-])vias-tui(?=[ \t]|$)(?P<args>(?:[ \t]+[^\s|;&<>()]+)*)", re.MULTILINE)
_COMMENT = re.compile(r"(?:^|[ \t])#.*$", re.MULTILINE)


def code_blocks(text: str, language: str | None = None) -> list[str]:
    """The fenced code blocks, or only those whose info string is `language`."""
    return [m.group("body") for m in _FENCE.finditer(text) if language is None or m.group("info").strip() == language]


def prose(text: str) -> str:
    """The text without its code: a `[x]` in a code block or in `code` is not a link."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def anchors(text: str) -> set[str]:
    """The heading anchors GitHub makes: lower case, punctuation dropped, spaces as '-', repeats numbered."""
    seen: dict[str, int] = {}
    found = set()
    for match in _HEADING.finditer(prose(text)):
        slug = re.sub(r"[^\w\- ]", "", match.group("title").strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def broken_links(path: Path, text: str) -> list[str]:
    problems = []
    for match in _LINK.finditer(prose(text)):
        target = match.group("target")
        if _SCHEME.match(target):
            continue  # https:, mailto: ... : not a file of this repository
        file_part, _hash, anchor = target.partition("#")
        dest = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not dest.exists():
            problems.append(f"{path.name}: link to {target}: {dest} does not exist")
        elif anchor and dest.suffix == ".md" and unquote(anchor) not in anchors(dest.read_text(encoding="utf-8")):
            problems.append(f"{path.name}: link to {target}: no heading #{anchor} in {dest.name}")
    return problems


def invocations(text: str, language: str | None = None) -> list[list[str]]:
    """The argument lists of every `vias-tui` command in the text's code blocks (of `language`, if given)."""
    found = []
    for block in code_blocks(text, language):
        block = _COMMENT.sub("", block.replace("\\\n", " "))
        for match in _INVOCATION.finditer(block):
            found.append([word.strip("'\"") for word in match.group("args").split()])
    return found


def _help_of(command: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    argv = ["--help"] if command == "console" else [*command.split(), "--help"]
    code = cli.main(argv, stdin=io.StringIO(), stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    return out.getvalue()


def cli_problems(text: str, language: str | None = None) -> list[str]:
    """Each command line must parse as `vias-tui` parses it (commands, options, their values, the options a
    command takes before or after it), and each option must be spelt as the command's --help spells it (argparse
    would accept an abbreviation)."""
    problems = []
    helps: dict[str, str] = {}
    for argv in invocations(text, language):
        shown = "vias-tui " + " ".join(argv)
        err = io.StringIO()
        try:
            args = cli.parse(argv, Streams(io.StringIO(), io.StringIO(), err))
        except SystemExit as exc:
            if exc.code not in (0, None):
                problems.append(f"{shown}: {err.getvalue().strip().splitlines()[-1]}")
            continue
        except OperatorError as exc:
            problems.append(f"{shown}: {exc}")
            continue
        command = str(args.command)
        help_text = helps.setdefault(command, _help_of(command))
        for word in argv:
            flag = word.split("=", 1)[0]
            if (
                len(flag) > 1
                and flag.startswith("-")
                and not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text)
            ):
                problems.append(f"{shown}: {flag} is not how `vias-tui {command} --help` spells an option")
    return problems


def quick_start_commands(text: str) -> list[str]:
    section = text.split("\n## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = code_blocks(section)
    assert blocks, "the Quick start section has no code block"
    return [line.strip() for line in blocks[0].splitlines() if line.strip() and not line.lstrip().startswith("#")]


def ci_test_command() -> str:
    lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    marker = next(i for i, line in enumerate(lines) if CI_MARKER in line)
    return next(line.strip() for line in lines[marker + 1 :] if line.strip())


def quick_start_problems(text: str) -> list[str]:
    commands = quick_start_commands(text)
    problems = []
    if len(commands) != 2:
        problems.append(f"the quick start has {len(commands)} commands, not 2: {commands}")
    if not any(command.endswith("vias-tui --demo") for command in commands):
        problems.append("no quick-start command opens the demo")
    if ci_test_command() not in commands:
        problems.append(f"no quick-start command is .ci/run's test command {ci_test_command()!r}: {commands}")
    return problems


# --- the docs as they are ----------------------------------------------------------------------------------------


def test_the_readme_is_a_guide_of_at_most_16_kb() -> None:
    size = len(README.read_bytes())
    assert size <= README_LIMIT, f"README.md is {size} bytes; move reference to docs/"


def test_every_relative_link_leads_to_a_file_and_heading_that_exist() -> None:
    assert len(DOCS) > 3
    problems = [problem for path in DOCS for problem in broken_links(path, path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_every_command_line_in_the_readme_is_one_vias_tui_accepts() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(invocations(text)) >= 20  # the extraction still finds the README's examples
    problems = cli_problems(text)
    assert not problems, "\n".join(problems)


def test_the_command_lines_of_the_reference_pages_are_accepted_too() -> None:
    assert sum(len(invocations(page.read_text("utf-8"), "sh")) for page in COMMAND_PAGES) >= 8
    problems = [f"{page.name}: {p}" for page in COMMAND_PAGES for p in cli_problems(page.read_text("utf-8"), "sh")]
    assert not problems, "\n".join(problems)


def test_the_quick_start_test_command_is_the_one_ci_runs() -> None:
    problems = quick_start_problems(README.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


# --- each check fails on a broken README -------------------------------------------------------------------------


def test_a_missing_file_or_heading_is_a_broken_link() -> None:
    text = README.read_text(encoding="utf-8")
    broken = text + "\nSee [the gone page](docs/gone.md), [a lost part](docs/safety.md#no-such-part), [x](#nope).\n"
    problems = broken_links(README, broken)
    assert len(problems) == 3, problems
    assert not broken_links(README, text + "\n`[not a link](nowhere.md)` and [out](https://example.com/x.md)\n")


def test_an_unknown_command_or_option_is_caught() -> None:
    bad_lines = [
        "vias-tui dlete --ids-file ids.txt",  # no such command
        "vias-tui delete --ids-file ids.txt --no-such-flag",  # no such option
        "vias-tui delete --ids-file ids.txt --pre",  # an abbreviation argparse would take
        "vias-tui runs --region cn-north-4",  # an option the command does not take
        "vias-tui --region cn-north-4 runs",  # ... given before it
        "vias-tui delete --ids-file ids.txt --concurrency 100",  # a value out of range
        "vias-tui token login --profile p --mfa --user-id U \\\n    --passcode 123456",  # continued line
        'eval "$(vias-tui completion tcsh)"',  # inside $( )
    ]
    for line in bad_lines:
        broken = f"```sh\n{line}\n```\n"
        assert len(cli_problems(broken)) == 1, line
    good = "```sh\nvias-tui --profile prod delete --ids-file - --yes < ids.txt  # vias-tui nothing\n```\n"
    assert invocations(good) == [["--profile", "prod", "delete", "--ids-file", "-", "--yes"]]
    assert cli_problems(good) == []


def test_a_quick_start_that_drifts_from_ci_is_caught() -> None:
    text = README.read_text(encoding="utf-8")
    command = ci_test_command()
    assert command in text
    assert quick_start_problems(text.replace(command, command.replace("pytest", "pytest -x"), 1))
    assert quick_start_problems(text.replace("vias-tui --demo\n", "vias-tui --demo\npython3 -m ruff check .\n", 1))
