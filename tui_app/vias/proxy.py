"""Which proxy a request goes through: an explicit setting, or the environment read as curl and httpx read it.

* An explicit URL (the `--proxy` flag or a profile key) wins over the environment; an explicit empty string turns
  proxies off.
* Otherwise `https_proxy`/`HTTPS_PROXY` for https targets and `http_proxy`/`HTTP_PROXY` for http ones, then
  `all_proxy`/`ALL_PROXY` for either (lower case first, as curl and urllib do; an empty value is unset).
* `no_proxy`/`NO_PROXY` (also with an explicit proxy, as in curl): comma-separated entries, each `*` (everything),
  a host (`vias.example.com`, which covers its subdomains too), a domain with or without a leading dot
  (`.corp`, `corp`), an IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`), any of them with `:port` to
  match one port only. No name is ever resolved to match a rule.
* Loopback targets and the ECS metadata address 169.254.169.254 are never proxied.
* Only `http://` proxies (a URL without a scheme is taken as one; without a port, 1080 as in curl): https targets go
  through a CONNECT tunnel, plain http in absolute form. socks5:// and https:// proxies are refused in one line.
  Credentials in the URL (percent-decoded) go as `Proxy-Authorization: Basic`; the password is only ever shown
  as `***`.

Hand-written because httpx's environment handling cannot be used without its own pool (see transport.py) and does
not know CIDR ranges; urllib's `proxy_bypass` resolves names.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from tui_app.i18n import _
from tui_app.problems import OperatorError
from tui_app.secret import Secret

DEFAULT_PORT = 1080  # curl's default proxy port
METADATA_HOST = "169.254.169.254"
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ProxyConfigError(OperatorError, ValueError):
    """A proxy setting that cannot be used; the message names it (password masked) and says what works."""


def mask_userinfo(text: str) -> str:
    """`text` with any password between `user:` and `@` replaced by `***`."""
    head, at, rest = text.rpartition("@")
    if not at:
        return text
    scheme, sep, userinfo = head.rpartition("//")
    user, colon, _password = userinfo.partition(":")
    return f"{scheme}{sep}{user}{':***' if colon else ''}@{rest}"


@dataclass(frozen=True, repr=False)
class ProxyUrl:
    """An http:// proxy. `str()`, `repr()` and `masked()` never show the password."""

    host: str
    port: int
    username: str = ""
    password: Secret | None = None
    raw_password: Secret | None = None  # as written in the URL (percent-encoded): scrubbed too
    source: str = ""  # where it came from: "HTTPS_PROXY", "--proxy", ...

    def masked(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        secret = ":***" if self.password is not None else ""
        user = f"{self.username}{secret}@" if self.username or secret else ""
        return f"http://{user}{host}:{self.port}"

    __str__ = masked

    def __repr__(self) -> str:
        return f"ProxyUrl({self.masked()})"

    @property
    def authority(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def authorization(self) -> str | None:
        """The `Proxy-Authorization` value, or None without credentials."""
        if not self.username and self.password is None:
            return None
        secret = self.password.reveal() if self.password is not None else ""
        return "Basic " + base64.b64encode(f"{self.username}:{secret}".encode()).decode("ascii")

    def secrets(self) -> list[str]:
        """What must be scrubbed from every text: the password, decoded and as written, and the Basic value."""
        values = [s.reveal() for s in (self.password, self.raw_password) if s is not None and s.reveal()]
        auth = self.authorization()
        if values and auth:
            values.append(auth.removeprefix("Basic "))
        return values


def parse_proxy_url(value: str, source: str) -> ProxyUrl:
    """An http:// proxy URL; ProxyConfigError (one line, password masked) for anything else."""
    text = value.strip()
    shown = f"{source}={mask_userinfo(text)!r}"
    if _CONTROL.search(text):
        raise ProxyConfigError(_("{source}: the proxy URL contains spaces or control characters").format(source=source))
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme != "http":
        raise ProxyConfigError(
            _("{setting}: only http:// proxies are supported (not {scheme}://: no socks5 or https proxies)").format(
                setting=shown, scheme=scheme
            )
        )
    try:
        port = parts.port
    except ValueError:
        raise ProxyConfigError(
            _("{setting}: the proxy's port is not a number from 1 to 65535").format(setting=shown)
        ) from None
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ProxyConfigError(_("{setting}: expected http://[user:password@]host:port").format(setting=shown))
    password = parts.password
    return ProxyUrl(
        host=parts.hostname,
        port=port or DEFAULT_PORT,
        username=unquote(parts.username or ""),
        password=Secret(unquote(password)) if password is not None else None,
        raw_password=Secret(password) if password is not None else None,
        source=source,
    )


@dataclass(frozen=True)
class _Rule:
    domain: str | None = None  # matches itself and its subdomains
    network: Network | None = None  # an address is a /32 or /128 network
    port: int | None = None

    def matches(self, host: str, address: Address | None, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address is not None and address.version == self.network.version and address in self.network
        domain = self.domain or ""
        return host == domain or host.endswith("." + domain)


def _rule(entry: str) -> _Rule | None:
    entry = entry.strip().lower()
    port: int | None = None
    if entry.startswith("["):  # [v6] or [v6]:port
        inside, _bracket, rest = entry[1:].partition("]")
        entry = inside
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
    elif entry.count(":") == 1:  # host:port (more colons: a bare IPv6 address)
        name, _colon, number = entry.partition(":")
        if number.isdigit():
            entry, port = name, int(number)
    try:
        return _Rule(network=ipaddress.ip_network(entry, strict=False), port=port)
    except ValueError:
        pass
    domain = entry.removeprefix("*").lstrip(".").rstrip(".")
    return _Rule(domain=domain, port=port) if domain else None


def _never_proxied(host: str, address: Address | None) -> bool:
    return host in ("localhost", METADATA_HOST) or host.endswith(".localhost") or bool(address and address.is_loopback)


@dataclass(frozen=True)
class ProxySettings:
    """The proxies in force for every connection the tool opens (VIAS, IAM; never the metadata service)."""

    https: ProxyUrl | None = None
    http: ProxyUrl | None = None
    no_proxy: tuple[_Rule, ...] = ()
    bypass_all: bool = False
    no_proxy_text: str = field(default="", compare=False)

    @classmethod
    def off(cls) -> ProxySettings:
        return cls()

    @classmethod
    def resolve(
        cls,
        explicit: str | None = None,
        environ: Mapping[str, str] | None = None,
        no_proxy: str | None = None,
        *,
        source: str = "--proxy",
    ) -> ProxySettings:
        """From an explicit URL (None: not given; "": proxies off; `source` names where it came from) or else the
        environment. ProxyConfigError for a proxy URL that cannot be used."""
        env = os.environ if environ is None else environ

        def var(name: str) -> tuple[str, str] | None:
            for key in (name.lower(), name.upper()):
                if env.get(key, "").strip():
                    return key, env[key]
            return None

        https: ProxyUrl | None
        http: ProxyUrl | None
        if explicit is not None:
            if not explicit.strip():
                return cls()
            https = http = parse_proxy_url(explicit, source)
        else:
            fallback = var("all_proxy")
            found_https, found_http = var("https_proxy") or fallback, var("http_proxy") or fallback
            https = parse_proxy_url(found_https[1], found_https[0]) if found_https else None
            http = parse_proxy_url(found_http[1], found_http[0]) if found_http else None
        if no_proxy is None:
            found = var("no_proxy")
            no_proxy = found[1] if found else ""
        entries = [e for e in no_proxy.split(",") if e.strip()]
        rules = tuple(rule for rule in map(_rule, entries) if rule is not None)
        return cls(https, http, rules, any(e.strip() == "*" for e in entries), no_proxy.strip())

    def for_target(self, scheme: str, host: str, port: int) -> ProxyUrl | None:
        """The proxy for a connection to scheme://host:port, or None to connect directly."""
        proxy = self.https if scheme == "https" else self.http
        if proxy is None or self.bypass_all:
            return None
        name = host.strip("[]").rstrip(".").lower()
        try:
            address: Address | None = ipaddress.ip_address(name)
        except ValueError:
            address = None
        if _never_proxied(name, address) or any(rule.matches(name, address, port) for rule in self.no_proxy):
            return None
        return proxy

    def secrets(self) -> list[str]:
        return [value for proxy in {self.https, self.http} if proxy is not None for value in proxy.secrets()]

    def describe(self) -> str:
        """One line for screens and reports: the proxies (masked), where they came from, and NO_PROXY."""
        if self.https is None and self.http is None:
            return _("no proxy")
        parts = []
        for scheme, proxy in (("https", self.https), ("http", self.http)):
            if proxy is not None:
                parts.append(
                    _("{scheme}: {proxy} (from {source})").format(
                        scheme=scheme, proxy=proxy.masked(), source=proxy.source
                    )
                )
        if self.no_proxy_text:
            parts.append(_("not for: {hosts}").format(hosts=self.no_proxy_text))
        return _("; ").join(parts)


__all__ = ["DEFAULT_PORT", "ProxyConfigError", "ProxySettings", "ProxyUrl", "mask_userinfo", "parse_proxy_url"]
