"""Access keys where Huawei Cloud's official Python SDK finds them: its environment variables, then its INI file
(`~/.huaweicloud/credentials`, section `[basic]`; `HUAWEICLOUD_SDK_CREDENTIALS_FILE` overrides the path)."""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

from tui_app.credential_sources.env_token import ENV_TOKEN
from tui_app.domain.keys import SdkCredentialsError, check_keys
from tui_app.i18n import _
from tui_app.secret import Secret

ENV_AK = "HUAWEICLOUD_SDK_AK"
ENV_SK = "HUAWEICLOUD_SDK_SK"
ENV_SECURITY_TOKEN = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
ENV_PROJECT_ID = "HUAWEICLOUD_SDK_PROJECT_ID"
ENV_CREDENTIALS_FILE = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
MAX_FILE_BYTES = 1 << 20


@dataclass(frozen=True)
class SdkKeys:
    ak: str
    sk: Secret
    security_token: Secret | None
    project_id: str | None
    where: str  # for messages: the variables or the file


def keys_from_env() -> SdkKeys | None:
    ak, sk = os.environ.get(ENV_AK, "").strip(), os.environ.get(ENV_SK, "").strip()
    if not ak and not sk:
        return None
    if not ak or not sk:
        missing = ENV_SK if ak else ENV_AK
        raise SdkCredentialsError(
            _("{present} is set but {missing} is not").format(present=ENV_AK if ak else ENV_SK, missing=missing)
        )
    token = os.environ.get(ENV_SECURITY_TOKEN, "").strip()
    return SdkKeys(
        check_keys(ak, sk, token or None, f"{ENV_AK}/{ENV_SK}"),
        Secret(sk),
        Secret(token) if token else None,
        os.environ.get(ENV_PROJECT_ID, "").strip() or None,
        _("environment ({where})").format(where=f"{ENV_AK}/{ENV_SK}"),
    )


def credentials_file() -> Path:
    override = os.environ.get(ENV_CREDENTIALS_FILE, "").strip()
    return Path(override).expanduser() if override else Path.home() / ".huaweicloud" / "credentials"


def keys_from_file(path: Path | None = None) -> SdkKeys | None:
    """The `[basic]` section of the SDK's credentials file; None when the file does not exist."""
    path = path or credentials_file()
    data = _read_capped(path)
    if data is None:
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(data.decode("utf-8", errors="replace"), source=str(path))
    except configparser.Error as exc:
        raise SdkCredentialsError(
            _("{path} is not a valid INI file ({error})").format(path=path, error=type(exc).__name__)
        ) from None
    if not parser.has_section("basic"):
        raise SdkCredentialsError(
            _("{path} has no [basic] section (the SDK reads ak, sk from there)").format(path=path)
        )
    section = parser["basic"]
    ak, sk = section.get("ak", "").strip(), section.get("sk", "").strip()
    if not ak or not sk:
        raise SdkCredentialsError(_("{path} [basic] needs both ak and sk").format(path=path))
    token = section.get("security_token", "").strip()
    return SdkKeys(
        check_keys(ak, sk, token or None, str(path)),
        Secret(sk),
        Secret(token) if token else None,
        section.get("project_id", "").strip() or None,
        str(path),
    )


def _read_capped(path: Path) -> bytes | None:
    """The file's bytes (None when it does not exist); SdkCredentialsError when unreadable or too large."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SdkCredentialsError(
            _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise SdkCredentialsError(
            _("{path} is larger than {limit:,} bytes; not a credentials file").format(path=path, limit=MAX_FILE_BYTES)
        )
    return data


def project_id_fallback() -> tuple[str, str] | None:
    """The project ID the SDK would use when vias-tui has none: its variable, then its file."""
    env = os.environ.get(ENV_PROJECT_ID, "").strip()
    if env:
        return env, f"env {ENV_PROJECT_ID}"
    try:
        keys = keys_from_file()
    except SdkCredentialsError:
        return None
    if keys is not None and keys.project_id:
        return keys.project_id, f"file {keys.where}"
    return None


def ambient_secrets() -> list[str]:
    """Secret values configured for vias-tui or the SDK in this environment, used or not: scrubbed from what is
    recorded all the same (an operator may paste one among the IDs). Cheap and quiet: no keyring, no errors."""
    values = [os.environ.get(name, "").strip() for name in (ENV_TOKEN, ENV_SK, ENV_SECURITY_TOKEN)]
    try:
        keys = keys_from_file()
    except (SdkCredentialsError, OSError):
        keys = None
    if keys is not None:
        values.append(keys.sk.reveal())
        if keys.security_token is not None:
            values.append(keys.security_token.reveal())
    return [value for value in values if len(value) >= 4]
