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
from typing import TYPE_CHECKING, Final

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
    restores: int | None = None,
) -> None:
    """Append one entry (inside the caller's transaction).

    ``restores`` is, on a ``restore`` entry, the id of the ``delete`` entry
    whose item was put back.
    """
    conn.execute(
        "INSERT INTO audit (at, who, patient_id, entity, key, action, before, after,"
        " restores) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at,
            who,
            patient_id,
            entity,
            key,
            action,
            to_json(before),
            to_json(after),
            restores,
        ),
    )


REMOVABLE: Final = ("patient", "timepoint", "lesion")
"""The entities whose ``delete`` entries can be restored."""

_UNRESTORED = (
    "action = 'delete' AND entity IN ('patient', 'timepoint', 'lesion') "
    "AND NOT EXISTS (SELECT 1 FROM audit AS r WHERE r.restores = audit.id)"
)


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
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


def entries(conn: sqlite3.Connection, patient_id: str | None) -> list[AuditEntry]:
    """Return the trail (of one patient, or all), oldest first."""
    rows = conn.execute(
        "SELECT * FROM audit WHERE ?1 IS NULL OR patient_id = ?1 ORDER BY id",
        (patient_id,),
    )
    return [_entry(row) for row in rows]


def entry(conn: sqlite3.Connection, audit_id: int) -> AuditEntry | None:
    """Return one entry, or None."""
    row = conn.execute("SELECT * FROM audit WHERE id = ?", (audit_id,)).fetchone()
    return None if row is None else _entry(row)


def removals(conn: sqlite3.Connection, patient_id: str | None) -> list[AuditEntry]:
    """Return the removals of patients, time points and lesions not restored since.

    Newest first. A removal counts as restored once a ``restore`` entry names it
    in its ``restores`` column.
    """
    if patient_id is None:
        rows = conn.execute(f"SELECT * FROM audit WHERE {_UNRESTORED} ORDER BY id DESC")
    else:
        rows = conn.execute(
            f"SELECT * FROM audit WHERE patient_id = ? AND {_UNRESTORED} "
            "ORDER BY id DESC",
            (patient_id,),
        )
    return [_entry(row) for row in rows]


def restored_by(conn: sqlite3.Connection, audit_id: int) -> int | None:
    """Return the id of the entry that restored removal ``audit_id``, or None."""
    row = conn.execute(
        "SELECT min(id) FROM audit WHERE restores = ?", (audit_id,)
    ).fetchone()
    return None if row[0] is None else int(row[0])


def latest_removal(
    conn: sqlite3.Connection, patient_id: str, entity: str, key: str
) -> int | None:
    """Return the newest unrestored removal of one item, or None."""
    row = conn.execute(
        f"SELECT max(id) FROM audit WHERE patient_id = ? AND entity = ? AND key = ? "
        f"AND {_UNRESTORED}",
        (patient_id, entity, key),
    ).fetchone()
    return None if row[0] is None else int(row[0])
