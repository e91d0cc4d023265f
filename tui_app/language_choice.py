"""Which language this run speaks, chosen before the argument parser is built so that `--help` itself is translated:
`--lang` pre-scanned from the command line, VIAS_LANG, the profile's `lang`, then the locale (i18n.choose_language).

The profile's `lang` is read here lightly (the TOML file alone): settings.py brings in the HTTP stack, a quarter of a
second every command would pay. A profiles file that cannot be read is passed over here; the command that needs
the profile reports it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from tui_app.i18n import LanguageError, choose_language, use
from tui_app.paths import config_dir

PROFILES_FILE = "profiles.toml"  # in config_dir(), as settings.profiles_path() names it
ENV_PROFILE = "VIAS_PROFILE"
MAX_FILE_BYTES = 1 << 20
_PROFILE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def option_value(argv: Sequence[str], flag: str) -> str | None:
    """The last value given to `flag` (`--flag VALUE` or `--flag=VALUE`) anywhere before a `--`."""
    found = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == flag and index + 1 < len(argv):
            found = argv[index + 1]
        elif arg.startswith(flag + "="):
            found = arg[len(flag) + 1 :]
    return found


def profile_language(name: str) -> str | None:
    """The `lang` of profile `name` in the profiles file, or None (no file, no such key, or a file not readable)."""
    if not _PROFILE_NAME.fullmatch(name):
        return None
    try:
        with open(config_dir() / PROFILES_FILE, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return None
        document = _parse_toml(data.decode("utf-8"))
    except (OSError, ValueError):  # tomllib's and tomlkit's parse errors are ValueErrors
        return None
    profiles = document.get("profiles")
    values = profiles.get(name) if isinstance(profiles, dict) else None
    lang = values.get("lang") if isinstance(values, dict) else None
    return str(lang) if lang else None


def _parse_toml(text: str) -> dict[str, Any]:
    try:
        import tomllib  # Python 3.11+: a few milliseconds, against tomlkit's twenty
    except ImportError:  # pragma: no cover - Python 3.10
        import tomlkit

        return dict(tomlkit.parse(text))
    return tomllib.loads(text)


def language_for(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language for this command line; LanguageError for an unknown --lang, VIAS_LANG or profile `lang`."""
    environ = os.environ if environ is None else environ
    flag = option_value(argv, "--lang")
    profile_lang = None
    if flag is None and not environ.get("VIAS_LANG", "").strip():  # the profile is read only when it decides
        profile_lang = profile_language(option_value(argv, "--profile") or environ.get(ENV_PROFILE) or "default")
    return choose_language(flag, environ, profile_lang)


def start(argv: Sequence[str]) -> None:
    """Choose the language for `argv` and make it the process's; LanguageError leaves English on."""
    use(language_for(argv))


__all__ = ["LanguageError", "language_for", "option_value", "profile_language", "start"]
