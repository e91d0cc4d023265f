"""Temporary access keys from the ECS metadata service (an agency). Probed with the metadata client's short
timeout; it sits last in the chain, so it is asked only when nothing else was found. No answer is a skip under
`--auth auto` (a laptop has no metadata service) and a broken source under `--auth ecs-agency`, where it is the
only source."""

from __future__ import annotations

import asyncio

from tui_app.credential_chain import BrokenSource, CredentialProvider, Skipped
from tui_app.credential_types import Credentials, CredentialSource
from tui_app.i18n import _
from tui_app.vias.auth import AccessKeys
from tui_app.vias.metadata import MetadataError, fetch_keys, metadata_endpoint


class EcsMetadataProvider(CredentialProvider):
    source = CredentialSource.ECS_METADATA

    def __init__(self, *, required: bool) -> None:
        self.required = required

    def load(self) -> Credentials | Skipped:
        try:
            fresh = asyncio.run(fetch_keys())
            endpoint = metadata_endpoint()  # for messages; fetch_keys has just read the same setting
        except MetadataError as exc:
            if self.required:
                raise BrokenSource(str(exc), _("ECS agency: {reason}").format(reason=exc)) from None
            return Skipped(str(exc))
        keys = AccessKeys(fresh.ak, fresh.sk, fresh.security_token)
        return Credentials(self.source, keys=keys, expires_at=fresh.expires_at, where=endpoint)


__all__ = ["EcsMetadataProvider"]
