"""Sign-off, unlock and revised categories (part of SqliteStore).

Signing makes a time point read-only; the schema's triggers then refuse any
change to its rows, and clearing the signature is only accepted right after an
``unlock`` entry in the audit trail. A revised category is added next to the
earlier read, which stays as it was, signed or not.
"""

from __future__ import annotations

from respond.store._base import StoreBase
from respond.store._transaction import reading
from respond.store.errors import TimePointNotSignedError
from respond.store.records import Revision


class SignoffEdits(StoreBase):
    """Sign-off, audited unlock, and revisions."""

    def sign(self, patient_id: str, uid: str, *, who: str, at: str) -> None:
        """Sign a time point as ``who`` at ``at``: it becomes read-only.

        Raises
        ------
        TimePointNotFoundError
            No such time point.
        SignedTimePointError
            It is already signed.
        """
        with self._edit(patient_id, who, uid) as edit:
            self._editable(edit, uid)
            edit.conn.execute(
                "UPDATE timepoint SET signed_by = ?, signed_at = ? "
                "WHERE patient_id = ? AND uid = ?",
                (who, at, patient_id, uid),
            )
            before = {"signed_by": "", "signed_at": ""}
            after = {"signed_by": who, "signed_at": at}
            edit.audit("signoff", uid, "sign", before, after)

    def unlock(self, patient_id: str, uid: str, *, who: str, reason: str) -> None:
        """Unlock a signed time point; the reason is kept in the audit trail.

        Raises
        ------
        ValueError
            ``reason`` is empty.
        TimePointNotFoundError
            No such time point.
        TimePointNotSignedError
            It is not signed.
        """
        if not reason.strip():
            msg = f"unlocking time point {uid} needs a reason, got {reason!r}"
            raise ValueError(msg)
        with self._edit(patient_id, who, uid) as edit:
            row = self._timepoint(edit, uid)
            if not row["signed_at"]:
                raise TimePointNotSignedError(patient_id, uid, str(row["label"]))
            before = {"signed_by": row["signed_by"], "signed_at": row["signed_at"]}
            after = {"signed_by": "", "signed_at": "", "reason": reason}
            # The trigger lets a signature be cleared only right after this entry.
            edit.audit("signoff", uid, "unlock", before, after)
            edit.conn.execute(
                "UPDATE timepoint SET signed_by = '', signed_at = '' "
                "WHERE patient_id = ? AND uid = ?",
                (patient_id, uid),
            )

    def record_revision(
        self,
        patient_id: str,
        uid: str,
        criterion: str,
        before: str | None,
        after: str,
        reason: str,
        *,
        who: str,
    ) -> None:
        """Record a revised category (e.g. a back-dated PD); the earlier read stays.

        Allowed on a signed time point: the revision is added next to it.

        Raises
        ------
        TimePointNotFoundError
            No such time point.
        """
        with self._edit(patient_id, who, uid) as edit:
            self._timepoint(edit, uid)
            edit.conn.execute(
                "INSERT INTO revision (patient_id, uid, criterion, before, after, "
                "reason, who, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (patient_id, uid, criterion, before, after, reason, who, edit.at),
            )
            edit.audit(
                "revision",
                f"{uid}/{criterion}",
                "revise",
                {"category": before},
                {"category": after, "reason": reason},
            )

    def revisions(self, patient_id: str) -> list[Revision]:
        """Return the revised categories recorded for a patient, oldest first."""
        with reading(self._conn, self._path) as conn:
            rows = conn.execute(
                "SELECT * FROM revision WHERE patient_id = ? ORDER BY id", (patient_id,)
            ).fetchall()
        return [
            Revision(
                id=int(row["id"]),
                patient_id=str(row["patient_id"]),
                uid=str(row["uid"]),
                criterion=str(row["criterion"]),
                before=None if row["before"] is None else str(row["before"]),
                after=str(row["after"]),
                reason=str(row["reason"]),
                who=str(row["who"]),
                at=str(row["at"]),
            )
            for row in rows
        ]
