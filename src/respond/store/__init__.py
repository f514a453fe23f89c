"""The SQLite store: one database file of reads, autosaved, audited, migrated.

``open_store(path)`` examines the file (read-only) before writing anything and
returns a :class:`SqliteStore`, which implements the session's storage port.
Every edit is its own committed transaction with an audit entry; a signed time
point is read-only until an audited unlock; a removed patient, time point or
lesion can be restored from its audit entry. The image index (which file holds
which study, series and instance) lives in the same file, unaudited.
``resolve_database_path`` picks the file: ``--db``, else ``RESPOND_DB``, else the
platform's user-data folder. ``open_store(path, read_only=True)`` creates and
changes nothing (read-only media, a full disk); an existing empty file is a new
database only with ``init=True``; a writing store checks the file's integrity
before its first write and checkpoints the log when closed.
"""

from respond.store._migrations import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    Migration,
)
from respond.store._open import SYNCHRONOUS
from respond.store._write import check_read
from respond.store.database import (
    DEFAULT_BUSY_TIMEOUT_S,
    IDLE_CHECKPOINT_S,
    SqliteStore,
    open_store,
)
from respond.store.errors import (
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseFileError,
    DatabaseReadError,
    DatabaseWriteError,
    EmptyDatabaseError,
    ForeignDatabaseError,
    IntegrityCheckError,
    InvalidReadError,
    LesionNotFoundError,
    MigrationError,
    NewerDatabaseError,
    NewLesionNotFoundError,
    PatientExistsError,
    PatientNotFoundError,
    RecordNotFoundError,
    RestoreRefusedError,
    SchemaVersionError,
    SignedTimePointError,
    SQLiteVersionError,
    StoreError,
    TimePointNotFoundError,
    TimePointNotSignedError,
    UnreadableReadError,
)
from respond.store.paths import (
    DATABASE_ENV,
    DATABASE_FILENAME,
    default_database_path,
    resolve_database_path,
)
from respond.store.records import AuditEntry, PatientSummary, Revision

__all__ = [
    "APPLICATION_ID",
    "DATABASE_ENV",
    "DATABASE_FILENAME",
    "DEFAULT_BUSY_TIMEOUT_S",
    "IDLE_CHECKPOINT_S",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SYNCHRONOUS",
    "AuditEntry",
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
    "Migration",
    "MigrationError",
    "NewLesionNotFoundError",
    "NewerDatabaseError",
    "PatientExistsError",
    "PatientNotFoundError",
    "PatientSummary",
    "RecordNotFoundError",
    "RestoreRefusedError",
    "Revision",
    "SQLiteVersionError",
    "SchemaVersionError",
    "SignedTimePointError",
    "SqliteStore",
    "StoreError",
    "TimePointNotFoundError",
    "TimePointNotSignedError",
    "UnreadableReadError",
    "check_read",
    "default_database_path",
    "open_store",
    "resolve_database_path",
]
