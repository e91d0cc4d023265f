"""Pasted text -> Plan: which IDs are valid, which repeat, which are skipped and why.

Only what passes `id_problem` can ever become part of a URL; the client checks again before building one.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, NamedTuple, TextIO

from tui_app.domain.identifiers import ID_MAX_LEN, ID_MIN_LEN, PLAIN_ID
from tui_app.i18n import N_, _
from tui_app.problems import OperatorError
from tui_app.secret import REDACTED, Scrubber

# Pastes beyond these are refused whole with a clear message rather than parsed slowly.
MAX_INPUT_CHARS = 20_000_000
MAX_ENTRIES = 200_000
MAX_INPUT_BYTES = MAX_INPUT_CHARS  # IDs are ASCII: a file of more bytes is not a list of IDs
_SHOWN_CHARS = 60  # how much of a rejected entry we echo back
_KEPT_CHARS = 16  # of a skipped entry longer than any ID, in journals and reports
CREDENTIAL_REASON = N_("this is one of your credentials, not a task ID; never sent")  # _() where used

_PLAIN_ID = re.compile(r"[A-Za-z0-9_-]+")
_VALID_ID = PLAIN_ID  # the fast path; reasons come from the slow one
_CANONICAL = re.compile(r"[0-9a-f]{32}")
# A quoted string is one entry (so a space inside it is reported, not split); otherwise entries are
# separated by whitespace, commas and semicolons.
_TOKEN = re.compile(r""""[^"\n]*"|'[^'\n]*'|[^\s,;]+""")
_OPENERS = "[({"
_CLOSERS = "])}"


class InputTooLarge(OperatorError, ValueError):
    """The paste is beyond the documented limits; nothing was parsed."""


# Control characters are shown as their Unicode "control pictures" (ESC as U+241B) in the console: written to a
# terminal raw, ESC [ 3 1 m would recolour or move text. C1 controls (an 8-bit CSI among them) have no pictures.
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\n\t"} | {0x7F: "\u2421"}
_PICTURES.update({code: "\ufffd" for code in range(0x80, 0xA0)})
_PICTURE_OF = str.maketrans(_PICTURES)
_CONTROL_OF_PICTURE = {chr(0x2400 + code): code for code in range(0x20)} | {"\u2421": 0x7F}


def display_safe(text: str) -> str:
    """`text` with every control character but newline and tab replaced by a visible picture of it.

    CRLF line ends stay line ends; a lone CR (which the parser also treats as a line end) becomes a newline.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_PICTURE_OF)


def id_problem(candidate: str) -> str | None:
    """Why `candidate` is not a plain batch-task ID, or None when it is one."""
    if _VALID_ID.fullmatch(candidate):
        return None
    if not candidate:
        return _("empty")
    for ch in candidate:
        if ch in _CONTROL_OF_PICTURE:
            return _("contains control character U+{code:04X} (shown as {picture})").format(
                code=_CONTROL_OF_PICTURE[ch], picture=ch
            )
        if ch in "/\\":
            return _("contains {char!r}, which would change the URL path").format(char=ch)
        if ch in "?#%&":
            return _("contains {char!r}, which has a meaning in URLs").format(char=ch)
        if ch == ".":
            return _("contains '.', not allowed in an ID (and '..' could change the URL path)")
        if ch.isspace():
            return _("contains whitespace")
        if unicodedata.category(ch).startswith("C"):
            return _("contains control character U+{code:04X}").format(code=ord(ch))
        if not ch.isascii():
            return _("contains non-ASCII character U+{code:04X}").format(code=ord(ch))
    if not _PLAIN_ID.fullmatch(candidate):
        bad = next(ch for ch in candidate if not _PLAIN_ID.fullmatch(ch))
        return _("contains {char!r}; an ID is letters, digits, '-' and '_' only").format(char=bad)
    if len(candidate) < ID_MIN_LEN:
        return _("too short ({length} characters, at least {minimum})").format(
            length=len(candidate), minimum=ID_MIN_LEN
        )
    if len(candidate) > ID_MAX_LEN:
        return _("too long ({length} characters, at most {maximum})").format(length=len(candidate), maximum=ID_MAX_LEN)
    return None


def id_warning(valid_id: str) -> str | None:
    """A note for IDs that are allowed but unlike every documented example."""
    if _CANONICAL.fullmatch(valid_id):
        return None
    return _("not a 32-character lower-case hex ID like the documented examples")


def escaped(text: object) -> str:
    """Text from a file for a terminal line: control characters escaped (an ESC could recolour or move text)."""
    value = str(text)
    return value if value.isprintable() else value.encode("unicode_escape").decode("ascii")


def cells(text: str) -> int:
    """How many terminal columns `text` takes: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def padded(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal columns (as `f"{text:<width}"` does for ASCII)."""
    return text + " " * max(0, width - cells(text))


def shown(text: str) -> str:
    """A safe, short rendering of operator input for messages (controls escaped, length capped)."""
    escaped = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return escaped if len(escaped) <= _SHOWN_CHARS else escaped[: _SHOWN_CHARS - 1] + "…"


class Skipped(NamedTuple):
    line: int
    text: str
    reason: str
    excluded: bool = False  # a valid ID left out by choice (at the confirmation or by a flag), not bad input


class Entry(NamedTuple):
    """One entry of the input, in order: a valid ID or a skipped one (the report has a row per entry).

    NamedTuples, not dataclasses: a 100,000-line paste creates 100,000 of them.
    """

    line: int
    text: str
    id: str | None
    reason: str | None = None
    excluded: bool = False  # a valid ID left out by choice, with `reason`


@dataclass
class Plan:
    valid: list[str] = field(default_factory=list)
    duplicates: dict[str, int] = field(default_factory=dict)  # id -> extra occurrences dropped
    skipped: list[Skipped] = field(default_factory=list)
    warnings: dict[str, str] = field(default_factory=dict)  # id -> why it looks unusual
    entries: list[Entry] = field(default_factory=list)
    id_lines: dict[str, int] = field(default_factory=dict)  # id -> line it was first seen on

    @property
    def duplicate_count(self) -> int:
        return sum(self.duplicates.values())

    @property
    def excluded_count(self) -> int:
        """Valid IDs left out by choice (they are among `skipped`, but are not bad input)."""
        return sum(1 for item in self.skipped if item.excluded)

    @property
    def invalid_count(self) -> int:
        return len(self.skipped) - self.excluded_count

    def summary(self) -> str:
        counts = {
            "valid": len(self.valid),
            "duplicates": self.duplicate_count,
            "skipped": self.invalid_count,
            "excluded": self.excluded_count,
            "unusual": len(self.warnings),
        }
        if self.excluded_count:
            return _(
                "{valid} valid, {duplicates} duplicate(s) dropped, {skipped} skipped, {excluded} excluded, "
                "{unusual} unusual"
            ).format(**counts)
        return _("{valid} valid, {duplicates} duplicate(s) dropped, {skipped} skipped, {unusual} unusual").format(
            **counts
        )

    def without(self, excluded: dict[str, str], *, by_choice: bool = True) -> Plan:
        """The same plan with some valid IDs moved to skipped (id -> reason): excluded at the confirmation or by a
        flag (`by_choice`), or taken out because they are not task IDs after all (credentials)."""
        if not excluded:
            return self
        plan = Plan(
            duplicates=dict(self.duplicates), warnings={k: v for k, v in self.warnings.items() if k not in excluded}
        )
        for entry in self.entries:
            if entry.id is not None and entry.id in excluded:
                reason = excluded[entry.id]
                plan.skipped.append(Skipped(entry.line, entry.text, reason, by_choice))
                plan.entries.append(Entry(entry.line, entry.text, None, reason, by_choice))
            else:
                if entry.id is None:
                    plan.skipped.append(Skipped(entry.line, entry.text, entry.reason or "", entry.excluded))
                else:
                    plan.valid.append(entry.id)
                    plan.id_lines[entry.id] = entry.line
                plan.entries.append(entry)
        return plan

    def without_secrets(self, secrets: Sequence[str]) -> Plan:
        """The plan as it may be journalled, printed or sent: credentials taken out, long junk cut.

        An operator who pastes a token or secret key among the IDs must not find it in a journal or a report (a
        skipped line is recorded with its text), nor send a piece of one that passes as an ID (a key wrapped
        over two lines) in a URL. A skipped entry longer than any ID is recorded by its start and length only:
        it may be a secret of some other account, which nothing here can recognise.
        """
        secrets = [value for value in secrets if value]
        scrub = Scrubber(secrets)
        credential_reason = _(CREDENTIAL_REASON)
        found = {task_id: credential_reason for task_id in self.valid if _is_credential(task_id, secrets, scrub)}
        plan = self.without(found, by_choice=False)

        def recorded(text: str, reason: str | None) -> str:
            if reason == credential_reason:  # a piece of a key may be too short for the scrubber to know it
                return REDACTED
            text = scrub(text)
            return text if len(text) <= ID_MAX_LEN else f"{text[:_KEPT_CHARS]}…({len(text)} characters)"

        dirty = [
            i
            for i, entry in enumerate(plan.entries)
            if entry.id is None and recorded(entry.text, entry.reason) != entry.text
        ]
        if not dirty:
            return plan
        if plan is self:
            plan = Plan(
                list(self.valid), dict(self.duplicates), list(self.skipped), dict(self.warnings), list(self.entries)
            )
            plan.id_lines = dict(self.id_lines)
        for i in dirty:
            entry = plan.entries[i]
            plan.entries[i] = entry._replace(text=recorded(entry.text, entry.reason), reason=scrub(entry.reason or ""))
        plan.skipped = [
            item._replace(text=recorded(item.text, item.reason), reason=scrub(item.reason)) for item in plan.skipped
        ]
        return plan

    @classmethod
    def from_ids(cls, ids: list[str]) -> Plan:
        """A plan from IDs that came from a trusted place (a journal, a marked list); still validated."""
        return parse("\n".join(ids))


def _is_credential(task_id: str, secrets: Sequence[str], scrub: Scrubber) -> bool:
    """A would-be ID that is a secret, holds one, or is a piece of one (a long piece anywhere, or the start or the
    end of one: what wrapping a key over lines leaves). Cheap for 100,000 IDs: a long ID is searched for in the
    secrets only when its first characters are a piece of one."""
    long_piece = scrub.may_hold(task_id)
    return any(
        value in task_id or value.startswith(task_id) or value.endswith(task_id) or (long_piece and task_id in value)
        for value in secrets
    )


def _unwrap(token: str) -> str:
    """Strip the punctuation a JSON array or a quoted list wraps around an ID."""
    if token[0].isalnum() and token[-1].isalnum():
        return token
    return token.lstrip(_OPENERS).rstrip(_CLOSERS).strip("\"'").lstrip(_OPENERS).rstrip(_CLOSERS)


def _strip_comment(line: str) -> str:
    # '#' starts a comment only at the start of a line or after whitespace, so 'abc#def' is reported
    # as a bad ID instead of silently becoming 'abc'.
    idx = line.find("#")
    while idx != -1:
        if idx == 0 or line[idx - 1].isspace():
            return line[:idx]
        idx = line.find("#", idx + 1)
    return line


def _check_size(text: str) -> None:
    if len(text) > MAX_INPUT_CHARS:
        raise InputTooLarge(
            _("input has {count:,} characters; the limit is {limit:,}. Split it into smaller files.").format(
                count=len(text), limit=MAX_INPUT_CHARS
            )
        )


class _PlanBuilder:
    """Adds input lines to a plan; parse() feeds it all at once, parse_async() in chunks."""

    def __init__(self) -> None:
        self.plan = Plan()
        self.seen: set[str] = set()
        self.count = 0

    def add_lines(self, numbered_lines: Iterable[tuple[int, str]]) -> None:
        plan, seen = self.plan, self.seen
        for line_no, raw_line in numbered_lines:
            line = _strip_comment(raw_line)
            if not line.strip():
                continue
            for match in _TOKEN.finditer(line):
                token = match.group(0)
                candidate = _unwrap(token)
                if not candidate and token.strip("[](){}\"'"):
                    candidate = token
                if not candidate:
                    continue  # bare brackets or quotes from a JSON array
                self.count += 1
                if self.count > MAX_ENTRIES:
                    raise InputTooLarge(
                        _("input has more than {limit:,} entries; split it into smaller batches.").format(
                            limit=MAX_ENTRIES
                        )
                    )
                problem = id_problem(candidate)
                if problem:
                    plan.skipped.append(Skipped(line_no, candidate, problem))
                    plan.entries.append(Entry(line_no, candidate, None, problem))
                elif candidate in seen:
                    plan.duplicates[candidate] = plan.duplicates.get(candidate, 0) + 1
                else:
                    seen.add(candidate)
                    plan.valid.append(candidate)
                    plan.id_lines[candidate] = line_no
                    plan.entries.append(Entry(line_no, candidate, candidate))
                    warning = id_warning(candidate)
                    if warning:
                        plan.warnings[candidate] = warning


def parse(text: str) -> Plan:
    _check_size(text)
    builder = _PlanBuilder()
    builder.add_lines(enumerate(text.splitlines(), start=1))
    return builder.plan


async def parse_async(text: str, chunk_lines: int = 2_000) -> Plan:
    """parse(), yielding to the event loop between chunks so a 100,000-line paste never stalls a UI.

    (A worker thread would not help: a CPU-bound thread starves the event loop through the GIL.)
    """
    import asyncio

    _check_size(text)
    builder = _PlanBuilder()
    lines = text.splitlines()
    for start in range(0, len(lines), chunk_lines):
        builder.add_lines(enumerate(lines[start : start + chunk_lines], start=start + 1))
        await asyncio.sleep(0)
    return builder.plan


def read_ids_text(source: str, stdin: TextIO | None = None) -> str:
    """The IDs file (or `stdin`, default sys.stdin, for '-'), decoded leniently so binary junk becomes skippable
    entries.

    Read through at most MAX_INPUT_BYTES + 1 bytes whatever the file is: a device (/dev/zero), a FIFO or a /proc
    file reports a size of 0 and never ends, so the size on disk proves nothing.
    """
    try:
        if source == "-":
            stream = stdin or sys.stdin
            buffer = getattr(stream, "buffer", None)
            data = _read_bounded(buffer) if buffer is not None else stream.read(MAX_INPUT_BYTES + 1).encode()
        else:
            with open(Path(source).expanduser(), "rb") as handle:
                data = _read_bounded(handle)
    except OSError as exc:
        raise OperatorError(
            _("cannot read IDs from {source}: {reason}").format(source=source, reason=exc.strerror or exc)
        ) from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputTooLarge(
            _("{source} holds more than {limit:,} bytes; split it into smaller files").format(
                source="stdin" if source == "-" else source, limit=MAX_INPUT_BYTES
            )
        )
    return data.decode("utf-8", errors="replace")


def _read_bounded(handle: BinaryIO) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size <= MAX_INPUT_BYTES:
        chunk = handle.read(min(1 << 20, MAX_INPUT_BYTES + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)
