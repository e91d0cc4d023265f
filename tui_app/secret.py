"""A token that cannot leak by accident: repr, str and f-strings show it masked."""

from __future__ import annotations

MAX_TOKEN_CHARS = 32_768  # IAM tokens are up to 32,768 characters


class TokenFormatError(ValueError):
    """The pasted text cannot be a token; the message never contains the text itself."""


class Token:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value:
            raise TokenFormatError("the token is empty")
        if len(value) > MAX_TOKEN_CHARS:
            raise TokenFormatError(
                f"the token is {len(value):,} characters; IAM tokens are at most {MAX_TOKEN_CHARS:,}")
        if any(not (33 <= ord(ch) <= 126) for ch in value):
            raise TokenFormatError("the token contains spaces, line breaks or non-ASCII characters; paste it again")
        self._value = value

    def reveal(self) -> str:
        """The real value, for the X-Auth-Token header and the keyring only."""
        return self._value

    def masked(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Token({self.masked()})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):  # pickling would write the value somewhere we do not control
        raise TypeError("tokens are not picklable")


def mask(value: str) -> str:
    """A short prefix and the length: enough to tell two tokens apart, never enough to use one."""
    prefix = value[:4] if len(value) >= 16 else ""
    return f"{prefix}…({len(value)} chars)"
