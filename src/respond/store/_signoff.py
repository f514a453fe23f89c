"""Sign-off, unlock, revised categories and confirmations (part of SqliteStore).

Signing makes a time point read-only; the schema's triggers then refuse any
change to its rows, and clearing the signature is only accepted right after an
``unlock`` entry in the audit trail. A revised category is added next to the
earlier read, which stays as it was, signed or not. A confirmation is an audit
entry only: what the reader explicitly agreed to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.store import _stale
from respond.store._base import StoreBase
from respond.store._transaction import reading
from respond.store.errors import TimePointNotSignedError
from respond.store.records import Revision

if TYPE_CHECKING:
    from collections.abc import Mapping


class SignoffEdits(StoreBase):
    """Sign-off, audited unlock, and revisions."""

    def sign(
        self,
        patient_id: str,
        uid: str,
        *,
        who: str,
        at: str,
        seen_revision: int | None = None,
    ) -> None:
        """Sign a time point as ``who`` at ``at``: it becomes read-only.

        With ``seen_revision`` (the patient's :meth:`revision` when the read was
        shown) the sign-off is refused if the read changed since.

        Raises
        ------
        TimePointNotFoundError
            No such time point.
        SignedTimePointError
            It is already signed.
        StaleEditError
            The read changed since it was shown.
        """
        with self._edit(patient_id, who, uid) as edit:
            header = self._editable(edit, uid)
            if (
                seen_revision is not None
                and _stale.revision(edit.conn, patient_id) != seen_revision
            ):
                raise _stale.stale(
                    edit.conn, patient_id, f"the read signed at {header['label']}"
                )
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

    def record_confirmation(
        self,
        patient_id: str,
        key: str,
        what: str,
        details: Mapping[str, str],
        *,
        who: str,
    ) -> None:
        """Record in the audit trail a decision the reader confirmed explicitly.

        For example, adding a study whose PatientID differs from the patient's.
        The entry has entity ``confirmation``, action ``confirm``, the ``key``
        given, and ``after`` = ``{"what": what, **details}``. Nothing else
        changes; the patient need not be stored (yet).

        Parameters
        ----------
        patient_id
            The patient the decision concerns.
        key
            What it is about (e.g. the study uid).
        what
            The decision, in words.
        details
            The facts the reader saw (e.g. both PatientIDs).
        who
            The reader who confirmed.

        Raises
        ------
        ValueError
            ``what`` is empty, or ``details`` has a key ``what`` or a value that
            is not text.
        """
        if not what.strip():
            msg = f"record_confirmation needs what was confirmed, got {what!r}"
            raise ValueError(msg)
        if "what" in details:
            msg = "details must not have a key 'what' (it is the what argument)"
            raise ValueError(msg)
        bad = {k: v for k, v in details.items() if not isinstance(v, str)}
        if bad:
            msg = f"details values must be str, got {bad!r}"
            raise ValueError(msg)
        with self._edit(patient_id, who) as edit:
            after = {"what": what, **details}
            edit.audit("confirmation", key, "confirm", None, after)

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
