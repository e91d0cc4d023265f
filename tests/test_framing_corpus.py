"""A differential corpus of hostile response framings: every stream that both reference parsers (h11, and llhttp
through httptools, each fed the whole stream) refuse must be refused by ours.

The kinds a differential review found accepted by the hand-written parser this transport had: whitespace, VT/FF,
CR/LF or NUL around chunk sizes; a bare LF inside chunk extensions; garbage, NUL or a status line as trailers; a bare
CR or LF hiding a header (Transfer-Encoding: chunked among them) in the status line; control bytes in header values;
conflicting Content-Length / Transfer-Encoding on 204 and 304. Each kind is generated at several positions. The
whole corpus goes through the framer as the transport feeds it; a sample of each kind goes over real TCP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import h11
import httptools
import httpx
import pytest

from tui_app.vias.framing import MAX_HEAD, FramingError, ResponseFramer
from tui_app.vias.transport import RawPoolTransport

HEAD_CHUNKED = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
CHUNKS = [b"5", b'{"a":', b"4", b" 1}\n"]  # two data chunks, then the last chunk
SPACES = {"SP": b" ", "HT": b"\t", "VT": b"\x0b", "FF": b"\x0c", "CR": b"\r", "LF": b"\n", "NUL": b"\x00"}


@dataclass(frozen=True)
class Case:
    kind: str
    name: str
    stream: bytes


def chunked(sizes: list[bytes], trailer: bytes = b"") -> bytes:
    """HEAD_CHUNKED with the given size lines (index 0, 1: data chunks; 2: the last chunk) and trailer lines."""
    body = sizes[0] + b"\r\n" + CHUNKS[1] + b"\r\n" + sizes[1] + b"\r\n" + CHUNKS[3] + b"\r\n"
    return HEAD_CHUNKED + body + sizes[2] + b"\r\n" + trailer + b"\r\n"


def chunk_size_decorations() -> Iterator[Case]:
    for index, size in enumerate((b"5", b"4", b"0")):
        for label, char in SPACES.items():
            for where, line in (
                ("before", char + size),
                ("after", size + char),
                ("before-ext", size + char + b";x=1"),
                ("doubled", char + size + char),
            ):
                sizes = [b"5", b"4", b"0"]
                sizes[index] = line
                yield Case("chunk-size", f"{label} {where} size of chunk {index}", chunked(sizes))


def chunk_extension_lfs() -> Iterator[Case]:
    for index, size in enumerate((b"5", b"4", b"0")):
        for ext in (b";a=b\nc", b";\n", b";ext\n", b';a="b\nc"', b";a\n=b", b"\n;a=b"):
            sizes = [b"5", b"4", b"0"]
            sizes[index] = size + ext
            yield Case("chunk-ext-lf", f"{ext!r} on chunk {index}", chunked(sizes))


def trailer_garbage() -> Iterator[Case]:
    lines = {
        "garbage": b"garbage",
        "nul line": b"\x00",
        "nul in name": b"X\x00Y: 1",
        "nul in value": b"X: a\x00b",
        "status line": b"HTTP/1.1 200 OK",
        "empty name": b": v",
        "space before colon": b"X : v",
        "folded": b"X: a\r\n b",
        "bare cr": b"X: a\rb",
        "bare lf": b"X: a\nb",
        "control in value": b"X: a\x01b",
    }
    for label, line in lines.items():
        for where, trailer in (("alone", line + b"\r\n"), ("after a good one", b"T: 1\r\n" + line + b"\r\n")):
            yield Case("trailer", f"{label} ({where})", chunked([b"5", b"4", b"0"], trailer))


def status_line_hiding() -> Iterator[Case]:
    hidden = {
        "TE chunked": b"Transfer-Encoding: chunked",
        "CL 0": b"Content-Length: 0",
        "close": b"Connection: close",
    }
    body = b'{"a": 1}'
    rest = b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    for label, header in hidden.items():
        for char_label, char in (("CR", b"\r"), ("LF", b"\n")):
            for where, line in (
                ("after the reason", b"HTTP/1.1 200 OK" + char + header),
                ("instead of the reason", b"HTTP/1.1 200 " + char + header),
                ("after the code", b"HTTP/1.1 200" + char + header),
                ("inside the reason", b"HTTP/1.1 200 O" + char + header + b" K"),
            ):
                yield Case("status-line", f"bare {char_label} {where} hides {label}", line + b"\r\n" + rest)


def header_value_controls() -> Iterator[Case]:
    controls = [bytes([n]) for n in (*range(1, 9), *range(11, 13), *range(14, 32), 127)]
    for char in controls:
        for where, value in (("start", char + b"v"), ("middle", b"v" + char + b"v"), ("end", b"v" + char)):
            for header in (b"X-Thing", b"Content-Type"):
                stream = b"HTTP/1.1 200 OK\r\n%s: %s\r\nContent-Length: 2\r\n\r\n{}" % (header, value)
                yield Case("header-control", f"{char!r} at the {where} of {header.decode()}", stream)


def bodiless_conflicts() -> Iterator[Case]:
    sets = {
        "CL then TE": [b"Content-Length: 5", b"Transfer-Encoding: chunked"],
        "TE then CL": [b"Transfer-Encoding: chunked", b"Content-Length: 5"],
        "two CLs": [b"Content-Length: 5", b"Content-Length: 6"],
        "CL list": [b"Content-Length: 5, 6"],
        "CL not a number": [b"Content-Length: five"],
        "TE gzip and CL": [b"Transfer-Encoding: gzip", b"Content-Length: 5"],
        "TE chunked twice and CL": [b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked", b"Content-Length: 1"],
    }
    for status in (b"204 No Content", b"304 Not Modified"):
        for label, headers in sets.items():
            stream = b"HTTP/1.1 " + status + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n"
            yield Case("bodiless-conflict", f"{status[:3].decode()} {label}", stream)


def corpus() -> list[Case]:
    generators = (
        chunk_size_decorations,
        chunk_extension_lfs,
        trailer_garbage,
        status_line_hiding,
        header_value_controls,
        bodiless_conflicts,
    )
    return [case for generate in generators for case in generate()]


GOOD = [
    chunked([b"5", b"4", b"0"]),
    chunked([b"5;ext=1", b"4", b"0"], b"T: 1\r\n"),
    b'HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n{"a": 1}',
    b"HTTP/1.1 204 No Content\r\n\r\n",
    b'HTTP/1.1 200 OK\r\n\r\n{"a": 1}',  # until close
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
]


# -- the references and ours, each deciding whether the first final answer in a stream is accepted -------------


def h11_accepts(stream: bytes) -> bool:
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "example")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(stream)
    conn.receive_data(b"")  # then the server closes
    try:
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA or isinstance(event, h11.ConnectionClosed):
                return False
            if isinstance(event, h11.EndOfMessage):
                return True
    except h11.RemoteProtocolError:
        return False


class _Seen:
    def __init__(self) -> None:
        self.parser: httptools.HttpResponseParser | None = None
        self.final_done = False
        self.status = 0
        self.framed = False  # a Content-Length or Transfer-Encoding header (else: until close)

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() in (b"content-length", b"transfer-encoding"):
            self.framed = True

    def on_headers_complete(self) -> None:
        assert self.parser is not None
        self.status = self.parser.get_status_code()

    def on_message_complete(self) -> None:
        if self.status >= 200:
            self.final_done = True
        self.framed = False


def llhttp_accepts(stream: bytes) -> bool:
    seen = _Seen()
    parser = seen.parser = httptools.HttpResponseParser(seen)
    try:
        parser.feed_data(stream)
    except (httptools.HttpParserError, httptools.HttpParserUpgrade):
        return seen.final_done  # an error past the first answer's end is about bytes that belong to no answer
    # httptools has no finish(): at EOF, a final answer with no framing headers ends (llhttp_finish would say so)
    return seen.final_done or (seen.status >= 200 and not seen.framed)


def ours_accepts(stream: bytes, method: str = "GET") -> bool:
    """The framer driven as the transport drives it (transport.py: _heads, then ResponseBody.__aiter__)."""
    buffer = bytearray(stream)
    framer = ResponseFramer(method)
    try:
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0 or end > MAX_HEAD:
                return False  # the head never ends before EOF (or is too large)
            head = bytes(buffer[: end + 4])
            del buffer[: end + 4]
            if framer.feed_head(head) is not None:
                break
        while not framer.complete:
            if not buffer:
                framer.at_eof()
                break
            size = framer.next_size(buffer)
            piece = bytes(buffer[:size])
            del buffer[:size]
            framer.feed(piece)
    except FramingError:
        return False
    return True


CORPUS = corpus()
BOTH_REJECT = [case for case in CORPUS if not h11_accepts(case.stream) and not llhttp_accepts(case.stream)]


def test_the_corpus_covers_every_kind_at_several_positions() -> None:
    kinds = {case.kind for case in CORPUS}
    assert kinds == {"chunk-size", "chunk-ext-lf", "trailer", "status-line", "header-control", "bodiless-conflict"}
    refused_kinds = {case.kind for case in BOTH_REJECT}
    assert refused_kinds == kinds, "every kind has framings both references refuse"
    assert len(BOTH_REJECT) >= 100, len(BOTH_REJECT)


@pytest.mark.parametrize("stream", GOOD)
def test_good_framings_are_accepted_by_all_three(stream: bytes) -> None:
    assert h11_accepts(stream) and llhttp_accepts(stream) and ours_accepts(stream)


def test_every_framing_both_references_refuse_is_refused_by_ours() -> None:
    accepted = [f"{case.kind}: {case.name}" for case in BOTH_REJECT if ours_accepts(case.stream)]
    assert accepted == []


# -- a sample of each kind over real TCP ---------------------------------------------------------------------


def sample(per_kind: int = 4) -> list[Case]:
    picked: dict[str, list[Case]] = {}
    for case in BOTH_REJECT:
        chosen = picked.setdefault(case.kind, [])
        if len(chosen) < per_kind and not any(c.name.split(" ")[0] == case.name.split(" ")[0] for c in chosen):
            chosen.append(case)
    for case in BOTH_REJECT:  # top up kinds with few distinct first words
        chosen = picked[case.kind]
        if len(chosen) < per_kind and case not in chosen:
            chosen.append(case)
    return [case for cases in picked.values() for case in cases]


async def test_a_sample_of_each_kind_is_refused_over_tcp() -> None:
    cases = sample()
    streams = iter(cases)
    served: list[Case] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            case = next(streams)
            served.append(case)
            writer.write(case.stream)
            await writer.drain()
        finally:
            writer.close()  # the answer ends at EOF at the latest

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    accepted: list[str] = []
    try:
        async with httpx.AsyncClient(transport=RawPoolTransport(max_connections=1), timeout=5) as http:
            for case in cases:
                try:
                    response = await http.get(f"http://127.0.0.1:{port}/")
                except httpx.RemoteProtocolError:
                    continue
                accepted.append(f"{case.kind}: {case.name} -> {response.status_code} {response.content[:40]!r}")
    finally:
        server.close()
        await server.wait_closed()
    assert len(served) == len(cases) >= 20
    assert accepted == []


def test_the_framer_leaves_no_cycles_for_the_garbage_collector() -> None:
    # The parser holds the framer's callbacks: a framer that kept its parser would leave a cycle behind every answer,
    # and the cyclic collector's extra work showed as CPU per delete in the benchmarks.
    import gc

    gc.collect()
    gc.disable()
    try:
        for _ in range(20):
            for stream in (*GOOD, *(case.stream for case in BOTH_REJECT[:40])):
                ours_accepts(stream)
        left = gc.collect()
    finally:
        gc.enable()
    assert left == 0
