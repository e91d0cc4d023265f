"""`vias-tui profile list | show | set | delete`."""

from __future__ import annotations

import argparse
from dataclasses import fields

from tui_app.domain.identifiers import is_project_id
from tui_app.ids import escaped
from tui_app.problems import EXIT_OK, OperatorError
from tui_app.settings import (
    ENV,
    Profile,
    SettingsError,
    check_profile_name,
    load_profiles,
    profiles_path,
    resolve_target,
    save_profiles,
    selected_profile_name,
)
from tui_app.vias.endpoints import parse_endpoint, region_endpoint


def list_(args: argparse.Namespace) -> int:
    profiles = load_profiles()
    if not profiles:
        print(
            f"No profiles yet ({profiles_path()}). Create one: vias-tui profile set default --region cn-north-4 "
            "--project-id ID"
        )
        return EXIT_OK
    current = selected_profile_name(None)
    for name, profile in sorted(profiles.items()):
        where = profile.endpoint or profile.region or "(no target)"
        mark = "*" if name == current else " "
        project = escaped(profile.project_id or "(none)")
        print(f"{mark} {escaped(name):<16} {escaped(where):<40} project {project}")
    return EXIT_OK


def show(args: argparse.Namespace) -> int:
    name = selected_profile_name(args.name)
    profile = load_profiles().get(name)
    print(f"Profile {name}" + ("" if profile else " (not saved; flags and environment only)"))
    for key, value in (profile.values() if profile else {}).items():
        print(f"  {key:<11} {value}")
    try:
        target = resolve_target(name)
        print(f"Effective target: {target.describe()}")
        for key, source in target.sources.items():
            env_hint = f" ({ENV[key]})" if source == "env" and key in ENV else ""
            print(f"  {key:<11} from {source}{env_hint}")
    except SettingsError as exc:
        print(f"Effective target: incomplete: {exc}")
    print(f"File: {profiles_path()}")
    return EXIT_OK


def set_(args: argparse.Namespace) -> int:
    name = check_profile_name(args.name)
    if args.region:
        region_endpoint(args.region)  # validates, with the list of known regions
    if args.endpoint:
        parse_endpoint(args.endpoint)
    if args.project_id and not is_project_id(args.project_id):
        raise OperatorError("project ID must be 4-64 letters, digits, '-' or '_'")
    profiles = load_profiles()
    profile = profiles.get(name, Profile(name))
    for field in fields(Profile):
        value = getattr(args, field.name, None) if field.name != "name" else None
        if value:
            setattr(profile, field.name, str(value))
    if args.region:
        profile.endpoint = None  # one target per profile: the latest one set wins
    if args.endpoint:
        profile.region = profile.region if args.region else None
    profiles[name] = profile
    path = save_profiles(profiles)
    print(f"Saved profile {name!r} to {path}: " + ", ".join(f"{k}={v}" for k, v in profile.values().items()))
    return EXIT_OK


def delete(args: argparse.Namespace) -> int:
    name = check_profile_name(args.name)
    profiles = load_profiles()
    if name not in profiles:
        raise OperatorError(f"no profile {name!r}; see `vias-tui profile list`")
    del profiles[name]
    save_profiles(profiles)
    print(
        f"Deleted profile {name!r}. A token stored for it stays in the keyring until "
        f"`vias-tui token forget --profile {name}`."
    )
    return EXIT_OK
