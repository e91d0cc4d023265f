"""Which proxy a connection uses: an explicit setting, the environment as curl and httpx read it, NO_PROXY (hosts,
domains, `*`, addresses, CIDR ranges, ports), what is never proxied, and how a proxy URL is shown and refused."""

from __future__ import annotations

import httpx
import pytest

from tui_app.vias.proxy import ProxyConfigError, ProxySettings, parse_proxy_url

VIAS_HOST = "vias.cn-north-4.myhuaweicloud.com"
PASSWORD = "pr0xyPASSWORDcanary"


# -- choosing the proxy ---------------------------------------------------------------------------------------


def settings(env: dict[str, str], explicit: str | None = None) -> ProxySettings:
    return ProxySettings.resolve(explicit, env)


def chosen(proxies: ProxySettings, url: str) -> str | None:
    target = httpx.URL(url)
    proxy = proxies.for_target(target.scheme, target.host, target.port or (443 if target.scheme == "https" else 80))
    return proxy.masked() if proxy else None


def test_environment_variables_by_scheme_lower_case_first() -> None:
    env = {
        "HTTPS_PROXY": "http://upper:1",
        "https_proxy": "http://lower:2",
        "HTTP_PROXY": "http://plain:3",
        "ALL_PROXY": "http://all:4",
    }
    proxies = settings(env)
    assert chosen(proxies, f"https://{VIAS_HOST}") == "http://lower:2"
    assert chosen(proxies, "http://example.test") == "http://plain:3"
    only_all = settings({"all_proxy": "http://all:4", "HTTPS_PROXY": " "})  # an empty value is unset
    assert chosen(only_all, f"https://{VIAS_HOST}") == chosen(only_all, "http://example.test") == "http://all:4"
    assert chosen(settings({"HTTP_PROXY": "http://plain:3"}), f"https://{VIAS_HOST}") is None  # not for https
    assert chosen(settings({}), f"https://{VIAS_HOST}") is None


def test_an_explicit_setting_wins_and_an_empty_one_turns_proxies_off() -> None:
    env = {"HTTPS_PROXY": "http://env:1"}
    assert chosen(settings(env, "http://flag:8080"), f"https://{VIAS_HOST}") == "http://flag:8080"
    assert chosen(settings(env, ""), f"https://{VIAS_HOST}") is None
    assert settings(env, "").describe() == "no proxy"
    assert chosen(settings(env, "proxy.corp"), f"https://{VIAS_HOST}") == "http://proxy.corp:1080"  # curl's defaults


@pytest.mark.parametrize(
    ("no_proxy", "url", "bypassed"),
    [
        ("vias.cn-north-4.myhuaweicloud.com", f"https://{VIAS_HOST}", True),
        ("myhuaweicloud.com", f"https://{VIAS_HOST}", True),  # a domain covers its subdomains
        (".myhuaweicloud.com", f"https://{VIAS_HOST}", True),
        ("*.myhuaweicloud.com", f"https://{VIAS_HOST}", True),
        ("huaweicloud.com", f"https://{VIAS_HOST}", False),  # not a suffix at a dot
        ("other.example, *", f"https://{VIAS_HOST}", True),
        ("VIAS.CN-NORTH-4.MYHUAWEICLOUD.COM.", f"https://{VIAS_HOST}", True),
        (f"{VIAS_HOST}:443", f"https://{VIAS_HOST}", True),
        (f"{VIAS_HOST}:8443", f"https://{VIAS_HOST}", False),
        ("10.1.2.3", "https://10.1.2.3", True),
        ("10.0.0.0/8", "https://10.200.0.1:8443", True),
        ("10.0.0.0/8", "https://11.0.0.1", False),
        ("10.0.0.0/8", "https://ten.example", False),  # names are never resolved to match a range
        ("fd00::/8", "https://[fd12::1]", True),
        ("[fd12::1]:443", "https://[fd12::1]", True),
        ("fd12::1", "https://[fd12::2]", False),
        ("", f"https://{VIAS_HOST}", False),
    ],
)
def test_no_proxy(no_proxy: str, url: str, bypassed: bool) -> None:
    from_environment = settings({"HTTPS_PROXY": "http://proxy:3128", "no_proxy": no_proxy})
    explicit = settings({"NO_PROXY": no_proxy}, "http://flag:1")  # NO_PROXY applies to an explicit proxy too
    assert (chosen(from_environment, url) is None) == bypassed
    assert (chosen(explicit, url) is None) == bypassed


def test_loopback_and_the_metadata_address_are_never_proxied() -> None:
    proxies = settings({"ALL_PROXY": "http://proxy:3128"})
    for url in (
        "http://127.0.0.1:8080",
        "https://localhost",
        "http://[::1]:9",
        "http://169.254.169.254",
        "http://a.localhost",
    ):
        assert chosen(proxies, url) is None, url
    assert chosen(settings({}, "http://flag:1"), "http://169.254.169.254/openstack") is None


@pytest.mark.parametrize("url", ["socks5://u:secretpw@proxy:1080", "https://proxy:443", "socks5h://proxy"])
def test_only_http_proxies_are_supported_said_in_one_line(url: str) -> None:
    with pytest.raises(ProxyConfigError) as raised:
        settings({"HTTPS_PROXY": url})
    message = str(raised.value)
    assert "only http:// proxies are supported" in message and "\n" not in message
    assert "HTTPS_PROXY" in message and "secretpw" not in message


@pytest.mark.parametrize(
    "url", ["http://proxy:notaport", "http://proxy:99999", "http://proxy/path", "http://pro xy:1", "http://:8080"]
)
def test_unusable_proxy_urls_are_one_line_without_the_password(url: str) -> None:
    with pytest.raises(ProxyConfigError) as raised:
        parse_proxy_url(url.replace("http://", f"http://u:{PASSWORD}@"), "--proxy")
    assert PASSWORD not in str(raised.value) and "\n" not in str(raised.value)


def test_credentials_are_percent_decoded_and_only_ever_shown_masked() -> None:
    proxy = parse_proxy_url("http://op%40corp:p%3Ass%20w@proxy.corp:3128", "HTTPS_PROXY")
    assert proxy.username == "op@corp" and proxy.password is not None and proxy.password.reveal() == "p:ss w"
    assert proxy.authorization() == "Basic b3BAY29ycDpwOnNzIHc="  # base64 of "op@corp:p:ss w"
    masked = proxy.masked()
    assert masked == "http://op@corp:***@proxy.corp:3128"
    for text in (
        masked,
        str(proxy),
        repr(proxy),
        f"{proxy}",
        repr(ProxySettings(https=proxy)),
        ProxySettings(https=proxy).describe(),
    ):
        assert "p:ss" not in text and "p%3Ass" not in text
    assert {"p:ss w", "p%3Ass%20w"} <= set(proxy.secrets())
