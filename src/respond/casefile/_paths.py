"""Small types and helpers shared by the case-document checks.

A finding is a JSON path into the document with the text that explains the
problem there; values are quoted as they are written in JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

__all__ = ["_Found", "_Json", "_Path", "_show"]

# The JSON documents are arbitrary by nature; the schema has vouched for their
# shape by the time the cross-reference checks index into them.
_Json = Any
_Path = tuple[str | int, ...]
_Found = tuple[_Path, str]


def _show(value: object) -> str:
    """Render a value as it is written in JSON (``-4``, ``4.95``, ``"12"``)."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return f"a Python {type(value).__name__}, which is not JSON"
