"""Undo commands: every edit of the read is one QUndoCommand on the window's stack.

A command keeps ids and before/after values (never widgets); ``redo`` and ``undo``
only call the session's intent methods, which save at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar, Literal

from PySide6.QtGui import QUndoCommand, QUndoStack

from respond.criteria import LesionId
from respond.errors import RespondError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Sequence

    from respond.criteria import (
        Caliper,
        Clinical,
        Lesion,
        LesionExtent,
        LesionKind,
        NewLesion,
        NonTargetObservation,
        ProposalReview,
        Role,
        TargetMeasurement,
        TargetStatus,
        TimePointRecord,
    )
    from respond.criteria.imaging import StudyFacts
    from respond.session import ReadSession

__all__ = [
    "AddLesionCommand",
    "AddStudyCommand",
    "AddTimepointCommand",
    "IntentCommand",
    "PutNewLesionCommand",
    "RemoveLesionCommand",
    "RemoveNewLesionCommand",
    "RemoveTimepointCommand",
    "SetCalipersCommand",
    "SetClinicalCommand",
    "SetNonTargetCommand",
    "SetTargetStatusCommand",
    "UpdateLesionCommand",
    "UpdateTimepointCommand",
    "push",
]

_log = logging.getLogger(__name__)


class IntentCommand(QUndoCommand):
    """Base of the commands: errors never escape into Qt's undo machinery.

    An exception raised inside ``redo``/``undo`` called by Qt would abort the
    process, so each is guarded and reported to :attr:`error_sink` (the window
    shows it); :func:`push` applies a command first and pushes it only if that
    worked, so a refused edit never enters the stack.
    """

    error_sink: ClassVar[Callable[[Exception], None] | None] = None

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._applied = False

    def _do(self) -> None:  # pragma: no cover - every command overrides it
        raise NotImplementedError

    def _undo(self) -> None:  # pragma: no cover - every command overrides it
        raise NotImplementedError

    def redo(self) -> None:
        """Qt's redo: skipped once after :func:`push` applied the command."""
        if self._applied:
            self._applied = False
            return
        self._guard(self._do)

    def undo(self) -> None:
        """Qt's undo, guarded."""
        self._guard(self._undo)

    @classmethod
    def _report(cls, exc: Exception) -> None:
        sink = cls.error_sink
        if sink is None:
            _log.error("edit failed: %s", exc)
        else:
            sink(exc)

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except RespondError as exc:
            self._report(exc)
        except Exception as exc:  # noqa: BLE001 - the Qt boundary: never abort
            _log.exception("unexpected error in %s", self.text())
            self._report(exc)


def push(stack: QUndoStack, command: IntentCommand) -> bool:
    """Apply a command and push it; a refused edit is reported, not pushed.

    Returns
    -------
    bool
        Whether the edit was applied.
    """
    try:
        command._do()
    except Exception as exc:  # noqa: BLE001 - a refusal or a bug: shown, never raised
        IntentCommand._report(exc)
        return False
    command._applied = True
    stack.push(command)
    return True


class SetCalipersCommand(IntentCommand):
    """Measure a target with calipers (one command per drawn or dragged caliper).

    An accepted click-to-measure proposal gives its ``extent`` (volume and
    enhancing fraction) and ``review`` (audited); undo puts the previous
    measurement, calipers and extent back.
    """

    def __init__(
        self,
        session: ReadSession,
        uid: str,
        lesion_id: str,
        calipers: Sequence[Caliper],
        text: str = "",
        *,
        extent: LesionExtent | Literal["keep"] | None = "keep",
        review: ProposalReview | None = None,
    ) -> None:
        super().__init__(text or f"Measure {lesion_id}")
        self._session, self._uid, self._lesion = session, uid, lesion_id
        self._calipers = tuple(calipers)
        self._extent, self._review = extent, review
        self._before: tuple[TargetMeasurement | None, tuple[Caliper, ...]] | None = None
        self._extent_before: LesionExtent | None = None

    def _do(self) -> None:
        """Record the calipers (lengths in mm)."""
        self._extent_before = _extent_of(self._session, self._uid, self._lesion)
        self._before = self._session.set_calipers(
            self._uid,
            self._lesion,
            self._calipers,
            extent=self._extent,
            review=self._review,
        )

    def _undo(self) -> None:
        """Put the previous measurement, calipers and extent back."""
        if self._before is not None:
            self._session.set_measurement(
                self._uid, self._lesion, *self._before, extent=self._extent_before
            )


class SetTargetStatusCommand(IntentCommand):
    """Record a target as too small, absent or not evaluated."""

    def __init__(
        self, session: ReadSession, uid: str, lesion_id: str, status: TargetStatus
    ) -> None:
        super().__init__(f"Mark {lesion_id} {status.value.replace('_', ' ')}")
        self._session, self._uid, self._lesion, self._status = (
            session,
            uid,
            lesion_id,
            status,
        )
        self._before: tuple[TargetMeasurement | None, tuple[Caliper, ...]] | None = None
        self._extent_before: LesionExtent | None = None

    def _do(self) -> None:
        """Set the status."""
        self._extent_before = _extent_of(self._session, self._uid, self._lesion)
        self._before = self._session.set_target_status(
            self._uid, self._lesion, self._status
        )

    def _undo(self) -> None:
        """Restore the previous measurement (and its extent)."""
        if self._before is not None:
            self._session.set_measurement(
                self._uid, self._lesion, *self._before, extent=self._extent_before
            )


def _extent_of(session: ReadSession, uid: str, lesion_id: str) -> LesionExtent | None:
    """Return a target's click-to-measure extent at a time point, if any."""
    return session.timepoint(uid).extents.get(LesionId(lesion_id))


class SetNonTargetCommand(IntentCommand):
    """Set a non-target's status (with cytology and justification)."""

    def __init__(
        self,
        session: ReadSession,
        uid: str,
        lesion_id: str,
        observation: NonTargetObservation | None,
    ) -> None:
        status = "cleared" if observation is None else observation.status.value
        super().__init__(f"Set {lesion_id} {status.replace('_', ' ')}")
        self._session, self._uid, self._lesion = session, uid, lesion_id
        self._after = observation
        self._before: NonTargetObservation | None = None

    def _do(self) -> None:
        """Apply the status."""
        self._before = self._session.set_non_target(
            self._uid, self._lesion, self._after
        )

    def _undo(self) -> None:
        """Restore the previous status."""
        self._session.set_non_target(self._uid, self._lesion, self._before)


class AddLesionCommand(IntentCommand):
    """Add a baseline lesion."""

    def __init__(
        self,
        session: ReadSession,
        role: Role,
        organ: str,
        *,
        is_node: bool = False,
        kind: LesionKind | None = None,
        site: str = "",
    ) -> None:
        super().__init__(f"Add {role.value.replace('_', '-')} lesion")
        self._session = session
        self._args = (role, organ, is_node, kind, site)
        self._removed: tuple[Lesion, str, int, list[TimePointRecord]] | None = None
        self.lesion_id = ""

    def _do(self) -> None:
        """Add (or re-add with the same id and tracking UID)."""
        if self._removed is not None:
            lesion, uid, position, _ = self._removed
            self._session.restore_lesion(lesion, uid, position)
            return
        role, organ, is_node, kind, site = self._args
        from respond.criteria import LesionKind as Kind

        self.lesion_id = self._session.add_lesion(
            role, organ, is_node=is_node, kind=kind or Kind.OTHER, site=site
        )

    def _undo(self) -> None:
        """Remove the lesion again."""
        self._removed = self._session.remove_lesion(self.lesion_id)


class RemoveLesionCommand(IntentCommand):
    """Remove a lesion and its measurements everywhere."""

    def __init__(self, session: ReadSession, lesion_id: str) -> None:
        super().__init__(f"Remove {lesion_id}")
        self._session, self._lesion = session, lesion_id
        self._removed: tuple[Lesion, str, int, list[TimePointRecord]] | None = None

    def _do(self) -> None:
        """Remove it."""
        self._removed = self._session.remove_lesion(self._lesion)

    def _undo(self) -> None:
        """Put the lesion and every measurement of it back."""
        if self._removed is None:
            return
        lesion, uid, position, timepoints = self._removed
        self._session.restore_removed_lesion(lesion, uid, position, timepoints)


class UpdateLesionCommand(IntentCommand):
    """Change a lesion's role, organ, site, kind or node flag."""

    def __init__(self, session: ReadSession, lesion_id: str, **changes: object) -> None:
        super().__init__(f"Edit {lesion_id}")
        self._session, self._lesion, self._changes = session, lesion_id, changes
        self._before: Lesion | None = None

    def _do(self) -> None:
        """Apply the changes."""
        self._before = self._session.update_lesion(self._lesion, **self._changes)

    def _undo(self) -> None:
        """Restore the previous fields."""
        if self._before is None:
            return
        fields = {name: getattr(self._before, name) for name in self._changes}
        self._session.update_lesion(self._lesion, **fields)


class AddTimepointCommand(IntentCommand):
    """Add a time point (the earliest is the baseline)."""

    def __init__(self, session: ReadSession, date: dt.date, **fields: object) -> None:
        super().__init__(f"Add time point {date.isoformat()}")
        self._session, self._date, self._fields = session, date, fields
        self._record: TimePointRecord | None = None
        self.uid = ""

    def _do(self) -> None:
        """Add it (or put back the same time point)."""
        if self._record is not None:
            self._session.restore_timepoint(self._record)
            return
        self.uid = self._session.add_timepoint(self._date, **self._fields)  # type: ignore[arg-type]

    def _undo(self) -> None:
        """Remove it."""
        self._record = self._session.remove_timepoint(self.uid)


class AddStudyCommand(IntentCommand):
    """Add a study as a time point (relabelling respond's labels by date).

    The reader's confirmations (a PatientID mismatch, a new baseline) are given
    once, before the command is pushed; undo removes the time point and puts the
    earlier labels back, redo puts the same time point back.
    """

    def __init__(
        self, session: ReadSession, facts: StudyFacts, **options: object
    ) -> None:
        super().__init__(f"Add study {facts.date or facts.study_uid}")
        self._session, self._facts, self._options = session, facts, options
        self.uid = ""
        self._record: TimePointRecord | None = None
        self._labels_before: dict[str, str] = {}
        self._labels_after: dict[str, str] = {}

    def _do(self) -> None:
        """Add it (or put back the same time point and labels, checked again)."""
        if self._record is not None:
            self._session.put_back_added(self._record, self._labels_after)
            return
        before = {tp.uid: tp.label for tp in self._session.read.timepoints}
        self.uid = self._session.add_study(self._facts, **self._options)  # type: ignore[arg-type]
        after = {tp.uid: tp.label for tp in self._session.read.timepoints}
        self._labels_before = {
            uid: label for uid, label in before.items() if after.get(uid) != label
        }
        self._labels_after = {uid: after[uid] for uid in self._labels_before}
        self.setText(f"Add time point {after[self.uid]}")

    def _undo(self) -> None:
        """Remove it and give the others their labels back."""
        self._record = self._session.take_back_added(self.uid, self._labels_before)


class UpdateTimepointCommand(IntentCommand):
    """Change a time point's header (label, date, arterial phase...)."""

    def __init__(
        self, session: ReadSession, uid: str, text: str, **changes: object
    ) -> None:
        super().__init__(text)
        self._session, self._uid, self._changes = session, uid, changes
        self._before: dict[str, object] = {}

    def _do(self) -> None:
        """Apply the change."""
        record = self._session.update_timepoint(self._uid, **self._changes)
        self._before = {
            name: getattr(record.timepoint, name, getattr(record, name, None))
            for name in self._changes
        }

    def _undo(self) -> None:
        """Put the header back."""
        self._session.update_timepoint(self._uid, **self._before)


class RemoveTimepointCommand(IntentCommand):
    """Remove a time point with everything measured on it."""

    def __init__(self, session: ReadSession, uid: str) -> None:
        super().__init__(f"Remove time point {session.timepoint(uid).label}")
        self._session, self._uid = session, uid
        self._record: TimePointRecord | None = None

    def _do(self) -> None:
        """Remove it."""
        self._record = self._session.remove_timepoint(self._uid)

    def _undo(self) -> None:
        """Put it back."""
        if self._record is not None:
            self._session.restore_timepoint(self._record)


class PutNewLesionCommand(IntentCommand):
    """Add or edit a new finding at a time point."""

    def __init__(self, session: ReadSession, uid: str, finding: NewLesion) -> None:
        super().__init__(f"New lesion {finding.id}")
        self._session, self._uid, self._finding = session, uid, finding
        self._before: NewLesion | None = None
        self._tracking: str | None = None

    def _do(self) -> None:
        """Record the finding (with the same tracking UID on every redo)."""
        self._before = self._session.put_new_lesion(
            self._uid, self._finding, self._tracking
        )
        record = self._session.timepoint(self._uid)
        self._tracking = record.new_lesion_uids.get(self._finding.id)

    def _undo(self) -> None:
        """Restore the previous version, or remove a finding that was new."""
        if self._before is None:
            self._session.remove_new_lesion(self._uid, self._finding.id)
        else:
            self._session.put_new_lesion(self._uid, self._before)


class RemoveNewLesionCommand(IntentCommand):
    """Remove a new finding from a time point."""

    def __init__(self, session: ReadSession, uid: str, finding_id: str) -> None:
        super().__init__(f"Remove new lesion {finding_id}")
        self._session, self._uid, self._finding_id = session, uid, finding_id
        self._removed: NewLesion | None = None
        self._tracking: str | None = None

    def _do(self) -> None:
        """Remove it."""
        record = self._session.timepoint(self._uid)
        self._tracking = record.new_lesion_uids.get(self._finding_id)
        self._removed = self._session.remove_new_lesion(self._uid, self._finding_id)

    def _undo(self) -> None:
        """Put it back with its tracking UID."""
        if self._removed is not None:
            self._session.put_new_lesion(self._uid, self._removed, self._tracking)


class SetClinicalCommand(IntentCommand):
    """Replace the clinical status at a time point."""

    def __init__(self, session: ReadSession, uid: str, clinical: Clinical) -> None:
        super().__init__("Edit clinical status")
        self._session, self._uid, self._after = session, uid, clinical
        self._before: Clinical | None = None

    def _do(self) -> None:
        """Apply it."""
        self._before = self._session.set_clinical(self._uid, self._after)

    def _undo(self) -> None:
        """Restore the previous status."""
        if self._before is not None:
            self._session.set_clinical(self._uid, self._before)
