"""The SQLite store: every read in one database file, every edit autosaved.

:func:`open_store` examines the file before writing anything, migrates it
forward and returns a :class:`SqliteStore`, which implements the session's
storage port (``respond.session.ports.ReadStore``) and image catalog
(``ImageCatalog``) structurally. Each method that changes a read commits in its
own transaction, with its audit entry. The methods live in mixins by topic:
measurements (``_measure``), sign-off and confirmations (``_signoff``), restoring
removals (``_restore``) and the image index (``_index``).

A store opened with ``read_only=True`` (the commands that only read) creates
and changes nothing on disk. A writing store runs SQLite's quick integrity check
once, before its first write, and refuses to write to a damaged file. Closing
checkpoints the write-ahead log into the main file, as
:meth:`SqliteStore.checkpoint_if_idle` does while the app is idle.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self

from respond.casefile import CaseFormatError, check_values
from respond.criteria import PatientRead
from respond.store import _audit, _read, _write
from respond.store._base import utc_now
from respond.store._codec import settings_from, settings_params
from respond.store._index import ImageIndex
from respond.store._measure import MeasureEdits
from respond.store._migrations import MIGRATIONS
from respond.store._open import (
    SYNCHRONOUS,
    check_integrity,
    checkpoint,
    close_checkpointed,
    connect,
    connect_read_only,
)
from respond.store._restore import LesionAt, RemovedLesion, RestoreEdits, lesion_at
from respond.store._signoff import SignoffEdits
from respond.store._stale import UNSEEN, merged, stale
from respond.store.errors import (
    DatabaseWriteError,
    IntegrityCheckError,
    InvalidReadError,
    LesionNotFoundError,
    PatientExistsError,
    PatientNotFoundError,
    UnreadableReadError,
)

if TYPE_CHECKING:
    import datetime as dt
    import os
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from types import TracebackType

    from respond.criteria import (
        Clinical,
        Lesion,
        LesionId,
        Settings,
        TimePointRecord,
    )
    from respond.store._migrations import Migration
    from respond.store._transaction import Edit
    from respond.store.records import AuditEntry, PatientSummary

__all__ = ["DEFAULT_BUSY_TIMEOUT_S", "SqliteStore", "open_store"]

DEFAULT_BUSY_TIMEOUT_S: Final = 5.0
"""How long an edit waits for another respond's write before DatabaseBusyError."""

IDLE_CHECKPOINT_S: Final = 5.0
"""How long the app waits after the last edit before it checkpoints the log."""

_IDLE_WAIT_MS: Final = 100
"""How long an idle checkpoint waits for another respond's reader (ms)."""


def open_store(
    path: str | os.PathLike[str],
    *,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    synchronous: str = SYNCHRONOUS,
    clock: Callable[[], dt.datetime] = utc_now,
    migrations: Sequence[Migration] = MIGRATIONS,
    init: bool = False,
    read_only: bool = False,
) -> SqliteStore:
    """Open (or create) the database at ``path``.

    The file is examined read-only first; nothing is written to a file that is
    not a respond database, or is damaged, or is newer than this respond. A
    missing file becomes a new database (its folder is created); an existing
    empty (0-byte) file only with ``init``. An older respond database is copied
    to ``<name>.v<N>.bak`` and migrated.

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
    init
        Take an existing empty (0-byte) file as a new database. Without it
        such a file is refused (it may be a database that lost its contents).
    read_only
        Only read: nothing is created or changed on disk, so a read-only file
        or folder and a full disk work. A missing file reads as a database
        without patients (nothing is created); a database of an older schema
        is upgraded first, which needs writing. Every edit is refused.

    Returns
    -------
    SqliteStore
        The open store; close it (or use it as a context manager).

    Raises
    ------
    CorruptDatabaseError, ForeignDatabaseError, NewerDatabaseError
        The file is not a usable respond database; it was left untouched.
    EmptyDatabaseError
        The file exists and is empty, and ``init`` is not set.
    DatabaseReadError
        With ``read_only``: the file cannot be read where it is.
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
    if read_only:
        conn, version, read_only = connect_read_only(
            file,
            busy_timeout_s=busy_timeout_s,
            synchronous=synchronous,
            steps=migrations,
        )
    else:
        conn, version = connect(
            file,
            busy_timeout_s=busy_timeout_s,
            synchronous=synchronous,
            steps=migrations,
            init=init,
        )
    conn.row_factory = sqlite3.Row
    store = SqliteStore(conn, file, version, clock)
    store._read_only = read_only
    return store


class SqliteStore(SignoffEdits, MeasureEdits, RestoreEdits, ImageIndex):
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

    _read_only = False
    _closed = False
    _checked = False
    _damage: IntegrityCheckError | None = None
    _seen_changes = -1
    _changed_at = 0.0
    _checkpointed_changes = 0

    @property
    def read_only(self) -> bool:
        """Whether the store only reads (every edit is refused)."""
        return self._read_only

    def close(self) -> None:
        """Close the database (every edit is already committed).

        A writing store first checkpoints: the write-ahead log is copied into
        the main file and emptied, so the file alone holds every edit (waiting
        up to a second for another respond's reader; if that reader keeps it
        from finishing, the edits stay safe in the log).
        """
        if self._closed:
            return
        self._closed = True
        if self._read_only:
            self._conn.close()
        else:
            close_checkpointed(self._conn)

    def checkpoint(self) -> bool:
        """Copy the write-ahead log into the main file and empty it.

        Returns
        -------
        bool
            True when the main file holds every committed edit; False when
            another connection kept the checkpoint from finishing (or the
            store only reads).
        """
        if self._read_only or self._closed or self._conn.in_transaction:
            return False
        done = checkpoint(self._conn)
        if done:
            self._checkpointed_changes = self._conn.total_changes
        return done

    def checkpoint_if_idle(self, idle_s: float = IDLE_CHECKPOINT_S) -> bool:
        """Checkpoint when there were edits and none for ``idle_s`` seconds.

        Call it regularly (the app: from a timer). Edits are noticed through
        the connection's change count between calls, so the first call after
        an edit only notes the time; a later call, ``idle_s`` after it,
        checkpoints (never waiting more than 0.1 s for another reader).

        Returns
        -------
        bool
            True when it checkpointed.
        """
        if self._read_only or self._closed or self._conn.in_transaction:
            return False
        changes = self._conn.total_changes
        now = time.monotonic()
        if changes != self._seen_changes:
            self._seen_changes, self._changed_at = changes, now
            return False
        if changes == self._checkpointed_changes or now - self._changed_at < idle_s:
            return False
        done = checkpoint(self._conn, wait_ms=_IDLE_WAIT_MS)
        if done:
            self._checkpointed_changes = changes
        return done

    def check_integrity(self) -> None:
        """Run SQLite's quick integrity check now (once per store).

        The first write of a store runs it anyway; the app runs it when it opens
        the database, to say at once that a file is damaged.

        Raises
        ------
        IntegrityCheckError
            The file is damaged; this store refuses every write.
        DatabaseBusyError, DatabaseReadError
            The check could not run (it is tried again before the next write).
        """
        if self._damage is not None:
            raise IntegrityCheckError(self._path, self._damage.detail)
        if self._checked:
            return
        try:
            with _read.snapshot(self._conn, self._path) as conn:
                check_integrity(conn, self._path)
        except IntegrityCheckError as exc:
            self._damage = exc
            raise
        self._checked = True

    def _before_write(self) -> None:
        """Refuse to write when reading only or damaged; check once per store."""
        if self._read_only:
            raise DatabaseWriteError(
                self._path, "it was opened for reading only", changing=True
            )
        self.check_integrity()

    @contextmanager
    def _edit(self, *args: Any, **kwargs: Any) -> Iterator[Edit]:
        self._before_write()
        with super()._edit(*args, **kwargs) as edit:
            yield edit

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
        """Return every patient, by patient id, with its time points by date.

        Returns
        -------
        list[PatientSummary]
            Id, name, birth date (ISO), sex, ``(label, ISO date)`` of each time
            point with whether it is signed, and when the read last changed.
            Stored text that is not UTF-8 is listed with its bytes escaped
            (:meth:`load` then names the damage), so one damaged patient never
            hides the others.
        """
        with _read.snapshot(self._conn, self._path) as conn:
            return _read.list_summaries(conn)

    def load(self, patient_id: str) -> PatientRead:
        """Return a patient's whole read.

        Raises
        ------
        PatientNotFoundError
            No such patient.
        UnreadableReadError
            A stored value this respond cannot interpret (kept unchanged); the
            message names the table, column and row when they can be found.
            Only this patient is affected.
        """
        try:
            with _read.snapshot(self._conn, self._path) as conn:
                read = _read.read_patient(conn, patient_id)
                if read is None:
                    _read.check_listed_id(conn, patient_id)
        except _read.StoredValueError as exc:
            raise UnreadableReadError(
                self._path,
                patient_id,
                str(exc),
                table=exc.table,
                column=exc.column,
            ) from exc
        except _read.UNREADABLE as exc:
            raise UnreadableReadError(self._path, patient_id, repr(exc)) from exc
        if read is None:
            raise PatientNotFoundError(patient_id)
        self._check_stored_values(patient_id, read)
        return read

    def _check_stored_values(self, patient_id: str, read: PatientRead) -> None:
        """Refuse a stored setting or clinical value a case file could not hold.

        The engine must never compute with it (a day count of 2^62, a negative
        confirmation interval); only this patient is affected.
        """
        parts: list[tuple[str, Settings | Clinical]] = [("patient", read.settings)]
        parts.extend(("clinical", tp.timepoint.clinical) for tp in read.timepoints)
        for table, part in parts:
            try:
                check_values(part)
            except CaseFormatError as exc:
                raise UnreadableReadError(
                    self._path, patient_id, str(exc), table=table
                ) from exc

    def audit(self, patient_id: str | None = None) -> list[AuditEntry]:
        """Return the audit trail (of one patient, or of all), oldest first."""
        with _read.snapshot(self._conn, self._path) as conn:
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
            _write.write_read(edit.conn, read, edit.at)
            edit.audit("patient", pid, "create", None, read)

    def delete_patient(self, patient_id: str, *, who: str) -> None:
        """Remove a patient; the whole read is kept in the audit trail.

        :meth:`restore_deleted` puts it back from there.

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
        self,
        patient_id: str,
        settings: Settings,
        reader: str | None,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Replace the assessment settings and reader of a patient.

        ``seen`` is the settings as the writer showed them (see :mod:`._stale`).

        Raises
        ------
        PatientNotFoundError
            No such patient.
        StaleEditError
            Another writer changed the same setting since it was shown.
        """
        with self._edit(patient_id, who) as edit:
            row = edit.conn.execute(
                "SELECT * FROM patient WHERE patient_id = ?", (patient_id,)
            ).fetchone()
            if row is None:
                raise PatientNotFoundError(patient_id)
            before = {"settings": settings_from(row), "reader": row["reader"]}
            settings = merged(
                edit.conn,
                patient_id,
                before["settings"],
                seen,
                settings,
                what="the settings",
                entity="settings",
                key=patient_id,
            )
            check_values(settings)
            _write.update_settings(
                edit.conn, patient_id, settings_params(settings), reader
            )
            after = {"settings": settings, "reader": reader}
            edit.audit("settings", patient_id, "update", before, after)

    # -- lesions -------------------------------------------------------------------
    @staticmethod
    def _lesion_place(edit: Edit, lesion_id: str) -> RemovedLesion | None:
        """Return a lesion with its tracking uid and position (no time points)."""
        lesions, uids = _read.read_lesions(edit.conn, edit.patient_id)
        for position, lesion in enumerate(lesions):
            if lesion.id == lesion_id:
                return RemovedLesion(lesion, uids.get(lesion.id), position)
        return None

    def _lesion_snapshot(self, edit: Edit, lesion_id: str) -> dict[str, object] | None:
        found = self._lesion_place(edit, lesion_id)
        if found is None:
            return None
        return {
            "lesion": found.lesion,
            "tracking_uid": found.tracking_uid,
            "position": found.position,
        }

    def put_lesion(
        self,
        patient_id: str,
        lesion: Lesion,
        tracking_uid: str,
        position: int,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Insert or update a baseline lesion at ``position`` (0 = first).

        The other lesions keep their order (an insert shifts those after it).
        An empty ``tracking_uid`` means the lesion has none. ``seen`` is the
        lesion as the writer showed it (see :mod:`._stale`).

        Raises
        ------
        PatientNotFoundError
            No such patient.
        SignedTimePointError
            The lesion exists and a signed time point records it: its role and
            kind decide that time point's categories.
        StaleEditError
            Another writer changed the same field of the lesion since it was shown.
        """
        with self._edit(patient_id, who) as edit:
            self._require_patient(edit)
            before = self._lesion_snapshot(edit, lesion.id)
            if seen is not UNSEEN:
                place = self._lesion_place(edit, lesion.id)
                stored = None if place is None else place.lesion
                lesion = merged(
                    edit.conn,
                    patient_id,
                    stored,
                    seen,
                    lesion,
                    what=f"lesion {lesion.id}",
                    entity="lesion",
                    key=lesion.id,
                )
            if before is not None:
                self._refuse_if_signed(edit, lesion.id)
            check_values(lesion)
            _write.place_lesion(edit.conn, patient_id, lesion, tracking_uid, position)
            after = self._lesion_snapshot(edit, lesion.id)
            removal = (
                None
                if before is not None
                else _audit.latest_removal(edit.conn, patient_id, "lesion", lesion.id)
            )
            action = (
                "update" if before is not None else "restore" if removal else "create"
            )
            edit.audit("lesion", lesion.id, action, before, after, restores=removal)

    def delete_lesion(
        self,
        patient_id: str,
        lesion_id: LesionId,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Remove a lesion and its measurements and calipers at every time point.

        What is removed is kept in the audit entry (:meth:`restore_deleted`
        puts it back from there; :meth:`restore_lesion` is the undo).
        ``seen`` is the patient's read as the writer showed it: the removal is
        refused when the lesion or anything recorded for it changed since.

        Raises
        ------
        LesionNotFoundError
            No such lesion.
        SignedTimePointError
            The lesion is recorded at a signed time point: unlock it first.
        StaleEditError
            Another writer changed the lesion or its measurements since it was
            shown.
        """
        with self._edit(patient_id, who) as edit:
            self._require_patient(edit)
            found = self._lesion_place(edit, lesion_id)
            if found is None:
                raise LesionNotFoundError(patient_id, lesion_id)
            self._refuse_if_signed(edit, lesion_id)
            records = _read.read_timepoints(edit.conn, patient_id)
            removed = dataclasses.replace(
                found,
                timepoints={r.uid: lesion_at(r, lesion_id) for r in records},
            )
            if isinstance(seen, PatientRead) and (
                seen.lesion(lesion_id) != found.lesion
                or _recorded(seen.timepoints, lesion_id)
                != _recorded(records, lesion_id)
            ):
                raise stale(
                    edit.conn,
                    patient_id,
                    f"lesion {lesion_id}",
                    *_last_edit(edit.conn, patient_id, "lesion", lesion_id),
                )
            edit.audit("lesion", lesion_id, "delete", removed, None)
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
        self,
        patient_id: str,
        record: TimePointRecord,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Insert or replace a whole time point (header, measurements, calipers).

        With ``seen`` (the time point as the writer showed it) only what the
        edit changes is written, e.g. a new label keeps another reader's
        measurements (see :mod:`._stale`); a conflict raises StaleEditError.

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
        _refuse_signed_records(patient_id, [record])
        with self._edit(patient_id, who, record.uid) as edit:
            self._require_patient(edit)
            if seen is not UNSEEN:
                stored = _read.read_timepoint(edit.conn, patient_id, record.uid)
                record = merged(
                    edit.conn,
                    patient_id,
                    stored,
                    seen,
                    record,
                    what=f"time point {record.label}",
                    entity="timepoint",
                    key=record.uid,
                )
            self._put_timepoint(edit, record, self._lesion_ids(edit))

    def put_timepoints(
        self,
        patient_id: str,
        records: Sequence[TimePointRecord],
        *,
        who: str,
        confirmations: Sequence[tuple[str, str, Mapping[str, str]]] = (),
    ) -> None:
        """Insert or replace several whole time points in one transaction.

        Each record is checked as :meth:`put_timepoint` checks it and gets its own
        audit entry, in the order given; if one is refused, none is saved (e.g.
        relabelling every time point when an earlier study becomes the baseline).

        Parameters
        ----------
        patient_id
            The patient.
        records
            The time points, each as a whole (unsigned).
        who
            The reader, for the audit trail.
        confirmations
            What the reader confirmed to make this change, as ``(key, what,
            details)``: audited in the same transaction (see
            :meth:`record_confirmation`), so the change never lands without them.

        Raises
        ------
        PatientNotFoundError
            No such patient.
        SignedTimePointError
            One of the stored time points is signed: unlock it first.
        LesionNotFoundError, NewLesionNotFoundError, InvalidReadError
            A record refers to lesions or findings it does not have, comes
            signed, or two records have the same uid.
        """
        _refuse_signed_records(patient_id, records)
        if twice := _write.duplicates(record.uid for record in records):
            raise InvalidReadError(
                patient_id, f"time point uid {twice[0]} is given twice"
            )
        with self._edit(patient_id, who) as edit:
            self._require_patient(edit)
            lesion_ids = self._lesion_ids(edit)
            for record in records:
                self._put_timepoint(edit, record, lesion_ids)
            for key, what, details in confirmations:
                edit.audit(
                    "confirmation", key, "confirm", None, {"what": what, **details}
                )

    def _put_timepoint(
        self, edit: Edit, record: TimePointRecord, lesion_ids: set[str]
    ) -> None:
        _write.check_record(edit.patient_id, record, lesion_ids)
        before = _read.read_timepoint(edit.conn, edit.patient_id, record.uid)
        if before is not None:
            self._editable(edit, record.uid)
        _write.write_timepoint(edit.conn, edit.patient_id, record)
        if before is not None:
            edit.audit("timepoint", record.uid, "update", before, record)
            return
        # Put back after a removal (an undo): the removal is restored, so it
        # no longer shows in deleted().
        removal = _audit.latest_removal(
            edit.conn, edit.patient_id, "timepoint", record.uid
        )
        action = "create" if removal is None else "restore"
        edit.audit("timepoint", record.uid, action, None, record, restores=removal)

    def delete_timepoint(
        self, patient_id: str, uid: str, *, who: str, seen: object = UNSEEN
    ) -> None:
        """Remove a time point (refused while it is signed).

        The whole record is kept in the audit entry (see :meth:`restore_deleted`).
        ``seen`` is the time point as the writer showed it: the removal is
        refused when anything in it changed since.

        Raises
        ------
        TimePointNotFoundError
            No such time point.
        SignedTimePointError
            It is signed: unlock it first.
        StaleEditError
            Another writer changed the time point since it was shown.
        """
        with self._edit(patient_id, who, uid) as edit:
            header = self._editable(edit, uid)
            before = _read.read_timepoint(edit.conn, patient_id, uid)
            if seen is not UNSEEN and seen != before:
                raise stale(
                    edit.conn,
                    patient_id,
                    f"time point {header['label']}",
                    *_last_edit(edit.conn, patient_id, "timepoint", uid),
                )
            edit.audit("timepoint", uid, "delete", before, None)
            edit.conn.execute(
                "DELETE FROM timepoint WHERE patient_id = ? AND uid = ?",
                (patient_id, uid),
            )


def _recorded(
    records: Sequence[TimePointRecord], lesion_id: LesionId
) -> dict[str, LesionAt]:
    """Return, by time point uid, what each record holds for one lesion."""
    found = {r.uid: lesion_at(r, lesion_id) for r in records}
    return {uid: at for uid, at in found.items() if not at.is_empty}


_LESION_EDITS = (
    "(entity = 'lesion' AND key = ?) OR (entity IN ('target', 'non_target') "
    "AND substr(key, length(key) - length(?)) = '/' || ?)"
)
_TIMEPOINT_EDITS = (
    "(entity = 'timepoint' AND key = ?) OR substr(key, 1, length(?) + 1) = ? || '/'"
)


def _last_edit(
    conn: sqlite3.Connection, patient_id: str, entity: str, key: str
) -> tuple[str, str]:
    """Return the audit entity and key of the latest change to an item.

    ``entity`` is ``lesion`` (its measurements included) or ``timepoint``
    (anything inside it).
    """
    where = _LESION_EDITS if entity == "lesion" else _TIMEPOINT_EDITS
    row = conn.execute(
        f"SELECT entity, key FROM audit WHERE patient_id = ? AND ({where}) "
        "ORDER BY id DESC LIMIT 1",
        (patient_id, key, key, key),
    ).fetchone()
    return (entity, key) if row is None else (str(row[0]), str(row[1]))


def _refuse_signed_records(patient_id: str, records: Sequence[TimePointRecord]) -> None:
    """Refuse records that come signed: signing is sign(), which is audited."""
    for record in records:
        if record.is_signed:
            raise InvalidReadError(
                patient_id,
                f"time point {record.label or record.uid} comes signed; store it "
                "unsigned and sign it with sign()",
            )
