"""The open read of one patient: intent methods, autosave, events, assessment.

Every intent method changes the read in memory, commits the change through the
store in its own transaction (autosave), re-assesses through the engine and
emits a past-tense event. Methods that remove something return what undo needs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, cast

from respond.criteria import (
    Action,
    CaseAssessment,
    CriteriaError,
    Decision,
    Lesion,
    LesionId,
    LesionKind,
    PatientRead,
    Role,
    Settings,
    TimePoint,
    TimePointRecord,
    assess,
)
from respond.session._edit import (
    replace_timepoint,
)
from respond.session._measure import MeasureIntents
from respond.session._reload import (
    TrackedStore,
    emit_differences,
    reloads_when_stale,
)
from respond.session.errors import SignedError, UnknownItemError, WorkflowError
from respond.session.events import SessionEvents
from respond.session.ids import new_tracking_uid, new_uid, next_lesion_id
from respond.session.intake import (
    ConfirmationNeededError,
    IntakeCheck,
    StudyRefusedError,
    check_study,
    relabelled,
    timepoint_for_study,
)
from respond.session.patients import UNASSESSABLE, unassessable

if TYPE_CHECKING:
    from decimal import Decimal

    from respond.criteria.imaging import StudyFacts
    from respond.session.ports import ReadStore

__all__ = ["ReadSession"]

_PREFIX = {Role.TARGET: "T", Role.NON_TARGET: "N"}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class ReadSession(MeasureIntents):
    """One patient's read, open for editing.

    Parameters
    ----------
    store
        Where every change is committed (a :class:`~respond.session.ports.ReadStore`).
    patient_id
        The patient to open.
    reader
        Who is reading: recorded with every change in the audit trail.
    """

    def __init__(self, store: ReadStore, patient_id: str, *, reader: str) -> None:
        self.store = cast("ReadStore", TrackedStore(store, self._note_write))
        self.reader = reader
        self.events = SessionEvents()
        self._overtaken = False
        self._revision = store.revision(patient_id)
        self._data_version = store.data_version()
        self._read = store.load(patient_id)
        self.assessment: CaseAssessment | None = None
        self.assessment_problem: str | None = None
        self._revisions: set[tuple[str, str]] = set()
        self._assess(record_revisions=False)

    # -- reading -----------------------------------------------------------------
    @property
    def read(self) -> PatientRead:
        """The read as it is now."""
        return self._read

    def timepoint(self, uid: str) -> TimePointRecord:
        """Return a time point by uid (raises UnknownItemError)."""
        record = self._read.timepoint(uid)
        if record is None:
            raise UnknownItemError("time point", uid)
        return record

    def lesion(self, lesion_id: str) -> Lesion:
        """Return a baseline lesion by id (raises UnknownItemError)."""
        lesion = self._read.lesion(LesionId(lesion_id))
        if lesion is None:
            raise UnknownItemError("lesion", lesion_id)
        return lesion

    def _editable(self, uid: str) -> TimePointRecord:
        record = self.timepoint(uid)
        if record.is_signed:
            raise SignedError(record.label)
        return record

    # -- assessment --------------------------------------------------------------
    def _assess(self, *, record_revisions: bool = True) -> None:
        try:
            assessment = assess(self._read.to_case())
        except CriteriaError as exc:
            self.assessment, self.assessment_problem = None, str(exc)
        except UNASSESSABLE as exc:
            self.assessment, self.assessment_problem = None, unassessable(exc)
        else:
            self.assessment, self.assessment_problem = assessment, None
            self._note_revisions(assessment, record=record_revisions)
        self.events.assessment_changed.emit()

    def _note_revisions(self, assessment: CaseAssessment, *, record: bool) -> None:
        for record_tp, result in zip(
            self._read.timepoints, assessment.timepoints, strict=True
        ):
            for criterion, criterion_result in result.results.items():
                key = (record_tp.uid, criterion.value)
                if criterion_result.revised_from is None or key in self._revisions:
                    continue
                self._revisions.add(key)
                if record:
                    self.store.record_revision(
                        self.patient_id,
                        record_tp.uid,
                        criterion.value,
                        criterion_result.revised_from.value,
                        "PD",
                        "progression back-dated: an equivocal finding seen here "
                        "was confirmed later (RULES A8)",
                        who=self.reader,
                    )

    def _changed(self) -> None:
        self._follow_own_write()
        self._assess()

    # -- another reader on the same database --------------------------------------
    @property
    def revision(self) -> int:
        """The patient's revision the read shown here reflects."""
        return self._revision

    def _note_write(self, revisions: tuple[int, int]) -> None:
        """Follow the revision through an edit made here (see TrackedStore)."""
        before, after = revisions
        if before != self._revision:
            self._overtaken = True
        self._revision = after

    def _follow_own_write(self) -> None:
        """After an edit: if another writer came in between, reload the read."""
        if self._overtaken:
            self._overtaken = False
            self.reload()

    def refresh_if_changed(self) -> bool:
        """Reload the read if another process changed it; return whether it did.

        Cheap when nothing changed (one ``PRAGMA data_version``); the window
        calls it a few times a second.
        """
        version = self.store.data_version()
        if version == self._data_version:
            return False
        self._data_version = version
        if self.store.revision(self.patient_id) == self._revision:
            return False
        return self.reload()

    def reload(self) -> bool:
        """Load the read again from the store; return whether it had changed.

        The views learn what changed through the usual events, then
        ``reloaded``.
        """
        revision = self.store.revision(self.patient_id)
        read = self.store.load(self.patient_id)
        self._revision = revision
        self._data_version = self.store.data_version()
        if read == self._read:
            return False
        old, self._read = self._read, read
        emit_differences(self.events, old, read)
        self._assess(record_revisions=False)
        self.events.reloaded.emit()
        return True

    # -- settings ----------------------------------------------------------------
    @reloads_when_stale
    def set_settings(self, settings: Settings) -> Settings:
        """Replace the assessment settings; return the previous ones."""
        before = self._read.settings
        self.store.put_settings(
            self.patient_id, settings, self._read.reader, who=self.reader, seen=before
        )
        self._read = dataclasses.replace(self._read, settings=settings)
        self.events.settings_changed.emit()
        self._changed()
        return before

    # -- time points -------------------------------------------------------------
    def add_timepoint(
        self,
        date: dt.date,
        label: str = "",
        *,
        study_uid: str = "",
        series_uid: str = "",
        arterial_phase: bool = False,
        slice_thickness_mm: Decimal | None = None,
    ) -> str:
        """Add a time point (the earliest is the baseline); return its uid."""
        if any(tp.date == date for tp in self._read.timepoints):
            raise WorkflowError(f"there is already a time point on {date.isoformat()}")
        if not label:
            label = (
                "BL" if not self._read.timepoints else f"FU{len(self._read.timepoints)}"
            )
        record = TimePointRecord(
            uid=new_uid(),
            timepoint=TimePoint(
                label=label,
                date=date,
                arterial_phase=arterial_phase,
                slice_thickness_mm=slice_thickness_mm,
            ),
            study_uid=study_uid,
            series_uid=series_uid,
        )
        return self.restore_timepoint(record)

    def check_study(
        self, facts: StudyFacts, *, date: dt.date | None = None
    ) -> IntakeCheck:
        """Return what adding this study as a time point would need (nothing stored)."""
        return check_study(self._read, facts, date=date)

    def add_study(
        self,
        facts: StudyFacts,
        *,
        series_uid: str | None = None,
        label: str = "",
        date: dt.date | None = None,
        confirm_id_mismatch: bool = False,
        confirm_new_baseline: bool = False,
    ) -> str:
        """Add a study as a time point; return the new time point's uid.

        The study is checked first (:func:`~respond.session.intake.check_study`):
        refusals raise, confirmations the reader has not given raise
        :class:`ConfirmationNeededError` naming them. A confirmed PatientID
        mismatch or new baseline is recorded in the audit trail. Labels respond
        gave (BL, FU1 ...) follow the date order when the study is inserted
        before others, unless that would relabel a signed time point.

        Raises
        ------
        StudyRefusedError
            The study cannot be added (same study twice, same date, no date, no
            series, a new baseline while a time point is signed).
        ConfirmationNeededError
            A PatientID mismatch or a new baseline not confirmed.
        """
        check = check_study(self._read, facts, date=date)
        if check.refusal:
            raise StudyRefusedError(facts.study_uid, check.refusal)
        assert check.date is not None
        self._refuse_before_signed(facts.study_uid, check.date)
        if (check.id_mismatch and not confirm_id_mismatch) or (
            check.new_baseline and not confirm_new_baseline
        ):
            raise ConfirmationNeededError(check)
        record = timepoint_for_study(
            self._read, facts, check.date, series_uid=series_uid, label=label or "+"
        )
        existing = self._read.timepoints
        record, changed = (record, []) if label else self._placed(record)
        labels = {tp.uid: tp.label for tp in existing}
        labels.update({tp.uid: tp.label for tp in changed})
        if record.label in labels.values():
            raise StudyRefusedError(
                facts.study_uid,
                f"patient {self.patient_id} already has a time point labelled "
                f"{record.label}; choose another label",
            )
        self.store.put_timepoints(
            self.patient_id,
            [record, *changed],
            who=self.reader,
            confirmations=self._confirmations(
                check, facts, record.uid, existing[0] if existing else None
            ),
        )
        read = self._read
        for item in (record, *changed):
            read = replace_timepoint(read, item)
        self._read = read
        self.events.timepoint_added.emit(record.uid)
        for item in changed:
            self.events.timepoint_changed.emit(item.uid)
        self._changed()
        return record.uid

    def _refuse_before_signed(self, study_uid: str, date: dt.date) -> None:
        """Refuse a time point dated before a signed one (it would change it).

        A new baseline or a study between two time points changes the later
        ones' assessment (baseline, nadir, prior, confirmation).
        """
        signed = [
            tp.label for tp in self._read.timepoints if tp.is_signed and tp.date > date
        ]
        if signed:
            raise StudyRefusedError(
                study_uid,
                f"a time point dated {date.isoformat()} comes before signed time "
                f"point(s) {', '.join(signed)} and would change their assessment; "
                "unlock them first (with a reason) or do not add it",
            )

    def _confirmations(
        self,
        check: IntakeCheck,
        facts: StudyFacts,
        uid: str,
        base: TimePointRecord | None,
    ) -> list[tuple[str, str, dict[str, str]]]:
        """Return what the reader confirmed, for the audit trail (one transaction)."""
        assert check.date is not None
        confirmed: list[tuple[str, str, dict[str, str]]] = []
        if check.id_mismatch:
            confirmed.append(
                (
                    uid,
                    "patient id mismatch accepted",
                    {
                        "study_uid": facts.study_uid,
                        "study_patient_id": facts.patient_id,
                        "patient_id": self.patient_id,
                    },
                )
            )
        if check.new_baseline and base is not None:
            confirmed.append(
                (
                    uid,
                    "new baseline",
                    {
                        "study_uid": facts.study_uid,
                        "date": check.date.isoformat(),
                        "previous_baseline": f"{base.label} {base.date.isoformat()}",
                    },
                )
            )
        return confirmed

    def put_back_added(self, record: TimePointRecord, labels: dict[str, str]) -> None:
        """Redo of an added study: the same time point, its relabels, one transaction.

        The checks an addition passes are made again (a time point signed since
        may refuse it).

        Raises
        ------
        StudyRefusedError
            The date or study is taken now, or a later time point is signed.
        """
        self._refuse_before_signed(record.study_uid, record.date)
        for tp in self._read.timepoints:
            if tp.date == record.date or (
                record.study_uid and tp.study_uid == record.study_uid
            ):
                raise StudyRefusedError(
                    record.study_uid,
                    f"time point {tp.label} ({tp.date.isoformat()}) has this date or "
                    "study now; remove it first",
                )
        changed = self._with_labels(labels)
        self.store.put_timepoints(self.patient_id, [record, *changed], who=self.reader)
        self._put_in_read([record, *changed], added=record.uid)

    def take_back_added(self, uid: str, labels: dict[str, str]) -> TimePointRecord:
        """Undo of an added study: remove it and give the others their labels back."""
        record = self.remove_timepoint(uid)
        changed = self._with_labels(labels)
        if changed:
            self.store.put_timepoints(self.patient_id, changed, who=self.reader)
            self._put_in_read(changed, added=None)
        return record

    def _with_labels(self, labels: dict[str, str]) -> list[TimePointRecord]:
        changed = []
        for uid, label in labels.items():
            record = self._read.timepoint(uid)
            if record is not None and record.label != label:
                if record.is_signed:
                    raise SignedError(record.label)
                changed.append(self._labelled(record, label))
        return changed

    def _put_in_read(
        self, records: list[TimePointRecord], *, added: str | None
    ) -> None:
        read = self._read
        for item in records:
            read = replace_timepoint(read, item)
        self._read = read
        if added is not None:
            self.events.timepoint_added.emit(added)
        for item in records:
            if item.uid != added:
                self.events.timepoint_changed.emit(item.uid)
        self._changed()

    def _placed(
        self, record: TimePointRecord
    ) -> tuple[TimePointRecord, list[TimePointRecord]]:
        """Label a new time point; return it and the ones whose label changes.

        Appended: the next ``FU<n>``. Inserted before others: respond's labels
        follow the date order, unless that would relabel a signed time point
        (then the new one takes the next free ``FU<n>`` and nothing changes).
        """
        existing = self._read.timepoints
        if not existing:
            return self._labelled(record, "BL"), []
        if not any(tp.date > record.date for tp in existing):
            return self._labelled(record, self._next_label()), []
        moves = relabelled((*existing, self._labelled(record, "FU0")))
        mine = next((r for r in moves if r.uid == record.uid), None)
        changed = [r for r in moves if r.uid != record.uid]
        signed = {tp.uid for tp in existing if tp.is_signed}
        if mine is None or any(r.uid in signed for r in changed):
            return self._labelled(record, self._next_label()), []
        return mine, changed

    @staticmethod
    def _labelled(record: TimePointRecord, label: str) -> TimePointRecord:
        return dataclasses.replace(
            record, timepoint=dataclasses.replace(record.timepoint, label=label)
        )

    def _next_label(self) -> str:
        """Return ``FU<n>``: n the number of time points, or past the highest used."""
        numbers = [
            int(tp.label[2:])
            for tp in self._read.timepoints
            if tp.label.startswith("FU") and tp.label[2:].isdigit()
        ]
        n = len(self._read.timepoints)
        return f"FU{n}" if n not in numbers else f"FU{max(numbers) + 1}"

    def restore_timepoint(self, record: TimePointRecord) -> str:
        """Put back a whole time point (undo of :meth:`remove_timepoint`)."""
        self.store.put_timepoint(self.patient_id, record, who=self.reader)
        self._read = replace_timepoint(self._read, record)
        self.events.timepoint_added.emit(record.uid)
        self._changed()
        return record.uid

    @reloads_when_stale
    def update_timepoint(self, uid: str, **changes: object) -> TimePointRecord:
        """Change a time point's header; return the previous record.

        Label, date, arterial phase, slice thickness, study and series may change.
        """
        before = self._editable(uid)
        header = {k: v for k, v in changes.items() if k in ("study_uid", "series_uid")}
        fields = {k: v for k, v in changes.items() if k not in header}
        unknown = set(fields) - {
            "label",
            "date",
            "arterial_phase",
            "slice_thickness_mm",
        }
        if unknown:
            raise WorkflowError(
                f"cannot change {', '.join(sorted(unknown))} of a time point"
            )
        if "date" in fields and any(
            tp.date == fields["date"] and tp.uid != uid for tp in self._read.timepoints
        ):
            raise WorkflowError(f"there is already a time point on {fields['date']}")
        timepoint = dataclasses.replace(before.timepoint, **fields)  # type: ignore[arg-type]
        record = dataclasses.replace(before, timepoint=timepoint, **header)  # type: ignore[arg-type]
        self.store.put_timepoint(self.patient_id, record, who=self.reader, seen=before)
        self._read = replace_timepoint(self._read, record)
        self.events.timepoint_changed.emit(uid)
        self._changed()
        return before

    @reloads_when_stale
    def remove_timepoint(self, uid: str) -> TimePointRecord:
        """Remove a time point; return it (for undo)."""
        record = self._editable(uid)
        self.store.delete_timepoint(self.patient_id, uid, who=self.reader, seen=record)
        self._read = dataclasses.replace(
            self._read,
            timepoints=tuple(tp for tp in self._read.timepoints if tp.uid != uid),
        )
        self.events.timepoint_removed.emit(uid)
        self._changed()
        return record

    # -- lesions -----------------------------------------------------------------
    def add_lesion(
        self,
        role: Role,
        organ: str = "",
        *,
        is_node: bool = False,
        kind: LesionKind = LesionKind.OTHER,
        site: str = "",
        typical_hcc: bool | None = None,
        lesion_id: str | None = None,
    ) -> LesionId:
        """Add a baseline lesion; return its id (``T1``, ``N1``... when not given)."""
        taken = [les.id for les in self._read.lesions]
        new_id = LesionId(lesion_id or next_lesion_id(_PREFIX[role], taken))
        if new_id in taken:
            raise WorkflowError(f"lesion {new_id} already exists")
        lesion = Lesion(new_id, role, organ, is_node, kind, typical_hcc, site)
        self.restore_lesion(lesion, new_tracking_uid(), len(self._read.lesions))
        return new_id

    def restore_lesion(self, lesion: Lesion, tracking_uid: str, position: int) -> None:
        """Insert a lesion at a position (undo of :meth:`remove_lesion`)."""
        self.store.put_lesion(
            self.patient_id, lesion, tracking_uid, position, who=self.reader
        )
        lesions = [les for les in self._read.lesions if les.id != lesion.id]
        lesions.insert(min(position, len(lesions)), lesion)
        uids = dict(self._read.tracking_uids)
        uids[lesion.id] = tracking_uid
        self._read = dataclasses.replace(
            self._read, lesions=tuple(lesions), tracking_uids=uids
        )
        self.events.lesion_added.emit(lesion.id)
        self._changed()

    @reloads_when_stale
    def update_lesion(self, lesion_id: str, **changes: object) -> Lesion:
        """Change a lesion's role, organ, kind, site...; return the old lesion.

        Refused (SignedError) while a signed time point records the lesion:
        its role and kind decide that time point's categories.
        """
        before = self.lesion(lesion_id)
        self._refuse_if_recorded_at_signed(before)
        lesion = dataclasses.replace(before, **changes)  # type: ignore[arg-type]
        position = self._read.lesions.index(before)
        uid = self._read.tracking_uids.get(before.id, "")
        self.store.put_lesion(
            self.patient_id, lesion, uid, position, who=self.reader, seen=before
        )
        lesions = list(self._read.lesions)
        lesions[position] = lesion
        self._read = dataclasses.replace(self._read, lesions=tuple(lesions))
        self.events.lesion_changed.emit(lesion.id)
        self._changed()
        return before

    def set_role(self, lesion_id: str, role: Role) -> Lesion:
        """Make a lesion a target or a non-target; return the old lesion."""
        return self.update_lesion(lesion_id, role=role)

    def _refuse_if_recorded_at_signed(self, lesion: Lesion) -> None:
        for record in self._read.timepoints:
            touched = (
                lesion.id in record.timepoint.targets
                or lesion.id in record.timepoint.non_targets
            )
            if touched and record.is_signed:
                raise SignedError(record.label)

    @reloads_when_stale
    def remove_lesion(
        self, lesion_id: str
    ) -> tuple[Lesion, str, int, list[TimePointRecord]]:
        """Remove a lesion everywhere; return what undo needs."""
        lesion = self.lesion(lesion_id)
        self._refuse_if_recorded_at_signed(lesion)
        position = self._read.lesions.index(lesion)
        uid = self._read.tracking_uids.get(lesion.id, "")
        timepoints = list(self._read.timepoints)
        self.store.delete_lesion(
            self.patient_id, lesion.id, who=self.reader, seen=self._read
        )
        stripped = []
        for record in timepoints:
            tp = record.timepoint
            targets = {k: v for k, v in tp.targets.items() if k != lesion.id}
            non_targets = {k: v for k, v in tp.non_targets.items() if k != lesion.id}
            calipers = {k: v for k, v in record.calipers.items() if k != lesion.id}
            stripped.append(
                dataclasses.replace(
                    record,
                    timepoint=dataclasses.replace(
                        tp, targets=targets, non_targets=non_targets
                    ),
                    calipers=calipers,
                )
            )
        uids = {k: v for k, v in self._read.tracking_uids.items() if k != lesion.id}
        self._read = dataclasses.replace(
            self._read,
            lesions=tuple(les for les in self._read.lesions if les.id != lesion.id),
            tracking_uids=uids,
            timepoints=tuple(stripped),
        )
        self.events.lesion_removed.emit(lesion.id)
        self._changed()
        return lesion, uid, position, timepoints

    def restore_removed_lesion(
        self,
        lesion: Lesion,
        tracking_uid: str,
        position: int,
        timepoints: list[TimePointRecord],
    ) -> None:
        """Undo :meth:`remove_lesion`: one store transaction, one re-assessment.

        ``timepoints`` are the time points as they were before the removal;
        the lesion's measurements, calipers and observations come back at each
        one that still exists.
        """
        self.store.restore_lesion(
            self.patient_id, lesion, tracking_uid, position, timepoints, who=self.reader
        )
        before = {record.uid: record for record in timepoints}
        restored = []
        for record in self._read.timepoints:
            old = before.get(record.uid)
            if old is None:
                restored.append(record)
                continue
            tp = record.timepoint
            targets, non_targets = dict(tp.targets), dict(tp.non_targets)
            calipers = dict(record.calipers)
            if lesion.id in old.timepoint.targets:
                targets[lesion.id] = old.timepoint.targets[lesion.id]
            if lesion.id in old.timepoint.non_targets:
                non_targets[lesion.id] = old.timepoint.non_targets[lesion.id]
            if lesion.id in old.calipers:
                calipers[lesion.id] = old.calipers[lesion.id]
            restored.append(
                dataclasses.replace(
                    record,
                    timepoint=dataclasses.replace(
                        tp, targets=targets, non_targets=non_targets
                    ),
                    calipers=calipers,
                )
            )
        lesions = [les for les in self._read.lesions if les.id != lesion.id]
        lesions.insert(min(position, len(lesions)), lesion)
        uids = dict(self._read.tracking_uids)
        uids[lesion.id] = tracking_uid
        self._read = dataclasses.replace(
            self._read,
            lesions=tuple(lesions),
            tracking_uids=uids,
            timepoints=tuple(restored),
        )
        self.events.lesion_added.emit(lesion.id)
        for record in restored:
            if lesion.id in record.timepoint.targets:
                self.events.measurement_changed.emit(record.uid, lesion.id)
        self._changed()

    # -- clinical and decision ---------------------------------------------------
    @reloads_when_stale
    def record_decision(
        self,
        *,
        accept: bool,
        action: Action | None = None,
        dose_level: int | None = None,
        reason: str = "",
    ) -> Decision:
        """Record the clinician's decision on the latest recommendation.

        Accepting takes the recommended action and dose; overriding needs the
        action chosen and a reason.
        """
        if self.assessment is None:
            raise WorkflowError(
                f"no recommendation yet: {self.assessment_problem or 'no assessment'}"
            )
        record = self._editable(self._read.timepoints[-1].uid)
        recommended = self.assessment.recommendation
        if not accept and (action is None or not reason.strip()):
            raise WorkflowError(
                "overriding the recommendation needs an action and a reason"
            )
        decision = Decision(
            recommended_action=recommended.action,
            recommended_dose=recommended.dose_level,
            accepted=accept,
            action=recommended.action if accept else action,  # type: ignore[arg-type]
            dose_level=recommended.dose_level if accept else dose_level,
            reason=reason.strip(),
            decided_by=self.reader,
            decided_at=_now(),
        )
        self.store.put_decision(
            self.patient_id,
            record.uid,
            decision,
            who=self.reader,
            seen_revision=self._revision,
        )
        self._read = replace_timepoint(
            self._read, dataclasses.replace(record, decision=decision)
        )
        self.events.decision_recorded.emit(record.uid)
        self._follow_own_write()
        return decision

    # -- sign-off ----------------------------------------------------------------
    @reloads_when_stale
    def sign(self, uid: str) -> None:
        """Sign a time point: it becomes read-only."""
        record = self._editable(uid)
        at = _now()
        self.store.sign(
            self.patient_id, uid, who=self.reader, at=at, seen_revision=self._revision
        )
        self._read = replace_timepoint(
            self._read, dataclasses.replace(record, signed_by=self.reader, signed_at=at)
        )
        self.events.timepoint_signed.emit(uid)
        self._follow_own_write()

    def unlock(self, uid: str, reason: str) -> None:
        """Unlock a signed time point; the reason goes to the audit trail."""
        record = self.timepoint(uid)
        if not record.is_signed:
            raise WorkflowError(f"time point {record.label} is not signed")
        if not reason.strip():
            raise WorkflowError("unlocking a signed time point needs a reason")
        self.store.unlock(self.patient_id, uid, who=self.reader, reason=reason.strip())
        self._read = replace_timepoint(
            self._read, dataclasses.replace(record, signed_by="", signed_at="")
        )
        self.events.timepoint_unlocked.emit(uid)
        self._follow_own_write()
