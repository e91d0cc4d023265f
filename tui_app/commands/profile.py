"""`vias-tui profile list | show | set | delete`."""

from __future__ import annotations

import argparse

from tui_app.commands.options import add_globals
from tui_app.commands.streams import Streams
from tui_app.i18n import _

LIST = frozenset({"output"})
SHOW = frozenset({"profile", "output"})
SET = frozenset({"region", "endpoint", "project_id", "ca_bundle", "auth", "concurrency", "proxy"})
DELETE: frozenset[str] = frozenset()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    profile = sub.add_parser("profile", help=_("list, show, set or delete profiles"))
    actions = profile.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    list_profiles = actions.add_parser("list", help=_("list profiles"))
    add_globals(list_profiles, LIST, on_subcommand=True)
    list_profiles.set_defaults(command="profile list", honoured=LIST, handler=list_)
    show_ = actions.add_parser("show", help=_("show one profile and where each value comes from"))
    add_globals(show_, SHOW, on_subcommand=True)
    show_.add_argument("name", nargs="?", help=_("the profile (default: --profile, VIAS_PROFILE, then 'default')"))
    show_.set_defaults(command="profile show", honoured=SHOW, handler=show)
    set_profile = actions.add_parser(
        "set",
        help=_("create or update a profile"),
        description=_("Save values to a profile. The target options may also come before `profile`."),
    )
    set_profile.add_argument("name")
    add_globals(set_profile, SET, on_subcommand=True)
    set_profile.add_argument("--account", dest="iam_domain", help=_("IAM account (domain) name for token login"))
    set_profile.add_argument("--user", dest="iam_user", help=_("IAM user name for token login"))
    set_profile.add_argument("--user-id", dest="iam_user_id", help=_("IAM user ID for token login --mfa"))
    set_profile.add_argument(
        "--iam-endpoint",
        help=_("IAM's URL, when it is not https://iam.REGION.myhuaweicloud.com (token login, locate)"),
    )
    set_profile.add_argument(
        "--endpoint-template",
        help=_("where each region's VIAS is for locate, with {region} in it (default: the public endpoints)"),
    )
    set_profile.set_defaults(command="profile set", honoured=SET, handler=set_)
    delete_profile = actions.add_parser("delete", help=_("delete a profile (and say whether credentials remain)"))
    delete_profile.add_argument("name")
    add_globals(delete_profile, DELETE, on_subcommand=True)
    delete_profile.set_defaults(command="profile delete", honoured=DELETE, handler=delete)


def _shown(values: dict[str, str]) -> dict[str, str]:
    """A profile's values for people and documents: a proxy's password masked (safety.md)."""
    from tui_app.vias.proxy import mask_userinfo

    return {key: mask_userinfo(value) if key == "proxy" else value for key, value in values.items()}


def list_(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.ids import escaped, padded
    from tui_app.problems import EXIT_OK
    from tui_app.settings import load_profiles, profiles_path, selected_profile_name

    profiles = load_profiles()
    current = selected_profile_name(None)
    if not profiles:
        io.say(
            _(
                "No profiles yet ({path}). Create one: vias-tui profile set default --region cn-north-4 --project-id ID"
            ).format(path=profiles_path())
        )
    for name, profile in sorted(profiles.items()):
        where = escaped(profile.endpoint or profile.region or _("(no target)"))
        mark = "*" if name == current else " "
        project = escaped(profile.project_id or _("(none)"))
        io.say(
            _("{mark} {name} {target} project {project}").format(
                mark=mark, name=padded(escaped(name), 16), target=padded(where, 40), project=project
            )
        )
    if io.json_output:
        io.document(
            {
                "command": "profile list",
                "file": str(profiles_path()),
                "current": current,
                "profiles": [{"name": name, **_shown(profile.values())} for name, profile in sorted(profiles.items())],
            }
        )
    return EXIT_OK


def show(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.ids import padded
    from tui_app.problems import EXIT_OK, OperatorError
    from tui_app.settings import (
        ENV,
        SettingsError,
        describe_source,
        load_profiles,
        profiles_path,
        resolve_target,
        selected_profile_name,
    )

    if args.name and args.profile and args.name != args.profile:
        raise OperatorError(
            _("`profile show {name}` and --profile {profile} name different profiles").format(
                name=args.name, profile=args.profile
            )
        )
    name = selected_profile_name(args.name or args.profile)
    profile = load_profiles().get(name)
    io.say(
        (_("Profile {name}") if profile else _("Profile {name} (not saved; flags and environment only)")).format(
            name=name
        )
    )
    for key, value in _shown(profile.values() if profile else {}).items():
        io.say(f"  {key:<11} {value}")
    effective: dict[str, object] | None = None
    problem = None
    try:
        target = resolve_target(name)
        io.say(_("Effective target: {target}").format(target=target.describe()))
        for key, source in target.sources.items():
            where = describe_source(source)
            if source == "env" and key in ENV:
                where = _("{source} ({variable})").format(source=where, variable=ENV[key])
            io.say(_("  {key} from {source}").format(key=padded(key, 11), source=where))
        effective = {
            "endpoint": target.endpoint.base_url,
            "region": target.endpoint.region,
            "project_id": target.project_id,
            "sources": dict(target.sources),
        }
    except SettingsError as exc:
        problem = str(exc)
        io.say(_("Effective target: incomplete: {problem}").format(problem=exc))
    io.say(_("File: {path}").format(path=profiles_path()))
    if io.json_output:
        io.document(
            {
                "command": "profile show",
                "name": name,
                "saved": profile is not None,
                "values": _shown(profile.values() if profile else {}),
                "effective": effective,
                "problem": problem,
                "file": str(profiles_path()),
            }
        )
    return EXIT_OK


def set_(args: argparse.Namespace, io: Streams) -> int:
    from dataclasses import fields

    from tui_app.domain.identifiers import is_project_id
    from tui_app.problems import EXIT_OK, OperatorError
    from tui_app.settings import Profile, check_profile_name, load_profiles, save_profiles
    from tui_app.vias.endpoints import parse_endpoint, region_endpoint

    name = check_profile_name(args.name)
    if args.region:
        region_endpoint(args.region)  # validates, with the list of known regions
    if args.endpoint:
        parse_endpoint(args.endpoint)
    if args.project_id and not is_project_id(args.project_id):
        raise OperatorError(_("project ID must be 4-64 letters, digits, '-' or '_'"))
    if args.iam_endpoint:
        parse_endpoint(args.iam_endpoint)
    if args.endpoint_template:
        if "{region}" not in args.endpoint_template:
            raise OperatorError(_("--endpoint-template needs {region} in it, e.g. https://vias.{region}.example.com"))
        parse_endpoint(args.endpoint_template.replace("{region}", "cn-north-4"))
    if args.proxy:
        from tui_app.vias.proxy import parse_proxy_url

        parse_proxy_url(args.proxy, "--proxy")  # one line (password masked) for a URL that cannot be used
    profiles = load_profiles()
    profile = profiles.get(name, Profile(name))
    for field in fields(Profile):
        value = getattr(args, field.name, None) if field.name != "name" else None
        if value or (field.name == "proxy" and value == ""):  # --proxy '' saves "no proxy" for this profile
            setattr(profile, field.name, str(value))
    if args.region:
        profile.endpoint = None  # one target per profile: the latest one set wins
    if args.endpoint:
        profile.region = None
    profiles[name] = profile
    path = save_profiles(profiles)
    io.say(
        _("Saved profile {name!r} to {path}: {values}").format(
            name=name, path=path, values=", ".join(f"{k}={v}" for k, v in _shown(profile.values()).items())
        )
    )
    return EXIT_OK


def delete(args: argparse.Namespace, io: Streams) -> int:
    from tui_app.problems import EXIT_OK, OperatorError
    from tui_app.settings import check_profile_name, load_profiles, save_profiles

    name = check_profile_name(args.name)
    profiles = load_profiles()
    if name not in profiles:
        raise OperatorError(_("no profile {name!r}; see `vias-tui profile list`").format(name=name))
    del profiles[name]
    save_profiles(profiles)
    io.say(
        _(
            "Deleted profile {name!r}. Credentials stored for it stay in the keyring until "
            "`vias-tui token forget --profile {name}`."
        ).format(name=name)
    )
    return EXIT_OK
