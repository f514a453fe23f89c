"""Removals put back (part of SqliteStore): from the audit trail, or as an undo.

``delete_patient``, ``delete_timepoint`` and ``delete_lesion`` keep what they
removed in their audit entry's ``before``. :meth:`RestoreEdits.deleted` lists
the removals not put back since; :meth:`RestoreEdits.restore_deleted` decodes
an entry's JSON into domain values (:func:`~respond.store._decode.from_jsonable`)
and writes them back in one transaction. :meth:`RestoreEdits.restore_lesion` is
the undo of a lesion removal, from the values the session kept. Each appends
one ``restore`` entry (same entity and key as the removal, ``after`` = what
came back) whose ``restores`` column names the removal it undid, if any.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from respond.criteria import (
    Caliper,
    Lesion,
    LesionExtent,
    LesionId,
    NonTargetObservation,
    PatientRead,
    TargetMeasurement,
    TimePointRecord,
)
from respond.store import _audit, _write
from respond.store._base import StoreBase
from respond.store._decode import DecodeError, from_jsonable
from respond.store._transaction import reading
from respond.store.errors import RestoreRefusedError, UnreadableReadError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.store._transaction import Edit
    from respond.store.records import AuditEntry

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LesionAt:
    """What a lesion had at one time point, as a removal keeps it."""

    target: TargetMeasurement | None = None
    calipers: tuple[Caliper, ...] = ()
    non_target: NonTargetObservation | None = None
    extent: LesionExtent | None = None

    @property
    def is_empty(self) -> bool:
        """Whether nothing was recorded for the lesion there."""
        return self.target is None and not self.calipers and self.non_target is None


@dataclass(frozen=True, slots=True)
class RemovedLesion:
    """A lesion as ``delete_lesion`` keeps it: by time point uid, what it had."""

    lesion: Lesion
    tracking_uid: str | None
    position: int
    timepoints: Mapping[str, LesionAt] = field(default_factory=dict)


def lesion_at(record: TimePointRecord, lesion_id: LesionId) -> LesionAt:
    """Return what ``record`` holds for one lesion."""
    return LesionAt(
        record.target(lesion_id),
        tuple(record.calipers.get(lesion_id, ())),
        record.non_target(lesion_id),
        record.extents.get(lesion_id),
    )


class RestoreEdits(StoreBase):
    """Listing removals and putting them back."""

    def deleted(self, patient_id: str | None = None) -> list[AuditEntry]:
        """Return the removals not restored since, newest first.

        Parameters
        ----------
        patient_id
            One patient's removals, or (None) every patient's.

        Returns
        -------
        list[AuditEntry]
            The ``delete`` entries of patients, time points and lesions that no
            ``restore`` has put back. An item restored and removed again is
            listed once, by its latest removal; an item removed, made anew and
            removed again is listed twice (two different removed items).
        """
        with reading(self._conn, self._path) as conn:
            return _audit.removals(conn, patient_id)

    def restore_deleted(self, audit_id: int, *, who: str) -> str:
        """Put back what a removal took away, exactly as it was, in one transaction.

        A patient comes back with its whole read (lesions in order with their
        tracking uids, time points with measurements, calipers, new findings,
        clinical status, decision and sign-off as they were); a time point with
        its whole record; a lesion at its position with its tracking uid and
        what it had at every time point that still exists. The audit trail gets
        one ``restore`` entry.

        Parameters
        ----------
        audit_id
            The removal's audit entry (from :meth:`deleted`).
        who
            Who restores (audit trail).

        Returns
        -------
        str
            What was restored: ``"patient P1"``, ``"time point FU1 (2001-03-04)
            of P1"`` or ``"lesion T2 of P1"``.

        Raises
        ------
        RestoreRefusedError
            No such entry, not a removal of a patient, time point or lesion,
            already restored, the id is in use again, or what it belongs to (the
            patient, a lesion a time point records) was removed since; ``cause``
            says which.
        SignedTimePointError
            A lesion recorded at a time point that is signed now: unlock it first.
        UnreadableReadError
            The entry holds JSON this respond cannot interpret.
        """
        with reading(self._conn, self._path) as conn:
            found = _audit.entry(conn, audit_id)
        removal = _check_removal(audit_id, found)
        # The trail is append-only, so the entry read above is still as it was.
        with self._edit(removal.patient_id, who) as edit:
            data = json.loads(removal.before or "null")
            if removal.entity == "patient":
                return self._restore_patient(edit, removal, data)
            if removal.entity == "timepoint":
                return self._restore_timepoint(edit, removal, data)
            removed = self._decoded(RemovedLesion, data, removal)
            item = f"lesion {removed.lesion.id} of {removal.patient_id}"
            self._check_unrestored(edit, removal, item)
            self._put_back(edit, removed, item, audit_id)
            return item

    def restore_lesion(
        self,
        patient_id: str,
        lesion: Lesion,
        tracking_uid: str,
        position: int,
        timepoints: Sequence[TimePointRecord],
        *,
        who: str,
    ) -> None:
        """Undo a lesion removal in one transaction.

        Puts the lesion back at ``position`` and, at each of ``timepoints`` (the
        records as they were before the removal) that still exists, the
        lesion's target measurement with its calipers and its non-target
        observation. One audit entry: entity ``lesion``, action ``restore``; it
        marks the lesion's latest removal as restored (see :meth:`deleted`).

        Parameters
        ----------
        patient_id
            The patient.
        lesion
            The lesion as it was.
        tracking_uid
            Its tracking uid (empty: none).
        position
            Its place among the lesions (0 = first).
        timepoints
            The time points as they were before the removal.
        who
            Who undoes (audit trail).

        Raises
        ------
        RestoreRefusedError
            The patient is gone (``patient_gone``), or a lesion with this id
            exists (``exists``).
        SignedTimePointError
            The lesion had something at a time point that is signed now.
        """
        removed = RemovedLesion(
            lesion,
            tracking_uid or None,
            position,
            {record.uid: lesion_at(record, lesion.id) for record in timepoints},
        )
        with self._edit(patient_id, who) as edit:
            restores = _audit.latest_removal(edit.conn, patient_id, "lesion", lesion.id)
            item = f"lesion {lesion.id} of {patient_id}"
            self._put_back(edit, removed, item, restores)

    # -- one per kind of item ---------------------------------------------------------
    def _restore_patient(self, edit: Edit, removal: AuditEntry, data: object) -> str:
        read = self._decoded(PatientRead, data, removal)
        pid = read.patient.id
        item = f"patient {pid}"
        self._check_unrestored(edit, removal, item)
        if self._has_patient(edit):
            raise RestoreRefusedError(
                item,
                "exists",
                f"a patient {pid} is in the database again; open it, or remove "
                "it first (it stays in the audit trail) to bring this one back",
                audit_id=removal.id,
                patient_id=pid,
            )
        _write.check_read(read)
        _write.write_read(edit.conn, read, edit.at)
        edit.audit("patient", pid, "restore", None, read, restores=removal.id)
        return item

    def _restore_timepoint(self, edit: Edit, removal: AuditEntry, data: object) -> str:
        record = self._decoded(TimePointRecord, data, removal)
        pid = edit.patient_id
        when = record.date.isoformat()
        item = f"time point {record.label or record.uid} ({when}) of {pid}"
        self._check_unrestored(edit, removal, item)
        self._check_patient(edit, item, removal.id)
        exists = edit.conn.execute(
            "SELECT label, date FROM timepoint WHERE patient_id = ? AND uid = ?",
            (pid, record.uid),
        ).fetchone()
        if exists is not None:
            raise RestoreRefusedError(
                item,
                "exists",
                f"patient {pid} has a time point with its uid again ("
                f"{exists['label']}, {exists['date']}); remove that one first",
                audit_id=removal.id,
                patient_id=pid,
            )
        clash = edit.conn.execute(
            "SELECT label, date FROM timepoint WHERE patient_id = ? AND uid != ? "
            "AND (date = ? OR (study_uid != '' AND study_uid = ?) OR label = ?)",
            (pid, record.uid, when, record.study_uid, record.label),
        ).fetchone()
        if clash is not None:
            raise RestoreRefusedError(
                item,
                "exists",
                f"patient {pid} has time point {clash['label']} ({clash['date']}) "
                "with the same date, study or label now; remove that one first",
                audit_id=removal.id,
                patient_id=pid,
            )
        later_signed = edit.conn.execute(
            "SELECT label FROM timepoint WHERE patient_id = ? AND signed_at != '' "
            "AND date > ? ORDER BY date",
            (pid, when),
        ).fetchone()
        if later_signed is not None:
            raise RestoreRefusedError(
                item,
                "exists",
                f"it is dated before signed time point {later_signed['label']}, "
                "whose assessment it would change; unlock that one first",
                audit_id=removal.id,
                patient_id=pid,
            )
        lesion_ids = self._lesion_ids(edit)
        tp = record.timepoint
        gone = sorted({*tp.targets, *tp.non_targets} - lesion_ids)
        if gone:
            raise RestoreRefusedError(
                item,
                "lesion_gone",
                f"it records lesion {', '.join(gone)}, removed since; restore "
                "the lesion first",
                audit_id=removal.id,
                patient_id=pid,
            )
        _write.check_record(pid, record, lesion_ids)
        _write.write_timepoint(edit.conn, pid, record)
        edit.audit(
            "timepoint", record.uid, "restore", None, record, restores=removal.id
        )
        return item

    def _put_back(
        self, edit: Edit, removed: RemovedLesion, item: str, restores: int | None
    ) -> None:
        """Write a removed lesion back (the patient must exist, the lesion not)."""
        pid, lesion = edit.patient_id, removed.lesion
        self._check_patient(edit, item, restores)
        if lesion.id in self._lesion_ids(edit):
            raise RestoreRefusedError(
                item,
                "exists",
                f"patient {pid} has a lesion {lesion.id} again; rename or remove "
                "that one first",
                audit_id=restores,
                patient_id=pid,
            )
        headers = {
            str(row["uid"]): row
            for row in edit.conn.execute(
                "SELECT uid, label, signed_by, signed_at FROM timepoint "
                "WHERE patient_id = ? ORDER BY date, rowid",
                (pid,),
            )
        }
        kept = {
            uid: found
            for uid, found in removed.timepoints.items()
            if uid in headers and not found.is_empty
        }
        for uid in kept:
            if headers[uid]["signed_at"]:
                raise self._signed(pid, headers[uid])
        _write.place_lesion(
            edit.conn, pid, lesion, removed.tracking_uid, removed.position
        )
        for uid, found in kept.items():
            if found.target is not None or found.calipers:
                _write.write_target(
                    edit.conn, pid, uid, lesion.id, found.target, found.calipers
                )
                _write.write_extent(edit.conn, pid, uid, lesion.id, found.extent)
            if found.non_target is not None:
                _write.write_non_target(
                    edit.conn, pid, uid, lesion.id, found.non_target
                )
        after = dataclasses.replace(removed, timepoints=kept)
        edit.audit("lesion", lesion.id, "restore", None, after, restores=restores)

    # -- checks -----------------------------------------------------------------------
    @staticmethod
    def _has_patient(edit: Edit) -> bool:
        row = edit.conn.execute(
            "SELECT 1 FROM patient WHERE patient_id = ?", (edit.patient_id,)
        ).fetchone()
        return row is not None

    def _check_patient(self, edit: Edit, item: str, audit_id: int | None) -> None:
        if not self._has_patient(edit):
            raise RestoreRefusedError(
                item,
                "patient_gone",
                f"patient {edit.patient_id} is no longer in the database; restore "
                "the patient first",
                audit_id=audit_id,
                patient_id=edit.patient_id,
            )

    @staticmethod
    def _check_unrestored(edit: Edit, removal: AuditEntry, item: str) -> None:
        restored = _audit.restored_by(edit.conn, removal.id)
        if restored is not None:
            raise RestoreRefusedError(
                item,
                "already_restored",
                f"the removal (audit entry {removal.id}) was restored already "
                f"(entry {restored}); if it was removed again, restore that newer "
                "removal",
                audit_id=removal.id,
                patient_id=removal.patient_id,
            )

    def _decoded(self, cls: type[T], data: object, removal: AuditEntry) -> T:
        try:
            return from_jsonable(cls, data)
        except DecodeError as exc:
            raise UnreadableReadError(
                self._path,
                removal.patient_id,
                f"audit entry {removal.id}, {removal.entity} {removal.key}: {exc}",
            ) from exc


def _check_removal(audit_id: int, found: AuditEntry | None) -> AuditEntry:
    """Return the entry if it removed a patient, time point or lesion; else raise."""
    item = f"audit entry {audit_id}"
    if found is None:
        raise RestoreRefusedError(
            item,
            "unknown_entry",
            "the audit trail has no such entry; choose one from the list of "
            "removed items",
            audit_id=audit_id,
        )
    if (
        found.action != "delete"
        or found.entity not in _audit.REMOVABLE
        or found.before is None
    ):
        raise RestoreRefusedError(
            item,
            "not_a_removal",
            f"it records the {found.action} of {found.entity} {found.key}, not the "
            "removal of a patient, time point or lesion; choose an entry from the "
            "list of removed items",
            audit_id=audit_id,
            patient_id=found.patient_id,
        )
    return found
