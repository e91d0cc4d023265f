"""The shape of the identifiers that become URL path segments: batch-task and job IDs, project IDs.

Only a plain token can ever be part of a URL; `ids.py` says why a pasted entry is not one, and the client checks
again with these before it builds a path.
"""

from __future__ import annotations

import re

ID_MIN_LEN = 4
ID_MAX_LEN = 36  # the API's related filter accepts ^[a-z0-9_-]{4,36}$
PLAIN_ID = re.compile(rf"[A-Za-z0-9_-]{{{ID_MIN_LEN},{ID_MAX_LEN}}}")
_PROJECT_ID = re.compile(r"[A-Za-z0-9_-]{4,64}")


def is_plain_id(candidate: str) -> bool:
    """Letters, digits, '-' and '_', 4-36 characters: nothing that could change or escape a URL path."""
    return PLAIN_ID.fullmatch(candidate) is not None


def is_project_id(value: str) -> bool:
    """Project IDs are path segments too: letters, digits, '-' and '_', 4-64 characters."""
    return _PROJECT_ID.fullmatch(value) is not None


__all__ = ["ID_MAX_LEN", "ID_MIN_LEN", "PLAIN_ID", "is_plain_id", "is_project_id"]
