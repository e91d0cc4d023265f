"""Everything the console needs from the command line; the CLI builds one, the tests build one directly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui_app.credentials import AuthMode, Credentials
from tui_app.engine import DEFAULT_CONCURRENCY
from tui_app.i18n import _
from tui_app.locate import Where, carried_options
from tui_app.retry_policy import RetryPolicy
from tui_app.settings import Target
from tui_app.vias.client import ViasClient
from tui_app.vias.endpoints import Endpoint, parse_endpoint, region_endpoint
from tui_app.vias.http import HttpSettings
from tui_app.vias.proxy import ProxySettings
from tui_app.vias.wire import tls_context


@dataclass
class ConsoleContext:
    profile: str
    target: Target | None
    target_problem: str | None = None
    demo: bool = False
    session_credentials: Credentials | None = None  # used instead of looking (the demo's token)
    initial_text: str = ""
    concurrency: int = DEFAULT_CONCURRENCY
    concurrency_source: str = "default"
    timeout: float = 30.0
    policy: RetryPolicy | None = None
    auth_mode: AuthMode = AuthMode.AUTO
    iam_endpoint: str | None = None
    iam_region: str | None = None
    iam_account: str | None = None
    iam_user: str | None = None
    iam_user_id: str | None = None
    demo_hint: str | None = None
    proxy: str | None = None  # explicit (--proxy, VIAS_PROXY, the profile); None: the environment's
    ca_bundle: str | None = None
    runs_dir: Path | None = None  # None: the platform's state directory (the demo passes its own)
    look_for_credentials: bool = True
    steady_cursor: bool = False  # no blinking cursors: deterministic snapshots and screenshots
    region_endpoints: Callable[[str], Endpoint | None] | None = None  # where each region's VIAS is (Locate)

    def target_label(self) -> str:
        if self.target is None:
            return _("no target")
        if self.demo:
            return _("fake VIAS on loopback")
        return self.target.endpoint.label

    def iam_http(self) -> HttpSettings:
        """How IAM is reached from the credentials screen: the same proxy and CA bundle as the target."""
        target = self.target
        proxies = target.proxies() if target is not None else ProxySettings.resolve(self.proxy)
        ca_bundle = target.ca_bundle if target is not None else self.ca_bundle
        return HttpSettings(timeout=self.timeout, ca_bundle=ca_bundle, proxy=proxies)

    def locate_where(self, credentials: Credentials) -> Where | str:
        """Where Locate starts from, or why it cannot (one sentence)."""
        target = self.target
        if target is None:
            return _("No target yet: press F6 first.")
        if self.iam_endpoint is None:
            return _("No IAM endpoint known: set a region (F6), or VIAS_IAM_ENDPOINT / the profile's iam_endpoint.")
        tls = tls_context(target.ca_bundle) if target.endpoint.base_url.startswith("https:") else None
        return Where(
            target.project_id,
            credentials.auth(),
            target.http(self.timeout, tls=tls),
            parse_endpoint(self.iam_endpoint, self.iam_region),
            self.region_endpoints or _public_endpoint,
            profile=None if self.demo else self.profile,  # the demo's keys live in this session only
            carried=carried_options(ca_bundle=self.ca_bundle, auth=self.auth_mode.value, proxy=self.proxy),
        )

    def make_client(self, credentials: Credentials) -> ViasClient:
        """A client for listing (preview, Browse); deletes go through a RunSession."""
        assert self.target is not None
        target = self.target
        tls = tls_context(target.ca_bundle) if target.endpoint.base_url.startswith("https:") else None
        http = target.http(self.timeout, max_connections=self.concurrency, tls=tls)
        return ViasClient(target.endpoint, target.project_id, credentials.auth(), http=http)


def _public_endpoint(region: str) -> Endpoint | None:
    from tui_app.vias.endpoints import REGIONS

    return region_endpoint(region) if region in REGIONS else None
