"""The SQLite store: every read in one database file, every edit autosaved.

:func:`open_store` examines the file before writing anything, migrates it
forward and returns a :class:`SqliteStore`, which implements the session's
storage port (``respond.session.ports.ReadStore``) structurally. Each method
that changes a read commits in its own transaction, with its audit entry.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Final, Self

from respond.store import _audit, _read, _write
from respond.store._base import utc_now
from respond.store._codec import settings_from, settings_params
from respond.store._measure import MeasureEdits
from respond.store._migrations import MIGRATIONS
from respond.store._open import SYNCHRONOUS, connect
from respond.store._signoff import SignoffEdits
from respond.store._transaction import reading
from respond.store.errors import (
    InvalidReadError,
    LesionNotFoundError,
    PatientExistsError,
    PatientNotFoundError,
    UnreadableReadError,
)
from respond.store.records import PatientSummary

if TYPE_CHECKING:
    import datetime as dt
    import os
    from collections.abc import Callable, Sequence
    from types import TracebackType

    from respond.criteria import (
        Lesion,
        LesionId,
        PatientRead,
        Settings,
        TimePointRecord,
    )
    from respond.store._migrations import Migration
    from respond.store._transaction import Edit
    from respond.store.records import AuditEntry

__all__ = ["DEFAULT_BUSY_TIMEOUT_S", "SqliteStore", "open_store"]

DEFAULT_BUSY_TIMEOUT_S: Final = 5.0
"""How long an edit waits for another respond's write before DatabaseBusyError."""

_UNREADABLE = (ValueError, TypeError, KeyError, ArithmeticError)


def open_store(
    path: str | os.PathLike[str],
    *,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    synchronous: str = SYNCHRONOUS,
    clock: Callable[[], dt.datetime] = utc_now,
    migrations: Sequence[Migration] = MIGRATIONS,
) -> SqliteStore:
    """Open (or create) the database at ``path``.

    The file is examined read-only first; nothing is written to a file that is
    not a respond database, or is damaged, or is newer than this respond. A
    missing or empty file becomes a new database (its folder is created). An
    older respond database is copied to ``<name>.v<N>.bak`` and migrated.

    Parameters
    ----------
    path
        The database file (see :func:`~respond.store.resolve_database_path`).
    busy_timeout_s
        How long an edit waits while another respond writes.
    synchronous
        ``PRAGMA synchronous``; keep the default ``FULL`` (see
        :data:`~respond.store.SYNCHRONOUS`) except to measure the alternative.
    clock
        Returns the current time for the audit trail (aware; stored as UTC).
    migrations
        The schema's migration steps (tests pass their own).

    Returns
    -------
    SqliteStore
        The open store; close it (or use it as a context manager).

    Raises
    ------
    CorruptDatabaseError, ForeignDatabaseError, NewerDatabaseError
        The file is not a usable respond database; it was left untouched.
    DatabaseBusyError
        Another respond held the write lock while the file was being set up.
    DatabaseWriteError
        The file or its folder cannot be written.
    MigrationError
        An upgrade step failed; the file stays at its version.
    SQLiteVersionError
        Python's SQLite library is too old.
    ValueError
        ``synchronous`` is not a known mode.
    """
    file = Path(path)
    conn, version = connect(
        file, busy_timeout_s=busy_timeout_s, synchronous=synchronous, steps=migrations
    )
    conn.row_factory = sqlite3.Row
    return SqliteStore(conn, file, version, clock)


class SqliteStore(SignoffEdits, MeasureEdits):
    """Reads of every patient in one SQLite file (use :func:`open_store`).

    Parameters
    ----------
    conn
        An open autocommit connection with the pragmas set and rows as
        :class:`sqlite3.Row`.
    path
        The database file.
    schema_version
        The database's schema version.
    clock
        Returns the current time for the audit trail.
    """

    def close(self) -> None:
        """Close the database (every edit is already committed)."""
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------
    def list_patients(self) -> list[PatientSummary]:
        """Return every patient, by patient id, with its time points by date."""
        with reading(self._conn, self._path) as conn:
            patients = conn.execute(
                "SELECT patient_id, name, updated_at FROM patient ORDER BY patient_id"
            ).fetchall()
            timepoints = conn.execute(
                "SELECT patient_id, label, date FROM timepoint "
                "ORDER BY patient_id, date, rowid"
            ).fetchall()
        by_patient: dict[str, list[tuple[str, str]]] = {}
        for row in timepoints:
            by_patient.setdefault(row[0], []).append((str(row[1]), str(row[2])))
        return [
            PatientSummary(
                patient_id=str(row[0]),
                name=None if row[1] is None else str(row[1]),
                timepoints=tuple(by_patient.get(row[0], ())),
                updated_at=str(row[2]),
            )
            for row in patients
        ]

    def load(self, patient_id: str) -> PatientRead:
        """Return a patient's whole read.

        Raises
        ------
        PatientNotFoundError
            No such patient.
        UnreadableReadError
            A stored value this respond cannot interpret (kept unchanged).
        """
        try:
            with reading(self._conn, self._path) as conn:
                read = _read.read_patient(conn, patient_id)
        except _UNREADABLE as exc:
            raise UnreadableReadError(self._path, patient_id, repr(exc)) from exc
        if read is None:
            raise PatientNotFoundError(patient_id)
        return read

    def audit(self, patient_id: str | None = None) -> list[AuditEntry]:
        """Return the audit trail (of one patient, or of all), oldest first."""
        with reading(self._conn, self._path) as conn:
            return _audit.entries(conn, patient_id)

    # -- patients ------------------------------------------------------------------
    def create_patient(
        self, read: PatientRead, *, who: str, replace: bool = False
    ) -> None:
        """Store a patient's whole read (an import), in one transaction.

        Parameters
        ----------
        read
            The whole read.
        who
            Who imports (audit trail).
        replace
            Replace a stored patient with the same id, in the same transaction:
            a failure leaves the old read in place; the old read stays in the
            audit trail.

        Raises
        ------
        PatientExistsError
            The patient id is already stored (and ``replace`` is not set).
        SignedTimePointError
            Replacing a patient with a signed time point: unlock it first.
        InvalidReadError, LesionNotFoundError, NewLesionNotFoundError
            Duplicate ids or references to lesions or findings not in the read.
        """
        _write.check_read(read)
        pid = read.patient.id
        with self._edit(pid, who) as edit:
            if edit.conn.execute(
                "SELECT 1 FROM patient WHERE patient_id = ?", (pid,)
            ).fetchone():
                if not replace:
                    raise PatientExistsError(pid)
                self._delete_patient(edit)
            _write.insert_patient(edit.conn, read, edit.at)
            for position, lesion in enumerate(read.lesions):
                tracking = read.tracking_uids.get(lesion.id)
                _write.place_lesion(edit.conn, pid, lesion, tracking, position)
            for record in read.timepoints:
                _write.write_timepoint(edit.conn, pid, record)
            edit.audit("patient", pid, "create", None, read)

    def delete_patient(self, patient_id: str, *, who: str) -> None:
        """Remove a patient; the whole read is kept in the audit trail.

        Raises
        ------
        PatientNotFoundError
            No such patient.
        SignedTimePointError
            A time point is signed: unlock it first.
        """
        with self._edit(patient_id, who) as edit:
            self._delete_patient(edit)

    def _delete_patient(self, edit: Edit) -> None:
        before = _read.read_patient(edit.conn, edit.patient_id)
        if before is None:
            raise PatientNotFoundError(edit.patient_id)
        self._refuse_if_signed(edit)
        edit.audit("patient", edit.patient_id, "delete", before, None)
        edit.conn.execute(
            "DELETE FROM patient WHERE patient_id = ?", (edit.patient_id,)
        )

    def put_settings(
        self, patient_id: str, settings: Settings, reader: str | None, *, who: str
    ) -> None:
        """Replace the assessment settings and reader of a patient.

        Raises
        ------
        PatientNotFoundError
            No such patient.
        """
        with self._edit(patient_id, who) as edit:
            row = edit.conn.execute(
                "SELECT * FROM patient WHERE patient_id = ?", (patient_id,)
            ).fetchone()
            if row is None:
                raise PatientNotFoundError(patient_id)
            before = {"settings": settings_from(row), "reader": row["reader"]}
            _write.update_settings(
                edit.conn, patient_id, settings_params(settings), reader
            )
            after = {"settings": settings, "reader": reader}
            edit.audit("settings", patient_id, "update", before, after)

    # -- lesions -------------------------------------------------------------------
    def _lesion_snapshot(self, edit: Edit, lesion_id: str) -> dict[str, object] | None:
        lesions, uids = _read.read_lesions(edit.conn, edit.patient_id)
        for position, lesion in enumerate(lesions):
            if lesion.id == lesion_id:
                return {
                    "lesion": lesion,
                    "tracking_uid": uids.get(lesion.id),
                    "position": position,
                }
        return None

    def put_lesion(
        self,
        patient_id: str,
        lesion: Lesion,
        tracking_uid: str,
        position: int,
        *,
        who: str,
    ) -> None:
        """Insert or update a baseline lesion at ``position`` (0 = first).

        The other lesions keep their order (an insert shifts those after it).
        An empty ``tracking_uid`` means the lesion has none.

        Raises
        ------
        PatientNotFoundError
            No such patient.
        SignedTimePointError
            The lesion exists and a signed time point records it: its role and
            kind decide that time point's categories.
        """
        with self._edit(patient_id, who) as edit:
            self._require_patient(edit)
            before = self._lesion_snapshot(edit, lesion.id)
            if before is not None:
                self._refuse_if_signed(edit, lesion.id)
            _write.place_lesion(edit.conn, patient_id, lesion, tracking_uid, position)
            after = self._lesion_snapshot(edit, lesion.id)
            action = "create" if before is None else "update"
            edit.audit("lesion", lesion.id, action, before, after)

    def delete_lesion(self, patient_id: str, lesion_id: LesionId, *, who: str) -> None:
        """Remove a lesion and its measurements and calipers at every time point.

        What is removed is kept in the audit entry.

        Raises
        ------
        LesionNotFoundError
            No such lesion.
        SignedTimePointError
            The lesion is recorded at a signed time point: unlock it first.
        """
        with self._edit(patient_id, who) as edit:
            self._require_patient(edit)
            before = self._lesion_snapshot(edit, lesion_id)
            if before is None:
                raise LesionNotFoundError(patient_id, lesion_id)
            self._refuse_if_signed(edit, lesion_id)
            before["timepoints"] = {
                record.uid: {
                    "target": record.target(lesion_id),
                    "calipers": record.calipers.get(lesion_id, ()),
                    "non_target": record.non_target(lesion_id),
                }
                for record in _read.read_timepoints(edit.conn, patient_id)
            }
            edit.audit("lesion", lesion_id, "delete", before, None)
            key = (patient_id, lesion_id)
            edit.conn.execute(
                "DELETE FROM caliper WHERE patient_id = ? AND lesion_id = ?", key
            )
            edit.conn.execute(
                "DELETE FROM lesion WHERE patient_id = ? AND lesion_id = ?", key
            )
            lesions, _ = _read.read_lesions(edit.conn, patient_id)
            _write.renumber_lesions(edit.conn, patient_id, [les.id for les in lesions])

    # -- time points ---------------------------------------------------------------
    def put_timepoint(
        self, patient_id: str, record: TimePointRecord, *, who: str
    ) -> None:
        """Insert or replace a whole time point (header, measurements, calipers).

        Raises
        ------
        PatientNotFoundError
            No such patient.
        SignedTimePointError
            The stored time point is signed: unlock it first.
        LesionNotFoundError, NewLesionNotFoundError, InvalidReadError
            The record refers to lesions or findings it does not have, or comes
            signed (signing is :meth:`sign`, which the audit trail records).
        """
        if record.is_signed:
            raise InvalidReadError(
                patient_id,
                f"time point {record.label or record.uid} comes signed; store it "
                "unsigned and sign it with sign()",
            )
        with self._edit(patient_id, who, record.uid) as edit:
            self._require_patient(edit)
            _write.check_record(patient_id, record, self._lesion_ids(edit))
            before = _read.read_timepoint(edit.conn, patient_id, record.uid)
            if before is not None:
                self._editable(edit, record.uid)
            _write.write_timepoint(edit.conn, patient_id, record)
            action = "create" if before is None else "update"
            edit.audit("timepoint", record.uid, action, before, record)

    def delete_timepoint(self, patient_id: str, uid: str, *, who: str) -> None:
        """Remove a time point (refused while it is signed).

        Raises
        ------
        TimePointNotFoundError
            No such time point.
        SignedTimePointError
            It is signed: unlock it first.
        """
        with self._edit(patient_id, who, uid) as edit:
            self._editable(edit, uid)
            before = _read.read_timepoint(edit.conn, patient_id, uid)
            edit.audit("timepoint", uid, "delete", before, None)
            edit.conn.execute(
                "DELETE FROM timepoint WHERE patient_id = ? AND uid = ?",
                (patient_id, uid),
            )
