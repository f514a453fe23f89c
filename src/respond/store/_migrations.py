"""Schema versions and the forward migrations between them.

``MIGRATIONS[i]`` takes a database from version ``i`` to ``i + 1`` (step 0
creates version 1 in an empty file). A database is migrated in one
transaction, so a failed or interrupted migration leaves it at its old version;
an existing database is first copied next to itself (``<name>.v<N>.bak``). A
database from a newer respond is refused, never migrated down.

To change the schema: add a step (SQL or a function) that produces the next
version, keep every released step unchanged, and dump the new version to
``tests/integration/store/schemas/v<N>.sql``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from respond.store._schema_v1 import SCHEMA_V1, TABLES_V1
from respond.store._schema_v2 import SCHEMA_V2, TABLES_V2
from respond.store._schema_v3 import SCHEMA_V3, TABLES_V3
from respond.store._schema_v4 import SCHEMA_V4, TABLES_V4
from respond.store.errors import (
    ForeignDatabaseError,
    MigrationError,
    NewerDatabaseError,
)

if TYPE_CHECKING:
    from pathlib import Path

APPLICATION_ID: Final = 0x52535044
"""``PRAGMA application_id`` of a respond database ("RSPD")."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One forward step.

    Parameters
    ----------
    version
        The schema version the step produces.
    apply
        SQL statements, or a function given the connection (inside the
        migration's transaction).
    tables
        The tables a database at ``version`` holds (checked when opening).
    """

    version: int
    apply: str | Callable[[sqlite3.Connection], None]
    tables: frozenset[str]


MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(1, SCHEMA_V1, TABLES_V1),
    Migration(2, SCHEMA_V2, TABLES_V2),
    Migration(3, SCHEMA_V3, TABLES_V3),
    Migration(4, SCHEMA_V4, TABLES_V4),
)
SCHEMA_VERSION: Final = MIGRATIONS[-1].version


def statements(sql: str) -> Iterator[str]:
    """Split SQL text into complete statements (trigger bodies kept whole).

    ``executescript`` would commit the open transaction first, so migrations run
    each statement with ``execute`` inside their own transaction.
    """
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        yield pending.strip()


def tables_at(version: int, steps: Sequence[Migration] = MIGRATIONS) -> frozenset[str]:
    """Return the tables a database at ``version`` must hold."""
    for step in steps:
        if step.version == version:
            return step.tables
    return frozenset()


def user_version(conn: sqlite3.Connection) -> int:
    """Return ``PRAGMA user_version``."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _check_empty(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse to create the schema in a database that is not empty (under lock)."""
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
    tables = sorted(str(row[0]) for row in rows)
    if tables or app_id not in (0, APPLICATION_ID):
        shown = ", ".join(tables[:6]) or "no tables"
        raise ForeignDatabaseError(
            path, f"application id {app_id:#010x}, tables: {shown}"
        )


def _backup(conn: sqlite3.Connection, path: Path, version: int) -> None:
    target = path.with_name(f"{path.name}.v{version}.bak")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.v{version}.{number}.bak")
    copy = sqlite3.connect(target)
    try:
        conn.backup(copy)
    finally:
        copy.close()


def migrate(
    conn: sqlite3.Connection, path: Path, steps: Sequence[Migration] = MIGRATIONS
) -> int:
    """Bring the database up to the newest version of ``steps``; return it.

    Parameters
    ----------
    conn
        A read-write connection in autocommit mode (``isolation_level=None``).
    path
        The database file (for messages and the backup copy).
    steps
        The migration steps, oldest first (tests add their own).

    Returns
    -------
    int
        The schema version the database now has.

    Raises
    ------
    NewerDatabaseError
        The database is newer than the newest step.
    ForeignDatabaseError
        A database at version 0 that is not empty (checked under the lock).
    MigrationError
        A step failed; the transaction was rolled back.
    """
    target = steps[-1].version
    found = user_version(conn)
    if 0 < found < target:
        _backup(conn, path, found)
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another respond may have migrated while this one waited for the lock.
        found = user_version(conn)
        if found > target:
            raise NewerDatabaseError(path, found=found, supported=target)
        if found == 0:
            _check_empty(conn, path)
        for step in steps:
            if step.version <= found:
                continue
            if isinstance(step.apply, str):
                for statement in statements(step.apply):
                    conn.execute(statement)
            else:
                step.apply(conn)
        conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise MigrationError(
            path, found=found, supported=target, detail=str(exc)
        ) from exc
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return target
