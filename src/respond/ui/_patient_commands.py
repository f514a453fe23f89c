"""Undoable edits of the patient list (the open patient's edits are in commands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.ui.commands import IntentCommand

if TYPE_CHECKING:
    from respond.session import ReadingStore
    from respond.ui.main_window import MainWindow

__all__ = ["RemovePatientCommand"]


class RemovePatientCommand(IntentCommand):
    """Remove a whole patient; undo restores it from the audit trail.

    The store keeps the removed read in the audit entry of the removal, so undo
    (while the app runs) and a later restore (``respond restore``) give back the
    same read.
    """

    def __init__(
        self, store: ReadingStore, patient_id: str, window: MainWindow
    ) -> None:
        super().__init__(f"Remove patient {patient_id}")
        self._store, self._pid, self._window = store, patient_id, window
        self._removal: int | None = None

    def _do(self) -> None:
        """Remove it."""
        self._store.delete_patient(self._pid, who=self._window.reader)
        removals = self._store.deleted(self._pid)
        self._removal = next(
            (e.id for e in removals if e.entity == "patient" and e.key == self._pid),
            None,
        )
        self._window.refresh_patient_list()

    def _undo(self) -> None:
        """Put it back, as it was."""
        if self._removal is not None:
            self._store.restore_deleted(self._removal, who=self._window.reader)
        self._window.refresh_patient_list()
