"""The interface language: English (the messages themselves) or Simplified Chinese, from gettext catalogs.

Every text a person reads goes through `_()` (or `ngettext`); module-level constants are only marked with `N_()`
and translated where they are used, so that switching the language in one process takes effect. Placeholders are
named and filled with `str.format` after translation: `_("Stored token {token}").format(token=...)`.

`use()` switches the whole process, argparse's own texts included: argparse asks gettext's default domain, so that
domain becomes ours, and the LANGUAGE variable (the first one gettext reads, and the documented way to choose a
catalog for the default domain) is set to the chosen language so that the shell's locale does not override it.

What never changes with the language: outcome names, JSON keys, exit codes, command and option names, journal keys.
"""

from __future__ import annotations

import contextlib
import gettext
import os
import struct
from collections.abc import Iterator, Mapping
from pathlib import Path

DOMAIN = "vias-tui"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENGLISH = "en"
CHINESE = "zh_CN"
LANGUAGES = (ENGLISH, CHINESE)
ENV_LANG = "VIAS_LANG"
CHOICES = ("zh-CN", "en")  # as the --lang option shows them
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX order: the first one set decides
_SPELLINGS = {"en": ENGLISH, "zh": CHINESE, "zh-cn": CHINESE, "zh_cn": CHINESE}

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = ENGLISH


class LanguageError(ValueError):
    """A language that is neither Chinese nor English was asked for; the message names where it came from."""


def N_(message: str) -> str:
    """Mark `message` for extraction only (a module-level constant); translate it with `_()` where it is used."""
    return message


def _(message: str) -> str:
    """`message` in the active language ("" stays "": gettext would answer the catalog's header)."""
    return _translations.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count `n`, in the active language (Chinese has one form)."""
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose English word means different things in different places (a job's "starting" is not a
    run's): the context tells the translator which."""
    return _translations.pgettext(context, message)


def normalize(value: str) -> str | None:
    """`zh-CN`, `zh_CN`, `zh` or `en` (any case) as a language of LANGUAGES; None for anything else."""
    return _SPELLINGS.get(value.strip().lower())


def choose_language(flag: str | None, environ: Mapping[str, str], profile_lang: str | None = None) -> str:
    """--lang > VIAS_LANG > the profile's `lang` > the locale (LC_ALL, LC_MESSAGES, LANG: zh* is Chinese) > English.

    An unknown value given on purpose (the flag, VIAS_LANG, the profile) raises LanguageError; a locale vias-tui
    has no catalog for is simply English."""
    for source, value in (("--lang", flag), (ENV_LANG, environ.get(ENV_LANG)), (_("the profile's lang"), profile_lang)):
        if value is None or not value.strip():
            continue
        language = normalize(value)
        if language is None:
            raise LanguageError(
                _("{source} is {value!r}; use zh-CN (Chinese) or en (English)").format(source=source, value=value)
            )
        return language
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return CHINESE if value.lower().startswith("zh") else ENGLISH
    return ENGLISH


def use(language: str) -> None:
    """Make `language` (one of LANGUAGES) the language of the whole process, argparse's texts included."""
    global _translations, _language
    if language not in LANGUAGES:
        raise LanguageError(f"unknown language {language!r}")
    # Without a compiled catalog (a source checkout never built) the texts stay English rather than fail; so they
    # do with a catalog that cannot be read (corrupt, cut short), for argparse's own texts too.
    try:
        _translations = gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[language], fallback=True)
    except (OSError, ValueError, LookupError, struct.error):
        _translations = gettext.NullTranslations()
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = language if isinstance(_translations, gettext.GNUTranslations) else ENGLISH
    _language = language


def current() -> str:
    return _language


def catalog_missing() -> bool:
    """The language is not English but its compiled catalog was not found (a checkout never built or installed):
    the texts are English, and the operator should be told why."""
    return _language != ENGLISH and not isinstance(_translations, gettext.GNUTranslations)


@contextlib.contextmanager
def restored() -> Iterator[None]:
    """Put the language (and the LANGUAGE variable) back as they were afterwards: `cli.main` run in-process."""
    language, variable = _language, os.environ.get("LANGUAGE")
    try:
        yield
    finally:
        use(language)
        if variable is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = variable


__all__ = [
    "CHINESE",
    "CHOICES",
    "DOMAIN",
    "ENGLISH",
    "ENV_LANG",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "LanguageError",
    "_",
    "catalog_missing",
    "choose_language",
    "current",
    "ngettext",
    "normalize",
    "pgettext",
    "use",
]
