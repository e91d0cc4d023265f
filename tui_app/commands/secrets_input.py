"""Reading a secret from the operator: hidden at a terminal, a plain line from a pipe (for scripts)."""

from __future__ import annotations

import getpass
import sys


def read_secret(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def read_line(prompt: str) -> str:
    """A value that is not secret (an access key ID): echoed at a terminal."""
    if sys.stdin.isatty():
        return input(prompt)
    return sys.stdin.readline().rstrip("\r\n")
