"""The console in Simplified Chinese under Pilot, and the check that no English leaks onto its screens.

`cli.main` chooses the language before `commands/console.py` imports the console's modules, because Textual reads a
binding's description when its class is defined. A test process has imported them long before (in English), so
`chinese_console()` does what the CLI does: switch to Chinese, then import the console's modules afresh; the English
modules are put back afterwards, for the tests that follow.

What a line may hold without a CJK character: IDs, numbers, URLs, key names, masked credentials, the names that
stay as they are (VIAS, IAM, HTTP, Token, …), and text that is not the console's own: what the service sent, what
the operator pasted, command lines, and the texts made by modules outside the console (given by each test, see
`not_the_consoles`). Anything else in English is a leak.
"""

from __future__ import annotations

import html
import importlib
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from tui_app import i18n
from tui_app.ids import cells

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
LETTER = re.compile(r"[A-Za-z]")
# Drawn, not written: borders, scrollbars, the tabs' underline, the focus mark of an option.
FRAME = re.compile(r"[\u2500-\u259f\u25a0-\u25ff›▏▎▊▔▁▂▃▄▅▆▇█▉]")
TOKENS = re.compile(
    r"https?://\S+"  # URLs
    r"|\b[0-9A-Za-z]{1,8}…[0-9A-Za-z]{1,8}\b"  # masked credentials and shortened project IDs: DEMO…0001, 0a1b…e8f9
    r"|\b[0-9a-f]{16,}\b"  # IDs
    r"|\^[a-z]\b|\b(?:ctrl|shift|alt)\+[a-z0-9]+\b|\b[fF]\d{1,2}\b|\b(?:esc|Esc|escape|Escape|Enter|enter|tab)\b"
    r"|\b(?:ID|IDs|VIAS|IAM|HTTP|Token|AK|SK|MFA|OSC|URL|vias-tui)\b"  # names that stay as they are
    r"|[0-9][0-9,.:+%]*"  # numbers, times
)
# The console's own modules: imported afresh in Chinese. The paste guard keeps its module: it installs a parser
# into Textual's driver once per process and has no text of its own.
KEEP = frozenset({"tui_app.ui.paste_guard"})


def _console_modules() -> dict[str, ModuleType]:
    return {
        name: module
        for name, module in sys.modules.items()
        if name.startswith("tui_app.ui.") and not hasattr(module, "__path__") and name not in KEEP
    }


@contextmanager
def chinese_console() -> Iterator[ModuleType]:
    """The module `tui_app.ui.app` (and with it every console module) imported in Chinese; English afterwards."""
    english = _console_modules()
    i18n.use(i18n.CHINESE)
    for name in english:
        del sys.modules[name]
    try:
        yield importlib.import_module("tui_app.ui.app")
    finally:
        for name in _console_modules():
            del sys.modules[name]
            parent, _dot, child = name.rpartition(".")
            if hasattr(sys.modules.get(parent), child):
                delattr(sys.modules[parent], child)
        for name, module in english.items():
            sys.modules[name] = module
            parent, _dot, child = name.rpartition(".")
            setattr(sys.modules[parent], child, module)
        i18n.use(i18n.ENGLISH)


def module(name: str) -> Any:
    """A console module as it is imported now (inside `chinese_console()`: the Chinese one)."""
    return sys.modules[name]


_TEXT = re.compile(
    r'<text class="[^"]*" x="([0-9.]+)" y="[0-9.]+" textLength="[0-9.]+" [^>]*line-(\d+)\)">([^<]*)</text>'
)
CELL = 12.2  # the width of one cell in Textual's SVG screenshots


def screen_lines(svg: str, width: int, height: int) -> list[str]:
    """The screen's text, line by line, read back from `App.export_screenshot()` (each piece at its cell)."""
    rows: list[list[str]] = [[" "] * width for _line in range(height)]
    for x, line, text in _TEXT.findall(svg):
        column, row = round(float(x) / CELL), int(line)
        for char in html.unescape(text).replace("\xa0", " "):
            if 0 <= row < height and column < width:
                rows[row][column] = char
                if cells(char) == 2 and column + 1 < width:
                    rows[row][column + 1] = ""  # the right half of a wide character
            column += cells(char)
    return ["".join(row).rstrip() for row in rows]


def _normal(text: str) -> str:
    return " ".join(text.split())


def leaks(lines: Iterable[str], foreign: Iterable[str]) -> list[str]:
    """The lines that show English of the console's own: no CJK character, and a piece that is neither one of the
    tokens above nor part of a foreign text (`foreign`: service text, the operator's input, command lines, texts of
    modules outside the console). Pieces are what lies between runs of two or more spaces (table cells, columns)."""
    known = [_normal(text) for text in foreign if text.strip()]
    found = []
    for line in lines:
        if CJK.search(line):
            continue
        for piece in re.split(r"\s{2,}", FRAME.sub("  ", line).strip()):
            if not LETTER.search(TOKENS.sub(" ", piece)):
                continue
            # A cell cut short ends in "…"; a row may start with its ID column.
            core = _normal(re.sub(r"^[0-9a-f]{16,} ", "", piece).rstrip("…"))
            if not any(core in text for text in known):
                found.append(line)
                break
    return found
