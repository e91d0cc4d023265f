"""vias-tui's own variable: an IAM token in VIAS_AUTH_TOKEN. Set but malformed stops the search."""

from __future__ import annotations

import os

from tui_app.credential_chain import BrokenSource, CredentialProvider, Skipped
from tui_app.credential_types import Credentials, CredentialSource
from tui_app.i18n import _
from tui_app.secret import Token, TokenFormatError

ENV_TOKEN = "VIAS_AUTH_TOKEN"


class EnvTokenProvider(CredentialProvider):
    source = CredentialSource.ENV_TOKEN

    def load(self) -> Credentials | Skipped:
        value = os.environ.get(ENV_TOKEN)
        if not value:
            return Skipped(_("{variable} is not set").format(variable=ENV_TOKEN))
        try:
            return Credentials(self.source, token=Token(value), where=ENV_TOKEN)
        except TokenFormatError as exc:  # the message never holds the value
            raise BrokenSource(
                _("set but unusable: {reason}").format(reason=exc),
                _("{variable} is set but unusable: {reason}").format(variable=ENV_TOKEN, reason=exc),
            ) from None


__all__ = ["ENV_TOKEN", "EnvTokenProvider"]
