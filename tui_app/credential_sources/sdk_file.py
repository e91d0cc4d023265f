"""Access keys in the SDK's credentials file (`[basic]` of ~/.huaweicloud/credentials, or the file
HUAWEICLOUD_SDK_CREDENTIALS_FILE names). A file that exists but cannot be used stops the search."""

from __future__ import annotations

from tui_app.credential_chain import BrokenSource, CredentialProvider, Skipped
from tui_app.credential_types import Credentials, CredentialSource
from tui_app.domain.keys import SdkCredentialsError
from tui_app.i18n import _
from tui_app.sdk_credentials import credentials_file, keys_from_file
from tui_app.vias.auth import AccessKeys


class SdkFileProvider(CredentialProvider):
    source = CredentialSource.CREDENTIALS_FILE

    def load(self) -> Credentials | Skipped:
        path = credentials_file()
        try:
            found = keys_from_file(path)
        except SdkCredentialsError as exc:
            raise BrokenSource(
                str(exc), _("the SDK credentials file is unusable: {reason}").format(reason=exc)
            ) from None
        if found is None:
            return Skipped(_("{path} does not exist").format(path=path))
        keys = AccessKeys(found.ak, found.sk, found.security_token)
        return Credentials(self.source, keys=keys, where=str(path))


__all__ = ["SdkFileProvider"]
