"""How the fake answers: JSON bodies in the gateway's and VIAS's error shapes, and the per-attempt faults
(throttled, 5xx, a proxy's HTML, a dropped connection, a hang, a trickle, a broken body, ...).

Handlers return an `Answer`; the server writes it. Every answer carries `X-Request-Id`; a gateway error body
carries the same ID as its `request_id`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus

from tui_app.fake.faults import FAULTS


@dataclass(frozen=True)
class Answer:
    status: int
    payload: object = None  # JSON, unless `raw`
    raw: bytes | None = None
    ctype: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    fault: str | None = None  # a FAULTS name that replaces the answer on the wire

    @property
    def label(self) -> str:
        """What SeenRequest.answer records: the status sent, or the fault that replaced it."""
        return self.fault or str(self.status)


def reply(status: int, payload: object, headers: Mapping[str, str] | None = None) -> Answer:
    return Answer(status, payload, headers=dict(headers or {}))


def plain(status: int, text: bytes = b"") -> Answer:
    return Answer(status, raw=text, ctype="text/plain")


def fault(name: str) -> Answer:
    if name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}")
    return Answer(0, fault=name)


def apig(status: int, code: str, message: str, request_id: str, headers: Mapping[str, str] | None = None) -> Answer:
    """The API gateway's error body."""
    return reply(status, {"error_code": code, "error_msg": message, "request_id": request_id}, headers)


def vias_error(
    status: int, code: str, message: str, detail: str, params: list[str], reason: str, advice: str
) -> Answer:
    """VIAS's documented error body (400/500)."""
    body = {"error_code": code, "error_msg": message, "detail": detail, "params": params}
    return reply(status, {**body, "reason": reason, "advice": advice})


def unknown_api(request_id: str) -> Answer:
    return apig(404, "APIG.0101", "The API does not exist or has not been published", request_id)


def head(status: int, length: int, ctype: str, headers: Mapping[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", f"Content-Type: {ctype}", f"Content-Length: {length}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def write_answer(
    writer: asyncio.StreamWriter, answer: Answer, request_id: str, stopping: asyncio.Event, retry_after: float
) -> bool:
    """Send the answer (or play its fault); False when the connection must not be reused."""
    if answer.fault is not None and answer.fault != "ok":
        return await _play(writer, answer.fault, request_id, stopping, retry_after)
    body = answer.raw if answer.raw is not None else json.dumps(answer.payload).encode()
    writer.write(head(answer.status, len(body), answer.ctype, {"X-Request-Id": request_id, **answer.headers}) + body)
    await writer.drain()
    return True


async def _play(
    writer: asyncio.StreamWriter, name: str, request_id: str, stopping: asyncio.Event, retry_after: float
) -> bool:
    if name in ("drop-before", "drop-after"):
        writer.transport.abort()
        return False
    if name == "hang":
        await stopping.wait()
        return False
    if name == "trickle":
        body = json.dumps({"total_count": 1, "failed_count": 0, "succeed_count": 1, "error_list": []}).encode()
        writer.write(head(200, len(body), "application/json", {"X-Request-Id": request_id}))
        for i in range(0, len(body), 8):
            writer.write(body[i : i + 8])
            await writer.drain()
            await asyncio.sleep(0.02)
        return True
    return await write_answer(writer, _canned(name, request_id, retry_after), request_id, stopping, retry_after)


def _canned(name: str, request_id: str, retry_after: float) -> Answer:
    throttled = "The throttling threshold has been reached: policy {} over ratelimit, limit:{}, time:1 {}"
    if name == "429":
        headers = {"Retry-After": f"{retry_after:g}"}
        return apig(429, "APIG.0308", throttled.format("user", 20, "second"), request_id, headers)
    if name == "429-bare":
        return apig(429, "APIG.0308", throttled.format("ip", 100, "minute"), request_id)
    if name == "500":
        body = {"error_code": "VIAS.00010006", "error_msg": "Internal error.", "detail": "database timeout"}
        return reply(500, {**body, "reason": "transient", "advice": "Retry later."})
    if name == "502-html":
        page = (
            "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
            "</center><hr><center>nginx</center></body></html>"
        )
        return Answer(502, raw=page.encode(), ctype="text/html")
    if name in ("503", "404"):
        return plain(int(name))
    if name == "401":
        return apig(401, "APIG.0301", "Incorrect IAM authentication information", request_id)
    if name == "malformed":
        return Answer(500, raw=b'{"error_code": "VIAS.00010006", "error_msg": ')
    if name == "truncated":
        return Answer(200, raw=b'{"total_count": 2, "failed_count": 0, "succeed_count": 2, "id": "x')
    if name == "empty-200":
        return Answer(200, raw=b"")
    raise ValueError(f"unknown fault {name!r}")


__all__ = ["Answer", "apig", "fault", "head", "plain", "reply", "unknown_api", "vias_error", "write_answer"]
