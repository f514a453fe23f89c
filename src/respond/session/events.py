"""Past-tense events the session emits; views subscribe and never poll."""

from __future__ import annotations

from psygnal import Signal, SignalGroup

__all__ = ["SessionEvents"]


class SessionEvents(SignalGroup):
    """What changed in the read (ids and time point uids as arguments)."""

    lesion_added = Signal(str)
    lesion_changed = Signal(str)
    lesion_removed = Signal(str)
    timepoint_added = Signal(str)
    timepoint_changed = Signal(str)
    timepoint_removed = Signal(str)
    measurement_changed = Signal(str, str)
    non_target_changed = Signal(str, str)
    new_lesion_changed = Signal(str, str)
    clinical_changed = Signal(str)
    decision_recorded = Signal(str)
    timepoint_signed = Signal(str)
    timepoint_unlocked = Signal(str)
    settings_changed = Signal()
    assessment_changed = Signal()
    reloaded = Signal()
    """The read was loaded again: another reader changed it."""
