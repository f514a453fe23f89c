"""Edits of what was recorded at one time point (part of SqliteStore).

Each method refuses a signed time point before writing (the schema's triggers
refuse it too, whatever the code path), writes the rows, and appends one audit
entry with the item before and after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from respond.casefile import check_values
from respond.criteria import PROPOSAL_METHOD, TargetStatus
from respond.store import _read, _stale, _write
from respond.store._base import StoreBase
from respond.store._stale import UNSEEN, merged, stale
from respond.store.errors import LesionNotFoundError, NewLesionNotFoundError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.criteria import (
        Caliper,
        Clinical,
        Decision,
        LesionExtent,
        LesionId,
        NewLesion,
        NonTargetObservation,
        ProposalReview,
        TargetMeasurement,
    )


def action(before: object, after: object) -> str:
    """Return the audit action for a change from ``before`` to ``after``."""
    if before is None:
        return "create"
    return "delete" if after is None else "update"


def _target_entry(
    measurement: TargetMeasurement | None,
    calipers: Sequence[Caliper],
    extent: LesionExtent | None,
) -> dict[str, object] | None:
    """Return a target as its audit entry shows it (None: nothing recorded)."""
    if measurement is None and not calipers:
        return None
    entry: dict[str, object] = {
        "measurement": measurement,
        "calipers": tuple(calipers),
    }
    if extent is not None:
        entry["extent"] = extent
    return entry


class MeasureEdits(StoreBase):
    """Targets, non-targets, new findings, clinical status and the decision."""

    def put_target(
        self,
        patient_id: str,
        uid: str,
        lesion_id: LesionId,
        measurement: TargetMeasurement | None,
        calipers: Sequence[Caliper],
        *,
        who: str,
        seen: object = UNSEEN,
        extent: LesionExtent | Literal["keep"] | None = "keep",
        review: ProposalReview | None = None,
    ) -> None:
        """Set (or clear, with None and no calipers) a target's measurement.

        Parameters
        ----------
        patient_id, uid, lesion_id
            The patient, the time point and the target lesion.
        measurement
            The measurement, or None to remove it.
        calipers
            The calipers it was measured with, in drawing order (they replace
            the ones stored).
        who
            The reader, for the audit trail.
        seen
            ``(measurement, calipers)`` as the writer showed them: the edit
            changes only what differs from it (see :mod:`._stale`).
        extent
            The target's extra figures from click-to-measure (volume,
            enhancing fraction), None to clear them, ``"keep"`` to leave them.
            A target that is not measured (cleared, too small, absent, not
            evaluated) keeps none.
        review
            When the calipers are a click-to-measure proposal the reader
            accepted: the audit entry says so, and whether they were adjusted.

        Raises
        ------
        TimePointNotFoundError, LesionNotFoundError
            No such time point or lesion.
        SignedTimePointError
            The time point is signed.
        StaleEditError
            Another writer changed the same value since it was shown.
        """
        with self._edit(patient_id, who, uid) as edit:
            header = self._editable(edit, uid)
            if lesion_id not in self._lesion_ids(edit):
                raise LesionNotFoundError(patient_id, lesion_id)
            old, old_calipers = _read.read_target(edit.conn, patient_id, uid, lesion_id)
            if seen is not UNSEEN:
                pair = cast("tuple[object, Sequence[object]]", seen)
                seen_measurement, seen_calipers = pair
                about = {
                    "what": f"{lesion_id} at {header['label']}",
                    "entity": "target",
                    "key": f"{uid}/{lesion_id}",
                }
                measurement = merged(
                    edit.conn, patient_id, old, seen_measurement, measurement, **about
                )
                calipers = merged(
                    edit.conn,
                    patient_id,
                    tuple(old_calipers),
                    tuple(seen_calipers),
                    tuple(calipers),
                    **about,
                )
            if measurement is not None:
                check_values(measurement)
            old_extent = _read.read_extent(edit.conn, patient_id, uid, lesion_id)
            new_extent = old_extent if extent == "keep" else extent
            if measurement is None or measurement.status is not TargetStatus.MEASURED:
                new_extent = None
            _write.write_target(
                edit.conn, patient_id, uid, lesion_id, measurement, calipers
            )
            _write.write_extent(edit.conn, patient_id, uid, lesion_id, new_extent)
            before = _target_entry(old, old_calipers, old_extent)
            after = _target_entry(measurement, calipers, new_extent)
            if after is not None and review is not None:
                after["proposal"] = {
                    "method": PROPOSAL_METHOD,
                    "outcome": review.outcome,
                    "proposed": review.proposed,
                }
            key = f"{uid}/{lesion_id}"
            edit.audit("target", key, action(before, after), before, after)

    def put_non_target(
        self,
        patient_id: str,
        uid: str,
        lesion_id: LesionId,
        observation: NonTargetObservation | None,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Set (or clear, with None) a non-target's status at a time point.

        ``seen`` is the observation as the writer showed it (see :mod:`._stale`).

        Raises
        ------
        TimePointNotFoundError, LesionNotFoundError
            No such time point or lesion.
        SignedTimePointError
            The time point is signed.
        StaleEditError
            Another writer changed the same value since it was shown.
        """
        with self._edit(patient_id, who, uid) as edit:
            header = self._editable(edit, uid)
            if lesion_id not in self._lesion_ids(edit):
                raise LesionNotFoundError(patient_id, lesion_id)
            before = _read.read_non_target(edit.conn, patient_id, uid, lesion_id)
            observation = merged(
                edit.conn,
                patient_id,
                before,
                seen,
                observation,
                what=f"{lesion_id} at {header['label']}",
                entity="non_target",
                key=f"{uid}/{lesion_id}",
            )
            if observation is not None:
                check_values(observation)
            _write.write_non_target(edit.conn, patient_id, uid, lesion_id, observation)
            key = f"{uid}/{lesion_id}"
            edit.audit(
                "non_target", key, action(before, observation), before, observation
            )

    def put_new_lesion(
        self,
        patient_id: str,
        uid: str,
        finding: NewLesion,
        tracking_uid: str,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Insert or update a new finding; an update keeps its place in the order.

        ``seen`` is the finding as the writer showed it (see :mod:`._stale`).

        Raises
        ------
        TimePointNotFoundError
            No such time point.
        SignedTimePointError
            The time point is signed.
        StaleEditError
            Another writer changed the same field of the finding since it was shown.
        """
        with self._edit(patient_id, who, uid) as edit:
            header = self._editable(edit, uid)
            old = _read.read_new_lesion(edit.conn, patient_id, uid, finding.id)
            finding = merged(
                edit.conn,
                patient_id,
                None if old is None else old[0],
                seen,
                finding,
                what=f"new lesion {finding.id} at {header['label']}",
                entity="new_lesion",
                key=f"{uid}/{finding.id}",
            )
            if old is None:
                row = edit.conn.execute(
                    "SELECT coalesce(max(position) + 1, 0) FROM new_lesion "
                    "WHERE patient_id = ? AND uid = ?",
                    (patient_id, uid),
                ).fetchone()
                position, before = int(row[0]), None
            else:
                position = old[2]
                before = {"finding": old[0], "tracking_uid": old[1]}
            check_values(finding)
            _write.write_new_lesion(
                edit.conn, patient_id, uid, finding, tracking_uid, position
            )
            after = {"finding": finding, "tracking_uid": tracking_uid or None}
            key = f"{uid}/{finding.id}"
            edit.audit("new_lesion", key, action(before, after), before, after)

    def delete_new_lesion(
        self,
        patient_id: str,
        uid: str,
        finding_id: str,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Remove a new finding from a time point.

        ``seen`` is the finding as the writer showed it: the removal is refused
        when the finding changed since.

        Raises
        ------
        TimePointNotFoundError, NewLesionNotFoundError
            No such time point or finding.
        SignedTimePointError
            The time point is signed.
        StaleEditError
            Another writer changed the finding since it was shown.
        """
        with self._edit(patient_id, who, uid) as edit:
            header = self._editable(edit, uid)
            old = _read.read_new_lesion(edit.conn, patient_id, uid, finding_id)
            if old is None:
                label = str(header["label"])
                raise NewLesionNotFoundError(patient_id, uid, finding_id, label)
            if seen is not UNSEEN and seen != old[0]:
                raise stale(
                    edit.conn,
                    patient_id,
                    f"new lesion {finding_id} at {header['label']}",
                    "new_lesion",
                    f"{uid}/{finding_id}",
                )
            edit.conn.execute(
                "DELETE FROM new_lesion WHERE patient_id = ? AND uid = ? "
                "AND finding_id = ?",
                (patient_id, uid, finding_id),
            )
            before = {"finding": old[0], "tracking_uid": old[1]}
            edit.audit("new_lesion", f"{uid}/{finding_id}", "delete", before, None)

    def put_clinical(
        self,
        patient_id: str,
        uid: str,
        clinical: Clinical,
        *,
        who: str,
        seen: object = UNSEEN,
    ) -> None:
        """Replace the clinical status of a time point.

        ``seen`` is the status as the writer showed it (see :mod:`._stale`).

        Raises
        ------
        TimePointNotFoundError
            No such time point.
        SignedTimePointError
            The time point is signed.
        StaleEditError
            Another writer changed the same value since it was shown.
        """
        with self._edit(patient_id, who, uid) as edit:
            header = self._editable(edit, uid)
            record = _read.read_timepoint(edit.conn, patient_id, uid)
            before = None if record is None else record.clinical
            clinical = merged(
                edit.conn,
                patient_id,
                before,
                seen,
                clinical,
                what=f"the clinical status at {header['label']}",
                entity="clinical",
                key=uid,
            )
            check_values(clinical)
            _write.write_clinical(edit.conn, patient_id, uid, clinical)
            edit.audit("clinical", uid, "update", before, clinical)

    def put_decision(
        self,
        patient_id: str,
        uid: str,
        decision: Decision,
        *,
        who: str,
        seen_revision: int | None = None,
    ) -> None:
        """Record the clinician's decision on the recommendation at a time point.

        With ``seen_revision`` (the patient's :meth:`revision` when the
        recommendation was shown) the decision is refused if the read changed
        since.

        Raises
        ------
        TimePointNotFoundError
            No such time point.
        SignedTimePointError
            The time point is signed.
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
                    edit.conn,
                    patient_id,
                    f"the read behind the decision at {header['label']}",
                )
            record = _read.read_timepoint(edit.conn, patient_id, uid)
            before = None if record is None else record.decision
            _write.write_decision(edit.conn, patient_id, uid, decision)
            edit.audit("decision", uid, action(before, decision), before, decision)
