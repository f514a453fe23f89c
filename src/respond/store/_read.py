"""Reading a patient's read (or one time point of it) back from the tables.

One query per table for the whole patient, grouped by time point in Python:
lesions by position, time points by date (then insertion), targets and
non-targets by their lesion's position, calipers in drawing order, new findings
and adverse events in insertion order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from respond.criteria import (
    Caliper,
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
    lesion_from,
    new_lesion_from,
    non_target_from,
    patient_from,
    settings_from,
    target_from,
    to_dec,
    to_opt_str,
)

if TYPE_CHECKING:
    import sqlite3

    from respond.criteria import AdverseEvent, Decision, Lesion

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
}
_Rows = dict[str, list["sqlite3.Row"]]


def _grouped(conn: sqlite3.Connection, table: str, pid: str, uid: str | None) -> _Rows:
    groups: _Rows = defaultdict(list)
    for row in conn.execute(_QUERIES[table], {"pid": pid, "uid": uid}):
        groups[row["uid"]].append(row)
    return groups


def read_lesions(
    conn: sqlite3.Connection, pid: str
) -> tuple[tuple[Lesion, ...], dict[LesionId, str]]:
    """Return the baseline lesions in order, and their tracking uids."""
    rows = conn.execute(
        "SELECT * FROM lesion WHERE patient_id = ? ORDER BY position, rowid", (pid,)
    ).fetchall()
    lesions = tuple(lesion_from(row) for row in rows)
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
    headers = conn.execute(
        f"SELECT * FROM timepoint WHERE {_SCOPE} ORDER BY date, rowid",
        {"pid": pid, "uid": uid},
    ).fetchall()
    if not headers:
        return []
    rows = {table: _grouped(conn, table, pid, uid) for table in _QUERIES}
    return [_record(header, rows) for header in headers]


def _record(header: sqlite3.Row, rows: dict[str, _Rows]) -> TimePointRecord:
    uid = str(header["uid"])
    targets: dict[LesionId, TargetMeasurement] = {
        LesionId(row["lesion_id"]): target_from(row) for row in rows["target"][uid]
    }
    non_targets: dict[LesionId, NonTargetObservation] = {
        LesionId(row["lesion_id"]): non_target_from(row)
        for row in rows["non_target"][uid]
    }
    calipers: dict[LesionId, list[Caliper]] = defaultdict(list)
    for row in rows["caliper"][uid]:
        calipers[LesionId(row["lesion_id"])].append(caliper_from(row))
    findings: list[NewLesion] = []
    finding_uids: dict[str, str] = {}
    for row in rows["new_lesion"][uid]:
        findings.append(new_lesion_from(row))
        if row["tracking_uid"] is not None:
            finding_uids[str(row["finding_id"])] = str(row["tracking_uid"])
    events: tuple[AdverseEvent, ...] = tuple(
        adverse_event_from(row) for row in rows["adverse_event"][uid]
    )
    clinical_rows = rows["clinical"][uid]
    decision_rows = rows["decision"][uid]
    decision: Decision | None = (
        decision_from(decision_rows[0]) if decision_rows else None
    )
    timepoint = TimePoint(
        label=str(header["label"]),
        date=dt.date.fromisoformat(header["date"]),
        arterial_phase=bool(header["arterial_phase"]),
        slice_thickness_mm=to_dec(header["slice_thickness_mm"]),
        targets=targets,
        non_targets=non_targets,
        new_lesions=tuple(findings),
        clinical=clinical_from(clinical_rows[0] if clinical_rows else None, events),
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
    )


def read_patient(conn: sqlite3.Connection, pid: str) -> PatientRead | None:
    """Return the patient's whole read, or None when the patient is unknown."""
    row = conn.execute("SELECT * FROM patient WHERE patient_id = ?", (pid,)).fetchone()
    if row is None:
        return None
    lesions, tracking_uids = read_lesions(conn, pid)
    return PatientRead(
        patient=patient_from(row),
        lesions=lesions,
        tracking_uids=tracking_uids,
        timepoints=tuple(read_timepoints(conn, pid)),
        settings=settings_from(row),
        reader=to_opt_str(row["reader"]),
    )


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
    row = conn.execute(
        "SELECT * FROM target WHERE patient_id = ? AND uid = ? AND lesion_id = ?", key
    ).fetchone()
    calipers = conn.execute(
        "SELECT * FROM caliper WHERE patient_id = ? AND uid = ? AND lesion_id = ? "
        "ORDER BY seq",
        key,
    ).fetchall()
    return (
        None if row is None else target_from(row),
        tuple(caliper_from(c) for c in calipers),
    )


def read_non_target(
    conn: sqlite3.Connection, pid: str, uid: str, lesion_id: str
) -> NonTargetObservation | None:
    """Return a non-target's observation at a time point."""
    row = conn.execute(
        "SELECT * FROM non_target WHERE patient_id = ? AND uid = ? AND lesion_id = ?",
        (pid, uid, lesion_id),
    ).fetchone()
    return None if row is None else non_target_from(row)


def read_new_lesion(
    conn: sqlite3.Connection, pid: str, uid: str, finding_id: str
) -> tuple[NewLesion, str | None, int] | None:
    """Return a new finding, its tracking uid and position, or None."""
    row = conn.execute(
        "SELECT * FROM new_lesion WHERE patient_id = ? AND uid = ? AND finding_id = ?",
        (pid, uid, finding_id),
    ).fetchone()
    if row is None:
        return None
    return new_lesion_from(row), to_opt_str(row["tracking_uid"]), int(row["position"])
