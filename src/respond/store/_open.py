"""Opening a database file safely: look first (read-only), then write.

A file given as the database is examined before anything is written to it: its
SQLite header and size, then (through a read-only connection) its application
id, schema version and tables. A missing file is a new database; an existing
empty (0-byte) file is refused unless asked to initialise it (``init``), since
it may be a database that lost its contents; a damaged, foreign or newer one is
refused with the file left byte-for-byte as it was.

Commands that only read open the file read-only (:func:`connect_read_only`):
nothing is created or changed next to it, so they work on a read-only file or
folder and on a full disk. Before the first write of a session the store runs
SQLite's quick integrity check (:func:`check_integrity`); a file that fails it
is never written to. :func:`checkpoint` copies the write-ahead log into the
main file (at close and when the app is idle), so a damaged leftover ``-wal``
file cannot hold committed edits.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar, cast

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
    DatabaseReadError,
    DatabaseWriteError,
    EmptyDatabaseError,
    ForeignDatabaseError,
    IntegrityCheckError,
    NewerDatabaseError,
    SQLiteVersionError,
    StoreError,
    escaped,
)

_F = TypeVar("_F", bound=Callable[..., Any])

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
_FILE_ERRORS: Final = (
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_PERM,
)
"""SQLite's result codes for a file it cannot open, read or write."""
_INTEGRITY_FINDINGS: Final = 3
"""How many of the integrity check's findings a message quotes."""
_CLOSE_BUSY_TIMEOUT_MS: Final = 1000
"""How long the checkpoint at close waits for another respond's reader."""


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


def _log_is_empty(path: Path) -> bool:
    """Whether the write-ahead log beside ``path`` is missing or holds nothing."""
    try:
        return _sidecar(path, "-wal").stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _probed(uri: str, timeout_s: float) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, timeout=timeout_s, isolation_level=None)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA trusted_schema = OFF")
        # The first read opens the -wal and -shm files when there are any.
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def open_read_only(
    path: Path, *, is_wal: bool = True, timeout_s: float = 5.0
) -> sqlite3.Connection:
    """Open the file for reading only, creating nothing beside it.

    Where SQLite cannot open the ``-shm`` file beside a WAL database (a
    read-only folder, a full disk) and the log holds nothing, the main file
    holds every edit: it is read as immutable.

    Raises
    ------
    sqlite3.Error
        As SQLite reports it (see :func:`read_only_error`).
    """
    uri = _read_only_uri(path, is_wal=is_wal)
    try:
        return _probed(uri, timeout_s)
    except sqlite3.Error as exc:
        if uri.endswith("immutable=1") or not (
            is_wal and _is_file_error(exc) and _log_is_empty(path)
        ):
            raise
    return _probed(f"{path.resolve().as_uri()}?mode=ro&immutable=1", timeout_s)


def read_only_error(exc: sqlite3.Error, path: Path) -> StoreError:
    """Return the store error for a failed read-only open (nothing was changed)."""
    if _is_busy(exc):
        return DatabaseBusyError(path, changing=False)
    if _is_file_error(exc):
        log = (
            ""
            if _log_is_empty(path)
            else f"; its write-ahead log ({path.name}-wal) can only be read where "
            "SQLite can open the -shm file beside it"
        )
        return DatabaseReadError(path, f"{escaped(exc, 200)}{log}")
    return CorruptDatabaseError(path, escaped(exc, 200))


def _read_only_facts(path: Path, *, is_wal: bool) -> tuple[int, int, set[str]]:
    try:
        conn = open_read_only(path, is_wal=is_wal)
    except sqlite3.Error as exc:
        raise read_only_error(exc, path) from exc
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
        tables = {str(row[0]) for row in rows}
    except sqlite3.Error as exc:
        raise read_only_error(exc, path) from exc
    finally:
        conn.close()
    return app_id, version, tables


def _named_os_errors(function: _F) -> _F:
    """Turn an operating-system error on the file or beside it into a store error.

    A folder without search permission makes even asking whether ``-wal``
    exists fail; the reader gets the file, the reason and what to do.
    """

    @functools.wraps(function)
    def named(path: Path, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(path, *args, **kwargs)
        except OSError as exc:
            where = exc.filename or path
            detail = f"{exc.strerror or exc} on {where}"
            raise DatabaseReadError(path, escaped(detail, 300)) from exc

    return cast("_F", named)


@_named_os_errors
def examine(
    path: Path, steps: Sequence[Migration] = MIGRATIONS, *, init: bool = False
) -> int:
    """Check a database file without writing to it; return its schema version.

    Parameters
    ----------
    path
        The file; it may not exist.
    steps
        The known migration steps.
    init
        Take an existing empty (0-byte) file as a new database.

    Returns
    -------
    int
        The file's schema version, 0 for a new database (a missing file, an
        empty SQLite database, or with ``init`` an empty file).

    Raises
    ------
    EmptyDatabaseError
        The file exists and is empty (0 bytes), and ``init`` is not set.
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
        return _examine_once(path, steps, init=init)
    except EmptyDatabaseError:
        pass
    except (CorruptDatabaseError, ForeignDatabaseError, NewerDatabaseError):
        if not unlocked:
            raise
    # The first look read the file without locks; another respond creating it at
    # that moment can make it look odd (or empty: SQLite creates the file before
    # it writes its first page). Look once more before refusing it.
    time.sleep(_SECOND_LOOK_DELAY_S)
    return _examine_once(path, steps, init=init)


def _examine_once(path: Path, steps: Sequence[Migration], *, init: bool) -> int:
    if not path.exists():
        return 0
    if not path.is_file():
        raise ForeignDatabaseError(path, "it is not a file")
    try:
        size = path.stat().st_size
        if size == 0:
            if init:
                return 0
            raise EmptyDatabaseError(path)
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


def _is_file_error(exc: sqlite3.Error) -> bool:
    """Whether SQLite could not open, read or write a file (not damage)."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in _FILE_ERRORS


def translate(
    exc: sqlite3.Error, path: Path, *, changing: bool = True
) -> StoreError | None:
    """Return the store error for a failed SQLite call, None when it is a bug.

    ``changing`` says whether a change was being saved; when it is False
    (opening, reading) the message says that nothing was changed.
    """
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return DatabaseBusyError(path, changing=changing)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return CorruptDatabaseError(path, escaped(exc, 200))
    if code in _FILE_ERRORS:
        return DatabaseWriteError(path, escaped(exc, 200), changing=changing)
    return None


def reraise(exc: sqlite3.Error, path: Path, *, changing: bool = True) -> NoReturn:
    """Raise the store error for ``exc`` (chained), or ``exc`` itself."""
    error = translate(exc, path, changing=changing)
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
        raise DatabaseWriteError(
            path, f"cannot use WAL journaling ({mode})", changing=False
        )


def _private_folder(folder: Path) -> None:
    """Create the missing folders of a new database readable by the user only."""
    missing = []
    walk = folder
    while not walk.exists():
        missing.append(walk)
        walk = walk.parent
    for created in reversed(missing):
        created.mkdir(mode=0o700, exist_ok=True)
        created.chmod(0o700)


def _private_file(path: Path) -> None:
    """Create a new database file 0600 whatever the umask.

    SQLite gives its WAL and shared-memory files the database's mode.
    """
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)


@_named_os_errors
def connect(
    path: Path,
    *,
    busy_timeout_s: float,
    synchronous: str = SYNCHRONOUS,
    steps: Sequence[Migration] = MIGRATIONS,
    init: bool = False,
) -> tuple[sqlite3.Connection, int]:
    """Examine, open read-write, set the pragmas and migrate; return the connection.

    An existing database is checked (:func:`check_integrity`) before it is
    migrated. A file this call created is removed again when opening fails
    before anything was written to it, so no empty file is left behind.

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
    init
        Take an existing empty (0-byte) file as a new database.

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
    version = examine(path, steps, init=init)
    existed = path.exists()
    if version == 0:
        try:
            _private_folder(path.parent)
            _private_file(path)
        except OSError as exc:
            raise DatabaseWriteError(
                path, f"cannot create its folder: {exc}", changing=False
            ) from exc
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
    except sqlite3.Error as exc:
        reraise(exc, path, changing=False)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        _use_wal(conn, path, busy_timeout_s)
        if version < steps[-1].version:
            if version > 0:
                check_integrity(conn, path)
            version = migrate(conn, path, steps)
    except sqlite3.Error as exc:
        _abandon(conn, path, created=not existed and not _is_busy(exc))
        reraise(exc, path, changing=False)
    except DatabaseBusyError:
        _abandon(conn, path, created=False)
        raise
    except BaseException:
        _abandon(conn, path, created=not existed)
        raise
    return conn, version


def _abandon(conn: sqlite3.Connection, path: Path, *, created: bool) -> None:
    """Close a connection that failed to open; remove the file if it made it empty.

    Not when another respond was busy with it (it may be creating it too), nor
    when a log beside it says that a connection has it open.
    """
    conn.close()
    if not created or any(
        _sidecar(path, s).exists() for s in ("-wal", "-shm", "-journal")
    ):
        return
    try:
        if path.stat().st_size == 0:
            path.unlink()
    except OSError:
        pass  # it stays; the next open names it as an empty file


@_named_os_errors
def connect_read_only(
    path: Path,
    *,
    busy_timeout_s: float,
    synchronous: str = SYNCHRONOUS,
    steps: Sequence[Migration] = MIGRATIONS,
) -> tuple[sqlite3.Connection, int, bool]:
    """Examine and open the database for reading only; create nothing.

    A missing file (or an empty SQLite database) reads as a database without
    patients, held in memory: nothing is created on disk. A file without a
    ``-wal`` or ``-shm`` file beside it is no connection's open database, so it
    is read as immutable: nothing is created next to it (a read-only folder, a
    full disk). With them, SQLite's read-only mode reads the log too. A
    database of an older schema is upgraded first when it can be written.

    Parameters
    ----------
    path
        The database file.
    busy_timeout_s, synchronous, steps
        As for :func:`connect` (used when an older database is upgraded).

    Returns
    -------
    tuple[sqlite3.Connection, int, bool]
        An autocommit connection, the schema version, and whether the
        connection is read-only (False after an upgrade, which needed writing).

    Raises
    ------
    StoreError
        Any of :func:`examine`'s errors; DatabaseReadError when the file cannot
        be read here (or an older schema cannot be upgraded where it is).
    """
    check_sqlite_version()
    version = examine(path, steps)
    latest = steps[-1].version
    if version == 0:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        migrate(conn, path, steps)
        conn.execute("PRAGMA query_only = ON")
        return conn, latest, True
    if version < latest:
        try:
            conn, version = connect(
                path,
                busy_timeout_s=busy_timeout_s,
                synchronous=synchronous,
                steps=steps,
            )
        except DatabaseWriteError as exc:
            raise DatabaseReadError(
                path,
                f"it was written by an older respond (schema version {version}) and "
                f"must be upgraded to version {latest} before it can be read, which "
                f"needs writing to it: {exc.detail}",
            ) from exc
        return conn, version, False
    try:
        conn = open_read_only(path, timeout_s=busy_timeout_s)
    except sqlite3.Error as exc:
        raise read_only_error(exc, path) from exc
    return conn, version, True


FULL_CHECK_BYTES = 256 * 1024 * 1024
"""Up to this size the check before the first write compares indexes too."""


def check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    """Run SQLite's integrity check; raise IntegrityCheckError on damage.

    A database up to ``FULL_CHECK_BYTES`` gets ``PRAGMA integrity_check``, which
    also compares every index with its table (a damaged index page is found);
    a larger one ``PRAGMA quick_check``, which reads every page but skips that
    comparison: about a second per gigabyte.
    """
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    pragma = "integrity_check" if size <= FULL_CHECK_BYTES else "quick_check"
    try:
        try:
            rows = conn.execute(f"PRAGMA {pragma}({_INTEGRITY_FINDINGS})").fetchall()
        except sqlite3.OperationalError as exc:
            if "full" not in str(exc).lower():
                raise
            # comparing indexes needs room to sort; without it, read every page
            rows = conn.execute(f"PRAGMA quick_check({_INTEGRITY_FINDINGS})").fetchall()
    except sqlite3.DatabaseError as exc:
        if _is_busy(exc):
            raise DatabaseBusyError(path, changing=False) from exc
        if _is_file_error(exc):
            raise DatabaseReadError(path, escaped(exc, 200)) from exc
        raise IntegrityCheckError(path, escaped(exc, 200)) from exc
    findings = [str(row[0]) for row in rows]
    if findings != ["ok"]:
        raise IntegrityCheckError(path, escaped("; ".join(findings), 300))


def checkpoint(conn: sqlite3.Connection, *, wait_ms: int | None = None) -> bool:
    """Copy the write-ahead log into the main file and empty the log.

    Parameters
    ----------
    conn
        A read-write connection outside a transaction.
    wait_ms
        How long to wait for other connections' readers and writers (None: the
        connection's busy timeout).

    Returns
    -------
    bool
        True when every committed edit is in the main file and the log was
        emptied; False when another connection kept it from finishing (its
        edits are still safe in the log; a later checkpoint completes it).
    """
    try:
        before = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
        if wait_ms is not None:
            conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        try:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.execute(f"PRAGMA busy_timeout = {before}")
    except sqlite3.Error:
        return False
    return not busy


def close_checkpointed(conn: sqlite3.Connection) -> None:
    """Checkpoint (briefly waiting for other readers), then close the connection."""
    try:
        if not conn.in_transaction:
            checkpoint(conn, wait_ms=_CLOSE_BUSY_TIMEOUT_MS)
    finally:
        conn.close()
