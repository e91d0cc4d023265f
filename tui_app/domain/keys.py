"""The shape every access key must have, wherever it came from (environment, file, keyring, metadata service, the
console): checked before it can fail deep inside a run. Messages name the part and the place, never the value."""

from __future__ import annotations

from tui_app.i18n import _


class SdkCredentialsError(ValueError):
    """Keys are configured but unusable; the message says where and why (never the values)."""


MIN_SECRET_CHARS = 16  # Huawei Cloud's SKs are 40 characters; a few characters is a slip, not a key


def check_ak(ak: str, where: str) -> str:
    # An AK is shown in part and goes into the Authorization header (comma-separated): printable ASCII, no spaces
    # or commas.
    if not ak or not _printable(ak) or "," in ak or len(ak) > 128:
        raise SdkCredentialsError(
            _("the access key ID from {where} is not printable ASCII without spaces or commas; copy it again").format(
                where=where
            )
        )
    return ak


def check_keys(ak: str, sk: str, security_token: str | None, where: str) -> str:
    """Every part of a key pair, wherever it came from, before it can fail deep inside a run.

    Messages name the part and the place, never the value. Returns the AK.
    """
    check_ak(ak, where)
    if len(sk) < MIN_SECRET_CHARS:
        raise SdkCredentialsError(
            _("the secret access key from {where} is {length} characters; Huawei Cloud's are 40: copy it again").format(
                where=where, length=len(sk)
            )
        )
    if security_token is not None and len(security_token) < MIN_SECRET_CHARS:
        raise SdkCredentialsError(
            _("the security token from {where} is {length} characters; real ones are far longer").format(
                where=where, length=len(security_token)
            )
        )
    if not _printable(sk):
        raise SdkCredentialsError(
            _(
                "the secret access key from {where} contains spaces, line breaks or non-ASCII characters; copy it again"
            ).format(where=where)
        )
    if security_token is not None and not _printable(security_token):
        raise SdkCredentialsError(
            _(
                "the security token from {where} contains spaces, line breaks or non-ASCII characters; copy it again"
            ).format(where=where)
        )
    return ak


def _printable(value: str) -> bool:
    return bool(value) and all(33 <= ord(ch) <= 126 for ch in value)
