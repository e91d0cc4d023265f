"""Everything the console needs from the command line; the CLI builds one, the tests build one directly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui_app.credentials import AuthMode, Credentials
from tui_app.engine import DEFAULT_CONCURRENCY
from tui_app.retry_policy import RetryPolicy
from tui_app.settings import Target
from tui_app.vias.client import ViasClient
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
    demo_hint: str | None = None
    runs_dir: Path | None = None  # None: the platform's state directory (the demo passes its own)
    look_for_credentials: bool = True
    steady_cursor: bool = False  # no blinking cursors: deterministic snapshots and screenshots

    def target_label(self) -> str:
        if self.target is None:
            return "no target"
        if self.demo:
            return "fake VIAS on loopback"
        return self.target.endpoint.label

    def make_client(self, credentials: Credentials) -> ViasClient:
        """A client for listing (preview, Browse); deletes go through a RunSession."""
        assert self.target is not None
        return ViasClient(
            self.target.endpoint,
            self.target.project_id,
            credentials.auth(),
            timeout=self.timeout,
            connect_timeout=min(10.0, self.timeout),
            tls=tls_context(self.target.ca_bundle),
            max_connections=self.concurrency,
        )
