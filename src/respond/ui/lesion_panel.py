"""The lesion panel: lesions with their values, and the edits a reader makes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from respond.criteria import (
    LesionId,
    LesionKind,
    NonTargetObservation,
    NonTargetStatus,
    Role,
    TargetStatus,
)
from respond.session import next_lesion_id
from respond.ui._organs import ORGANS, kind_for_organ
from respond.ui.commands import (
    AddLesionCommand,
    PutNewLesionCommand,
    RemoveLesionCommand,
    SetNonTargetCommand,
    SetTargetStatusCommand,
    push,
)
from respond.ui.models import LesionTableModel
from respond.ui.new_lesion_dialog import NewLesionDialog

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack

    from respond.session import ReadSession

__all__ = ["ORGANS", "LesionPanel"]


class LesionPanel(QWidget):
    """Shows the LesionTableModel with add/remove and status shortcuts."""

    lesion_selected = Signal(str)

    def __init__(
        self, session: ReadSession, stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._session, self._stack = session, stack
        self.model = LesionTableModel(session)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #e65100")
        buttons = QHBoxLayout()
        for text, slot in (
            ("+ Target", self.add_target),
            ("+ Non-target", self.add_non_target),
            ("New lesions…", self.edit_new_lesions),
            ("Remove", self.remove_selected),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        status = QHBoxLayout()
        for text, target_status in (
            ("Too small (5 mm)", TargetStatus.TOO_SMALL),
            ("Absent (0 mm)", TargetStatus.ABSENT),
            ("Not evaluated", TargetStatus.NOT_EVALUATED),
        ):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, s=target_status: self.mark(s))
            status.addWidget(button)
        self.non_target_status = QComboBox()
        self.non_target_status.addItems(
            [s.value.replace("_", " ") for s in NonTargetStatus]
        )
        self.non_target_status.activated.connect(self._on_non_target_status)
        status.addWidget(QLabel("non-target:"))
        status.addWidget(self.non_target_status)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addLayout(status)
        self.new_lesions = QLabel()
        self.new_lesions.setWordWrap(True)
        layout.addWidget(self.new_lesions)
        layout.addWidget(self.warnings)
        layout.addWidget(self.message)
        self._selected = ""
        session.events.assessment_changed.connect(self._on_session_assessment_changed)
        self._on_session_assessment_changed()

    # -- selection -----------------------------------------------------------
    @property
    def selected_lesion(self) -> str:
        """The lesion id selected in the table ('' for none)."""
        return self._selected

    def select(self, lesion_id: str) -> None:
        """Select a lesion's row."""
        for row in range(self.model.rowCount()):
            lesion = self.model.lesion_at(row)
            if lesion is not None and lesion.id == lesion_id:
                self.table.selectRow(row)
                return

    def _on_table_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        lesion = self.model.lesion_at(rows[0].row()) if rows else None
        self._selected = "" if lesion is None else lesion.id
        if lesion is not None:
            self.lesion_selected.emit(lesion.id)

    def _restore_selection(self) -> None:
        """Select the same lesion again after a model reset, without echo.

        Not a new choice, so `lesion_selected` stays silent (the views keep
        their slice); a lesion that is gone is no longer selected.
        """
        if not self._selected:
            return
        if self._session.read.lesion(LesionId(self._selected)) is None:
            self._selected = ""
            return
        blocker = QSignalBlocker(self.table.selectionModel())
        try:
            self.select(self._selected)
        finally:
            blocker.unblock()
        self.table.viewport().update()

    def set_timepoint(self, uid: str) -> None:
        """Show a time point as 'current': its values and its new lesions."""
        self.model.set_current(uid)
        self._show_new_lesions()

    def _on_session_assessment_changed(self) -> None:
        self._show_new_lesions()
        assessment = self._session.assessment
        if assessment is None:
            self.warnings.setText(self._session.assessment_problem or "")
        else:
            self.warnings.setText("\n".join(f"⚠ {w.text}" for w in assessment.warnings))

    def _show_new_lesions(self) -> None:
        uid = self.model.current_uid
        record = self._session.read.timepoint(uid) if uid else None
        findings = [] if record is None else list(record.timepoint.new_lesions)
        self.new_lesions.setText(
            "New lesions here: "
            + (
                ", ".join(
                    f"{n.id} {n.organ} {n.long_axis_mm or n.short_axis_mm or '?'} mm"
                    + (" (equivocal)" if n.equivocal else "")
                    + (" typical HCC" if n.typical_hcc else "")
                    for n in findings
                )
                or "none"
            )
        )

    # -- edits ---------------------------------------------------------------
    def _ask_organ(self, title: str) -> str | None:
        organ, ok = QInputDialog.getItem(self, title, "Organ:", list(ORGANS), 0, True)
        return organ if ok and organ else None

    def add_target(self, organ: str | None = None) -> str:
        """Add a target lesion (asks for the organ when not given)."""
        return self._add(Role.TARGET, organ)

    def add_non_target(self, organ: str | None = None) -> str:
        """Add a non-target lesion (asks for the organ when not given)."""
        return self._add(Role.NON_TARGET, organ)

    def _add(self, role: Role, organ: str | None) -> str:
        organ = organ or self._ask_organ("Add lesion")
        if not organ:
            return ""
        kind = kind_for_organ(organ)
        command = AddLesionCommand(
            self._session, role, organ, is_node=kind is LesionKind.NODE, kind=kind
        )
        if push(self._stack, command):
            self.select(command.lesion_id)
            return command.lesion_id
        return ""

    def remove_selected(self) -> None:
        """Remove the selected lesion (undoable)."""
        if self._selected:
            push(self._stack, RemoveLesionCommand(self._session, self._selected))

    def mark(self, status: TargetStatus) -> None:
        """Record the selected target as too small, absent or not evaluated."""
        uid = self.model.current_uid
        if not (self._selected and uid):
            self.message.setText("Select a target lesion and a time point first.")
            return
        push(
            self._stack,
            SetTargetStatusCommand(self._session, uid, self._selected, status),
        )

    def _on_non_target_status(self, index: int) -> None:
        status = list(NonTargetStatus)[index]
        note = ""
        if status is NonTargetStatus.UNEQUIVOCAL_PROGRESSION:
            note, ok = QInputDialog.getText(
                self,
                "Unequivocal progression",
                "Justification (kept in the audit trail; RECIST 1.1 asks for an "
                "unequivocal increase in overall tumour burden):",
            )
            if not ok or not note.strip():
                self.message.setText(
                    "Non-target progression needs a written justification."
                )
                return
        self.set_non_target(status, note.strip())

    def set_non_target(self, status: NonTargetStatus, note: str = "") -> None:
        """Set the selected non-target's status at the current time point."""
        uid = self.model.current_uid
        if not (self._selected and uid):
            self.message.setText("Select a non-target lesion and a time point first.")
            return
        observation = NonTargetObservation(status, note=note)
        push(
            self._stack,
            SetNonTargetCommand(self._session, uid, self._selected, observation),
        )

    def edit_new_lesions(self) -> None:
        """Edit (or add) a new finding at the current time point with the dialog."""
        uid = self.model.current_uid
        if not uid:
            return
        record = self._session.timepoint(uid)
        names = [n.id for n in record.timepoint.new_lesions]
        taken = [
            n.id
            for tp in self._session.read.timepoints
            for n in tp.timepoint.new_lesions
        ]
        choice = next_lesion_id("X", taken)
        if names:
            options = [*names, f"{choice} (new)"]
            picked, ok = QInputDialog.getItem(
                self, "New lesions", "Finding:", options, 0, False
            )
            if not ok:
                return
            choice = picked.split(" ")[0]
        dialog = NewLesionDialog(choice, ORGANS, record.new_lesion(choice), self)
        if dialog.exec():
            push(self._stack, PutNewLesionCommand(self._session, uid, dialog.finding()))
