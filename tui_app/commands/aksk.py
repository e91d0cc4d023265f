"""`vias-tui aksk set | status | forget` and `vias-tui auth status`: access keys for a profile, and which
credentials `--auth` would use (and why each earlier source was skipped)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui_app.commands.options import add_globals
from tui_app.commands.streams import Streams
from tui_app.commands.token import PROFILE_ONLY, forget
from tui_app.i18n import _

if TYPE_CHECKING:
    from tui_app.credentials import AuthMode

AUTH_STATUS = frozenset({"profile", "auth", "output", "proxy", "region", "endpoint", "project_id"})


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    aksk = sub.add_parser("aksk", help=_("store, check or forget access keys (AK/SK) for a profile"))
    actions = aksk.add_subparsers(dest="aksk_command", metavar="ACTION", required=True)
    set_ = actions.add_parser(
        "set", help=_("read the AK, then the SK (hidden) and an optional security token; store them")
    )
    add_globals(set_, PROFILE_ONLY, on_subcommand=True)
    set_.add_argument("--expires-at", help=_("ISO 8601 expiry of temporary keys, if known"))
    set_.set_defaults(command="aksk set", honoured=PROFILE_ONLY, handler=set_keys)
    status_ = actions.add_parser("status", help=_("which access keys would be used, masked (exit 3 if none)"))
    add_globals(status_, PROFILE_ONLY, on_subcommand=True)
    status_.set_defaults(command="aksk status", honoured=PROFILE_ONLY, handler=status)
    forget_ = actions.add_parser("forget", help=_("remove the stored credentials from the OS keyring"))
    add_globals(forget_, PROFILE_ONLY, on_subcommand=True)
    forget_.set_defaults(command="aksk forget", honoured=PROFILE_ONLY, handler=forget)
    register_auth(sub)


def register_auth(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    auth = sub.add_parser("auth", help=_("which credentials would be used, and why"))
    actions = auth.add_subparsers(dest="auth_command", metavar="ACTION", required=True)
    status_ = actions.add_parser(
        "status", help=_("the source --auth would use, and why each earlier one was skipped (masked)")
    )
    add_globals(status_, AUTH_STATUS, on_subcommand=True)
    status_.set_defaults(command="auth status", honoured=AUTH_STATUS, handler=auth_status)


def set_keys(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.domain.keys import SdkCredentialsError, check_keys
    from tui_app.keyring_store import KeyringUnavailable, StoredKeys, store_keys
    from tui_app.problems import EXIT_AUTH, EXIT_OK, OperatorError
    from tui_app.secret import Secret, parse_expiry
    from tui_app.settings import selected_profile_name
    from tui_app.vias.auth import AccessKeys

    profile = selected_profile_name(args.profile)
    try:
        ak = io.ask(_("Access key ID (AK) for profile {profile!r}: ").format(profile=profile)).strip()
    except EOFError:
        ak = ""
    sk = io.secret(_("Secret access key (SK, input hidden): ")).strip()
    token = io.secret(_("Security token for temporary keys (input hidden; Enter if none): ")).strip()
    if not ak or not sk:
        raise OperatorError(_("not stored: both the access key ID and the secret access key are needed"))
    try:
        check_keys(ak, sk, token or None, _("the input"))
    except SdkCredentialsError as exc:
        raise OperatorError(_("not stored: {reason}").format(reason=exc)) from None
    expires = parse_expiry(args.expires_at) if args.expires_at else None
    if args.expires_at and expires is None:
        raise OperatorError(
            _("--expires-at {value!r} is not an ISO 8601 time, e.g. 2026-11-29T09:05:22Z").format(value=args.expires_at)
        )
    keys = StoredKeys(ak, Secret(sk), Secret(token) if token else None)
    try:
        backend = store_keys(profile, keys, expires)
    except KeyringUnavailable as exc:
        raise OperatorError(_("could not store the keys: {reason}").format(reason=exc), EXIT_AUTH) from None
    shown = AccessKeys(ak, keys.sk, keys.security_token).masked_ak()
    stored = (
        _("Stored temporary access keys {ak} for profile {profile!r} in the keyring ({backend}).")
        if token
        else _("Stored access keys {ak} for profile {profile!r} in the keyring ({backend}).")
    )
    io.say(stored.format(ak=shown, profile=profile, backend=backend))
    return EXIT_OK


def status(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.credentials import AuthMode

    return _status(args, AuthMode.AKSK, io)


def auth_status(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.credentials import auth_mode
    from tui_app.settings import selected_profile

    profile = selected_profile(args.profile)
    return _status(args, auth_mode(args.auth, profile.auth), io, proxy=_proxy_line(args))


def _proxy_line(args: argparse.Namespace) -> str:
    """Which proxy the target's connections would use (masked), and from where."""
    from tui_app.settings import SettingsError, explicit_proxy, resolve_endpoint_only, selected_profile
    from tui_app.vias.proxy import ProxySettings

    sources: dict[str, str] = {}
    explicit = explicit_proxy(args.proxy, selected_profile(args.profile), sources)
    source = {"flag": "--proxy", "env": "VIAS_PROXY"}.get(sources.get("proxy", ""), sources.get("proxy", ""))
    settings = ProxySettings.resolve(explicit, source=source or "--proxy")
    try:
        endpoint = resolve_endpoint_only(args.profile, region=args.region, endpoint=args.endpoint)
    except SettingsError:
        return settings.describe()  # no target: the proxies in force, for any
    parts = urlsplit(endpoint.base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    chosen = settings.for_target(parts.scheme, parts.hostname or "", port)
    if chosen is None:
        if settings.https is None and settings.http is None:
            return _("none for {target}").format(target=endpoint.label)
        return _("none for {target} ({proxies})").format(target=endpoint.label, proxies=settings.describe())
    return _("{proxy} for {target} (from {source})").format(
        proxy=chosen.masked(), target=endpoint.label, source=chosen.source
    )


def _status(args: argparse.Namespace, mode: AuthMode, io: Streams, proxy: str | None = None) -> int:
    from tui_app.credentials import find_credentials
    from tui_app.problems import EXIT_AUTH, EXIT_OK
    from tui_app.settings import selected_profile_name

    profile = selected_profile_name(args.profile)
    lookup = find_credentials(profile, mode)
    found = lookup.credentials
    io.say(_("Profile: {profile}  (auth {mode})").format(profile=profile, mode=mode))
    if proxy is not None:
        io.say(_("Proxy: {proxy}").format(proxy=proxy))
    for source, why in lookup.trail:
        io.say(_("  skipped {source}: {why}").format(source=source, why=why))
    code = EXIT_OK
    if found is None:
        io.say(_("Credentials: none. {why}").format(why=lookup.explain_missing(profile)))
        code = EXIT_AUTH
    else:
        io.say(_("Credentials: {credentials}").format(credentials=found.describe()))
        if found.expired:
            io.say(_("  expired: get new ones"))
            code = EXIT_AUTH
    if io.json_output:
        io.document(
            {
                "command": "auth status",
                "profile": profile,
                "auth": str(mode),
                "credentials": None
                if found is None
                else {
                    "source": str(found.source),
                    "kind": found.kind,
                    "label": found.label(),
                    "origin": found.origin(),
                    "expires_at": found.expires_at.isoformat() if found.expires_at else None,
                    "expired": found.expired,
                    "refreshable": found.refreshable,
                },
                "skipped": [{"source": str(source), "why": why} for source, why in lookup.trail],
                "proxy": proxy,
                "problem": None if found is not None else lookup.explain_missing(profile),
                "exit_code": code,
            }
        )
    return code
