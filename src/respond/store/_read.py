"""Reading a patient's read (or one time point of it) back from the tables.

One query per table for the whole patient, grouped by time point in Python:
lesions by position, time points by date (then insertion), targets and
non-targets by their lesion's position, calipers in drawing order, new findings
and adverse events in insertion order.

A stored value that cannot be read back (text that is not UTF-8, a length that
is not a finite number, an unknown status) raises :class:`StoredValueError`
naming the table, the column when it can be found, and the row (lesion, time
point); the store turns it into an UnreadableReadError for that patient only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final, TypeVar

from respond.criteria import (
    Caliper,
    CriteriaError,
    LesionExtent,
    LesionId,
    NewLesion,
    NonTargetObservation,
    PatientRead,
    TargetMeasurement,
    TimePoint,
    TimePointRecord,
)
from respond.store._codec import (
    adverse_event_from,
    caliper_from,
    clinical_from,
    decision_from,
    extent_from,
    lesion_from,
    new_lesion_from,
    non_target_from,
    patient_from,
    settings_from,
    target_from,
    to_dec,
    to_opt_str,
)
from respond.store._transaction import reading
from respond.store.errors import (
    DatabaseBusyError,
    DatabaseReadError,
    DatabaseWriteError,
    escaped,
)
from respond.store.records import PatientSummary

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from pathlib import Path

    from respond.criteria import AdverseEvent, Decision, Lesion

T = TypeVar("T")

UNREADABLE: Final = (
    ValueError,
    TypeError,
    KeyError,
    ArithmeticError,
    RecursionError,
    CriteriaError,
)
"""What turning stored values into domain values raises for a bad value."""

_NOT_UTF8: Final = re.compile(r"^Could not decode to UTF-8 column '([^']*)'")
_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "patient": (),
    "lesion": ("lesion_id",),
    "timepoint": ("uid",),
    "target": ("uid", "lesion_id"),
    "non_target": ("uid", "lesion_id"),
    "caliper": ("uid", "lesion_id", "seq"),
    "new_lesion": ("uid", "finding_id"),
    "clinical": ("uid",),
    "adverse_event": ("uid", "position"),
    "decision": ("uid",),
    "target_extent": ("uid", "lesion_id"),
}
"""The columns that name a row of each table (besides patient_id)."""
_KEY_NAMES: Final = {
    "lesion_id": "lesion",
    "finding_id": "new finding",
    "seq": "caliper",
    "position": "adverse event",
}
_JSON_COLUMNS: Final = frozenset({"fragments_mm", "criteria", "fhsi8_items"})
_DATE_COLUMNS: Final = frozenset({"date", "birth_date"})
_MAX_EXPONENT: Final = 100
"""A stored length beyond 1e100 mm (or finer than 1e-100) is taken as damaged:
no measurement is near it, and the engine's arithmetic and the exports are not
made for it (a case file allows at most 1000 mm)."""


class StoredValueError(ValueError):
    """A stored value that cannot be read back.

    Parameters
    ----------
    table, column
        Where it is stored (``column`` empty when it could not be found).
    row
        Which row (``lesion T1, time point FU1``); empty for the patient row.
    problem
        What is wrong with it (stored text already escaped).
    """

    def __init__(self, table: str, column: str, row: str, problem: str) -> None:
        place = ".".join(part for part in (table, column) if part)
        at = f" ({row})" if row else ""
        super().__init__(f"{place}{at}: {problem}")
        self.table = table
        self.column = column
        self.row = row
        self.problem = problem


_SCOPE = "patient_id = :pid AND (:uid IS NULL OR uid = :uid)"
_BY_LESION = (
    "(SELECT position FROM lesion AS l WHERE l.patient_id = {t}.patient_id "
    "AND l.lesion_id = {t}.lesion_id)"
)
_QUERIES = {
    "target": f"SELECT * FROM target WHERE {_SCOPE} "
    f"ORDER BY {_BY_LESION.format(t='target')}, lesion_id",
    "non_target": f"SELECT * FROM non_target WHERE {_SCOPE} "
    f"ORDER BY {_BY_LESION.format(t='non_target')}, lesion_id",
    "caliper": f"SELECT * FROM caliper WHERE {_SCOPE} "
    f"ORDER BY {_BY_LESION.format(t='caliper')}, lesion_id, seq",
    "new_lesion": f"SELECT * FROM new_lesion WHERE {_SCOPE} ORDER BY position, rowid",
    "clinical": f"SELECT * FROM clinical WHERE {_SCOPE}",
    "adverse_event": f"SELECT * FROM adverse_event WHERE {_SCOPE} ORDER BY position",
    "decision": f"SELECT * FROM decision WHERE {_SCOPE}",
    "target_extent": f"SELECT * FROM target_extent WHERE {_SCOPE} "
    f"ORDER BY {_BY_LESION.format(t='target_extent')}, lesion_id",
}
_Rows = dict[str, list["sqlite3.Row"]]


@contextmanager
def snapshot(conn: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    """Run several queries on one snapshot; a failure says nothing was changed.

    As :func:`~respond.store._transaction.reading`, but a file that cannot be
    read (or a busy database) is reported as such: a read never says that a
    change was not saved.
    """
    try:
        with reading(conn, path) as snap:
            yield snap
    except DatabaseWriteError as exc:
        raise DatabaseReadError(path, exc.detail) from exc
    except DatabaseBusyError as exc:
        if not exc.changing:
            raise
        raise DatabaseBusyError(path, changing=False) from exc


def _decoded(value: object) -> tuple[str, bool]:
    """Return stored text (fetched as bytes) and whether it was valid UTF-8."""
    if not isinstance(value, bytes):
        return str(value), True
    try:
        return value.decode("utf-8"), True
    except UnicodeDecodeError:
        return value.decode("utf-8", errors="backslashreplace"), False


def _opt_decoded(value: object) -> str | None:
    return None if value is None else _decoded(value)[0]


def list_summaries(conn: sqlite3.Connection) -> list[PatientSummary]:
    """Return every patient's summary, by patient id, with its time points by date.

    Text is fetched as bytes and decoded here, so one damaged value (text that
    is not UTF-8) does not hide every patient: it is listed with its bytes
    escaped, and :func:`read_patient` names it when the patient is opened.
    """
    patients = conn.execute(
        "SELECT CAST(patient_id AS BLOB), CAST(name AS BLOB), "
        "CAST(birth_date AS BLOB), CAST(sex AS BLOB), CAST(updated_at AS BLOB) "
        "FROM patient ORDER BY patient_id"
    ).fetchall()
    timepoints = conn.execute(
        "SELECT CAST(patient_id AS BLOB), CAST(label AS BLOB), CAST(date AS BLOB), "
        "signed_at <> '' FROM timepoint ORDER BY patient_id, date, rowid"
    ).fetchall()
    by_patient: dict[object, list[tuple[str, str, bool]]] = {}
    for row in timepoints:
        found = (_decoded(row[1])[0], _decoded(row[2])[0], bool(row[3]))
        by_patient.setdefault(row[0], []).append(found)
    summaries = []
    for row in patients:
        listed = by_patient.get(row[0], [])
        summaries.append(
            PatientSummary(
                patient_id=_decoded(row[0])[0],
                name=_opt_decoded(row[1]),
                timepoints=tuple((label, date) for label, date, _ in listed),
                updated_at=_decoded(row[4])[0],
                birth_date=_opt_decoded(row[2]),
                sex=_opt_decoded(row[3]),
                signed=tuple(signed for _, _, signed in listed),
            )
        )
    return summaries


def check_listed_id(conn: sqlite3.Connection, pid: str) -> None:
    """Raise StoredValueError when ``pid`` is how a damaged stored id is listed.

    :func:`list_summaries` lists an id that is not UTF-8 with its bytes
    escaped; no patient has that id as text, so opening it names the damage
    instead of saying that there is no such patient.
    """
    for (raw,) in conn.execute("SELECT CAST(patient_id AS BLOB) FROM patient"):
        text, valid = _decoded(raw)
        if not valid and text == pid:
            raise StoredValueError(
                "patient",
                "patient_id",
                "",
                "the stored patient id is not valid UTF-8 text (damaged bytes)",
            )


def _grouped(conn: sqlite3.Connection, table: str, pid: str, uid: str | None) -> _Rows:
    groups: _Rows = defaultdict(list)
    for row in fetch(conn, table, pid, _QUERIES[table], {"pid": pid, "uid": uid}):
        groups[row["uid"]].append(row)
    return groups


def fetch(
    conn: sqlite3.Connection,
    table: str,
    pid: str,
    sql: str,
    params: Sequence[object] | Mapping[str, object],
) -> list[sqlite3.Row]:
    """Return the rows of a query on ``table``; text that is not UTF-8 is named.

    Raises
    ------
    StoredValueError
        A text value is not valid UTF-8 (the row holding it is found and named).
    """
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        found = _NOT_UTF8.match(str(exc))
        if found is None:
            raise
        column = found.group(1)
        row = _row_with_bad_text(conn, table, column, pid)
        raise StoredValueError(
            table, column, row, "the stored text is not valid UTF-8 (damaged bytes)"
        ) from None


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    return str(value)


def _row_with_bad_text(
    conn: sqlite3.Connection, table: str, column: str, pid: str
) -> str:
    """Describe the patient's first row of ``table`` whose ``column`` is not UTF-8."""
    if table not in _KEYS or not column.isidentifier():
        return ""
    keys = _KEYS[table]
    label = (
        ", (SELECT CAST(t.label AS BLOB) FROM timepoint AS t "
        "WHERE t.patient_id = x.patient_id AND t.uid = x.uid)"
        if "uid" in keys and table != "timepoint"
        else ", CAST(x.label AS BLOB)"
        if table == "timepoint"
        else ""
    )
    columns = "".join(f", CAST(x.{key} AS BLOB)" for key in keys)
    try:
        rows = conn.execute(
            f"SELECT CAST(x.{column} AS BLOB){columns}{label} FROM {table} AS x "
            "WHERE x.patient_id = ?",
            (pid,),
        ).fetchall()
    except sqlite3.Error:
        return ""
    for found in rows:
        raw = found[0]
        try:
            if isinstance(raw, bytes):
                raw.decode("utf-8")
        except UnicodeDecodeError:
            values = dict(zip(keys, (_text(v) for v in found[1:]), strict=False))
            if len(found) > len(keys) + 1 and found[-1] is not None:
                values["label"] = _text(found[-1])
            return _describe(values)
    return ""


def _describe(values: Mapping[str, object]) -> str:
    """Name a row: ``lesion T1, time point FU1``."""
    parts = [
        f"{_KEY_NAMES[key]} {escaped(value, 40)}"
        for key, value in values.items()
        if key in _KEY_NAMES
    ]
    if "uid" in values:
        label = values.get("label") or values["uid"]
        parts.append(f"time point {escaped(label, 40)}")
    return ", ".join(parts)


def _row_name(table: str, row: sqlite3.Row, label: str = "") -> str:
    keys = row.keys()
    values: dict[str, object] = {
        key: row[key] for key in _KEYS.get(table, ()) if key in keys
    }
    if label:
        values["label"] = label
    elif table == "timepoint" and "label" in keys:
        values["label"] = row["label"]
    return _describe(values)


def _problem(exc: BaseException) -> str:
    if isinstance(exc, InvalidOperation):
        return "not a usable decimal number"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return escaped(exc, 200) or type(exc).__name__


def _is_bad_number(value: object) -> bool:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return True
    return not number.is_finite() or abs(number.adjusted()) > _MAX_EXPONENT


def _is_bad(column: str, value: object) -> bool:
    """Whether a stored value looks like the one that could not be read."""
    if value is None:
        return False
    try:
        if column in _JSON_COLUMNS:
            items = json.loads(str(value))
            if not isinstance(items, list):
                return True
            return column == "fragments_mm" and any(_is_bad_number(v) for v in items)
        if column in _DATE_COLUMNS:
            dt.date.fromisoformat(str(value))
            return False
    except (ValueError, RecursionError):
        return True
    return column.endswith("_mm") and _is_bad_number(value)


def _suspect(row: sqlite3.Row) -> str:
    """Return the first column of ``row`` holding a value that looks damaged."""
    for column in row.keys():  # noqa: SIM118 - sqlite3.Row iterates values
        if _is_bad(column, row[column]):
            return column
    return ""


def stored_value_error(
    table: str, row: sqlite3.Row, exc: BaseException, label: str = ""
) -> StoredValueError:
    """Return the error naming where ``row`` holds a value that cannot be read."""
    column = _suspect(row)
    problem = _problem(exc)
    if column:
        problem = f"{escaped(repr(row[column]), 60)} cannot be read: {problem}"
    return StoredValueError(table, column, _row_name(table, row, label), problem)


def check_lengths(table: str, row: sqlite3.Row, label: str = "") -> None:
    """Refuse a stored length that is not a finite, plausible number of mm.

    ``NaN``, ``Infinity``, ``1e1000`` (written into the file by hand, or by an
    older respond) would otherwise reach the engine and the exports.
    """
    for column in row.keys():  # noqa: SIM118 - sqlite3.Row iterates values
        if column.endswith("_mm") and _is_bad(column, row[column]):
            raise StoredValueError(
                table,
                column,
                _row_name(table, row, label),
                f"{escaped(repr(row[column]), 60)} is not a finite length of at "
                f"most 1e{_MAX_EXPONENT} mm",
            )


def convert(
    table: str, row: sqlite3.Row, read: Callable[[sqlite3.Row], T], label: str = ""
) -> T:
    """Return ``read(row)``; a value it cannot read raises StoredValueError."""
    check_lengths(table, row, label)
    try:
        return read(row)
    except StoredValueError:
        raise
    except UNREADABLE as exc:
        raise stored_value_error(table, row, exc, label) from exc


def read_lesions(
    conn: sqlite3.Connection, pid: str
) -> tuple[tuple[Lesion, ...], dict[LesionId, str]]:
    """Return the baseline lesions in order, and their tracking uids."""
    rows = fetch(
        conn,
        "lesion",
        pid,
        "SELECT * FROM lesion WHERE patient_id = ? ORDER BY position, rowid",
        (pid,),
    )
    lesions = tuple(convert("lesion", row, lesion_from) for row in rows)
    uids = {
        LesionId(row["lesion_id"]): str(row["tracking_uid"])
        for row in rows
        if row["tracking_uid"] is not None
    }
    return lesions, uids


def read_timepoints(
    conn: sqlite3.Connection, pid: str, uid: str | None = None
) -> list[TimePointRecord]:
    """Return the patient's time points (or the one with ``uid``), by date."""
    headers = fetch(
        conn,
        "timepoint",
        pid,
        f"SELECT * FROM timepoint WHERE {_SCOPE} ORDER BY date, rowid",
        {"pid": pid, "uid": uid},
    )
    if not headers:
        return []
    rows = {table: _grouped(conn, table, pid, uid) for table in _QUERIES}
    return [_record_of(header, rows) for header in headers]


def _record_of(header: sqlite3.Row, rows: dict[str, _Rows]) -> TimePointRecord:
    check_lengths("timepoint", header)
    try:
        return _record(header, rows)
    except StoredValueError:
        raise
    except UNREADABLE as exc:
        # the header itself, or values that do not fit together
        raise stored_value_error("timepoint", header, exc) from exc


def _record(header: sqlite3.Row, rows: dict[str, _Rows]) -> TimePointRecord:
    uid = str(header["uid"])
    label = str(header["label"])

    def read(table: str, row: sqlite3.Row, how: Callable[[sqlite3.Row], T]) -> T:
        return convert(table, row, how, label)

    targets: dict[LesionId, TargetMeasurement] = {
        LesionId(row["lesion_id"]): read("target", row, target_from)
        for row in rows["target"][uid]
    }
    non_targets: dict[LesionId, NonTargetObservation] = {
        LesionId(row["lesion_id"]): read("non_target", row, non_target_from)
        for row in rows["non_target"][uid]
    }
    extents: dict[LesionId, LesionExtent] = {
        LesionId(row["lesion_id"]): read("target_extent", row, extent_from)
        for row in rows["target_extent"][uid]
    }
    calipers: dict[LesionId, list[Caliper]] = defaultdict(list)
    for row in rows["caliper"][uid]:
        calipers[LesionId(row["lesion_id"])].append(read("caliper", row, caliper_from))
    findings: list[NewLesion] = []
    finding_uids: dict[str, str] = {}
    for row in rows["new_lesion"][uid]:
        findings.append(read("new_lesion", row, new_lesion_from))
        if row["tracking_uid"] is not None:
            finding_uids[str(row["finding_id"])] = str(row["tracking_uid"])
    events: tuple[AdverseEvent, ...] = tuple(
        read("adverse_event", row, adverse_event_from)
        for row in rows["adverse_event"][uid]
    )
    clinical_rows = rows["clinical"][uid]
    decision_rows = rows["decision"][uid]
    decision: Decision | None = (
        read("decision", decision_rows[0], decision_from) if decision_rows else None
    )
    clinical = (
        read("clinical", clinical_rows[0], lambda row: clinical_from(row, events))
        if clinical_rows
        else clinical_from(None, events)
    )
    timepoint = TimePoint(
        label=str(header["label"]),
        date=dt.date.fromisoformat(header["date"]),
        arterial_phase=bool(header["arterial_phase"]),
        slice_thickness_mm=to_dec(header["slice_thickness_mm"]),
        targets=targets,
        non_targets=non_targets,
        new_lesions=tuple(findings),
        clinical=clinical,
    )
    return TimePointRecord(
        uid=uid,
        timepoint=timepoint,
        study_uid=str(header["study_uid"]),
        series_uid=str(header["series_uid"]),
        calipers={lid: tuple(found) for lid, found in calipers.items()},
        new_lesion_uids=finding_uids,
        signed_by=str(header["signed_by"]),
        signed_at=str(header["signed_at"]),
        decision=decision,
        extents=extents,
    )


def read_patient(conn: sqlite3.Connection, pid: str) -> PatientRead | None:
    """Return the patient's whole read, or None when the patient is unknown."""
    found = fetch(
        conn, "patient", pid, "SELECT * FROM patient WHERE patient_id = ?", (pid,)
    )
    if not found:
        return None
    row = found[0]
    patient = convert("patient", row, patient_from)
    settings = convert("patient", row, settings_from)
    lesions, tracking_uids = read_lesions(conn, pid)
    timepoints = tuple(read_timepoints(conn, pid))
    try:
        return PatientRead(
            patient=patient,
            lesions=lesions,
            tracking_uids=tracking_uids,
            timepoints=timepoints,
            settings=settings,
            reader=to_opt_str(row["reader"]),
        )
    except UNREADABLE as exc:
        raise StoredValueError("patient", "", "", _problem(exc)) from exc


def read_timepoint(
    conn: sqlite3.Connection, pid: str, uid: str
) -> TimePointRecord | None:
    """Return one time point, or None."""
    found = read_timepoints(conn, pid, uid)
    return found[0] if found else None


def read_target(
    conn: sqlite3.Connection, pid: str, uid: str, lesion_id: str
) -> tuple[TargetMeasurement | None, tuple[Caliper, ...]]:
    """Return a target's measurement and calipers at a time point."""
    key = (pid, uid, lesion_id)
    rows = fetch(
        conn,
        "target",
        pid,
        "SELECT * FROM target WHERE patient_id = ? AND uid = ? AND lesion_id = ?",
        key,
    )
    calipers = fetch(
        conn,
        "caliper",
        pid,
        "SELECT * FROM caliper WHERE patient_id = ? AND uid = ? AND lesion_id = ? "
        "ORDER BY seq",
        key,
    )
    return (
        convert("target", rows[0], target_from) if rows else None,
        tuple(convert("caliper", c, caliper_from) for c in calipers),
    )


def read_extent(
    conn: sqlite3.Connection, pid: str, uid: str, lesion_id: str
) -> LesionExtent | None:
    """Return a target's extent (click-to-measure's extra figures), or None."""
    rows = fetch(
        conn,
        "target_extent",
        pid,
        "SELECT * FROM target_extent WHERE patient_id = ? AND uid = ? "
        "AND lesion_id = ?",
        (pid, uid, lesion_id),
    )
    return convert("target_extent", rows[0], extent_from) if rows else None


def read_non_target(
    conn: sqlite3.Connection, pid: str, uid: str, lesion_id: str
) -> NonTargetObservation | None:
    """Return a non-target's observation at a time point."""
    rows = fetch(
        conn,
        "non_target",
        pid,
        "SELECT * FROM non_target WHERE patient_id = ? AND uid = ? AND lesion_id = ?",
        (pid, uid, lesion_id),
    )
    return convert("non_target", rows[0], non_target_from) if rows else None


def read_new_lesion(
    conn: sqlite3.Connection, pid: str, uid: str, finding_id: str
) -> tuple[NewLesion, str | None, int] | None:
    """Return a new finding, its tracking uid and position, or None."""
    rows = fetch(
        conn,
        "new_lesion",
        pid,
        "SELECT * FROM new_lesion WHERE patient_id = ? AND uid = ? AND finding_id = ?",
        (pid, uid, finding_id),
    )
    if not rows:
        return None
    row = rows[0]
    finding = convert("new_lesion", row, new_lesion_from)
    return finding, to_opt_str(row["tracking_uid"]), int(row["position"])
