"""The three streams a command talks through, passed in rather than taken from `sys`: the CLI passes the real ones,
tests pass their own and run commands in-process."""

from __future__ import annotations

import getpass
import json
import sys
from dataclasses import dataclass
from typing import Any, TextIO


@dataclass
class Streams:
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    json_output: bool = False  # --output json: stdout carries one JSON document and nothing else

    @classmethod
    def system(cls) -> Streams:
        return cls(sys.stdin, sys.stdout, sys.stderr)

    def interactive(self) -> bool:
        """A person at a terminal can answer questions on stdin."""
        return _isatty(self.stdin)

    def say(self, text: str = "") -> None:
        """A line for people on stdout; on stderr instead when stdout carries the JSON document."""
        print(text, file=self.stderr if self.json_output else self.stdout, flush=True)

    def warn(self, text: str) -> None:
        print(text, file=self.stderr, flush=True)

    def document(self, data: dict[str, Any]) -> None:
        """The one JSON document of --output json (schema_version first)."""
        json.dump({"schema_version": 1, **data}, self.stdout, ensure_ascii=False, indent=2)
        self.stdout.write("\n")
        self.stdout.flush()

    def ask(self, prompt: str) -> str:
        """A line from the operator (echoed); EOFError at the end of input."""
        if self.stdin is sys.stdin and self.stderr is sys.stderr and _isatty(sys.stdin):
            return input(prompt)  # line editing at a real terminal
        self.stderr.write(prompt)
        self.stderr.flush()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")

    def secret(self, prompt: str) -> str:
        """A secret: hidden at a terminal, a plain line from a pipe (scripts)."""
        if self.stdin is sys.stdin and _isatty(sys.stdin):
            return getpass.getpass(prompt)
        return self.stdin.readline().rstrip("\r\n")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (ValueError, OSError):  # closed
        return False


__all__ = ["Streams"]
