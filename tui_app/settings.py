"""Profiles (region or endpoint, project, IAM account) in a 0600 TOML file, with env and flag overrides.

Precedence for every field: command-line flag > environment variable > profile file > default.
The token is never stored here (see credentials.py).
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

from tui_app.paths import config_dir, private_file
from tui_app.problems import OperatorError
from tui_app.vias.endpoints import Endpoint, EndpointError, resolve_endpoint

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_PROFILE = "default"
_PROFILE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
ENV = {"profile": "VIAS_PROFILE", "region": "VIAS_REGION", "endpoint": "VIAS_ENDPOINT",
       "project_id": "VIAS_PROJECT_ID"}


class SettingsError(OperatorError, ValueError):
    """A profile file or value the console cannot use; the message says how to fix it."""


@dataclass
class Profile:
    name: str
    region: str | None = None
    endpoint: str | None = None
    project_id: str | None = None
    iam_domain: str | None = None  # the account (domain) name for `token login`
    iam_user: str | None = None
    ca_bundle: str | None = None

    def values(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if f.name != "name" and (v := getattr(self, f.name))}


@dataclass
class Target:
    """Where a run goes, and where each part of that came from (flag, env, profile)."""

    profile: str
    endpoint: Endpoint
    project_id: str
    sources: dict[str, str] = field(default_factory=dict)
    ca_bundle: str | None = None

    def describe(self) -> str:
        return f"{self.endpoint.label}, project {self.project_id}"


def profiles_path() -> Path:
    return config_dir() / "profiles.toml"


def check_profile_name(name: str) -> str:
    if not _PROFILE_NAME.fullmatch(name):
        raise SettingsError(f"profile name {name!r} is not allowed; use letters, digits, '.', '-' or '_'")
    return name


def load_profiles(path: Path | None = None) -> dict[str, Profile]:
    path = path or profiles_path()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path} is not valid TOML ({exc}); fix or remove it") from exc
    known = {f.name for f in fields(Profile)} - {"name"}
    profiles = {}
    for name, values in (data.get("profiles") or {}).items():
        if not isinstance(values, dict):
            continue
        clean = {k: str(v) for k, v in values.items() if k in known and v not in (None, "")}
        profiles[name] = Profile(name, **clean)
    return profiles


def save_profiles(profiles: dict[str, Profile], path: Path | None = None) -> Path:
    path = private_file(path or profiles_path())
    lines = ["# vias-tui profiles. Tokens are never stored here: see `vias-tui token status`.", ""]
    for name in sorted(profiles):
        lines.append(f"[profiles.{json.dumps(name)}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in profiles[name].values().items()]
        lines.append("")
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    os.replace(tmp, path)
    return path


def selected_profile_name(flag: str | None) -> str:
    return check_profile_name(flag or os.environ.get(ENV["profile"]) or DEFAULT_PROFILE)


def resolve_target(profile_flag: str | None = None, *, region: str | None = None, endpoint: str | None = None,
                   project_id: str | None = None, ca_bundle: str | None = None) -> Target:
    """Combine flags, environment and the profile file into one target, or explain what is missing."""
    name = selected_profile_name(profile_flag)
    profile = load_profiles().get(name, Profile(name))
    sources: dict[str, str] = {}

    def pick(key: str, flag_value: str | None) -> str | None:
        env_name = ENV.get(key)
        for source, value in (("flag", flag_value), ("env", os.environ.get(env_name) if env_name else None),
                              (f"profile {name}", getattr(profile, key))):
            if value:
                sources[key] = source
                return value
        return None

    # Region and endpoint name the same thing: the one from the higher layer wins outright.
    chosen_region = pick("region", region)
    chosen_endpoint = pick("endpoint", endpoint)
    if chosen_region and chosen_endpoint:
        rank = {"flag": 0, "env": 1}
        region_rank = rank.get(sources["region"], 2)
        endpoint_rank = rank.get(sources["endpoint"], 2)
        if region_rank < endpoint_rank:
            chosen_endpoint = None
            del sources["endpoint"]
        elif endpoint_rank < region_rank:
            chosen_region = None
            del sources["region"]
    chosen_project = pick("project_id", project_id)
    try:
        target_endpoint = resolve_endpoint(chosen_region, chosen_endpoint)
    except EndpointError as exc:
        raise SettingsError(str(exc)) from exc
    if not chosen_project:
        raise SettingsError(
            "no project ID: pass --project-id ID, set VIAS_PROJECT_ID, or save it in a profile "
            f"(vias-tui profile set {name} --project-id ID)"
        )
    from tui_app.vias.client import is_project_id

    if not is_project_id(chosen_project):
        raise SettingsError("project ID must be 4-64 letters, digits, '-' or '_'")
    return Target(name, target_endpoint, chosen_project, sources, ca_bundle or profile.ca_bundle)
