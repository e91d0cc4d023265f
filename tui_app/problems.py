"""Operator mistakes and refusals: a one-line reason, what to do instead, and an exit code. No traceback."""

from __future__ import annotations

EXIT_OK = 0
EXIT_INCOMPLETE = 1  # something partial, failed, unknown or cancelled
EXIT_USAGE = 2  # usage, input or environment error, refused, or not confirmed: nothing sent
EXIT_AUTH = 3  # no usable credentials, or they were rejected
EXIT_JOURNAL = 4  # the journal could not be written mid-run: unrecorded outcomes were printed on stderr
EXIT_INTERRUPTED = 130


class OperatorError(Exception):
    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class JournalWriteError(Exception):
    """A journal line could not be written whole (disk full, I/O error); the file was left without a torn line."""
