"""`vias-tui aksk set | status | forget` and `vias-tui auth status`: access keys for a profile, and which
credentials `--auth auto` would use (and why each earlier source was skipped)."""

from __future__ import annotations

import argparse

from tui_app.commands.stored import read_line, read_secret
from tui_app.credentials import AuthMode, auth_mode, find_credentials
from tui_app.domain.keys import SdkCredentialsError, check_keys
from tui_app.keyring_store import KeyringUnavailable, StoredKeys, store_keys
from tui_app.problems import EXIT_AUTH, EXIT_OK, OperatorError
from tui_app.secret import Secret, parse_expiry
from tui_app.settings import selected_profile, selected_profile_name
from tui_app.vias.auth import AccessKeys


def set_(args: argparse.Namespace) -> int:
    profile = selected_profile_name(args.profile)
    ak = read_line(f"Access key ID (AK) for profile {profile!r}: ").strip()
    sk = read_secret("Secret access key (SK, input hidden): ").strip()
    token = read_secret("Security token for temporary keys (input hidden; Enter if none): ").strip()
    if not ak or not sk:
        raise OperatorError("not stored: both the access key ID and the secret access key are needed")
    try:
        check_keys(ak, sk, token or None, "the input")
    except SdkCredentialsError as exc:
        raise OperatorError(f"not stored: {exc}") from None
    expires = parse_expiry(args.expires_at) if args.expires_at else None
    if args.expires_at and expires is None:
        raise OperatorError(f"--expires-at {args.expires_at!r} is not an ISO 8601 time, e.g. 2026-11-29T09:05:22Z")
    keys = StoredKeys(ak, Secret(sk), Secret(token) if token else None)
    try:
        backend = store_keys(profile, keys, expires)
    except KeyringUnavailable as exc:
        raise OperatorError(f"could not store the keys: {exc}", EXIT_AUTH) from None
    shown = AccessKeys(ak, keys.sk, keys.security_token).masked_ak()
    kind = "temporary access keys" if token else "access keys"
    print(f"Stored {kind} {shown} for profile {profile!r} in the keyring ({backend}).")
    return EXIT_OK


def status(args: argparse.Namespace) -> int:
    return _status(args, AuthMode.AKSK)


def auth_status(args: argparse.Namespace) -> int:
    profile = selected_profile(args.profile)
    return _status(args, auth_mode(getattr(args, "auth", None), profile.auth))


def _status(args: argparse.Namespace, mode: AuthMode) -> int:
    profile = selected_profile_name(args.profile)
    lookup = find_credentials(profile, mode)
    print(f"Profile: {profile}  (auth {mode})")
    for source, why in lookup.trail:
        print(f"  skipped {source}: {why}")
    found = lookup.credentials
    if found is None:
        print(f"Credentials: none. {lookup.explain_missing(profile)}")
        return EXIT_AUTH
    print(f"Credentials: {found.describe()}")
    if found.expired:
        print("  expired: get new ones")
        return EXIT_AUTH
    return EXIT_OK
