"""`vias-tui token set | status | forget | login`: the IAM token for a profile, kept in the OS keyring."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

from tui_app.commands.stored import read_secret
from tui_app.credentials import ENV_TOKEN, AuthMode, CredentialSource, expiry_text, find_credentials
from tui_app.keyring_store import KeyringUnavailable, probe_keyring, store_token
from tui_app.problems import EXIT_AUTH, EXIT_OK, OperatorError
from tui_app.secret import Token, TokenFormatError, parse_expiry
from tui_app.settings import Profile, load_profiles, selected_profile_name
from tui_app.vias.endpoints import iam_endpoint_for


def store(profile: str, token: Token, expires_at: datetime | None) -> None:
    try:
        backend = store_token(profile, token, expires_at)
    except KeyringUnavailable as exc:
        raise OperatorError(f"could not store the token: {exc}", EXIT_AUTH) from None
    print(
        f"Stored token {token.masked()} for profile {profile!r} in the keyring ({backend}); {expiry_text(expires_at)}."
    )


def set_(args: argparse.Namespace) -> int:
    profile = selected_profile_name(args.profile)
    try:
        token = Token(read_secret(f"Paste the IAM token for profile {profile!r} (input hidden): "))
    except TokenFormatError as exc:
        raise OperatorError(f"not stored: {exc}") from None
    expires = parse_expiry(args.expires_at) if args.expires_at else None
    if args.expires_at and expires is None:
        raise OperatorError(f"--expires-at {args.expires_at!r} is not an ISO 8601 time, e.g. 2026-11-29T09:05:22Z")
    store(profile, token, expires)
    return EXIT_OK


def status(args: argparse.Namespace) -> int:
    profile = selected_profile_name(args.profile)
    lookup = find_credentials(profile, AuthMode.TOKEN)
    keyring_state = lookup.keyring or probe_keyring()
    print(f"Profile: {profile}")
    print(f"Keyring: {keyring_state.explain() if keyring_state.usable else keyring_state.state}")
    found = lookup.credentials
    if found is None:
        print(f"Token:   none. {lookup.explain_missing(profile)}")
        return EXIT_AUTH
    print(f"Token:   {found.describe()}")
    if found.source is CredentialSource.ENV_TOKEN and keyring_state.usable:
        print(f"         ({ENV_TOKEN} takes precedence over the keyring)")
    if found.expired:
        print("         expired: get a new one with `vias-tui token login` or `vias-tui token set`")
        return EXIT_AUTH
    return EXIT_OK


def login(args: argparse.Namespace) -> int:
    from tui_app.vias.iam import IamToken
    from tui_app.vias.iam import login as iam_login

    profile_name = selected_profile_name(args.profile)
    profile = load_profiles().get(profile_name, Profile(profile_name))
    account: str | None = args.account or profile.iam_domain
    region: str | None = args.region or profile.region
    if not account:
        raise OperatorError(
            f"no IAM account: pass --account NAME or save it (vias-tui profile set {profile_name} --account NAME)"
        )
    if not region:
        raise OperatorError("no region to scope the token to: pass --region or save one in the profile")
    user: str = args.user or profile.iam_user or account
    endpoint = args.iam_endpoint or iam_endpoint_for(region)
    if not args.password_stdin and not sys.stdin.isatty():
        raise OperatorError("no terminal to ask for the password: pass --password-stdin and pipe it in")
    password = read_secret(f"IAM password for {account}/{user} (input hidden): ")
    if not password:
        raise OperatorError("empty password; nothing sent")
    answer = asyncio.run(
        iam_login(
            endpoint,
            domain=account,
            user=user,
            password=password,
            project_name=region,
            ca_bundle=args.ca_bundle or profile.ca_bundle,
        )
    )
    del password
    if not isinstance(answer, IamToken):
        raise OperatorError(f"IAM login failed: {answer.one_line()}", EXIT_AUTH)
    if answer.project_id and profile.project_id and answer.project_id != profile.project_id:
        print(
            f"warning: IAM scoped the token to project {answer.project_id}, but the profile says {profile.project_id}",
            file=sys.stderr,
        )
    store(profile_name, answer.token, answer.expires_at)
    if answer.project_id and not profile.project_id:
        print(
            f"Project ID for {region}: {answer.project_id} (save it: vias-tui profile set {profile_name} "
            f"--project-id {answer.project_id})"
        )
    return EXIT_OK
