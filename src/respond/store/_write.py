"""Writing rows, inside a transaction the caller opened; and checks made first.

Rows are updated in place (``INSERT ... ON CONFLICT DO UPDATE``), never
``INSERT OR REPLACE``: a replace deletes the row first, which would cascade to
everything recorded under it.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from respond.casefile import check_values
from respond.store._codec import (
    Params,
    adverse_event_params,
    caliper_params,
    clinical_params,
    decision_params,
    extent_params,
    lesion_params,
    new_lesion_params,
    non_target_params,
    patient_params,
    settings_params,
    target_params,
    timepoint_params,
)
from respond.store.errors import (
    InvalidReadError,
    LesionNotFoundError,
    NewLesionNotFoundError,
)

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Collection, Iterable, Sequence

    from respond.criteria import (
        Caliper,
        Clinical,
        Decision,
        Lesion,
        LesionExtent,
        NewLesion,
        NonTargetObservation,
        PatientRead,
        TargetMeasurement,
        TimePointRecord,
    )

_CHILD_TABLES = (
    "target",
    "non_target",
    "caliper",
    "new_lesion",
    "clinical",
    "adverse_event",
    "decision",
    "target_extent",
)


def insert(conn: sqlite3.Connection, table: str, params: Params) -> None:
    """Insert one row; ``params`` maps column names to values."""
    columns = ", ".join(params)
    values = ", ".join(f":{name}" for name in params)
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({values})", params)


def upsert(
    conn: sqlite3.Connection, table: str, params: Params, key: Sequence[str]
) -> None:
    """Insert a row, or update the row with the same ``key`` columns in place."""
    columns = ", ".join(params)
    values = ", ".join(f":{name}" for name in params)
    updates = ", ".join(
        f"{name} = excluded.{name}" for name in params if name not in key
    )
    conn.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({values}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}",
        params,
    )


# -- checks made before anything is written ------------------------------------------
def duplicates(ids: Iterable[str]) -> list[str]:
    """Return the ids that occur more than once, sorted."""
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def check_record(
    pid: str, record: TimePointRecord, lesion_ids: Collection[str]
) -> None:
    """Refuse a time point out of range or that refers to unknown lesions or findings.

    Raises
    ------
    CaseFormatError
        A value a case file could not hold (the case file's own checks).
    LesionNotFoundError
        A target or non-target of a lesion that is not a baseline lesion.
    NewLesionNotFoundError
        A tracking uid for a new finding not recorded at the time point.
    InvalidReadError
        Two new findings with one id, or calipers of something that is neither a
        target measured at the time point nor a new finding there.
    """
    check_values(record)
    tp = record.timepoint
    where = f"measured at time point {tp.label or record.uid}"
    for lesion_id in (*tp.targets, *tp.non_targets):
        if lesion_id not in lesion_ids:
            raise LesionNotFoundError(pid, lesion_id, where)
    finding_ids = [finding.id for finding in tp.new_lesions]
    if twice := duplicates(finding_ids):
        raise InvalidReadError(
            pid, f"time point {tp.label}: new finding {twice[0]} is recorded twice"
        )
    for finding_id in record.new_lesion_uids:
        if finding_id not in finding_ids:
            raise NewLesionNotFoundError(pid, record.uid, finding_id, tp.label)
    measured = {*tp.targets, *finding_ids}
    for lesion_id in record.calipers:
        if lesion_id not in measured:
            raise InvalidReadError(
                pid,
                f"time point {tp.label or record.uid}: calipers of {lesion_id}, "
                "which is neither a target measured there nor a new finding there",
            )
    for lesion_id in record.extents:
        if lesion_id not in tp.targets:
            raise InvalidReadError(
                pid,
                f"time point {tp.label or record.uid}: a volume of {lesion_id}, "
                "which is not a target measured there",
            )


def check_read(read: PatientRead) -> None:
    """Refuse a read out of range, with duplicate ids or dangling references.

    Raises
    ------
    CaseFormatError
        A value a case file could not hold (the case file's own checks).
    InvalidReadError
        A lesion or time point id used twice, or a tracking uid of no lesion.
    """
    check_values(read)
    pid = read.patient.id
    lesion_ids = [lesion.id for lesion in read.lesions]
    if twice := duplicates(lesion_ids):
        raise InvalidReadError(pid, f"lesion {twice[0]} is listed twice")
    if twice := duplicates(tp.uid for tp in read.timepoints):
        raise InvalidReadError(pid, f"time point uid {twice[0]} is used twice")
    for lesion_id in read.tracking_uids:
        if lesion_id not in lesion_ids:
            raise InvalidReadError(
                pid, f"a tracking uid is given for {lesion_id}, which is not a lesion"
            )
    for record in read.timepoints:
        check_record(pid, record, lesion_ids)


# -- writes --------------------------------------------------------------------
def insert_patient(conn: sqlite3.Connection, read: PatientRead, at: str) -> None:
    """Insert the patient row (settings, reader, timestamps)."""
    params = patient_params(read.patient, read.reader)
    params.update(settings_params(read.settings))
    params.update(created_at=at, updated_at=at)
    insert(conn, "patient", params)


def write_read(conn: sqlite3.Connection, read: PatientRead, at: str) -> None:
    """Insert a whole (checked) read: patient, lesions in order, time points."""
    insert_patient(conn, read, at)
    pid = read.patient.id
    for position, lesion in enumerate(read.lesions):
        place_lesion(conn, pid, lesion, read.tracking_uids.get(lesion.id), position)
    for record in read.timepoints:
        write_timepoint(conn, pid, record)


def place_lesion(
    conn: sqlite3.Connection,
    pid: str,
    lesion: Lesion,
    tracking_uid: str | None,
    position: int,
) -> None:
    """Insert or update a lesion at ``position``; the others keep their order."""
    order = [
        str(row[0])
        for row in conn.execute(
            "SELECT lesion_id FROM lesion WHERE patient_id = ? "
            "ORDER BY position, rowid",
            (pid,),
        )
    ]
    if lesion.id in order:
        order.remove(lesion.id)
    order.insert(max(0, min(position, len(order))), lesion.id)
    params: Params = {"patient_id": pid, "position": order.index(lesion.id)}
    params.update(lesion_params(lesion, tracking_uid))
    upsert(conn, "lesion", params, ("patient_id", "lesion_id"))
    renumber_lesions(conn, pid, order)


def renumber_lesions(conn: sqlite3.Connection, pid: str, order: list[str]) -> None:
    """Give the lesions positions 0, 1, ... in ``order``."""
    conn.executemany(
        "UPDATE lesion SET position = ? WHERE patient_id = ? AND lesion_id = ? "
        "AND position <> ?",
        [(i, pid, lesion_id, i) for i, lesion_id in enumerate(order)],
    )


def write_timepoint(
    conn: sqlite3.Connection, pid: str, record: TimePointRecord
) -> None:
    """Insert or replace a whole (unsigned) time point, then sign it if it is."""
    params: Params = {"patient_id": pid, **timepoint_params(record)}
    upsert(conn, "timepoint", params, ("patient_id", "uid"))
    for table in _CHILD_TABLES:
        conn.execute(
            f"DELETE FROM {table} WHERE patient_id = ? AND uid = ?", (pid, record.uid)
        )
    tp = record.timepoint
    for lesion_id, measurement in tp.targets.items():
        write_target(conn, pid, record.uid, lesion_id, measurement, ())
    for lesion_id, calipers in record.calipers.items():
        write_calipers(conn, pid, record.uid, lesion_id, calipers)
    for lesion_id, extent in record.extents.items():
        write_extent(conn, pid, record.uid, lesion_id, extent)
    for lesion_id, observation in tp.non_targets.items():
        write_non_target(conn, pid, record.uid, lesion_id, observation)
    for position, finding in enumerate(tp.new_lesions):
        tracking = record.new_lesion_uids.get(finding.id)
        write_new_lesion(conn, pid, record.uid, finding, tracking, position)
    write_clinical(conn, pid, record.uid, tp.clinical)
    if record.decision is not None:
        write_decision(conn, pid, record.uid, record.decision)
    if record.is_signed:
        conn.execute(
            "UPDATE timepoint SET signed_by = ?, signed_at = ? "
            "WHERE patient_id = ? AND uid = ?",
            (record.signed_by, record.signed_at, pid, record.uid),
        )


def write_target(
    conn: sqlite3.Connection,
    pid: str,
    uid: str,
    lesion_id: str,
    measurement: TargetMeasurement | None,
    calipers: Sequence[Caliper],
) -> None:
    """Replace a target's measurement and calipers at a time point."""
    key = (pid, uid, lesion_id)
    conn.execute(
        "DELETE FROM target WHERE patient_id = ? AND uid = ? AND lesion_id = ?", key
    )
    if measurement is not None:
        params: Params = {"patient_id": pid, "uid": uid}
        params.update(target_params(lesion_id, measurement))
        insert(conn, "target", params)
    write_calipers(conn, pid, uid, lesion_id, calipers)


def write_extent(
    conn: sqlite3.Connection,
    pid: str,
    uid: str,
    lesion_id: str,
    extent: LesionExtent | None,
) -> None:
    """Replace (or clear) a target's extent at a time point."""
    conn.execute(
        "DELETE FROM target_extent WHERE patient_id = ? AND uid = ? AND lesion_id = ?",
        (pid, uid, lesion_id),
    )
    if extent is not None:
        params: Params = {"patient_id": pid, "uid": uid}
        params.update(extent_params(lesion_id, extent))
        insert(conn, "target_extent", params)


def write_calipers(
    conn: sqlite3.Connection,
    pid: str,
    uid: str,
    lesion_id: str,
    calipers: Sequence[Caliper],
) -> None:
    """Replace the calipers drawn for one lesion at a time point."""
    conn.execute(
        "DELETE FROM caliper WHERE patient_id = ? AND uid = ? AND lesion_id = ?",
        (pid, uid, lesion_id),
    )
    for seq, caliper in enumerate(calipers):
        params: Params = {"patient_id": pid, "uid": uid}
        params.update(caliper_params(lesion_id, seq, caliper))
        insert(conn, "caliper", params)


def write_non_target(
    conn: sqlite3.Connection,
    pid: str,
    uid: str,
    lesion_id: str,
    observation: NonTargetObservation | None,
) -> None:
    """Replace (or clear) a non-target's observation at a time point."""
    conn.execute(
        "DELETE FROM non_target WHERE patient_id = ? AND uid = ? AND lesion_id = ?",
        (pid, uid, lesion_id),
    )
    if observation is not None:
        params: Params = {"patient_id": pid, "uid": uid}
        params.update(non_target_params(lesion_id, observation))
        insert(conn, "non_target", params)


def write_new_lesion(
    conn: sqlite3.Connection,
    pid: str,
    uid: str,
    finding: NewLesion,
    tracking_uid: str | None,
    position: int,
) -> None:
    """Insert or update a new finding (it keeps ``position``)."""
    params: Params = {"patient_id": pid, "uid": uid, "position": position}
    params.update(new_lesion_params(finding, tracking_uid))
    upsert(conn, "new_lesion", params, ("patient_id", "uid", "finding_id"))


def write_clinical(
    conn: sqlite3.Connection, pid: str, uid: str, clinical: Clinical
) -> None:
    """Replace the clinical status (and adverse events) at a time point."""
    for table in ("clinical", "adverse_event"):
        conn.execute(
            f"DELETE FROM {table} WHERE patient_id = ? AND uid = ?", (pid, uid)
        )
    params: Params = {"patient_id": pid, "uid": uid}
    params.update(clinical_params(clinical))
    insert(conn, "clinical", params)
    for position, event in enumerate(clinical.adverse_events):
        params = {"patient_id": pid, "uid": uid}
        params.update(adverse_event_params(position, event))
        insert(conn, "adverse_event", params)


def write_decision(
    conn: sqlite3.Connection, pid: str, uid: str, decision: Decision
) -> None:
    """Replace the clinician's decision at a time point."""
    params: Params = {"patient_id": pid, "uid": uid}
    params.update(decision_params(decision))
    upsert(conn, "decision", params, ("patient_id", "uid"))


def update_settings(
    conn: sqlite3.Connection, pid: str, params: Params, reader: str | None
) -> None:
    """Replace a patient's settings and reader."""
    sets = ", ".join(f"{name} = :{name}" for name in params)
    conn.execute(
        f"UPDATE patient SET {sets}, reader = :reader WHERE patient_id = :pid",
        {**params, "reader": reader, "pid": pid},
    )
