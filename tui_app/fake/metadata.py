"""The ECS metadata service: a session token, temporary keys for the VM's agency, the VM's project."""

from __future__ import annotations

import secrets

from tui_app.fake.answers import Answer, plain, reply
from tui_app.fake.store import FakeStore


class MetadataService:
    def __init__(self) -> None:
        self._sessions: set[str] = set()

    def answer(self, store: FakeStore, method: str, segments: tuple[str, ...], headers: dict[str, str]) -> Answer:
        if method == "PUT" and segments == ("meta-data", "latest", "api", "token"):
            if not store.metadata_session_tokens:
                return plain(404)
            session = "mdtoken-" + secrets.token_hex(16)
            self._sessions.add(session)
            return plain(200, session.encode())
        if store.metadata_session_tokens and headers.get("x-metadata-token") not in self._sessions:
            return plain(401, b"missing or invalid X-Metadata-Token")
        if method == "GET" and segments == ("openstack", "latest", "securitykey"):
            if not store.metadata_agency:
                return plain(401, b"Please configure an agency for this ECS first.")
            ak, sk, token, expires = store.issue_temporary_keys()
            credential = {
                "access": ak,
                "secret": sk,
                "securitytoken": token,
                "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            }
            return reply(200, {"credential": credential})
        if method == "GET" and segments == ("openstack", "latest", "meta_data.json"):
            return reply(200, {"project_id": store.project_id, "region_id": store.region})
        return plain(404)


__all__ = ["MetadataService"]
