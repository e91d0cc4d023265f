"""Reports: views of a run (JSON Lines or CSV), written whole through a temporary file, always 0600.

CSV cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return are prefixed with `'` (OWASP's rule
against CSV injection): task names and error texts come from the service and are opened in spreadsheets.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tui_app.i18n import _
from tui_app.outcomes import REPORT_FIELDS, OutcomeRecord
from tui_app.paths import check_output_path, describe_os_error, write_private_file
from tui_app.problems import OperatorError

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_report(records: Iterable[OutcomeRecord], fmt: str) -> str:
    rows = (row for record in records for row in record.report_rows())
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(REPORT_FIELDS), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _cell(value) for key, value in row.items()})
        return out.getvalue()
    raise ValueError(_("unknown report format {format!r}; use jsonl or csv").format(format=fmt))


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        value = " | ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_report(path: Path, records: Iterable[OutcomeRecord], fmt: str) -> Path:
    """Raises OperatorError with one line when the file cannot be written."""
    path = check_output_path(path)
    try:
        return write_private_file(path, render_report(records, fmt).encode("utf-8"))
    except OSError as exc:
        raise OperatorError(
            _("could not write the report {path}: {reason}").format(path=path, reason=describe_os_error(exc))
        ) from None


def guess_format(path: Path, default: str = "jsonl") -> str:
    suffix = path.suffix.lower()
    return "csv" if suffix == ".csv" else "jsonl" if suffix in (".jsonl", ".json", ".ndjson") else default
