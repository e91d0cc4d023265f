"""Access keys in the SDK's environment (HUAWEICLOUD_SDK_AK, _SK, optional _SECURITY_TOKEN). Half of them, or
keys that cannot sign, stop the search."""

from __future__ import annotations

from tui_app.credential_chain import BrokenSource, CredentialProvider, Skipped
from tui_app.credential_types import Credentials, CredentialSource
from tui_app.domain.keys import SdkCredentialsError
from tui_app.i18n import _
from tui_app.sdk_credentials import ENV_AK, ENV_SK, keys_from_env
from tui_app.vias.auth import AccessKeys


class EnvKeysProvider(CredentialProvider):
    source = CredentialSource.ENV_KEYS

    def load(self) -> Credentials | Skipped:
        try:
            found = keys_from_env()
        except SdkCredentialsError as exc:
            raise BrokenSource(
                str(exc), _("access keys in the environment are unusable: {reason}").format(reason=exc)
            ) from None
        if found is None:
            return Skipped(_("{ak}/{sk} are not set").format(ak=ENV_AK, sk=ENV_SK))
        keys = AccessKeys(found.ak, found.sk, found.security_token)
        return Credentials(self.source, keys=keys, where=f"{ENV_AK}/{ENV_SK}")


__all__ = ["EnvKeysProvider"]
