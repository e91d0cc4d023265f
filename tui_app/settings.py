"""Profiles (region or endpoint, project, IAM account, auth mode, concurrency) in a 0600 TOML file, with env and
flag overrides.

Precedence for every field: command-line flag > environment variable > profile file > default. The project ID
falls back further to where Huawei Cloud's SDK keeps one (HUAWEICLOUD_SDK_PROJECT_ID, then its credentials file).
Credentials are never stored here (see credentials.py). The file is edited with tomlkit so an operator's comments
and layout survive, and replaced whole through a temporary file.
"""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_app.domain.identifiers import is_project_id
from tui_app.i18n import _
from tui_app.paths import config_dir, describe_os_error, private_dir, write_private_file
from tui_app.problems import OperatorError
from tui_app.sdk_credentials import project_id_fallback
from tui_app.vias.endpoints import (
    REGIONS,
    Endpoint,
    EndpointError,
    iam_endpoint_for,
    parse_endpoint,
    region_endpoint,
    resolve_endpoint,
)
from tui_app.vias.http import HttpSettings
from tui_app.vias.proxy import ProxySettings

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

DEFAULT_PROFILE = "default"
MAX_FILE_BYTES = 1 << 20
_PROFILE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
ENV = {
    "profile": "VIAS_PROFILE",
    "region": "VIAS_REGION",
    "endpoint": "VIAS_ENDPOINT",
    "project_id": "VIAS_PROJECT_ID",
    "concurrency": "VIAS_CONCURRENCY",
    "auth": "VIAS_AUTH",
    "proxy": "VIAS_PROXY",
    "endpoint_template": "VIAS_ENDPOINT_TEMPLATE",
    "iam_endpoint": "VIAS_IAM_ENDPOINT",
}


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
    auth: str | None = None  # auto | token | aksk | ecs-agency
    concurrency: str | None = None
    proxy: str | None = None  # an HTTP proxy URL for this profile ("" turns the environment's off)
    endpoint_template: str | None = None  # where a region's VIAS is, e.g. https://vias.{region}.example.com
    iam_endpoint: str | None = None  # IAM's URL when it is not https://iam.{region}.myhuaweicloud.com
    iam_user_id: str | None = None  # the IAM user's ID, for `token login --mfa` (virtual MFA)
    lang: str | None = None  # the interface language: zh-CN or en (read early by language_choice.py)

    def values(self) -> dict[str, str]:
        return {
            f.name: v
            for f in fields(self)
            if f.name != "name" and ((v := getattr(self, f.name)) or (f.name == "proxy" and v == ""))
        }


@dataclass
class Target:
    """Where a run goes, and where each part of that came from (flag, env, profile)."""

    profile: str
    endpoint: Endpoint
    project_id: str
    sources: dict[str, str] = field(default_factory=dict)
    ca_bundle: str | None = None
    proxy: str | None = None  # explicit (--proxy, VIAS_PROXY, the profile): a URL, or "" for none; None: environment

    def describe(self) -> str:
        return _("{endpoint}, project {project}").format(endpoint=self.endpoint.label, project=self.project_id)

    def proxies(self) -> ProxySettings:
        """The proxies for this target's connections; ProxyConfigError (one line, exit 2) for an unusable URL."""
        where = {"flag": "--proxy", "env": "VIAS_PROXY"}.get(
            self.sources.get("proxy", ""), self.sources.get("proxy", "")
        )
        return ProxySettings.resolve(self.proxy, source=where or "--proxy")

    def http(self, timeout: float, *, max_connections: int = 64, tls: ssl.SSLContext | None = None) -> HttpSettings:
        """How every connection to this target (and to IAM) is made: one place for timeouts, TLS and the proxy."""
        return HttpSettings(
            timeout=timeout,
            connect_timeout=min(10.0, timeout),
            tls=tls,
            ca_bundle=self.ca_bundle,
            proxy=self.proxies(),
            max_connections=max_connections,
        )


def profiles_path() -> Path:
    return config_dir() / "profiles.toml"


def check_profile_name(name: str) -> str:
    if not _PROFILE_NAME.fullmatch(name):
        raise SettingsError(
            _("profile name {name!r} is not allowed; use letters, digits, '.', '-' or '_'").format(name=name)
        )
    return name


def _read_document(path: Path) -> TOMLDocument:
    import tomlkit  # here, not at the top: most commands read no profiles file, and this import costs ~10 ms
    from tomlkit.exceptions import TOMLKitError

    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return tomlkit.document()
    except IsADirectoryError:
        raise SettingsError(_("{path} is a directory, not a profiles file; move it away").format(path=path)) from None
    except OSError as exc:
        raise SettingsError(
            _("cannot read {path}: {reason}").format(path=path, reason=describe_os_error(exc))
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise SettingsError(
            _("{path} is larger than {limit:,} bytes; it is not a profiles file").format(
                path=path, limit=MAX_FILE_BYTES
            )
        )
    try:
        return tomlkit.parse(data.decode("utf-8"))
    except (TOMLKitError, UnicodeDecodeError, ValueError) as exc:
        raise SettingsError(
            _("{path} is not valid TOML ({reason}); fix or remove it").format(
                path=path, reason=str(exc).splitlines()[0][:120]
            )
        ) from None


def load_profiles(path: Path | None = None) -> dict[str, Profile]:
    path = path or profiles_path()
    if not path.exists() and not path.is_symlink():
        return {}
    document = _read_document(path)
    table = document.get("profiles")
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise SettingsError(
            _("{path}: `profiles` must be a table of [profiles.NAME] sections; fix or remove it").format(path=path)
        )
    known = {f.name for f in fields(Profile)} - {"name"}
    profiles = {}
    for name, values in table.items():
        if not isinstance(values, dict):
            raise SettingsError(
                _("{path}: [profiles.{name}] must be a table; fix or remove it").format(path=path, name=name)
            )
        clean = {k: str(v) for k, v in values.items() if k in known and (v not in (None, "") or k == "proxy")}
        profiles[str(name)] = Profile(str(name), **clean)
    return profiles


def save_profiles(profiles: dict[str, Profile], path: Path | None = None) -> Path:
    """Write the profiles, keeping the file's comments and any keys vias-tui does not know."""
    import tomlkit

    path = path or profiles_path()
    private_dir(path.parent)
    document = _read_document(path)
    if not document.body:
        document.add(
            tomlkit.comment("vias-tui profiles. Credentials are never stored here: see `vias-tui auth status`.")
        )
    table: Any = document.get("profiles")
    if not isinstance(table, dict):
        table = tomlkit.table(is_super_table=True)
        document["profiles"] = table
    known = {f.name for f in fields(Profile)} - {"name"}
    for name in [n for n in table if n not in profiles]:
        del table[name]
    for name in sorted(profiles):
        section: Any = table.get(name)
        if not isinstance(section, dict):
            section = tomlkit.table()
            table[name] = section
        values = profiles[name].values()
        for key in [k for k in section if k in known and k not in values]:
            del section[key]
        for key, value in values.items():
            section[key] = value
    try:
        write_private_file(path, tomlkit.dumps(document).encode("utf-8"))
    except OSError as exc:
        raise SettingsError(
            _("cannot write {path}: {reason}").format(path=path, reason=describe_os_error(exc))
        ) from None
    return path


def selected_profile_name(flag: str | None) -> str:
    return check_profile_name(flag or os.environ.get(ENV["profile"]) or DEFAULT_PROFILE)


def selected_profile(flag: str | None) -> Profile:
    name = selected_profile_name(flag)
    return load_profiles().get(name, Profile(name))


def resolve_target(
    profile_flag: str | None = None,
    *,
    region: str | None = None,
    endpoint: str | None = None,
    project_id: str | None = None,
    ca_bundle: str | None = None,
    proxy: str | None = None,
) -> Target:
    """Combine flags, environment and the profile file into one target, or explain what is missing."""
    name = selected_profile_name(profile_flag)
    profile = load_profiles().get(name, Profile(name))
    sources: dict[str, str] = {}
    target_endpoint = _endpoint(profile, region, endpoint, sources)
    chosen_project = _pick(profile, "project_id", project_id, sources)
    if not chosen_project:
        fallback = project_id_fallback()
        if fallback is not None:
            chosen_project, sources["project_id"] = fallback
    if not chosen_project:
        raise SettingsError(
            _(
                "no project ID: pass --project-id ID, set VIAS_PROJECT_ID, or save it in a profile "
                "(vias-tui profile set {profile} --project-id ID)"
            ).format(profile=name)
        )
    if not is_project_id(chosen_project):
        raise SettingsError(_("project ID must be 4-64 letters, digits, '-' or '_'"))
    chosen_proxy = explicit_proxy(proxy, profile, sources)
    return Target(name, target_endpoint, chosen_project, sources, ca_bundle or profile.ca_bundle, chosen_proxy)


def resolve_endpoint_only(
    profile_flag: str | None = None, *, region: str | None = None, endpoint: str | None = None
) -> Endpoint:
    """Where requests would go (no project needed): for messages such as `auth status`'s proxy line."""
    name = selected_profile_name(profile_flag)
    return _endpoint(load_profiles().get(name, Profile(name)), region, endpoint, {})


def _pick(profile: Profile, key: str, flag_value: str | None, sources: dict[str, str]) -> str | None:
    """flag > environment > profile, for one value; `sources` learns where it came from."""
    env_name = ENV.get(key)
    for source, value in (
        ("flag", flag_value),
        ("env", os.environ.get(env_name) if env_name else None),
        (f"profile {profile.name}", getattr(profile, key)),
    ):
        if value:
            sources[key] = source
            return value
    return None


def _endpoint(profile: Profile, region: str | None, endpoint: str | None, sources: dict[str, str]) -> Endpoint:
    # Region and endpoint name the same thing: the one from the higher layer wins outright.
    chosen_region = _pick(profile, "region", region, sources)
    chosen_endpoint = _pick(profile, "endpoint", endpoint, sources)
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
    try:
        return resolve_endpoint(chosen_region, chosen_endpoint)
    except EndpointError as exc:
        raise SettingsError(str(exc)) from exc


def region_endpoints(profile: Profile) -> Callable[[str], Endpoint | None]:
    """Where each region's VIAS is: VIAS_ENDPOINT_TEMPLATE or the profile's endpoint_template ("{region}" in it;
    for a private cloud, or the fake), else the public endpoints of the regions VIAS is offered in."""
    template = os.environ.get(ENV["endpoint_template"]) or profile.endpoint_template
    if template is not None and "{region}" not in template:
        raise SettingsError(f"the endpoint template {template!r} has no {{region}} in it")

    def endpoint_for(region: str) -> Endpoint | None:
        if template is None:
            return region_endpoint(region) if region in REGIONS else None
        return parse_endpoint(template.replace("{region}", region), region)

    return endpoint_for


def iam_endpoint(flag: str | None, profile: Profile, region: str | None) -> Endpoint:
    """--iam-endpoint > VIAS_IAM_ENDPOINT > the profile's iam_endpoint > the region's public IAM."""
    url = flag or os.environ.get(ENV["iam_endpoint"]) or profile.iam_endpoint
    try:
        if url:
            return parse_endpoint(url, region)
        if region:
            return parse_endpoint(iam_endpoint_for(region), region)
    except EndpointError as exc:
        raise SettingsError(f"IAM endpoint: {exc}") from exc
    raise SettingsError("no region to find IAM in: pass --iam-endpoint URL or --region REGION")


def explicit_proxy(flag: str | None, profile: Profile, sources: dict[str, str] | None = None) -> str | None:
    """--proxy > VIAS_PROXY > the profile's proxy (each may be "" to turn proxies off); else None: the usual
    environment (HTTPS_PROXY, ALL_PROXY, NO_PROXY ...), which vias.proxy reads."""
    for source, value in (
        ("flag", flag),
        ("env", os.environ.get(ENV["proxy"])),
        (f"profile {profile.name}", profile.proxy),
    ):
        if value is not None:
            if sources is not None:
                sources["proxy"] = source
            return value
    return None


def concurrency_setting(flag: int | None, profile: Profile, default: int) -> tuple[int, str]:
    """--concurrency > VIAS_CONCURRENCY > the profile's concurrency > the default; with where it came from."""
    from tui_app.engine import MAX_CONCURRENCY

    for source, value in (
        ("--concurrency", flag),
        (ENV["concurrency"], os.environ.get(ENV["concurrency"])),
        (f"profile {profile.name}", profile.concurrency),
    ):
        if value is None or value == "":
            continue
        try:
            number = int(value)
        except ValueError:
            raise SettingsError(
                _("{source} is {value!r}: not a whole number").format(source=describe_source(source), value=value)
            ) from None
        if not 1 <= number <= MAX_CONCURRENCY:
            raise SettingsError(
                _("{source} is {number}: concurrency must be between 1 and {limit}").format(
                    source=describe_source(source), number=number, limit=MAX_CONCURRENCY
                )
            )
        return number, source
    return default, "default"


def describe_source(source: str) -> str:
    """Where a setting came from, for people: the source names recorded in `Target.sources` and by
    `concurrency_setting` ("flag", "env", "profile NAME", ...) stay English there (they are in JSON documents)."""
    word, _space, rest = source.partition(" ")
    if source == "flag":
        return _("flag")
    if source == "env":
        return _("env")
    if source == "default":
        return _("default")
    if source == "the console":
        return _("the console")
    if word == "profile" and rest:
        return _("profile {name}").format(name=rest)
    if word == "env" and rest:
        return _("env {variable}").format(variable=rest)
    if word == "file" and rest:
        return _("file {path}").format(path=rest)
    return source
