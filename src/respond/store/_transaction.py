"""One edit, one transaction: BEGIN IMMEDIATE, the change, its audit entry, COMMIT.

BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy
timeout), so an edit never fails half-way because another respond wrote first.
Any failure rolls the whole edit back; SQLite errors become store errors.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from respond.store import _audit
from respond.store._migrations import user_version
from respond.store._open import reraise
from respond.store._schema_v1 import SIGNED_ABORT
from respond.store.errors import NewerDatabaseError, SignedTimePointError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class Edit:
    """The open write transaction of one edit: when, who, which patient."""

    conn: sqlite3.Connection
    at: str
    who: str
    patient_id: str

    def audit(
        self,
        entity: str,
        key: str,
        action: str,
        before: object,
        after: object,
        *,
        restores: int | None = None,
    ) -> None:
        """Append the edit's audit entry (``restores``: see :func:`_audit.append`)."""
        _audit.append(
            self.conn,
            at=self.at,
            who=self.who,
            patient_id=self.patient_id,
            entity=entity,
            key=key,
            action=action,
            before=before,
            after=after,
            restores=restores,
        )


def check_who(who: object) -> None:
    """Refuse an edit without a reader's identity (a programming error)."""
    if not isinstance(who, str) or not who.strip():
        msg = f"who must name the reader (a non-empty str), got {who!r}"
        raise ValueError(msg)


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


@contextmanager
def _locked(
    conn: sqlite3.Connection, path: Path, schema_version: int
) -> Iterator[sqlite3.Connection]:
    """Hold the write lock (BEGIN IMMEDIATE) around the body; commit at its end."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        reraise(exc, path)
    try:
        found = user_version(conn)
        if found != schema_version:
            raise NewerDatabaseError(path, found=found, supported=schema_version)
        yield conn
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _rollback(conn)
        reraise(exc, path)
    except BaseException:
        _rollback(conn)
        raise


@contextmanager
def writing(
    conn: sqlite3.Connection,
    path: Path,
    *,
    clock: Callable[[], str],
    who: str,
    patient_id: str,
    schema_version: int,
    uid: str = "",
) -> Iterator[Edit]:
    """Run one edit in its own transaction and commit it.

    The edit's time is read once the write lock is held, so the audit trail's
    times follow its order even when another respond made this edit wait.
    ``uid`` names the time point for the error raised when a trigger refuses a
    change to a signed time point that the checks before it did not see. A
    database another (newer) respond migrated meanwhile is refused.
    """
    check_who(who)
    try:
        with _locked(conn, path, schema_version):
            at = clock()
            yield Edit(conn, at, who, patient_id)
            conn.execute(
                "UPDATE patient SET updated_at = ? WHERE patient_id = ?",
                (at, patient_id),
            )
    except sqlite3.IntegrityError as exc:
        if str(exc) == SIGNED_ABORT:
            raise SignedTimePointError(patient_id, uid) from exc
        raise


@contextmanager
def indexing(
    conn: sqlite3.Connection, path: Path, schema_version: int
) -> Iterator[sqlite3.Connection]:
    """Run a change of the image index in its own transaction (no audit entry).

    The index is not part of any read: nothing is audited and no patient's
    ``updated_at`` moves. SQLite errors become store errors as for an edit.
    """
    with _locked(conn, path, schema_version):
        yield conn


@contextmanager
def reading(conn: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    """Run several queries on one snapshot of the database."""
    try:
        conn.execute("BEGIN")
        yield conn
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _rollback(conn)
        reraise(exc, path, changing=False)
    except BaseException:
        _rollback(conn)
        raise
