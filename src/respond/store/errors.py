"""Errors of the SQLite store (see the tree in :mod:`respond.errors`).

::

    RespondError
    └── StoreError
        ├── DatabaseFileError           the database file itself; keeps ``path``
        │   ├── CorruptDatabaseError    damaged, truncated or not SQLite at all
        │   ├── ForeignDatabaseError    a SQLite file that belongs to another program
        │   ├── SchemaVersionError      a schema respond cannot use as it is
        │   │   ├── NewerDatabaseError  written by a newer respond: never migrated down
        │   │   └── MigrationError      a migration step failed; the file is unchanged
        │   │   └── IntegrityCheckError damaged pages found before the first write
        │   ├── EmptyDatabaseError      an existing file of 0 bytes (never taken over)
        │   ├── DatabaseBusyError       another respond holds the write lock too long
        │   ├── DatabaseWriteError      disk full, read-only file, I/O error
        │   └── DatabaseReadError       the file cannot be read where it is
        ├── SQLiteVersionError          the SQLite library is too old
        ├── RecordNotFoundError         (also a LookupError)
        │   ├── PatientNotFoundError
        │   ├── TimePointNotFoundError
        │   ├── LesionNotFoundError
        │   └── NewLesionNotFoundError
        ├── PatientExistsError          create_patient with an id already stored
        ├── InvalidReadError            a read that cannot be stored as given
        ├── UnreadableReadError         one patient's stored values cannot be read
        ├── SignedTimePointError        a change to a signed (read-only) time point
        ├── TimePointNotSignedError     unlock of a time point that is not signed
        └── RestoreRefusedError         a removed item that cannot be put back now

Every error keeps the objects involved as attributes (path, patient id, time
point uid and label) and its message says what failed and what to do next. When
a write is refused, nothing of it was saved: the transaction was rolled back.
Errors met while only reading (``changing=False``) say that nothing was changed,
never that a change was lost. Stored text shown in a message is escaped and
shortened (:func:`escaped`), so a damaged value never reaches the terminal raw.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from respond.errors import RespondError

if TYPE_CHECKING:
    import os

__all__ = [
    "CorruptDatabaseError",
    "DatabaseBusyError",
    "DatabaseFileError",
    "DatabaseReadError",
    "DatabaseWriteError",
    "EmptyDatabaseError",
    "ForeignDatabaseError",
    "IntegrityCheckError",
    "InvalidReadError",
    "LesionNotFoundError",
    "MigrationError",
    "NewLesionNotFoundError",
    "NewerDatabaseError",
    "PatientExistsError",
    "PatientNotFoundError",
    "RecordNotFoundError",
    "RestoreRefusedError",
    "SQLiteVersionError",
    "SchemaVersionError",
    "SignedTimePointError",
    "StoreError",
    "TimePointNotFoundError",
    "TimePointNotSignedError",
    "UnreadableReadError",
]

_OTHER_FILE = "or start respond with --db (or RESPOND_DB) naming another file"
_SHOWN_CHARS = 80


def escaped(value: object, limit: int = _SHOWN_CHARS) -> str:
    r"""Return ``value`` as text that is safe to print: escaped and shortened.

    Control characters, lone surrogates and other unprintable characters are
    written as Python escapes (``\x1b``, ``\udcff``); bytes are shown as a
    bytes literal. Text longer than ``limit`` characters is cut, with ``...``.
    """
    if isinstance(value, bytes | bytearray):
        text = repr(bytes(value))
    else:
        text = str(value)
        if not text.isprintable():
            text = "".join(
                char if char.isprintable() else repr(char)[1:-1] for char in text
            )
    return text if len(text) <= limit else text[: limit - 3] + "..."


RestoreCause = Literal[
    "unknown_entry",
    "not_a_removal",
    "already_restored",
    "exists",
    "patient_gone",
    "lesion_gone",
]
"""Why a restore was refused (:attr:`RestoreRefusedError.cause`)."""


class StoreError(RespondError):
    """Base class of the store's errors."""


class DatabaseFileError(StoreError):
    """A problem with the database file itself; ``path`` is kept.

    Parameters
    ----------
    path
        The database file.
    message
        The whole message: what failed and what to do.
    """

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        super().__init__(message)
        self.path = Path(path)


class CorruptDatabaseError(DatabaseFileError):
    """The file is damaged, truncated, or not SQLite at all; it is left as it was.

    Parameters
    ----------
    path, detail
        The database file; what was found (``"no SQLite header"``).
    """

    def __init__(self, path: str | os.PathLike[str], detail: str) -> None:
        super().__init__(
            path,
            f"{path} is damaged or is not a respond database ({detail}); respond "
            f"left it untouched. Restore it from a backup, {_OTHER_FILE}.",
        )
        self.detail = detail


class IntegrityCheckError(CorruptDatabaseError):
    """SQLite's integrity check found damage: respond refuses to write to the file.

    Checked once per writing session, before its first write; the file is left
    as it was.

    Parameters
    ----------
    path, detail
        The database file; the check's first findings.
    """

    def __init__(self, path: str | os.PathLike[str], detail: str) -> None:
        DatabaseFileError.__init__(
            self,
            path,
            f"{path} failed SQLite's integrity check ({detail}); respond refuses to "
            "write to it and changed nothing. Keep this file, restore the database "
            "from a backup, or start respond with --db (or RESPOND_DB) naming "
            "another file; commands that only read (patients, export-case) may "
            "still recover what is readable.",
        )
        self.detail = detail


class ForeignDatabaseError(DatabaseFileError):
    """A valid SQLite file that another program owns; respond never writes to it.

    Parameters
    ----------
    path, detail
        The database file; why it is not respond's (application id, tables).
    """

    def __init__(self, path: str | os.PathLike[str], detail: str) -> None:
        super().__init__(
            path,
            f"{path} is a SQLite database of another program ({detail}); respond "
            f"left it untouched. Check the path, {_OTHER_FILE}.",
        )
        self.detail = detail


class SchemaVersionError(DatabaseFileError):
    """A respond database whose schema version respond cannot use as it is.

    Parameters
    ----------
    path, message
        The database file and the whole message.
    found, supported
        The file's schema version and the newest this respond knows.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        message: str,
        *,
        found: int,
        supported: int,
    ) -> None:
        super().__init__(path, message)
        self.found = found
        self.supported = supported


class NewerDatabaseError(SchemaVersionError):
    """The database was written by a newer respond; it is never migrated down.

    Parameters
    ----------
    path, found, supported
        As for :class:`SchemaVersionError`.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, found: int, supported: int
    ) -> None:
        super().__init__(
            path,
            f"{path} was written by a newer respond (schema version {found}; this "
            f"respond knows up to {supported}); it was left untouched. Update "
            f"respond to open it, {_OTHER_FILE}.",
            found=found,
            supported=supported,
        )


class MigrationError(SchemaVersionError):
    """A migration step failed; the transaction was rolled back.

    Parameters
    ----------
    path, found, supported
        The file, the version it stays at, and the version aimed for.
    detail
        The failure.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        found: int,
        supported: int,
        detail: str,
    ) -> None:
        super().__init__(
            path,
            f"could not upgrade {path} from schema version {found} to {supported} "
            f"({detail}); the file stays at version {found}, nothing was lost. "
            "Report this with the file's backup next to it.",
            found=found,
            supported=supported,
        )
        self.detail = detail


class DatabaseBusyError(DatabaseFileError):
    """Another respond held the write lock longer than the busy timeout.

    Parameters
    ----------
    path
        The database file.
    changing
        Whether a change was being saved (False: opening or reading it).
    """

    def __init__(self, path: str | os.PathLike[str], *, changing: bool = True) -> None:
        outcome = "your change was not saved" if changing else "nothing was changed"
        super().__init__(
            path, f"another respond is writing to {path}; try again ({outcome})"
        )
        self.changing = changing


class DatabaseWriteError(DatabaseFileError):
    """The change could not be written: disk full, read-only file, I/O error.

    Parameters
    ----------
    path, detail
        The database file and SQLite's description of the failure.
    changing
        Whether a change was being saved. False when the file was being opened
        for writing: the message then says that nothing was changed.
    """

    def __init__(
        self, path: str | os.PathLike[str], detail: str, *, changing: bool = True
    ) -> None:
        if changing:
            message = (
                f"could not write to {path} ({detail}); your change was not saved. "
                "Free disk space or check the file's permissions, then try again."
            )
        else:
            message = (
                f"cannot open {path} for writing ({detail}); nothing was changed. "
                "Free disk space or check the permissions of the file and its "
                "folder; commands that only read (patients, export-case, report) "
                "work on a read-only file."
            )
        super().__init__(path, message)
        self.detail = detail
        self.changing = changing


class DatabaseReadError(DatabaseFileError):
    """The file cannot be read where it is (permissions, media, a log it needs).

    Nothing was being changed, and nothing was.

    Parameters
    ----------
    path, detail
        The database file; what failed and, when known, what to do.
    """

    def __init__(self, path: str | os.PathLike[str], detail: str) -> None:
        super().__init__(
            path,
            f"cannot read {path} ({detail}); nothing was changed. Check that the "
            "file and its folder can be read, or copy the file (with any -wal "
            f"file beside it) to a writable folder and use that copy, {_OTHER_FILE}.",
        )
        self.detail = detail


class EmptyDatabaseError(DatabaseFileError):
    """An existing file of 0 bytes: never taken over as a new database unasked.

    An empty file where a database should be may be one that lost its
    contents (an interrupted copy, a full disk, a sync tool).

    Parameters
    ----------
    path
        The database file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(
            path,
            f"{path} is an empty file (0 bytes), not a respond database; respond "
            "left it untouched, since it may be a database that lost its contents "
            "(an interrupted copy, a full disk). Restore it from a backup; to make "
            f"it a new, empty database run 'respond init-db {path}', {_OTHER_FILE}.",
        )


class SQLiteVersionError(StoreError):
    """The SQLite library Python uses is older than the store needs.

    Parameters
    ----------
    found, needed
        The library's version and the oldest the store supports.
    """

    def __init__(self, found: str, needed: str) -> None:
        super().__init__(
            f"respond needs SQLite {needed} or newer, but Python uses SQLite "
            f"{found}; install a newer Python build"
        )
        self.found = found
        self.needed = needed


class RecordNotFoundError(StoreError, LookupError):
    """Something asked for by id is not stored.

    Parameters
    ----------
    message, patient_id
        What is missing and what to do; the patient.
    """

    def __init__(self, message: str, *, patient_id: str) -> None:
        super().__init__(message)
        self.patient_id = patient_id


class PatientNotFoundError(RecordNotFoundError):
    """No patient with this id is stored.

    Parameters
    ----------
    patient_id
        The id asked for.
    """

    def __init__(self, patient_id: str) -> None:
        super().__init__(
            f"no patient {patient_id!r} in the database; check the id or import "
            "the patient first",
            patient_id=patient_id,
        )


class TimePointNotFoundError(RecordNotFoundError):
    """The patient has no time point with this uid.

    Parameters
    ----------
    patient_id, uid
        The patient and the time point asked for.
    """

    def __init__(self, patient_id: str, uid: str) -> None:
        super().__init__(
            f"patient {patient_id} has no time point {uid!r}; reload the patient "
            "(another respond may have removed it)",
            patient_id=patient_id,
        )
        self.uid = uid


class LesionNotFoundError(RecordNotFoundError):
    """A lesion id that is not one of the patient's baseline lesions.

    Parameters
    ----------
    patient_id, lesion_id, where
        The patient, the lesion asked for, and where it was referred to
        (``"measured at time point FU1"``), when not a direct lookup.
    """

    def __init__(self, patient_id: str, lesion_id: str, where: str = "") -> None:
        place = f" ({where})" if where else ""
        super().__init__(
            f"patient {patient_id} has no baseline lesion {lesion_id!r}{place}; "
            "add the lesion at baseline first, or remove what refers to it",
            patient_id=patient_id,
        )
        self.lesion_id = lesion_id


class NewLesionNotFoundError(RecordNotFoundError):
    """A new finding id that is not recorded at the time point.

    Parameters
    ----------
    patient_id, uid, finding_id, label
        The patient, the time point (and its label) and the finding asked for.
    """

    def __init__(
        self, patient_id: str, uid: str, finding_id: str, label: str = ""
    ) -> None:
        super().__init__(
            f"patient {patient_id}, time point {label or uid}: no new finding "
            f"{finding_id!r} is recorded there; reload the patient",
            patient_id=patient_id,
        )
        self.uid = uid
        self.finding_id = finding_id


class PatientExistsError(StoreError):
    """A patient with this id is already stored.

    Parameters
    ----------
    patient_id
        The id.
    """

    def __init__(self, patient_id: str) -> None:
        super().__init__(
            f"patient {patient_id} is already in the database; open it instead, "
            "import under another id, or replace it (import with --replace)"
        )
        self.patient_id = patient_id


class InvalidReadError(StoreError, ValueError):
    """A read that cannot be stored as given (a duplicate id, a dangling uid).

    Parameters
    ----------
    patient_id, problem
        The patient; what is wrong, naming the item, and what to do.
    """

    def __init__(self, patient_id: str, problem: str) -> None:
        super().__init__(f"patient {patient_id}: {problem}; nothing was saved")
        self.patient_id = patient_id
        self.problem = problem


class UnreadableReadError(StoreError):
    """One patient's stored read cannot be interpreted; it is kept unchanged.

    Only this patient is affected: the others are read and listed as usual.

    Parameters
    ----------
    path, patient_id
        The database file and the patient.
    detail
        What could not be read, naming the place (table, column, row) when
        known; escaped and shortened before it is shown.
    table, column
        Where the value is stored, when known (empty otherwise).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        patient_id: str,
        detail: str,
        *,
        table: str = "",
        column: str = "",
    ) -> None:
        place = ".".join(part for part in (table, column) if part)
        where = f"{place}: " if place and not detail.startswith(place) else ""
        super().__init__(
            f"{path}: the stored read of patient {escaped(patient_id)} cannot be "
            f"interpreted by this respond ({where}{escaped(detail, 240)}); it is "
            "kept unchanged and the other patients are not affected. Restore the "
            "database from a backup, or remove the patient and import it again; "
            "if a newer respond wrote it, update respond."
        )
        self.path = Path(path)
        self.patient_id = patient_id
        self.detail = detail
        self.table = table
        self.column = column


class SignedTimePointError(StoreError):
    """A change to a signed time point, which is read-only until unlocked.

    Parameters
    ----------
    patient_id, uid, label
        The patient and the time point (its label is shown when known).
    signed_by, signed_at
        Who signed it and when, when known.
    """

    def __init__(
        self,
        patient_id: str,
        uid: str,
        label: str = "",
        signed_by: str = "",
        signed_at: str = "",
    ) -> None:
        by = f" by {signed_by}" if signed_by else ""
        at = f" at {signed_at}" if signed_at else ""
        super().__init__(
            f"patient {patient_id}, time point {label or uid} is signed{by}{at} "
            "and read-only; nothing was changed. Unlock it with a reason (kept in "
            "the audit trail) to change it."
        )
        self.patient_id = patient_id
        self.uid = uid
        self.label = label
        self.signed_by = signed_by
        self.signed_at = signed_at


class TimePointNotSignedError(StoreError):
    """Unlock asked for a time point that is not signed.

    Parameters
    ----------
    patient_id, uid, label
        The patient and the time point.
    """

    def __init__(self, patient_id: str, uid: str, label: str = "") -> None:
        super().__init__(
            f"patient {patient_id}, time point {label or uid} is not signed; "
            "there is nothing to unlock"
        )
        self.patient_id = patient_id
        self.uid = uid
        self.label = label


class RestoreRefusedError(StoreError):
    """A removed item that cannot be put back now; nothing was changed.

    Parameters
    ----------
    item
        What was to be restored (``"lesion T2 of P1"``, ``"audit entry 12"``).
    cause
        Why: ``unknown_entry`` (no such audit entry), ``not_a_removal`` (the
        entry removed no patient, time point or lesion), ``already_restored``,
        ``exists`` (its id is in use again), ``patient_gone`` (its patient was
        removed) or ``lesion_gone`` (a lesion it records was removed).
    problem
        The whole explanation, saying what to do.
    audit_id
        The removal's audit entry (None when restoring without one).
    patient_id
        The patient, when known.
    """

    def __init__(
        self,
        item: str,
        cause: RestoreCause,
        problem: str,
        *,
        audit_id: int | None = None,
        patient_id: str | None = None,
    ) -> None:
        super().__init__(f"cannot restore {item}: {problem}; nothing was changed")
        self.item = item
        self.cause: RestoreCause = cause
        self.problem = problem
        self.audit_id = audit_id
        self.patient_id = patient_id
