"""Intent methods that record what the reader measured or saw at a time point."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal

from respond.criteria import (
    Clinical,
    NewLesion,
    NonTargetObservation,
    Role,
    TargetMeasurement,
    TargetStatus,
)
from respond.session._edit import (
    measurement_from_calipers,
    replace_timepoint,
    with_target,
)
from respond.session._reload import reloads_when_stale
from respond.session.errors import UnknownItemError, WorkflowError
from respond.session.ids import new_tracking_uid

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.criteria import (
        Caliper,
        Lesion,
        LesionExtent,
        PatientRead,
        ProposalReview,
        TimePointRecord,
    )
    from respond.session.events import SessionEvents
    from respond.session.ports import ReadStore


class MeasureIntents:
    """Targets, non-targets, new findings and clinical status (part of ReadSession)."""

    store: ReadStore
    reader: str
    events: SessionEvents
    _read: PatientRead

    @property
    def patient_id(self) -> str:
        """The patient's id."""
        return self._read.patient.id

    def timepoint(self, uid: str) -> TimePointRecord:  # pragma: no cover - overridden
        """Return a time point by uid."""
        raise NotImplementedError

    def lesion(self, lesion_id: str) -> Lesion:  # pragma: no cover - overridden
        """Return a lesion by id."""
        raise NotImplementedError

    def _editable(self, uid: str) -> TimePointRecord:  # pragma: no cover
        raise NotImplementedError

    def _changed(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def reload(self) -> bool:  # pragma: no cover - overridden
        """Load the read again from the store; return whether it had changed."""
        raise NotImplementedError

    # -- measurements ------------------------------------------------------------
    @reloads_when_stale
    def set_measurement(
        self,
        uid: str,
        lesion_id: str,
        measurement: TargetMeasurement | None,
        calipers: Sequence[Caliper] = (),
        *,
        extent: LesionExtent | Literal["keep"] | None = "keep",
        review: ProposalReview | None = None,
    ) -> tuple[TargetMeasurement | None, tuple[Caliper, ...]]:
        """Set (or clear) a target's measurement; return the previous one.

        ``extent`` sets (or with None clears) the target's click-to-measure
        volume and enhancing fraction; by default they are kept while the
        target stays measured. ``review`` marks the calipers as an accepted
        click-to-measure proposal (audited).
        """
        record = self._editable(uid)
        lesion = self.lesion(lesion_id)
        if lesion.role is not Role.TARGET:
            raise WorkflowError(
                f"{lesion.id} is a non-target: it has a status, not a measurement"
            )
        before = (record.target(lesion.id), record.calipers.get(lesion.id, ()))
        if measurement is not None:
            measurement = dataclasses.replace(measurement, lesion_id=lesion.id)
        options: dict[str, object] = {}
        if extent != "keep":
            options["extent"] = extent
        if review is not None:
            options["review"] = review
        self.store.put_target(
            self.patient_id,
            uid,
            lesion.id,
            measurement,
            calipers,
            who=self.reader,
            seen=before,
            **options,  # type: ignore[arg-type]
        )
        kept = record.extents.get(lesion.id) if extent == "keep" else extent
        if measurement is None or measurement.status is not TargetStatus.MEASURED:
            kept = None
        self._read = replace_timepoint(
            self._read, with_target(record, lesion.id, measurement, calipers, kept)
        )
        self.events.measurement_changed.emit(uid, lesion.id)
        self._changed()
        return before

    def set_calipers(
        self,
        uid: str,
        lesion_id: str,
        calipers: Sequence[Caliper],
        *,
        extent: LesionExtent | Literal["keep"] | None = "keep",
        review: ProposalReview | None = None,
    ) -> tuple[TargetMeasurement | None, tuple[Caliper, ...]]:
        """Measure a target with calipers (mm to 0.1); return the previous values.

        ``extent`` and ``review`` as for :meth:`set_measurement`: an accepted
        click-to-measure proposal gives both.
        """
        record = self.timepoint(uid)
        lesion = self.lesion(lesion_id)
        measurement = measurement_from_calipers(
            lesion, calipers, record.target(lesion.id)
        )
        return self.set_measurement(
            uid, lesion_id, measurement, calipers, extent=extent, review=review
        )

    def set_target_status(
        self, uid: str, lesion_id: str, status: TargetStatus
    ) -> tuple[TargetMeasurement | None, tuple[Caliper, ...]]:
        """Record a target as too small, absent or not evaluated (calipers cleared)."""
        measurement = TargetMeasurement(status=status, lesion_id=lesion_id)
        return self.set_measurement(uid, lesion_id, measurement, ())

    @reloads_when_stale
    def set_non_target(
        self, uid: str, lesion_id: str, observation: NonTargetObservation | None
    ) -> NonTargetObservation | None:
        """Set (or clear) a non-target's status; return the previous one."""
        record = self._editable(uid)
        lesion = self.lesion(lesion_id)
        if lesion.role is not Role.NON_TARGET:
            raise WorkflowError(f"{lesion.id} is a target: measure it instead")
        before = record.non_target(lesion.id)
        self.store.put_non_target(
            self.patient_id, uid, lesion.id, observation, who=self.reader, seen=before
        )
        non_targets = dict(record.timepoint.non_targets)
        if observation is None:
            non_targets.pop(lesion.id, None)
        else:
            non_targets[lesion.id] = observation
        timepoint = dataclasses.replace(record.timepoint, non_targets=non_targets)
        self._read = replace_timepoint(
            self._read, dataclasses.replace(record, timepoint=timepoint)
        )
        self.events.non_target_changed.emit(uid, lesion.id)
        self._changed()
        return before

    @reloads_when_stale
    def put_new_lesion(
        self, uid: str, finding: NewLesion, tracking_uid: str | None = None
    ) -> NewLesion | None:
        """Add or update a new finding; return the previous version (None if new).

        ``tracking_uid`` restores a finding's identity (undo); by default a finding
        keeps the UID it has at any time point, or gets a new one.
        """
        record = self._editable(uid)
        before = record.new_lesion(finding.id)
        tracking = (
            tracking_uid
            or record.new_lesion_uids.get(finding.id)
            or self._finding_uid(finding.id)
        )
        self.store.put_new_lesion(
            self.patient_id, uid, finding, tracking, who=self.reader, seen=before
        )
        findings = [n for n in record.timepoint.new_lesions if n.id != finding.id]
        if before is None:
            findings.append(finding)
        else:
            findings.insert(record.timepoint.new_lesions.index(before), finding)
        uids = dict(record.new_lesion_uids)
        uids[finding.id] = tracking
        timepoint = dataclasses.replace(record.timepoint, new_lesions=tuple(findings))
        self._read = replace_timepoint(
            self._read,
            dataclasses.replace(record, timepoint=timepoint, new_lesion_uids=uids),
        )
        self.events.new_lesion_changed.emit(uid, finding.id)
        self._changed()
        return before

    def _finding_uid(self, finding_id: str) -> str:
        """Return the finding's tracking UID: one across every time point."""
        for record in self._read.timepoints:
            if finding_id in record.new_lesion_uids:
                return record.new_lesion_uids[finding_id]
        return new_tracking_uid()

    @reloads_when_stale
    def remove_new_lesion(self, uid: str, finding_id: str) -> NewLesion:
        """Remove a new finding from a time point; return it."""
        record = self._editable(uid)
        before = record.new_lesion(finding_id)
        if before is None:
            raise UnknownItemError("new lesion", finding_id)
        self.store.delete_new_lesion(
            self.patient_id, uid, finding_id, who=self.reader, seen=before
        )
        timepoint = dataclasses.replace(
            record.timepoint,
            new_lesions=tuple(
                n for n in record.timepoint.new_lesions if n.id != finding_id
            ),
        )
        uids = {k: v for k, v in record.new_lesion_uids.items() if k != finding_id}
        self._read = replace_timepoint(
            self._read,
            dataclasses.replace(record, timepoint=timepoint, new_lesion_uids=uids),
        )
        self.events.new_lesion_changed.emit(uid, finding_id)
        self._changed()
        return before

    @reloads_when_stale
    def set_clinical(self, uid: str, clinical: Clinical) -> Clinical:
        """Replace the clinical status at a time point; return the previous one."""
        record = self._editable(uid)
        before = record.clinical
        self.store.put_clinical(
            self.patient_id, uid, clinical, who=self.reader, seen=before
        )
        timepoint = dataclasses.replace(record.timepoint, clinical=clinical)
        self._read = replace_timepoint(
            self._read, dataclasses.replace(record, timepoint=timepoint)
        )
        self.events.clinical_changed.emit(uid)
        self._changed()
        return before
