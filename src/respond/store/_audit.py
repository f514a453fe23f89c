"""The audit trail: every change as JSON before and after, in an append-only table.

Values become JSON the way they print: Decimals as strings (exact), enums as
their values, dates as ISO 8601, dataclasses as objects of their compared
fields, mappings as objects and tuples as arrays.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

from respond.store.records import AuditEntry

if TYPE_CHECKING:
    import sqlite3


def jsonable(value: object) -> object:
    """Return ``value`` as plain JSON types (see the module docstring)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.compare
        }
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    msg = f"cannot put a {type(value).__name__} in the audit trail: {value!r}"
    raise TypeError(msg)


def to_json(value: object) -> str | None:
    """Return the JSON text of ``value``; None stays None (absent)."""
    if value is None:
        return None
    return json.dumps(jsonable(value), ensure_ascii=False, separators=(",", ":"))


def append(
    conn: sqlite3.Connection,
    *,
    at: str,
    who: str,
    patient_id: str,
    entity: str,
    key: str,
    action: str,
    before: object,
    after: object,
) -> None:
    """Append one entry (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO audit (at, who, patient_id, entity, key, action, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (at, who, patient_id, entity, key, action, to_json(before), to_json(after)),
    )


def entries(conn: sqlite3.Connection, patient_id: str | None) -> list[AuditEntry]:
    """Return the trail (of one patient, or all), oldest first."""
    rows = conn.execute(
        "SELECT * FROM audit WHERE ?1 IS NULL OR patient_id = ?1 ORDER BY id",
        (patient_id,),
    )
    return [
        AuditEntry(
            id=int(row["id"]),
            at=str(row["at"]),
            who=str(row["who"]),
            patient_id=str(row["patient_id"]),
            entity=str(row["entity"]),
            key=str(row["key"]),
            action=str(row["action"]),
            before=None if row["before"] is None else str(row["before"]),
            after=None if row["after"] is None else str(row["after"]),
        )
        for row in rows
    ]
