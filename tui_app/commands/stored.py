"""What `token` and `aksk` share: reading a secret from the operator (hidden at a terminal, a plain line from a
pipe, for scripts) and forgetting the profile's stored credentials (one keyring entry: a token or keys)."""

from __future__ import annotations

import argparse
import getpass
import sys

from tui_app.keyring_store import KeyringUnavailable, forget_entry
from tui_app.problems import EXIT_AUTH, EXIT_OK, OperatorError
from tui_app.settings import selected_profile_name


def read_secret(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def read_line(prompt: str) -> str:
    """A value that is not secret (an access key ID): echoed at a terminal."""
    if sys.stdin.isatty():
        return input(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def forget(args: argparse.Namespace) -> int:
    profile = selected_profile_name(args.profile)
    try:
        removed = forget_entry(profile)
    except KeyringUnavailable as exc:
        raise OperatorError(f"could not reach the keyring: {exc}", EXIT_AUTH) from None
    print(
        f"Removed the stored credentials for profile {profile!r}."
        if removed
        else f"No stored credentials for profile {profile!r}; nothing to remove."
    )
    return EXIT_OK
