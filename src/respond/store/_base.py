"""What every store method shares: the connection, the clock, checks inside an edit."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import contextmanager
from typing import TYPE_CHECKING

from respond.store import _stale
from respond.store._open import reraise
from respond.store._transaction import writing
from respond.store.errors import (
    PatientNotFoundError,
    SignedTimePointError,
    TimePointNotFoundError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from respond.store._transaction import Edit


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_IN_SIGNED = (
    " AND uid IN (SELECT uid FROM target WHERE patient_id = :pid AND lesion_id = :lid"
    " UNION SELECT uid FROM non_target WHERE patient_id = :pid AND lesion_id = :lid"
    " UNION SELECT uid FROM caliper WHERE patient_id = :pid AND lesion_id = :lid)"
)


class StoreBase:
    """The open database and the checks the edit methods make before writing."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        schema_version: int,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self._conn = conn
        self._path = path
        self._schema_version = schema_version
        self._clock = clock
        self.last_revisions: tuple[int, int] = (0, 0)
        """The patient's revision before and after the latest edit made here."""

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def schema_version(self) -> int:
        """The database's schema version (``PRAGMA user_version``)."""
        return self._schema_version

    def _now(self) -> str:
        return self._clock().astimezone(dt.UTC).isoformat(timespec="milliseconds")

    def revision(self, patient_id: str) -> int:
        """Return the patient's revision: it changes with every edit of the read.

        Two readers compare it to learn whether the read they show is current.
        """
        try:
            return _stale.revision(self._conn, patient_id)
        except sqlite3.Error as exc:
            reraise(exc, self._path, changing=False)

    def data_version(self) -> int:
        """Return SQLite's ``data_version``: it moves when another connection commits.

        A cheap poll: only when it moved is :meth:`revision` worth asking.
        """
        try:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error as exc:
            reraise(exc, self._path, changing=False)

    @contextmanager
    def _edit(self, patient_id: str, who: str, uid: str = "") -> Iterator[Edit]:
        with writing(
            self._conn,
            self._path,
            clock=self._now,
            who=who,
            patient_id=patient_id,
            schema_version=self._schema_version,
            uid=uid,
        ) as edit:
            before = _stale.revision(edit.conn, patient_id)
            yield edit
            after = _stale.revision(edit.conn, patient_id)
        self.last_revisions = (before, after)

    @staticmethod
    def _require_patient(edit: Edit) -> None:
        row = edit.conn.execute(
            "SELECT 1 FROM patient WHERE patient_id = ?", (edit.patient_id,)
        ).fetchone()
        if row is None:
            raise PatientNotFoundError(edit.patient_id)

    def _timepoint(self, edit: Edit, uid: str) -> sqlite3.Row:
        """Return the time point's label and signature (raises if unknown)."""
        row: sqlite3.Row | None = edit.conn.execute(
            "SELECT uid, label, signed_by, signed_at FROM timepoint "
            "WHERE patient_id = ? AND uid = ?",
            (edit.patient_id, uid),
        ).fetchone()
        if row is None:
            self._require_patient(edit)
            raise TimePointNotFoundError(edit.patient_id, uid)
        return row

    def _editable(self, edit: Edit, uid: str) -> sqlite3.Row:
        """Return the time point's header; raise if it is signed."""
        row = self._timepoint(edit, uid)
        if row["signed_at"]:
            raise self._signed(edit.patient_id, row)
        return row

    @staticmethod
    def _signed(patient_id: str, row: sqlite3.Row) -> SignedTimePointError:
        return SignedTimePointError(
            patient_id,
            str(row["uid"]),
            str(row["label"]),
            str(row["signed_by"]),
            str(row["signed_at"]),
        )

    @staticmethod
    def _lesion_ids(edit: Edit) -> set[str]:
        rows = edit.conn.execute(
            "SELECT lesion_id FROM lesion WHERE patient_id = ?", (edit.patient_id,)
        )
        return {str(row[0]) for row in rows}

    def _refuse_if_signed(self, edit: Edit, lesion_id: str | None = None) -> None:
        """Raise for the first signed time point (that records ``lesion_id``)."""
        where = "" if lesion_id is None else _IN_SIGNED
        row = edit.conn.execute(
            "SELECT uid, label, signed_by, signed_at FROM timepoint WHERE "
            f"patient_id = :pid AND signed_at <> ''{where} ORDER BY date LIMIT 1",
            {"pid": edit.patient_id, "lid": lesion_id},
        ).fetchone()
        if row is not None:
            raise self._signed(edit.patient_id, row)
