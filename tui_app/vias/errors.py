"""Typed failures from VIAS, the API gateway, or the network, and what an operator should do about them."""

from __future__ import annotations

from dataclasses import dataclass, field

RAW_BODY_LIMIT = 2000  # characters of a non-JSON body kept for the details pane and report

# Transport failure kinds (no HTTP answer). `delivered` tells whether the server may have acted.
CONNECT, DNS, TLS, TIMEOUT, CONNECT_TIMEOUT, DROPPED, PROTOCOL = (
    "connect", "dns", "tls", "timeout", "connect_timeout", "dropped", "protocol",
)

NOT_FOUND_CODES = frozenset({"VIAS.00010002", "VIAS.00010007", "VIAS.00010008"})
AUTH_CODES = frozenset({"APIG.0301", "APIG.0307", "VIAS.00010005", "VIAS.00010021"})
THROTTLE_CODES = frozenset({"APIG.0308"})
ROUTE_NOT_FOUND = "APIG.0101"

HINTS: dict[str, str] = {
    "VIAS.00010001": "Invalid parameters: fix the input.",
    "VIAS.00010002": "The object does not exist: check the ID, project and region.",
    "VIAS.00010004": "Object or parameter invalid: check the ID format.",
    "VIAS.00010005": "Authorization failed: check the token and its permissions.",
    "VIAS.00010006": "Internal error in VIAS: retry later and quote the request ID.",
    "VIAS.00010007": "No task for this task ID: check the ID.",
    "VIAS.00010008": "No task for this ID: check the ID.",
    "VIAS.00010009": "A service VIAS depends on is unreachable: retry later.",
    "VIAS.00010021": "The account is restricted or frozen: stop and contact the account owner.",
    "APIG.0301": "Token missing, malformed or expired: get a new token (vias-tui token login / token set).",
    "APIG.0307": "The token must be updated: it expired or was issued for another region.",
    "APIG.0101": "API not found: the endpoint or path is wrong (check --endpoint / --region).",
    "APIG.0308": "Throttled by the API gateway: the run backs off and retries by itself.",
}
_TRANSPORT_HINTS = {
    CONNECT: "Could not connect: check the endpoint and the network; the server did not act.",
    DNS: "The endpoint's host name did not resolve: check --endpoint / --region and DNS.",
    TLS: "TLS failed: the server's certificate was not trusted. Use --ca-bundle for a private CA.",
    TIMEOUT: "No answer in time: the server may or may not have acted.",
    CONNECT_TIMEOUT: "Connecting timed out: the server did not act.",
    DROPPED: "The connection closed before an answer: the server may or may not have acted.",
    PROTOCOL: "The answer was not valid HTTP: the server may or may not have acted.",
}


@dataclass(frozen=True)
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
    transport: str | None = None  # one of the transport kinds above when there was no HTTP answer
    delivered: bool = True  # False only when the request certainly never reached the server

    @property
    def is_auth(self) -> bool:
        return self.http_status == 401 or (self.code in AUTH_CODES)

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
    def is_target_failure(self) -> bool:
        """Every request to this endpoint will fail the same way: an untrusted certificate, or no such API."""
        return self.transport == TLS or self.code == ROUTE_NOT_FOUND

    @property
    def answered(self) -> bool:
        return self.http_status is not None

    @property
    def is_retryable(self) -> bool:
        if self.transport is not None:
            return self.transport != TLS  # a certificate does not fix itself between retries
        return self.is_throttle or self.http_status in (500, 502, 503, 504)

    def hint(self) -> str | None:
        if self.code in HINTS:
            return HINTS[self.code]
        if self.transport:
            return _TRANSPORT_HINTS.get(self.transport)
        if self.http_status == 404:
            return "Not found (404): the task is gone, or the endpoint is wrong."
        if self.http_status in (502, 503, 504):
            return "The gateway or service is unavailable: the run retries; if it persists, retry later."
        if self.http_status == 400:
            return "The request was refused; a running batch task may need stopping before it can be deleted."
        return None

    def one_line(self) -> str:
        """A short summary for lists and logs; never contains the token (it is never part of an error)."""
        head = f"HTTP {self.http_status}" if self.http_status else f"no answer ({self.transport})"
        parts = [head]
        if self.code:
            parts.append(self.code)
        if self.message:
            parts.append(self.message)
        elif self.raw_body:
            parts.append(self.raw_body[:80].replace("\n", " "))
        if self.request_id:
            parts.append(f"request {self.request_id}")
        return " · ".join(parts)
