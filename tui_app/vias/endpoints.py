"""Regions, endpoint URLs, and the rule that plain HTTP is for loopback only."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from tui_app.i18n import N_, _
from tui_app.problems import OperatorError

MAX_ENDPOINT = 2048  # characters; real endpoints are a host name and perhaps a short path prefix
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f]")  # whitespace and control characters (urlsplit drops CR, LF, tab)

REGIONS: dict[str, str] = {  # the region's ID, and its name (marked: translated where it is shown)
    "cn-north-4": N_("Beijing4"),
    "cn-east-3": N_("Shanghai1"),
    "cn-south-1": N_("Guangzhou"),
    "cn-southwest-2": N_("Guiyang1"),
    "ap-southeast-1": N_("Hong Kong"),
    "ap-southeast-3": N_("Singapore"),
    "ap-southeast-4": N_("Jakarta"),
}


class EndpointError(OperatorError, ValueError):
    """An endpoint or region the console refuses to use; the message says what to do instead."""


@dataclass(frozen=True)
class Endpoint:
    base_url: str  # scheme://host[:port][/prefix], no trailing slash
    region: str | None = None

    @property
    def label(self) -> str:
        host = urlsplit(self.base_url).netloc
        return f"{self.region} ({host})" if self.region else host

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(urlsplit(self.base_url).hostname or "")


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_key(base_url: str) -> str:
    """One spelling per endpoint, so runs recorded as `http://LOCALHOST:80/` and `http://127.0.0.1` are one target.

    Scheme and host lower-cased, a trailing dot and the default port dropped, every loopback name folded into one.
    """
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    if is_loopback_host(host):
        host = "loopback"
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(scheme)
    where = host if port in (None, default) else f"{host}:{port}"
    return f"{scheme}://{where}{parts.path.rstrip('/')}"


def region_endpoint(region: str) -> Endpoint:
    if region not in REGIONS:
        known = ", ".join(REGIONS)
        raise EndpointError(
            _("unknown region {region!r}; known regions: {known}. Or pass --endpoint URL.").format(
                region=region, known=known
            )
        )
    return Endpoint(f"https://vias.{region}.myhuaweicloud.com", region)


def parse_endpoint(url: str, region: str | None = None) -> Endpoint:
    """Validate an explicit endpoint URL. HTTPS anywhere; HTTP only on loopback (the fake server). Whitespace around
    it is dropped; inside it, whitespace and control characters are refused (urlsplit would silently drop a CR or LF
    and send the request somewhere else), and so is anything longer than MAX_ENDPOINT characters."""
    url = url.strip()
    if len(url) > MAX_ENDPOINT:
        raise EndpointError(
            _("endpoint is {length:,} characters; at most {limit:,} (check what was pasted)").format(
                length=len(url), limit=MAX_ENDPOINT
            )
        )
    if (bad := _UNSAFE.search(url)) is not None:
        unsafe = (
            _("endpoint contains a space at position {position}; use e.g. https://vias.cn-north-4.myhuaweicloud.com")
            if bad.group() == " "
            else _(
                "endpoint contains a control character at position {position}; use e.g. "
                "https://vias.cn-north-4.myhuaweicloud.com"
            )
        )
        raise EndpointError(unsafe.format(position=bad.start() + 1))
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed [IPv6 bracket
        raise EndpointError(_("endpoint {url!r} is not a URL ({reason})").format(url=url[:200], reason=exc)) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise EndpointError(
            _("endpoint {url!r} is not an http(s) URL; use e.g. https://vias.cn-north-4.myhuaweicloud.com").format(
                url=url
            )
        )
    if parts.username or parts.password:
        raise EndpointError(_("endpoint must not contain a user name or password"))
    if parts.query or parts.fragment:
        raise EndpointError(_("endpoint must not contain a query or fragment"))
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise EndpointError(
            _(
                "refusing plain http:// to {host}: tokens would travel unencrypted. "
                "Use https:// (plain http is allowed only for 127.0.0.1/localhost, e.g. the fake server)."
            ).format(host=parts.hostname)
        )
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when asked for it
    except ValueError as exc:
        raise EndpointError(_("endpoint {url!r} has an invalid port").format(url=url)) from exc
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    try:
        httpx.URL(base)
    except (httpx.InvalidURL, ValueError) as exc:
        raise EndpointError(
            _("endpoint {url!r} is not a usable URL ({reason})").format(url=base[:200], reason=str(exc)[:100])
        ) from None
    return Endpoint(base, region)


def resolve_endpoint(region: str | None, endpoint: str | None) -> Endpoint:
    if endpoint:
        return parse_endpoint(endpoint, region)
    if region:
        return region_endpoint(region)
    raise EndpointError(_("no target: pass --region REGION or --endpoint URL (or set them in a profile)"))


def iam_endpoint_for(region: str) -> str:
    return f"https://iam.{region}.myhuaweicloud.com"
