"""Opening a database file safely: look first (read-only), then write.

A file given as the database is examined before anything is written to it: its
SQLite header and size, then (through a read-only connection) its application
id, schema version and tables. A missing or empty file is a new database; a
damaged, foreign or newer one is refused with the file left byte-for-byte as it
was.
"""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING, Final, NoReturn

from respond.store._migrations import (
    APPLICATION_ID,
    MIGRATIONS,
    migrate,
    tables_at,
)
from respond.store.errors import (
    CorruptDatabaseError,
    DatabaseBusyError,
    DatabaseFileError,
    DatabaseWriteError,
    ForeignDatabaseError,
    NewerDatabaseError,
    SQLiteVersionError,
    StoreError,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from respond.store._migrations import Migration

MIN_SQLITE: Final = (3, 37, 0)
"""STRICT tables need SQLite 3.37 (Python builds since 2022 ship newer ones)."""

SYNCHRONOUS: Final = "FULL"
"""WAL with FULL: each commit is on disk (fsync) before the edit returns.

NORMAL survives a killed process just as well, but syncs the WAL only at
checkpoints, so a power cut or OS crash could lose every edit since the last
one. FULL costs one fsync per edit (+0.4 ms on a quiet disk; bench/README.md).
"""
_SYNCHRONOUS_MODES: Final = ("FULL", "NORMAL", "EXTRA")

_MAGIC: Final = b"SQLite format 3\x00"
_HEADER_SIZE: Final = 100
_WAL_VERSION: Final = 2
_SECOND_LOOK_DELAY_S: Final = 0.05


def check_sqlite_version() -> None:
    """Raise SQLiteVersionError when the SQLite library is too old."""
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise SQLiteVersionError(sqlite3.sqlite_version, ".".join(map(str, MIN_SQLITE)))


def _check_header(path: Path, size: int) -> bool:
    """Check the header; return whether the file is in WAL mode."""
    with path.open("rb") as stream:
        header = stream.read(_HEADER_SIZE)
    if len(header) < _HEADER_SIZE or not header.startswith(_MAGIC):
        raise CorruptDatabaseError(path, "no SQLite header")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    is_size_valid = header[24:28] == header[92:96]
    # With a WAL present the header may be mid-checkpoint; SQLite reads the WAL.
    has_wal = _sidecar(path, "-wal").exists()
    if is_size_valid and not has_wal and pages * page_size > size:
        raise CorruptDatabaseError(
            path, f"truncated: {size} bytes, the header says {pages * page_size}"
        )
    return header[18] == _WAL_VERSION


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _read_only_uri(path: Path, *, is_wal: bool) -> str:
    """Return a URI that reads the file without creating anything next to it.

    A read-only connection to a WAL database creates ``-wal`` and ``-shm``
    files it cannot remove. When neither exists, no connection has the file
    open and the main file holds everything, so it is read as immutable.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    has_sidecar = any(_sidecar(path, s).exists() for s in ("-wal", "-shm"))
    return f"{uri}&immutable=1" if is_wal and not has_sidecar else uri


def _read_only_facts(path: Path, *, is_wal: bool) -> tuple[int, int, set[str]]:
    try:
        conn = sqlite3.connect(_read_only_uri(path, is_wal=is_wal), uri=True)
    except sqlite3.Error as exc:
        raise CorruptDatabaseError(path, f"cannot open it: {exc}") from exc
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
        tables = {str(row[0]) for row in rows}
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise DatabaseBusyError(path) from exc
        raise CorruptDatabaseError(path, str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabaseError(path, str(exc)) from exc
    finally:
        conn.close()
    return app_id, version, tables


def examine(path: Path, steps: Sequence[Migration] = MIGRATIONS) -> int:
    """Check a database file without writing to it; return its schema version.

    Parameters
    ----------
    path
        The file; it may not exist.
    steps
        The known migration steps.

    Returns
    -------
    int
        The file's schema version, 0 for a new database (a missing or empty
        file, or an empty SQLite database).

    Raises
    ------
    CorruptDatabaseError
        Not SQLite, truncated, unreadable, or a respond database missing tables.
    ForeignDatabaseError
        A SQLite database of another program (application id or tables).
    NewerDatabaseError
        Written by a newer respond.
    DatabaseFileError
        The file cannot be read (permissions).
    """
    unlocked = not any(_sidecar(path, s).exists() for s in ("-wal", "-shm"))
    try:
        return _examine_once(path, steps)
    except (CorruptDatabaseError, ForeignDatabaseError, NewerDatabaseError):
        if not unlocked:
            raise
    # The first look read the file without locks; another respond creating it at
    # that moment can make it look odd. Look once more before refusing it.
    time.sleep(_SECOND_LOOK_DELAY_S)
    return _examine_once(path, steps)


def _examine_once(path: Path, steps: Sequence[Migration]) -> int:
    if not path.exists():
        return 0
    if not path.is_file():
        raise ForeignDatabaseError(path, "it is not a file")
    try:
        size = path.stat().st_size
        if size == 0:
            return 0
        is_wal = _check_header(path, size)
    except OSError as exc:
        raise DatabaseFileError(
            path, f"cannot read {path} ({exc}); check the file's permissions"
        ) from exc
    app_id, version, tables = _read_only_facts(path, is_wal=is_wal)
    if version == 0 and not tables and app_id in (0, APPLICATION_ID):
        return 0
    if app_id != APPLICATION_ID:
        shown = ", ".join(sorted(tables)[:6]) or "no tables"
        raise ForeignDatabaseError(
            path, f"application id {app_id:#010x}, tables: {shown}"
        )
    latest = steps[-1].version
    if version > latest:
        raise NewerDatabaseError(path, found=version, supported=latest)
    missing = tables_at(version, steps) - tables
    if version < 1 or missing:
        detail = ", ".join(sorted(missing)) or "no schema version"
        raise CorruptDatabaseError(path, f"respond tables missing: {detail}")
    return version


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def translate(exc: sqlite3.Error, path: Path) -> StoreError | None:
    """Return the store error for a failed SQLite call, None when it is a bug."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return DatabaseBusyError(path)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return CorruptDatabaseError(path, str(exc))
    if code in (
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PERM,
    ):
        return DatabaseWriteError(path, str(exc))
    return None


def reraise(exc: sqlite3.Error, path: Path) -> NoReturn:
    """Raise the store error for ``exc`` (chained), or ``exc`` itself."""
    error = translate(exc, path)
    if error is None:
        raise exc
    raise error from exc


def _use_wal(conn: sqlite3.Connection, path: Path, busy_timeout_s: float) -> None:
    """Switch to WAL, retrying while another respond switches a new file too.

    Two connections switching a new (rollback-journal) file at once can
    deadlock; SQLite then answers SQLITE_BUSY at once instead of waiting.
    """
    deadline = time.monotonic() + busy_timeout_s
    while True:
        try:
            mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            break
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    if mode.lower() != "wal":
        raise DatabaseWriteError(path, f"cannot use WAL journaling ({mode})")


def connect(
    path: Path,
    *,
    busy_timeout_s: float,
    synchronous: str = SYNCHRONOUS,
    steps: Sequence[Migration] = MIGRATIONS,
) -> tuple[sqlite3.Connection, int]:
    """Examine, open read-write, set the pragmas and migrate; return the connection.

    Parameters
    ----------
    path
        The database file (created, with its folder, when missing).
    busy_timeout_s
        How long a write waits for another process's write lock.
    synchronous
        ``PRAGMA synchronous`` (``FULL``, ``NORMAL`` or ``EXTRA``).
    steps
        The migration steps.

    Returns
    -------
    tuple[sqlite3.Connection, int]
        An autocommit connection (transactions are explicit) and the schema
        version.

    Raises
    ------
    StoreError
        Any of :func:`examine`'s errors, DatabaseBusyError, DatabaseWriteError,
        MigrationError, SQLiteVersionError.
    """
    if synchronous not in _SYNCHRONOUS_MODES:
        msg = f"synchronous must be one of {_SYNCHRONOUS_MODES}, got {synchronous!r}"
        raise ValueError(msg)
    check_sqlite_version()
    version = examine(path, steps)
    if version == 0:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseWriteError(path, f"cannot create its folder: {exc}") from exc
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
    except sqlite3.Error as exc:
        reraise(exc, path)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        _use_wal(conn, path, busy_timeout_s)
        if version < steps[-1].version:
            version = migrate(conn, path, steps)
    except sqlite3.Error as exc:
        conn.close()
        reraise(exc, path)
    except BaseException:
        conn.close()
        raise
    return conn, version
