"""`vias-tui token set | status | forget | login`: the IAM token for a profile, kept in the OS keyring."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui_app.commands.options import add_globals
from tui_app.commands.streams import Streams
from tui_app.i18n import _

if TYPE_CHECKING:
    from datetime import datetime

    from tui_app.domain.errors import ApiError
    from tui_app.problems import OperatorError
    from tui_app.secret import Token
    from tui_app.settings import Profile
    from tui_app.vias.iam import IamToken, MfaCode

PROFILE_ONLY = frozenset({"profile"})
LOGIN = frozenset({"profile", "region", "ca_bundle", "timeout", "proxy"})


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = sub.add_parser("token", help=_("store, check or forget the IAM token for a profile"))
    actions = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    set_ = actions.add_parser("set", help=_("read a token from stdin (no echo) and store it in the OS keyring"))
    add_globals(set_, PROFILE_ONLY, on_subcommand=True)
    set_.add_argument("--expires-at", help=_("ISO 8601 expiry, if known (e.g. 2026-11-29T09:05:22Z)"))
    set_.set_defaults(command="token set", honoured=PROFILE_ONLY, handler=set_token)
    status_ = actions.add_parser(
        "status", help=_("where the token comes from, masked, and when it expires (exit 3 if none)")
    )
    add_globals(status_, PROFILE_ONLY, on_subcommand=True)
    status_.set_defaults(command="token status", honoured=PROFILE_ONLY, handler=status)
    forget_ = actions.add_parser("forget", help=_("remove the stored credentials from the OS keyring"))
    add_globals(forget_, PROFILE_ONLY, on_subcommand=True)
    forget_.set_defaults(command="token forget", honoured=PROFILE_ONLY, handler=forget)
    login_ = actions.add_parser("login", help=_("IAM password login; stores the token and its expiry"))
    add_globals(login_, LOGIN, on_subcommand=True)
    login_.add_argument("--account", help=_("IAM account (domain) name; default from the profile"))
    login_.add_argument("--user", help=_("IAM user name; default from the profile"))
    login_.add_argument("--iam-endpoint", help=_("IAM endpoint URL (default https://iam.REGION.myhuaweicloud.com)"))
    login_.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("read the password (and, with --mfa, then the passcode) from stdin lines"),
    )
    login_.add_argument(
        "--mfa",
        action="store_true",
        help=_("the user has login protection (virtual MFA): also ask for the 6-digit passcode (never stored)"),
    )
    login_.add_argument("--user-id", help=_("the IAM user's ID, for --mfa (My Credentials); default from the profile"))
    login_.set_defaults(command="token login", honoured=LOGIN, handler=login)


def store(profile: str, token: Token, expires_at: datetime | None, io: Streams) -> None:
    from tui_app.credentials import expiry_text
    from tui_app.keyring_store import KeyringUnavailable, store_token
    from tui_app.problems import EXIT_AUTH, OperatorError

    try:
        backend = store_token(profile, token, expires_at)
    except KeyringUnavailable as exc:
        raise OperatorError(_("could not store the token: {reason}").format(reason=exc), EXIT_AUTH) from None
    io.say(
        _("Stored token {token} for profile {profile!r} in the keyring ({backend}); {expiry}.").format(
            token=token.masked(), profile=profile, backend=backend, expiry=expiry_text(expires_at)
        )
    )


def set_token(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.problems import EXIT_OK, OperatorError
    from tui_app.secret import Token, TokenFormatError, parse_expiry
    from tui_app.settings import selected_profile_name

    profile = selected_profile_name(args.profile)
    try:
        token = Token(
            io.secret(_("Paste the IAM token for profile {profile!r} (input hidden): ").format(profile=profile))
        )
    except TokenFormatError as exc:
        raise OperatorError(_("not stored: {reason}").format(reason=exc)) from None
    expires = parse_expiry(args.expires_at) if args.expires_at else None
    if args.expires_at and expires is None:
        raise OperatorError(
            _("--expires-at {value!r} is not an ISO 8601 time, e.g. 2026-11-29T09:05:22Z").format(value=args.expires_at)
        )
    store(profile, token, expires, io)
    return EXIT_OK


def status(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.credentials import ENV_TOKEN, AuthMode, CredentialSource, find_credentials
    from tui_app.keyring_store import probe_keyring
    from tui_app.problems import EXIT_AUTH, EXIT_OK
    from tui_app.settings import selected_profile_name

    profile = selected_profile_name(args.profile)
    lookup = find_credentials(profile, AuthMode.TOKEN)
    keyring_state = lookup.keyring or probe_keyring()
    io.say(_("Profile: {profile}").format(profile=profile))
    io.say(
        _("Keyring: {state}").format(
            state=keyring_state.explain() if keyring_state.usable else keyring_state.state.describe()
        )
    )
    found = lookup.credentials
    if found is None:
        io.say(_("Token:   none. {why}").format(why=lookup.explain_missing(profile)))
        return EXIT_AUTH
    io.say(_("Token:   {token}").format(token=found.describe()))
    if found.source is CredentialSource.ENV_TOKEN and keyring_state.usable:
        io.say(_("         ({variable} takes precedence over the keyring)").format(variable=ENV_TOKEN))
    if found.expired:
        io.say(_("         expired: get a new one with `vias-tui token login` or `vias-tui token set`"))
        return EXIT_AUTH
    return EXIT_OK


def forget(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.keyring_store import KeyringUnavailable, forget_entry
    from tui_app.problems import EXIT_AUTH, EXIT_OK, OperatorError
    from tui_app.settings import selected_profile_name

    profile = selected_profile_name(args.profile)
    try:
        removed = forget_entry(profile)
    except KeyringUnavailable as exc:
        raise OperatorError(_("could not reach the keyring: {reason}").format(reason=exc), EXIT_AUTH) from None
    io.say(
        (
            _("Removed the stored credentials for profile {profile!r}.")
            if removed
            else _("No stored credentials for profile {profile!r}; nothing to remove.")
        ).format(profile=profile)
    )
    return EXIT_OK


def login(args: argparse.Namespace, io: Streams) -> int:
    import asyncio

    from tui_app.problems import EXIT_OK, OperatorError
    from tui_app.settings import Profile, explicit_proxy, iam_endpoint, load_profiles, selected_profile_name
    from tui_app.vias.http import HttpSettings
    from tui_app.vias.iam import IamToken
    from tui_app.vias.iam import login as iam_login
    from tui_app.vias.proxy import ProxySettings

    profile_name = selected_profile_name(args.profile)
    profile = load_profiles().get(profile_name, Profile(profile_name))
    account, region, user, user_id = _login_identity(args, profile)
    endpoint = iam_endpoint(args.iam_endpoint, profile, region).base_url
    http = HttpSettings(
        timeout=args.timeout,
        ca_bundle=args.ca_bundle or profile.ca_bundle,
        proxy=ProxySettings.resolve(explicit_proxy(args.proxy, profile)),
    )
    if not args.password_stdin and not io.interactive():
        raise OperatorError(_("no terminal to ask for the password: pass --password-stdin and pipe it in"))
    password = io.secret(_("IAM password for {account}/{user} (input hidden): ").format(account=account, user=user))
    if not password:
        raise OperatorError(_("empty password; nothing sent"))
    mfa = _mfa_code(io, user_id) if args.mfa else None
    answer = asyncio.run(
        iam_login(endpoint, domain=account, user=user, password=password, project_name=region, http=http, mfa=mfa)
    )
    del password, mfa
    if not isinstance(answer, IamToken):
        raise _login_refused(answer, mfa_asked=args.mfa)
    _keep_login(answer, profile, region, io)
    return EXIT_OK


def _login_identity(args: argparse.Namespace, profile: Profile) -> tuple[str, str, str, str | None]:
    """Who logs in where, from the flags and the profile: (account, region, user, user ID); OperatorError, before
    any password is asked for, when something needed is missing."""
    from tui_app.problems import OperatorError

    account: str | None = args.account or profile.iam_domain
    region: str | None = args.region or profile.region
    if not account:
        raise OperatorError(
            _("no IAM account: pass --account NAME or save it (vias-tui profile set {profile} --account NAME)").format(
                profile=profile.name
            )
        )
    if not region:
        raise OperatorError(_("no region to scope the token to: pass --region or save one in the profile"))
    user_id: str | None = args.user_id or profile.iam_user_id
    if args.mfa and not user_id:
        raise OperatorError(
            _(
                "--mfa needs the IAM user's ID (My Credentials > API Credentials): pass --user-id ID or save it "
                "(vias-tui profile set {profile} --user-id ID)"
            ).format(profile=profile.name)
        )
    return account, region, args.user or profile.iam_user or account, user_id


def _mfa_code(io: Streams, user_id: str | None) -> MfaCode:
    from tui_app.problems import OperatorError
    from tui_app.vias.iam import MfaCode

    assert user_id is not None  # _login_identity asked for it
    passcode = io.secret(_("Virtual MFA passcode (6 digits, input hidden): ")).strip()
    if not (passcode.isdigit() and len(passcode) == 6):
        raise OperatorError(_("the MFA passcode is the 6 digits your authenticator app shows; nothing sent"))
    return MfaCode(user_id, passcode)


def _login_refused(answer: ApiError, *, mfa_asked: bool) -> OperatorError:
    from tui_app.problems import EXIT_AUTH, OperatorError
    from tui_app.vias.iam import needs_mfa

    if needs_mfa(answer) and not mfa_asked:
        return OperatorError(
            _(
                "IAM login failed: {error}. This user has login protection (virtual MFA): run "
                "`vias-tui token login --mfa --user-id ID` (the user ID is under My Credentials); the "
                "passcode is asked for and never stored"
            ).format(error=answer.one_line()),
            EXIT_AUTH,
        )
    return OperatorError(_("IAM login failed: {error}").format(error=answer.one_line()), EXIT_AUTH)


def _keep_login(answer: IamToken, profile: Profile, region: str, io: Streams) -> None:
    """Store the token, and say what the profile should know about the project IAM scoped it to."""
    if answer.project_id and profile.project_id and answer.project_id != profile.project_id:
        io.warn(
            _("warning: IAM scoped the token to project {scoped}, but the profile says {saved}").format(
                scoped=answer.project_id, saved=profile.project_id
            )
        )
    store(profile.name, answer.token, answer.expires_at, io)
    if answer.project_id and not profile.project_id:
        io.say(
            _(
                "Project ID for {region}: {project} (save it: vias-tui profile set {profile} --project-id {project})"
            ).format(region=region, project=answer.project_id, profile=profile.name)
        )
