"""Edits checked against what the writer last saw (two readers on one database).

A session passes, with each edit, the value it showed for the item it changes
(``seen``). Inside the edit's transaction the store compares it with the value
stored now:

- unchanged since it was shown: the edit is written as it is;
- changed by someone else: the edit is merged field by field, touching only the
  fields it changes (the other reader's changes stay); when both changed the
  same field, the edit is refused with :class:`~respond.errors.StaleEditError`,
  naming who changed the item and when.

Sign-off and decisions are checked against the patient's revision (the id of
its latest audit entry): any change since the read was shown refuses them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeVar, cast

from respond.criteria.record import UNSEEN
from respond.errors import StaleEditError

if TYPE_CHECKING:
    import sqlite3

__all__ = [
    "UNSEEN",
    "Conflict",
    "last_change",
    "merge",
    "merged",
    "revision",
    "stale",
]

T = TypeVar("T")


class Conflict(Exception):
    """Both the edit and another writer changed the same field."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def revision(conn: sqlite3.Connection, patient_id: str) -> int:
    """Return the patient's revision: its latest audit entry's id (0 if none)."""
    row = conn.execute(
        "SELECT max(id) FROM audit WHERE patient_id = ?", (patient_id,)
    ).fetchone()
    return int(row[0] or 0)


def last_change(
    conn: sqlite3.Connection, patient_id: str, entity: str = "", key: str = ""
) -> tuple[str, str]:
    """Return who changed an item last and when (the patient, without entity)."""
    if entity:
        row = conn.execute(
            "SELECT who, at FROM audit WHERE patient_id = ? AND entity = ? AND "
            "key = ? ORDER BY id DESC LIMIT 1",
            (patient_id, entity, key),
        ).fetchone()
    else:
        row = conn.execute(
            "SELECT who, at FROM audit WHERE patient_id = ? ORDER BY id DESC LIMIT 1",
            (patient_id,),
        ).fetchone()
    return ("", "") if row is None else (str(row[0]), str(row[1]))


def stale(
    conn: sqlite3.Connection,
    patient_id: str,
    what: str,
    entity: str = "",
    key: str = "",
) -> StaleEditError:
    """Return the error for an edit of ``what`` that another writer overtook."""
    who, at = last_change(conn, patient_id, entity, key)
    return StaleEditError(patient_id, what, who, at)


def merged(
    conn: sqlite3.Connection,
    patient_id: str,
    stored: object,
    seen: object,
    new: T,
    *,
    what: str,
    entity: str,
    key: str,
) -> T:
    """Return what an edit writes (see :func:`merge`), or refuse it as stale.

    Raises
    ------
    StaleEditError
        The edit and another writer changed the same field; it names ``what``
        and who changed it when (the audit entry of ``entity``/``key``).
    """
    try:
        return cast("T", merge(stored, seen, new))
    except Conflict:
        raise stale(conn, patient_id, what, entity, key) from None


def _caliper_key(item: object) -> object:
    kind = getattr(item, "kind", None)
    return (kind, getattr(item, "index", 0)) if kind is not None else item


def _is_calipers(*values: object) -> bool:
    return all(
        isinstance(v, tuple) and all(hasattr(i, "kind") for i in v) for v in values
    )


def merge(stored: object, seen: object, new: object, where: str = "") -> object:
    """Return what to write: ``new``'s changes from ``seen`` applied to ``stored``.

    Parameters
    ----------
    stored
        The value in the database now.
    seen
        The value the writer showed when the edit was made.
    new
        The value the writer wants.
    where
        The path of the value, for the conflict's message.

    Returns
    -------
    object
        ``new`` when nothing changed meanwhile; otherwise ``stored`` with the
        fields the edit changes replaced (recursively through dataclasses,
        mappings and caliper tuples).

    Raises
    ------
    Conflict
        The edit and another writer changed the same field differently.
    """
    if seen is UNSEEN or stored in (seen, new):
        return new
    if new == seen:
        return stored
    if (
        dataclasses.is_dataclass(stored)
        and not isinstance(stored, type)
        and type(stored) is type(seen) is type(new)
    ):
        changes = {}
        for field in dataclasses.fields(stored):
            if not field.compare:
                continue
            name = field.name
            value = merge(
                getattr(stored, name),
                getattr(seen, name),
                getattr(new, name),
                f"{where}.{name}" if where else name,
            )
            if value is not getattr(stored, name):
                changes[name] = value
        return dataclasses.replace(stored, **changes)
    if all(isinstance(v, Mapping) for v in (stored, seen, new)):
        return _merge_mapping(stored, seen, new, where)  # type: ignore[arg-type]
    if _is_calipers(stored, seen, new):
        return _merge_calipers(stored, seen, new, where)  # type: ignore[arg-type]
    raise Conflict(where)


def _merge_mapping(
    stored: Mapping[object, object],
    seen: Mapping[object, object],
    new: Mapping[object, object],
    where: str,
) -> dict[object, object]:
    out = dict(stored)
    for key in dict.fromkeys([*seen, *new]):
        value = merge(stored.get(key), seen.get(key), new.get(key), f"{where}[{key}]")
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def _merge_calipers(
    stored: tuple[object, ...],
    seen: tuple[object, ...],
    new: tuple[object, ...],
    where: str,
) -> tuple[object, ...]:
    mapping = _merge_mapping(
        {_caliper_key(c): c for c in stored},
        {_caliper_key(c): c for c in seen},
        {_caliper_key(c): c for c in new},
        where,
    )
    return tuple(mapping.values())
