"""Typed failures from VIAS, the API gateway, or the network, and what an operator should do about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from tui_app.i18n import N_, _

RAW_BODY_LIMIT = 2000  # characters of a non-JSON body kept for the details pane and report
FIELD_LIMIT = 2000  # characters kept of any one text field of an answer


class Transport(str, Enum):
    """Why there was no HTTP answer. Whether the server may have acted is `ApiError.delivered`."""

    CONNECT = "connect"
    DNS = "dns"
    TLS = "tls"
    TIMEOUT = "timeout"
    CONNECT_TIMEOUT = "connect_timeout"
    DROPPED = "dropped"
    PROTOCOL = "protocol"
    TLS_VERSION = "tls_version"  # the server speaks only TLS 1.0/1.1 (or no protocol we share)
    # Through a proxy; never delivered (nothing was sent to the endpoint). The message names the proxy, masked.
    PROXY_UNREACHABLE = "proxy_unreachable"  # no connection to the proxy (refused, no such host, timed out)
    PROXY_AUTH = "proxy_auth"  # the proxy answered 407: credentials missing or wrong
    PROXY_REFUSED = "proxy_refused"  # the proxy refused the tunnel (any other non-2xx) or broke it off

    def __str__(self) -> str:
        return self.value


NOT_FOUND_CODES = frozenset({"VIAS.00010002", "VIAS.00010007", "VIAS.00010008"})
AUTH_CODES = frozenset({"APIG.0301", "APIG.0307", "VIAS.00010005", "VIAS.00010021"})
THROTTLE_CODES = frozenset({"APIG.0308"})
ROUTE_NOT_FOUND = "APIG.0101"
# The gateway's answer (APIG.0301) to every request signed with an AK it locked after more than five consecutive
# failed authentications (API Gateway FAQ): correct signatures included, for about 5 minutes.
KEY_LOCKED_TEXT = "ak access failed to reach the limit"
KEY_LOCKED_HINT = N_(
    "The API gateway has locked this access key for about 5 minutes after repeated failed authentications: it "
    "rejects every request signed with it, from every script and colleague sharing the key. Check the secret key "
    "(vias-tui aksk status), wait 5 minutes, then resume."
)

# The hints are marked for extraction here and translated in ApiError.hint().
HINTS: dict[str, str] = {
    "VIAS.00010001": N_(
        "The service refused the request as invalid; its reason and advice say why (a batch task "
        "with running jobs must be stopped before it can be deleted)."
    ),
    "VIAS.00010002": N_("The object does not exist: check the ID, project and region."),
    "VIAS.00010004": N_("Object or parameter invalid: check the ID format."),
    "VIAS.00010005": N_("Authorization failed: check the credentials and their permissions."),
    "VIAS.00010006": N_("Internal error in VIAS: retry later and quote the request ID."),
    "VIAS.00010007": N_("No task for this task ID: check the ID."),
    "VIAS.00010008": N_("No task for this ID: check the ID."),
    "VIAS.00010009": N_("A service VIAS depends on is unreachable: retry later."),
    "VIAS.00010021": N_("The account is restricted or frozen: stop and contact the account owner."),
    "APIG.0301": N_(
        "Credentials missing, malformed or expired, or the signature is wrong: get new ones "
        "(vias-tui token login / token set / aksk set)."
    ),
    "APIG.0307": N_("The token must be updated: it expired or was issued for another region."),
    "APIG.0101": N_("API not found: the endpoint or path is wrong (check --endpoint / --region)."),
    "APIG.0308": N_("Throttled by the API gateway: the run backs off and retries by itself."),
}
_TRANSPORT_HINTS = {
    Transport.CONNECT: N_("Could not connect: check the endpoint and the network; the server did not act."),
    Transport.DNS: N_("The endpoint's host name did not resolve: check --endpoint / --region and DNS."),
    Transport.TLS: N_(
        "TLS failed: the server's certificate was not trusted or does not name the host. "
        "Use --ca-bundle for a private CA."
    ),
    Transport.TLS_VERSION: N_(
        "TLS failed: the server offers only an old protocol (TLS 1.0/1.1), which vias-tui refuses: "
        "the endpoint must support TLS 1.2 or newer. Check --endpoint / --region; the server did not act."
    ),
    Transport.TIMEOUT: N_("No answer in time: the server may or may not have acted."),
    Transport.CONNECT_TIMEOUT: N_("Connecting timed out: the server did not act."),
    Transport.DROPPED: N_("The connection closed before an answer: the server may or may not have acted."),
    Transport.PROTOCOL: N_("The answer was not valid HTTP: the server may or may not have acted."),
    Transport.PROXY_UNREACHABLE: N_(
        "Could not reach the proxy: check its address and port (--proxy, HTTPS_PROXY or "
        "ALL_PROXY), or set NO_PROXY for the endpoint; nothing was sent."
    ),
    Transport.PROXY_AUTH: N_(
        "The proxy wants credentials (407): put them in the proxy URL "
        "(http://user:password@host:port), or check them; nothing was sent."
    ),
    Transport.PROXY_REFUSED: N_(
        "The proxy refused to open a tunnel to the endpoint: ask its administrators to allow "
        "the endpoint's host on port 443, or check --endpoint / --region; nothing was sent."
    ),
}
# Transport failures that do not go away between retries.
_STUCK = frozenset({Transport.TLS, Transport.TLS_VERSION, Transport.PROXY_AUTH, Transport.PROXY_REFUSED})
# A service that keeps refusing the request for what it is (not for who sent it or how often).
_ABOUT_THE_REQUEST = frozenset({400, 404, 405, 409, 410, 412, 413, 414, 415, 422})


@dataclass(frozen=True, slots=True)
class ApiError:
    """A failed call: an HTTP error answer, or a transport failure (`http_status` None)."""

    http_status: int | None
    code: str | None = None
    message: str | None = None
    detail: str | None = None
    params: list[str] = field(default_factory=list)
    reason: str | None = None
    advice: str | None = None
    request_id: str | None = None
    raw_body: str | None = None  # kept when the body was not the documented JSON
    retry_after: float | None = None
    transport: Transport | None = None  # why there was no HTTP answer
    delivered: bool = True  # False only when the request certainly never reached the server
    location: str | None = None  # where a 3xx pointed

    @property
    def is_auth(self) -> bool:
        return self.http_status == 401 or (self.code in AUTH_CODES)

    @property
    def is_key_locked(self) -> bool:
        """The gateway locked the access key (too many failed authentications): waiting is the only remedy."""
        return self.is_auth and KEY_LOCKED_TEXT in (self.message or self.raw_body or "").lower()

    @property
    def is_throttle(self) -> bool:
        return self.http_status == 429 or (self.code in THROTTLE_CODES)

    @property
    def is_not_found(self) -> bool:
        if self.code in NOT_FOUND_CODES:
            return True
        # A 404 from the gateway's router (APIG.0101) means a wrong endpoint, not a missing task.
        return self.http_status == 404 and self.code != ROUTE_NOT_FOUND

    @property
    def is_redirect(self) -> bool:
        return self.http_status is not None and 300 <= self.http_status < 400

    @property
    def is_target_failure(self) -> bool:
        """Every request to this endpoint will fail the same way: an untrusted certificate or too old a protocol,
        a proxy that refuses (or wants credentials), no such API, or a redirect (never followed: it could carry the
        credentials elsewhere)."""
        return self.transport in _STUCK or self.code == ROUTE_NOT_FOUND or self.is_redirect

    @property
    def answered(self) -> bool:
        return self.http_status is not None

    @property
    def may_have_acted(self) -> bool:
        """The service may have deleted the task although this attempt did not say so: the request was sent and no
        answer came, or a gateway answered 502/504 for a backend it lost track of (the backend may have acted)."""
        return (not self.answered and self.delivered) or self.http_status in (502, 504)

    @property
    def settles_after_lost_answer(self) -> bool:
        """A refusal of the request itself: the same request sent earlier was refused the same way, so an earlier
        attempt that got no answer did not delete the task either. Credentials, throttling and 5xx say nothing."""
        return (
            self.http_status in _ABOUT_THE_REQUEST
            and not self.is_auth
            and not self.is_throttle
            and not self.is_target_failure
        )

    @property
    def is_retryable(self) -> bool:
        if self.transport is not None:
            return self.transport not in _STUCK  # a certificate or a proxy's refusal does not fix itself
        return self.is_throttle or self.http_status in (500, 502, 503, 504)

    def hint(self) -> str | None:
        if self.is_redirect:  # first: a redirect's body (and any code in it) is the other place's business
            if self.location:
                return _(
                    "The endpoint redirects (HTTP {status} to {location}): wrong endpoint or region? Redirects are "
                    "never followed."
                ).format(status=self.http_status, location=self.location)
            return _(
                "The endpoint redirects (HTTP {status}): wrong endpoint or region? Redirects are never followed."
            ).format(status=self.http_status)
        if self.is_key_locked:
            return _(KEY_LOCKED_HINT)
        if self.code in HINTS:
            return _(HINTS[self.code])
        if self.transport is not None:
            hint = _TRANSPORT_HINTS.get(self.transport)
            return _(hint) if hint else None
        if self.http_status == 404:
            return _("Not found (404): the task is gone, or the endpoint is wrong.")
        if self.http_status in (502, 503, 504):
            return _("The gateway or service is unavailable: the run retries; if it persists, retry later.")
        if self.http_status == 400:
            return _("The request was refused; a running batch task may need stopping before it can be deleted.")
        return None

    def one_line(self) -> str:
        """A short summary for lists and logs; never contains the credentials (texts are scrubbed on arrival)."""
        head = (
            f"HTTP {self.http_status}"
            if self.http_status
            else _("no answer ({transport})").format(transport=self.transport)
        )
        parts = [head]
        if self.code:
            parts.append(self.code)
        if self.message:
            parts.append(self.message[:200])
        elif self.location:
            parts.append(f"Location: {self.location[:200]}")
        elif self.raw_body:
            parts.append(self.raw_body[:80].replace("\n", " "))
        if self.request_id:
            parts.append(_("request {request_id}").format(request_id=self.request_id))
        return " · ".join(parts)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"http_status": self.http_status}
        for key in (
            "code",
            "message",
            "detail",
            "reason",
            "advice",
            "request_id",
            "raw_body",
            "retry_after",
            "location",
        ):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.params:
            data["params"] = list(self.params)
        if self.transport is not None:
            data["transport"] = self.transport.value
        if not self.delivered:
            data["delivered"] = False
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ApiError:
        if not isinstance(data, dict):
            raise TypeError("error is not an object")  # a journal line read back: not for people
        status = data.get("http_status")
        transport = data.get("transport")
        retry_after = data.get("retry_after")
        params = data.get("params") or []
        return cls(
            http_status=int(status) if status is not None else None,
            code=_opt(data.get("code")),
            message=_opt(data.get("message")),
            detail=_opt(data.get("detail")),
            params=[str(p) for p in params] if isinstance(params, list) else [],
            reason=_opt(data.get("reason")),
            advice=_opt(data.get("advice")),
            request_id=_opt(data.get("request_id")),
            raw_body=_opt(data.get("raw_body")),
            retry_after=float(retry_after) if retry_after is not None else None,
            transport=Transport(transport) if transport is not None else None,
            delivered=bool(data.get("delivered", True)),
            location=_opt(data.get("location")),
        )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
