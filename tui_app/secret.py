"""Secrets that cannot leak by accident (repr, str and f-strings show them masked), and scrubbing of texts
that came back from a server which might echo one."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import NoReturn

MAX_TOKEN_CHARS = 32_768  # IAM tokens are up to 32,768 characters
MIN_TOKEN_CHARS = 8  # real ones are thousands; a few characters is a slip (and would be scrubbed from every text)
SCRUB_WINDOW = 12  # any run of this many characters of a secret is replaced, so a partial echo is caught too
REDACTED = "[secret removed]"


class TokenFormatError(ValueError):
    """The pasted text cannot be a token; the message never contains the text itself."""


class Secret:
    """A secret value: shown only masked; `reveal()` is for the wire and the keyring."""

    __slots__ = ("_value",)
    kind = "secret"

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.masked()})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> NoReturn:  # pickling would write the value somewhere we do not control
        raise TypeError("secrets are not picklable")


class Token(Secret):
    """An IAM token (`X-Auth-Token`): printable ASCII without spaces, at most 32,768 characters."""

    __slots__ = ()
    kind = "token"

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value:
            raise TokenFormatError("the token is empty")
        if len(value) < MIN_TOKEN_CHARS:
            raise TokenFormatError(
                f"the token is {len(value)} characters; IAM tokens are far longer: paste the whole token"
            )
        if len(value) > MAX_TOKEN_CHARS:
            raise TokenFormatError(
                f"the token is {len(value):,} characters; IAM tokens are at most {MAX_TOKEN_CHARS:,}"
            )
        if any(not (33 <= ord(ch) <= 126) for ch in value):
            raise TokenFormatError("the token contains spaces, line breaks or non-ASCII characters; paste it again")
        super().__init__(value)


def mask(value: str) -> str:
    """A short prefix and the length: enough to tell two secrets apart, never enough to use one."""
    prefix = value[:4] if len(value) >= 16 else ""
    return f"{prefix}…({len(value)} chars)"


def parse_expiry(text: str | None) -> datetime | None:
    """An ISO 8601 expiry as IAM and the metadata service write it (`2026-11-29T09:05:22.701000Z`)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class Scrubber:
    """Removes every secret (and any run of SCRUB_WINDOW of its characters) from texts a server sent back.

    A secret shorter than the window is removed wherever it appears whole.

    A hostile or buggy server may echo the token in an error body; nothing we store or show may carry it.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._grams: set[str] = set()
        self._first: set[str] = set()
        self._short: set[str] = set()  # secrets shorter than the window (a short password): removed whole
        self._short_pattern: re.Pattern[str] | None = None
        for value in secrets:
            self.add(value)

    def add(self, value: str) -> None:
        if not value:
            return
        if len(value) < SCRUB_WINDOW:
            self._short.add(value)
            # One pass, longest first: a replacement is never scanned again (a short secret may occur in REDACTED).
            self._short_pattern = re.compile("|".join(re.escape(v) for v in sorted(self._short, key=len, reverse=True)))
            return
        for start in range(len(value) - SCRUB_WINDOW + 1):
            gram = value[start : start + SCRUB_WINDOW]
            self._grams.add(gram)
            self._first.add(gram[0])

    def __bool__(self) -> bool:
        return bool(self._grams or self._short)

    def may_hold(self, text: str) -> bool:
        """Cheap pre-check: whether `text` could be or contain a piece of a long secret (its first window is one)."""
        return len(text) >= SCRUB_WINDOW and text[:SCRUB_WINDOW] in self._grams

    def __call__(self, text: str) -> str:
        if self._short_pattern is not None:
            text = self._short_pattern.sub(REDACTED, text)
        if not self._grams or len(text) < SCRUB_WINDOW:
            return text
        grams, first, window = self._grams, self._first, SCRUB_WINDOW
        spans: list[list[int]] = []
        for start in range(len(text) - window + 1):
            if text[start] in first and text[start : start + window] in grams:
                if spans and start <= spans[-1][1]:
                    spans[-1][1] = start + window
                else:
                    spans.append([start, start + window])
        if not spans:
            return text
        out: list[str] = []
        last = 0
        for begin, end in spans:
            out.append(text[last:begin])
            out.append(REDACTED)
            last = end
        out.append(text[last:])
        return "".join(out)


__all__ = ["MAX_TOKEN_CHARS", "REDACTED", "Scrubber", "Secret", "Token", "TokenFormatError", "mask", "parse_expiry"]
