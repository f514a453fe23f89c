"""Following another reader: reload the read, tell the views what differs."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, TypeVar, cast

from respond.criteria import LesionId
from respond.errors import StaleEditError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from respond.criteria import PatientRead, TimePointRecord
    from respond.session.events import SessionEvents

__all__ = ["TrackedStore", "emit_differences", "reloads_when_stale"]

_WRITES = ("put_", "delete_", "sign", "unlock", "record_", "restore_", "create_")

F = TypeVar("F", bound="Callable[..., Any]")


def reloads_when_stale(method: F) -> F:
    """Reload the read when the store refuses an edit as stale, then re-raise.

    The reader sees the other reader's values at once, with the refusal's
    message naming who changed what and when.
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except StaleEditError:
            self.reload()
            raise

    return cast("F", wrapper)


class TrackedStore:
    """The session's store: after every write it reports the revisions moved.

    Every other attribute is the store's own.
    """

    def __init__(self, store: object, note: Callable[[tuple[int, int]], None]) -> None:
        self._store = store
        self._note = note

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._store, name)
        if not (callable(attribute) and name.startswith(_WRITES)):
            return attribute

        @functools.wraps(attribute)
        def write(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            self._note(getattr(self._store, "last_revisions", (0, 0)))
            return result

        return write


def emit_differences(events: SessionEvents, old: PatientRead, new: PatientRead) -> None:
    """Emit the session events that take the views from ``old`` to ``new``."""
    old_lesions = {lesion.id: lesion for lesion in old.lesions}
    new_lesions = {lesion.id: lesion for lesion in new.lesions}
    for lesion_id in old_lesions.keys() - new_lesions.keys():
        events.lesion_removed.emit(lesion_id)
    for lesion_id, lesion in new_lesions.items():
        if lesion_id not in old_lesions:
            events.lesion_added.emit(lesion_id)
        elif old_lesions[lesion_id] != lesion:
            events.lesion_changed.emit(lesion_id)
    old_points = {record.uid: record for record in old.timepoints}
    new_points = {record.uid: record for record in new.timepoints}
    for uid in old_points.keys() - new_points.keys():
        events.timepoint_removed.emit(uid)
    for uid, record in new_points.items():
        before = old_points.get(uid)
        if before is None:
            events.timepoint_added.emit(uid)
        elif before != record:
            _timepoint_differences(events, before, record, new_lesions)
    if old.settings != new.settings:
        events.settings_changed.emit()


def _timepoint_differences(
    events: SessionEvents,
    old: TimePointRecord,
    new: TimePointRecord,
    lesions: Mapping[LesionId, object],
) -> None:
    uid = new.uid
    if old.timepoint.label != new.timepoint.label or old.date != new.date:
        events.timepoint_changed.emit(uid)
    for lesion_id in lesions:
        key = LesionId(lesion_id)
        if old.target(key) != new.target(key) or old.calipers.get(
            key, ()
        ) != new.calipers.get(key, ()):
            events.measurement_changed.emit(uid, key)
        if old.non_target(key) != new.non_target(key):
            events.non_target_changed.emit(uid, key)
    findings = {n.id for n in old.timepoint.new_lesions} | {
        n.id for n in new.timepoint.new_lesions
    }
    for finding in sorted(findings):
        if old.new_lesion(finding) != new.new_lesion(finding):
            events.new_lesion_changed.emit(uid, finding)
    if old.clinical != new.clinical:
        events.clinical_changed.emit(uid)
    if old.decision != new.decision:
        events.decision_recorded.emit(uid)
    if old.is_signed and not new.is_signed:
        events.timepoint_unlocked.emit(uid)
    elif new.is_signed and not old.is_signed:
        events.timepoint_signed.emit(uid)
    if old.timepoint != new.timepoint or old.study_uid != new.study_uid:
        events.timepoint_changed.emit(uid)
