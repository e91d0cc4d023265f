"""AK/SK request signing (`SDK-HMAC-SHA256`), byte-identical to `huaweicloudsdkcore.signer.signer.Signer`.

Signed: `host`, `x-sdk-date`, (temporary keys) `x-security-token`, and the headers the caller hands over to be
signed (the client: `X-Project-Id`, which the SDK always sends). The SDK signs every header it is handed, so handing
it just these gives the same Authorization as ours; the gateway checks exactly the headers named in SignedHeaders.
User-Agent, Accept and the headers httpx adds itself are left unsigned: a proxy or transport that rewrites one of
them must not break the signature, and they carry nothing to protect.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import NoReturn
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def _encode(text: str) -> str:
    return quote(text, safe="~")  # the SDK's _url_encode: only unreserved characters stay as they are


def canonical_uri(path: str) -> str:
    # As the SDK's _process_canonical_uri: unquote the whole path first (so an encoded "%2F" signs as a
    # separator), then encode each segment; a trailing "/" is always added.
    uri = "/".join(_encode(segment) for segment in unquote(path or "/").split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(query: str) -> str:
    # Form decoding ("+" is a space) because httpx encodes spaces in params as "+". The SDK sorts the
    # decoded (key, value) pairs, then encodes them.
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in pairs)


def canonical_url(url: str) -> str:
    """The URL with its query in canonical form: what the SDK puts on the wire, so nothing is left to how a
    server decodes "+"."""
    parts = urlsplit(url)
    query = canonical_query(parts.query)
    return parts._replace(query=query, fragment="").geturl()


def _header_safe(value: str) -> bool:
    return bool(value) and all(32 < ord(ch) < 127 for ch in value)


class AkSkSigner:
    """Signs requests with one key pair; keep one per credential and call `sign` for every request."""

    __slots__ = ("_ak", "_mac", "_token")

    def __init__(self, ak: str, sk: str, security_token: str | None = None) -> None:
        # Messages name the problem only, never the value.
        if not _header_safe(ak) or "," in ak:
            raise ValueError("the access key ID must be printable ASCII without spaces or commas")
        if not sk:
            raise ValueError("the secret access key is empty")
        if security_token is not None and not _header_safe(security_token):
            raise ValueError("the security token must be printable ASCII without spaces")
        self._ak = ak
        self._token = security_token
        # Only the keyed HMAC is kept (its repr shows no key); copying it per request skips the key setup.
        self._mac = hmac.new(sk.encode(), digestmod=hashlib.sha256)

    def __repr__(self) -> str:
        return f"AkSkSigner(ak={self._ak}, temporary={self._token is not None})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("signers hold a secret and are not picklable")

    def sign(
        self, method: str, url: str, body: bytes = b"", *, when: datetime, headers: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """The headers to add to a request for absolute `url`: X-Sdk-Date, Host, X-Security-Token, Authorization, and
        every header in `headers`, signed.

        Pass the URL as it goes on the wire, `str(request.url)` of the httpx request: httpx drops "." and ".."
        path segments, and the path is signed as given. A Host in `headers` (the one httpx will send) is signed
        instead of the URL's host[:port]; the other headers in it (X-Project-Id) are signed and returned as given."""
        if when.tzinfo is None:
            raise ValueError("the signing time must be timezone-aware")
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        extra: dict[str, str] = {}
        for name, value in (headers or {}).items():
            if name.lower() == "host":
                host = value
            else:
                extra[name] = value
        added = {"X-Sdk-Date": when.astimezone(timezone.utc).strftime(DATE_FORMAT), "Host": host, **extra}
        if self._token is not None:
            added["X-Security-Token"] = self._token
        signed = sorted((name.lower(), value.strip()) for name, value in added.items())
        names = ";".join(name for name, _ in signed)
        canonical_request = "\n".join(
            (
                method.upper(),
                canonical_uri(parts.path),
                canonical_query(parts.query),
                "".join(f"{name}:{value}\n" for name, value in signed),
                names,
                hashlib.sha256(body).hexdigest(),
            )
        )
        string_to_sign = f"{ALGORITHM}\n{added['X-Sdk-Date']}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
        mac = self._mac.copy()
        mac.update(string_to_sign.encode())
        added["Authorization"] = f"{ALGORITHM} Access={self._ak}, SignedHeaders={names}, Signature={mac.hexdigest()}"
        return added


def sign_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    ak: str,
    sk: str,
    security_token: str | None,
    when: datetime,
) -> dict[str, str]:
    """One-off form of `AkSkSigner(ak, sk, security_token).sign(...)`."""
    return AkSkSigner(ak, sk, security_token).sign(method, url, body, when=when, headers=headers)
