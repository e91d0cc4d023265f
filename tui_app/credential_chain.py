"""The provider interface and the resolver that runs a chain of providers, in the shape of botocore's
`CredentialResolver`: each source is a provider whose one `load()` gives credentials, or `Skipped` with one line
saying why, or raises `BrokenSource` when the source is configured but unusable. The first credentials win; a
broken source stops the search, so a half-configured source is reported instead of silently passed over."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from tui_app.credential_types import Credentials, CredentialSource


@dataclass(frozen=True)
class Skipped:
    """Nothing usable here, and why in one line (shown by `auth status`)."""

    why: str


class BrokenSource(Exception):
    """The source is configured but cannot be used: stops the search. `why` goes in the trail next to the source;
    the message (`problem`) is the one line the operator sees. Neither may hold a secret."""

    def __init__(self, why: str, problem: str) -> None:
        super().__init__(problem)
        self.why = why
        self.problem = problem


class CredentialProvider(ABC):
    """One source of credentials. Constructing one does no I/O; `load()` looks, once."""

    source: ClassVar[CredentialSource]

    @abstractmethod
    def load(self) -> Credentials | Skipped:
        """Credentials, or Skipped(why); raises BrokenSource when configured but unusable."""


@dataclass(frozen=True)
class Resolution:
    credentials: Credentials | None
    trail: list[tuple[CredentialSource, str]] = field(default_factory=list)  # each source passed over, and why
    problem: str | None = None  # the broken source's one line, when one stopped the search


class CredentialResolver:
    """Asks each provider in order; stops at the first credentials or the first broken source."""

    def __init__(self, providers: Sequence[CredentialProvider]) -> None:
        self.providers = list(providers)

    def load_credentials(self) -> Resolution:
        trail: list[tuple[CredentialSource, str]] = []
        for provider in self.providers:
            try:
                found = provider.load()
            except BrokenSource as broken:
                trail.append((provider.source, broken.why))
                return Resolution(None, trail, broken.problem)
            if isinstance(found, Skipped):
                trail.append((provider.source, found.why))
                continue
            return Resolution(found, trail)
        return Resolution(None, trail)


__all__ = ["BrokenSource", "CredentialProvider", "CredentialResolver", "Resolution", "Skipped"]
