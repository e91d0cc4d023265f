"""`--help` wrapped by terminal cells in Chinese: a CJK character takes two columns and a Chinese sentence has no
spaces to break at, so argparse's textwrap (which counts characters and breaks only at spaces) runs every Chinese
help line past the edge of the terminal. This formatter wraps by cells and may break between any two CJK characters.

It overrides the two methods argparse's own RawDescriptionHelpFormatter and RawTextHelpFormatter override for the
same kind of purpose (argparse documents the class names only); in English it leaves them alone, so English help is
exactly argparse's. tests/test_i18n.py checks the width of Chinese help.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from tui_app.i18n import ENGLISH, current
from tui_app.ids import cells

# Punctuation that may not begin a line: it stays with the text before it (it may hang one character past the width,
# into the two columns argparse leaves free at the right).
_NO_BREAK_BEFORE = frozenset("，。、；：！？）》」』】,.;:!?)]")


class CellWrappingHelpFormatter(argparse.HelpFormatter):
    def _split_lines(self, text: str, width: int) -> list[str]:
        if current() == ENGLISH:
            return super()._split_lines(text, width)
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if current() == ENGLISH:
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))


def wrap(text: str, width: int) -> list[str]:
    """`text` (its whitespace collapsed, as argparse does) in lines of at most `width` cells."""
    width = max(width, 11)
    lines: list[str] = []
    line = ""
    for token in _tokens(" ".join(text.split())):
        if token == " ":
            line += " " if line else ""
            continue
        if line and cells(line) + cells(token) > width and token not in _NO_BREAK_BEFORE:
            lines.append(line.rstrip())
            line = ""
        line += token
    if line:
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> Iterator[str]:
    """Spaces, single wide characters (a line may break after any of them), and runs of everything else (words)."""
    word = ""
    for ch in text:
        if ch == " " or cells(ch) == 2:
            if word:
                yield word
                word = ""
            yield ch
        else:
            word += ch
    if word:
        yield word


__all__ = ["CellWrappingHelpFormatter", "wrap"]
