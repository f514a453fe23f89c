"""The lesion panel: lesions with their values, and the edits a reader makes."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QToolButton,
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
from respond.ui._organs import (
    COUINAUD_SEGMENTS,
    ORGANS,
    format_segments,
    kind_for_organ,
    parse_segments,
)
from respond.ui.commands import (
    AddLesionCommand,
    IntentCommand,
    PutNewLesionCommand,
    RemoveLesionCommand,
    SetNonTargetCommand,
    SetTargetStatusCommand,
    UpdateLesionCommand,
    push,
)
from respond.ui.models import LesionTableModel
from respond.ui.models.lesion_table import COLUMNS
from respond.ui.new_lesion_dialog import NewLesionDialog

if TYPE_CHECKING:
    from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QStyleOptionViewItem

    from respond.session import ReadSession

    _Index = QModelIndex | QPersistentModelIndex

__all__ = ["ORGANS", "CouinaudPicker", "LesionPanel"]


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
        self.table.setItemDelegateForColumn(
            COLUMNS.index("site"), _SiteDelegate(self, self.table)
        )
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection)
        # A click on the selected lesion again jumps the panes to it again.
        self.table.clicked.connect(lambda _index: self._on_table_selection())
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
        self.short_axis_button = QPushButton("Short axis…")
        self.short_axis_button.setToolTip(
            "The short axis of a nodal non-target in mm (a porta hepatis node of "
            "20 mm or more is followed by it under mRECIST)"
        )
        self.short_axis_button.clicked.connect(self._on_short_axis)
        non_target = QHBoxLayout()
        non_target.addWidget(QLabel("Non-target status:"))
        non_target.addWidget(self.non_target_status, 1)
        non_target.addWidget(self.short_axis_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addLayout(status)
        layout.addLayout(non_target)
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
    def set_site(self, lesion_id: str, site: str) -> bool:
        """Change a lesion's site (undoable); return whether it changed.

        A refused edit (a signed time point records the lesion) keeps the old
        site and says why in `message`.
        """
        lesion = self._session.read.lesion(LesionId(lesion_id))
        site = site.strip()
        if lesion is None or site == lesion.site:
            return False
        command = UpdateLesionCommand(self._session, lesion_id, site=site)
        command.setText(f"Set the site of {lesion_id} to {site or 'none'}")
        errors: list[Exception] = []
        previous = IntentCommand.error_sink

        def collect(exc: Exception) -> None:
            errors.append(exc)
            if previous is not None:
                previous(exc)

        # The window's sink shows the error too; the panel also says which edit.
        IntentCommand.error_sink = collect
        try:
            is_done = push(self._stack, command)
        finally:
            IntentCommand.error_sink = previous
        if not is_done:
            why = f": {errors[-1]}" if errors else ""
            self.message.setText(f"The site of {lesion_id} was not changed{why}")
        return is_done

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
        """Set the selected non-target's status at the current time point.

        The cytology and short axis already recorded are kept, and so is the
        earlier note when no new one is given.
        """
        uid = self.model.current_uid
        if not (self._selected and uid):
            self.message.setText("Select a non-target lesion and a time point first.")
            return
        before = self._session.timepoint(uid).non_target(LesionId(self._selected))
        if before is None:
            observation = NonTargetObservation(status, note=note)
        else:
            observation = dataclasses.replace(
                before, status=status, note=note or before.note
            )
        self._push_non_target(uid, observation)

    def _on_short_axis(self) -> None:
        uid = self.model.current_uid
        lesion = self._session.read.lesion(LesionId(self._selected))
        if not (lesion and uid) or lesion.role is not Role.NON_TARGET:
            self.message.setText("Select a non-target lesion and a time point first.")
            return
        before = self._session.timepoint(uid).non_target(lesion.id)
        current = before.short_axis_mm if before is not None else None
        value, ok = QInputDialog.getDouble(
            self,
            "Non-target short axis",
            f"Short axis of {lesion.id} in mm (0 clears it):",
            float(current or 0),
            0.0,
            1000.0,
            1,
        )
        if ok:
            self.set_non_target_short_axis(
                None if value == 0 else Decimal(f"{value:.1f}")
            )

    def set_non_target_short_axis(self, value: Decimal | None) -> None:
        """Record the selected nodal non-target's short axis at this time point."""
        uid = self.model.current_uid
        if not (self._selected and uid):
            self.message.setText("Select a non-target lesion and a time point first.")
            return
        before = self._session.timepoint(uid).non_target(LesionId(self._selected))
        if before is None:
            observation = NonTargetObservation(
                NonTargetStatus.PRESENT, short_axis_mm=value
            )
        else:
            observation = dataclasses.replace(before, short_axis_mm=value)
        self._push_non_target(uid, observation)

    def _push_non_target(self, uid: str, observation: NonTargetObservation) -> None:
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


class CouinaudPicker(QWidget):
    """Toggle buttons for the Couinaud segments of a liver lesion's site.

    A lesion spanning segments gets several (``VII/VIII``). A site the picker
    shows unchanged keeps its own text (``segment VIII`` is not rewritten).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QToolButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(1)
        for name in COUINAUD_SEGMENTS:
            button = QToolButton()
            button.setText(name)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(f"Couinaud segment {name}")
            layout.addWidget(button)
            self.buttons[name] = button
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("Couinaud segments: Enter keeps them, Escape cancels")
        self._site = ""
        self._shown: tuple[str, ...] = ()

    def show_site(self, site: str) -> None:
        """Check the segments ``site`` names."""
        self._site = site
        self._shown, _ = parse_segments(site)
        for name, button in self.buttons.items():
            button.setChecked(name in self._shown)

    def segments(self) -> tuple[str, ...]:
        """Return the segments checked, in Couinaud order."""
        return tuple(n for n, b in self.buttons.items() if b.isChecked())

    def site(self) -> str:
        """Return the site to store: the segments, or the text shown if unchanged."""
        chosen = self.segments()
        return self._site if chosen == self._shown else format_segments(chosen)


class _SiteDelegate(QStyledItemDelegate):
    """Edits the site column: segments for a liver lesion, free text otherwise.

    The model holds no state: the edit goes to the panel as an undo command.
    """

    def __init__(self, panel: LesionPanel, parent: QWidget) -> None:
        super().__init__(parent)
        self._panel = panel

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        """Qt override: a segment picker for the liver, a line edit otherwise."""
        lesion = self._panel.model.lesion_at(index.row())
        if lesion is not None and lesion.is_liver:
            return CouinaudPicker(parent)
        editor = QLineEdit(parent)
        editor.setPlaceholderText("site, e.g. porta hepatis")
        return editor

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        """Qt override: show the stored site."""
        site = str(index.data(Qt.ItemDataRole.EditRole) or "")
        if isinstance(editor, CouinaudPicker):
            editor.show_site(site)
        elif isinstance(editor, QLineEdit):
            editor.setText(site)

    def setModelData(
        self, editor: QWidget, model: QAbstractItemModel, index: _Index
    ) -> None:
        """Qt override: push the edit as a command (the model stays untouched).

        Once the view has closed the editor: the edit resets the model, which
        must not happen while the view is still committing.
        """
        lesion = self._panel.model.lesion_at(index.row())
        if isinstance(editor, CouinaudPicker):
            site = editor.site()
        elif isinstance(editor, QLineEdit):
            site = editor.text()
        else:
            return
        if lesion is not None:
            QTimer.singleShot(0, partial(self._panel.set_site, lesion.id, site))

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> None:
        """Qt override: the picker may be wider than the cell; keep it in view."""
        rect = QRect(option.rect)
        if isinstance(editor, CouinaudPicker):
            hint = editor.sizeHint()
            rect.setSize(rect.size().expandedTo(hint))
            room = editor.parentWidget()
            if room is not None and rect.right() > room.width():
                rect.moveLeft(max(0, room.width() - rect.width()))
        editor.setGeometry(rect)
