"""Operator mistakes and refusals: a one-line reason, what to do instead, and an exit code. No traceback."""

from __future__ import annotations

EXIT_OK = 0
EXIT_INCOMPLETE = 1  # something partial, failed, unknown or cancelled
EXIT_USAGE = 2  # usage or input error, or not confirmed: nothing sent
EXIT_AUTH = 3  # no usable token, or the token was rejected
EXIT_INTERRUPTED = 130


class OperatorError(Exception):
    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
