"""The patient list: the start screen's table of stored patients, with a filter."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from respond.ui.models import PatientTableModel

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtGui import QShowEvent

    from respond.session.patients import PatientRow

__all__ = ["PatientListPanel"]

EMPTY_TEXT: Final = (
    "No patient yet. 'New patient from study…' reads a CT or MR study from a "
    "folder or DICOMDIR; 'Open the demo' shows a synthetic read."
)
_ENTER_KEYS: Final = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _filter_pattern(text: str) -> QRegularExpression:
    """Every word typed must occur somewhere in ID, name or birth date."""
    words = text.casefold().split()
    pattern = "".join(f"(?=.*{re.escape(w)})" for w in words)
    return QRegularExpression(
        f"^{pattern}", QRegularExpression.PatternOption.CaseInsensitiveOption
    )


class PatientListPanel(QWidget):
    """Shows a PatientTableModel, filtered as the reader types, and what to do next."""

    open_requested = Signal(str)
    new_patient_requested = Signal()
    remove_requested = Signal(str)
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PatientTableModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(PatientTableModel.SORT_ROLE)
        self.proxy.setFilterRole(PatientTableModel.SEARCH_ROLE)
        self.proxy.setFilterKeyColumn(0)

        self.title = QLabel("<b>Patients</b>")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Type to filter: ID, name, birth date")
        self.filter.setClearButtonEnabled(True)
        self.count = QLabel()
        self.table = self._make_table()
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.open_button = QPushButton("Open")
        self.new_button = QPushButton("New patient from study…")
        self.remove_button = QPushButton("Remove patient…")
        self.demo_button = QPushButton("Open the demo")
        self._layout()

        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.filter.installEventFilter(self)
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_state)
        self.proxy.rowsInserted.connect(self._update_state)
        self.proxy.rowsRemoved.connect(self._update_state)
        self.proxy.modelReset.connect(self._update_state)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.new_button.clicked.connect(self.new_patient_requested)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.demo_button.clicked.connect(self.demo_requested)
        self._update_state()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return table

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.count)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.new_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.demo_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filter)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

    # Public API ----------------------------------------------------------------

    def set_rows(self, rows: Sequence[PatientRow]) -> None:
        """Show these patients, keeping the selected one selected if still listed."""
        selected = self.selected_patient()
        self.model.set_rows(rows)
        if selected is not None:
            self.select(selected)
        self._update_state()

    def selected_patient(self) -> str | None:
        """Return the ID of the selected (visible) patient, if any."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return str(rows[0].data(PatientTableModel.ID_ROLE))

    def select(self, patient_id: str) -> bool:
        """Select a patient (clearing the filter if it hides them).

        Returns
        -------
        bool
            Whether the patient is listed.
        """
        row = self.model.row_of(patient_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.filter.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self._select_index(index)
        return True

    def visible_patients(self) -> list[str]:
        """Return the IDs of the patients the filter lets through, in view order."""
        return [
            str(self.proxy.index(r, 0).data(PatientTableModel.ID_ROLE))
            for r in range(self.proxy.rowCount())
        ]

    # Qt overrides --------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Give the filter the focus, so the reader can type at once."""
        super().showEvent(event)
        self.filter.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter opens; Down moves from the filter into the table."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if watched is self.filter and key in _ENTER_KEYS:
            self._open_from_filter()
            return True
        if watched is self.filter and key == Qt.Key.Key_Down:
            self._enter_table()
            return True
        if watched is self.table and key in _ENTER_KEYS:
            self._on_open_clicked()
            return True
        return super().eventFilter(watched, event)

    # Handlers ------------------------------------------------------------------

    def _select_index(self, index: QModelIndex) -> None:
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)

    def _first_visible(self) -> QModelIndex:
        return self.proxy.index(0, 0)

    def _open_from_filter(self) -> None:
        patient = self.selected_patient()
        if patient is None and self.proxy.rowCount():
            patient = str(self._first_visible().data(PatientTableModel.ID_ROLE))
        if patient is not None:
            self.open_requested.emit(patient)

    def _enter_table(self) -> None:
        if not self.proxy.rowCount():
            return
        if self.selected_patient() is None:
            self._select_index(self._first_visible())
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_filter_text_changed(self, text: str) -> None:
        self.proxy.setFilterRegularExpression(_filter_pattern(text))
        # While filtering, the highlighted row is the one Enter opens.
        if text.strip() and self.selected_patient() is None and self.proxy.rowCount():
            self._select_index(self._first_visible())
        self._update_state()

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(str(index.data(PatientTableModel.ID_ROLE)))

    def _on_open_clicked(self) -> None:
        patient = self.selected_patient()
        if patient is not None:
            self.open_requested.emit(patient)

    def _on_remove_clicked(self) -> None:
        patient = self.selected_patient()
        if patient is not None:
            self.remove_requested.emit(patient)

    def _update_state(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        is_empty = total == 0
        self.stack.setCurrentWidget(self.empty if is_empty else self.table)
        self.filter.setEnabled(not is_empty)
        if is_empty:
            self.count.setText("")
        elif shown == total:
            self.count.setText(f"{total} patient{'s' if total != 1 else ''}")
        else:
            self.count.setText(f"{shown} of {total} patients")
        has_selection = self.selected_patient() is not None
        self.open_button.setEnabled(has_selection)
        self.remove_button.setEnabled(has_selection)
