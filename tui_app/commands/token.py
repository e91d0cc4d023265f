"""`vias-tui token set | status | forget | login`: the token for a profile, kept in the OS keyring."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from tui_app.credentials import (
    ENV_TOKEN,
    KeyringUnavailable,
    expiry_text,
    find_token,
    forget_keyring,
    parse_expiry,
    probe_keyring,
    store_keyring,
)
from tui_app.problems import EXIT_AUTH, EXIT_OK, OperatorError
from tui_app.secret import Token, TokenFormatError
from tui_app.settings import Profile, load_profiles, selected_profile_name
from tui_app.vias.endpoints import iam_endpoint_for


def _read_secret(prompt: str) -> str:
    """No echo on a terminal; a plain read from a pipe (for scripts)."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _store(profile: str, token: Token, expires_at) -> None:
    try:
        backend = store_keyring(profile, token, expires_at)
    except KeyringUnavailable as exc:
        raise OperatorError(f"could not store the token: {exc}", EXIT_AUTH) from None
    print(f"Stored token {token.masked()} for profile {profile!r} in the keyring ({backend}); "
          f"{expiry_text(expires_at)}.")


def set(args: argparse.Namespace) -> int:
    profile = selected_profile_name(args.profile)
    try:
        token = Token(_read_secret(f"Paste the IAM token for profile {profile!r} (input hidden): "))
    except TokenFormatError as exc:
        raise OperatorError(f"not stored: {exc}") from None
    expires = parse_expiry(args.expires_at) if args.expires_at else None
    if args.expires_at and expires is None:
        raise OperatorError(f"--expires-at {args.expires_at!r} is not an ISO 8601 time, e.g. 2026-11-29T09:05:22Z")
    _store(profile, token, expires)
    return EXIT_OK


def status(args: argparse.Namespace) -> int:
    profile = selected_profile_name(args.profile)
    lookup = find_token(profile)
    keyring_state = lookup.keyring or probe_keyring()
    print(f"Profile: {profile}")
    print(f"Keyring: {keyring_state.explain() if keyring_state.usable else keyring_state.state}")
    info = lookup.info
    if info is None:
        print(f"Token:   none. {lookup.explain_missing(profile)}")
        return EXIT_AUTH
    print(f"Token:   {info.describe()}")
    if info.source == "env" and keyring_state.usable:
        print(f"         ({ENV_TOKEN} takes precedence over the keyring)")
    if info.expired:
        print("         expired: get a new one with `vias-tui token login` or `vias-tui token set`")
        return EXIT_AUTH
    return EXIT_OK


def forget(args: argparse.Namespace) -> int:
    profile = selected_profile_name(args.profile)
    try:
        removed = forget_keyring(profile)
    except KeyringUnavailable as exc:
        raise OperatorError(f"could not reach the keyring: {exc}", EXIT_AUTH) from None
    print(f"Removed the stored token for profile {profile!r}." if removed
          else f"No stored token for profile {profile!r}; nothing to remove.")
    return EXIT_OK


def login(args: argparse.Namespace) -> int:
    from tui_app.vias.iam import IamToken
    from tui_app.vias.iam import login as iam_login

    profile_name = selected_profile_name(args.profile)
    profile = load_profiles().get(profile_name, Profile(profile_name))
    account = args.account or profile.iam_domain
    user = args.user or profile.iam_user or account
    region = args.region or profile.region
    if not account:
        raise OperatorError(f"no IAM account: pass --account NAME or save it (vias-tui profile set {profile_name} "
                            "--account NAME)")
    if not region:
        raise OperatorError("no region to scope the token to: pass --region or save one in the profile")
    endpoint = args.iam_endpoint or iam_endpoint_for(region)
    if not args.password_stdin and not sys.stdin.isatty():
        raise OperatorError("no terminal to ask for the password: pass --password-stdin and pipe it in")
    password = _read_secret(f"IAM password for {account}/{user} (input hidden): ")
    if not password:
        raise OperatorError("empty password; nothing sent")
    answer = asyncio.run(iam_login(endpoint, domain=account, user=user, password=password, project_name=region,
                                   ca_bundle=args.ca_bundle or profile.ca_bundle))
    del password
    if not isinstance(answer, IamToken):
        raise OperatorError(f"IAM login failed: {answer.one_line()}", EXIT_AUTH)
    if answer.project_id and profile.project_id and answer.project_id != profile.project_id:
        print(f"warning: IAM scoped the token to project {answer.project_id}, but the profile says "
              f"{profile.project_id}", file=sys.stderr)
    _store(profile_name, answer.token, answer.expires_at)
    if answer.project_id and not profile.project_id:
        print(f"Project ID for {region}: {answer.project_id} (save it: vias-tui profile set {profile_name} "
              f"--project-id {answer.project_id})")
    return EXIT_OK
