"""The fake server's own check of `SDK-HMAC-SHA256` signatures, written from the published rules rather than
from our client's signer, so that a mistake in one is caught by the other.

Reasons name what is wrong, never a secret or the signature the server expected (that would be an oracle).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote, unquote_plus

MAX_SKEW = timedelta(minutes=15)
_NAME = r"[a-z0-9!#$%&'*+.^_`|~-]+"  # an HTTP header name (RFC 9110 token), lower case as signers write it
_AUTH = re.compile(
    rf"SDK-HMAC-SHA256 Access=(?P<ak>[^\s,]+), SignedHeaders=(?P<names>{_NAME}(?:;{_NAME})*), "
    r"Signature=(?P<sig>[0-9a-f]{64})"
)
_DATE = re.compile(r"\d{8}T\d{6}Z")

# The key's secret and, for temporary keys, the security token that must come with it.
KeyLookup = Callable[[str], tuple[str, str | None] | None]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""  # empty when ok
    ak: str | None = None  # the access key the request claimed, once it could be read


def _pct(text: str) -> str:
    # RFC 3986 unreserved characters stay; everything else (UTF-8) is %XX with upper-case hex.
    return quote(text, safe="-_.~")


def _canonical_path(raw_path: str) -> str:
    decoded = unquote(raw_path) if raw_path else "/"
    out = "/".join(_pct(piece) for piece in decoded.split("/"))
    return out if out[-1:] == "/" else out + "/"


def _canonical_query(raw_query: str) -> str:
    items: list[tuple[str, str]] = []
    for chunk in raw_query.split("&"):
        if chunk:
            name, _, value = chunk.partition("=")
            items.append((unquote_plus(name), unquote_plus(value)))
    items.sort()
    return "&".join(_pct(name) + "=" + _pct(value) for name, value in items)


def verify_request(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    keys: KeyLookup,
    now: datetime,
    *,
    max_skew: timedelta = MAX_SKEW,
) -> Verdict:
    """Check a signed request as received: `target` is the raw request target (path and query), `headers`
    have lower-case names, `keys` maps an access key ID to (secret key, required security token or None)."""
    authorization = headers.get("authorization")
    if not authorization:
        return Verdict(False, "missing Authorization header")
    match = _AUTH.fullmatch(authorization.strip())
    if match is None:
        return Verdict(False, "garbled Authorization header (not SDK-HMAC-SHA256 Access=, SignedHeaders=, Signature=)")
    ak, names = match["ak"], match["names"].split(";")

    stamp = headers.get("x-sdk-date")
    if stamp is None:
        return Verdict(False, "missing X-Sdk-Date header", ak)
    try:
        if not _DATE.fullmatch(stamp.strip()):
            raise ValueError
        signed_at = datetime.strptime(stamp.strip(), "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return Verdict(False, "garbled X-Sdk-Date (want YYYYMMDDTHHMMSSZ)", ak)
    if now - signed_at > max_skew:
        return Verdict(False, "X-Sdk-Date is more than 15 minutes old", ak)
    if signed_at - now > max_skew:
        return Verdict(False, "X-Sdk-Date is more than 15 minutes in the future", ak)

    for required in ("host", "x-sdk-date"):
        if required not in names:
            return Verdict(False, f"{required} is not among the signed headers", ak)
    for name in names:
        if name not in headers:
            return Verdict(False, f"signed header {name} is missing from the request", ak)

    entry = keys(ak)
    if entry is None:
        return Verdict(False, "unknown access key", ak)
    secret, wanted_token = entry
    sent_token = headers.get("x-security-token")
    if wanted_token is not None:
        if sent_token is None:
            return Verdict(False, "temporary key without X-Security-Token", ak)
        if not hmac.compare_digest(sent_token.encode(), wanted_token.encode()):
            return Verdict(False, "wrong X-Security-Token for this temporary key", ak)
        if "x-security-token" not in names:
            return Verdict(False, "x-security-token is not among the signed headers", ak)
    elif sent_token is not None:
        return Verdict(False, "X-Security-Token sent with a permanent key", ak)

    raw_path, _, raw_query = target.partition("?")
    canonical = "\n".join(
        [
            method.upper(),
            _canonical_path(raw_path),
            _canonical_query(raw_query.partition("#")[0]),
            "".join(f"{name}:{headers[name].strip()}\n" for name in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = "SDK-HMAC-SHA256\n" + stamp.strip() + "\n" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    expected = hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match["sig"]):
        return Verdict(False, "signature mismatch", ak)
    return Verdict(True, "", ak)
