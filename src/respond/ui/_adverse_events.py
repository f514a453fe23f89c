"""The adverse-event editor of the clinical panel: a table, add and remove.

Terms come from the CTCAE v5 vocabulary only (:mod:`respond.ui._ae_terms`):
text that is no term is never recorded; the panel says so under the table and
links the closest terms. A stored term the vocabulary does not know is shown as
it is, marked, and kept until the reader chooses a term.
"""

from __future__ import annotations

import dataclasses
import html
from functools import partial
from typing import TYPE_CHECKING, Final, cast

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from respond.criteria import AdverseEvent
from respond.criteria.vocabulary import lookup
from respond.ui._ae_terms import (
    TermCombo,
    TermDelegate,
    TermModel,
    term_name,
    unknown_term_html,
)
from respond.ui._clinical_common import (
    NOT_ENTERED,
    hint_label,
    replace_clinical,
    signals_blocked,
    spin_box,
    widget_row,
)

if TYPE_CHECKING:
    from respond.criteria import Clinical

__all__ = ["AdverseEventPanel"]

_MESSAGE_STYLE: Final = "color: #e0463c;"
_SPIN_FIELDS: Final = {1: "grade", 2: "occurrence", 3: "days_without_improvement"}


class AdverseEventPanel(QGroupBox):
    """The CTCAE-graded adverse events of a time point: a table, add and remove."""

    edited = Signal(str, object)
    COLUMNS: Final = ("Term", "Grade", "Occurrence", "Days without\nimprovement", "")
    ROW_HEIGHT: Final = 34

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Adverse events (CTCAE v5)", parent)
        self._terms = TermModel(self)
        self._delegate = TermDelegate(self)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.ROW_HEIGHT)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.empty_label = hint_label()
        self.empty_label.setText("No adverse events recorded at this time point.")
        self.new_term = self._term_combo()
        self.new_grade = spin_box(1, 5, empty=False)
        self.new_grade.setPrefix("grade ")
        self.add_button = QPushButton("Add")
        self.message = QLabel()
        """Why a typed term was not recorded, with the closest terms as links."""
        self.message.setWordWrap(True)
        self.message.setStyleSheet(_MESSAGE_STYLE)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self._message_for: TermCombo | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.empty_label)
        adder = widget_row(
            QLabel("New:"), self.new_term, self.new_grade, self.add_button
        )
        layout.addWidget(adder)
        layout.addWidget(self.message)
        self._say("")
        self._shown: tuple[AdverseEvent, ...] = ()
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.message.linkActivated.connect(self._on_message_link_activated)

    def _term_combo(self) -> TermCombo:
        return TermCombo(self._terms, self._delegate)

    def show_events(
        self, events: tuple[AdverseEvent, ...], *, reset: bool = False
    ) -> None:
        """Show the events, updating rows in place (editors are never rebuilt).

        A row's term being retyped is kept while its stored term is unchanged;
        ``reset`` (another time point) clears it, the adder row and the message.
        """
        self._shown = events
        while self.table.rowCount() > len(events):
            self.table.removeRow(self.table.rowCount() - 1)
        while self.table.rowCount() < len(events):
            self._append_row()
        for row, event in enumerate(events):
            self._set_row(row, event, reset=reset)
        about = self._message_for
        if reset:
            self.new_term.show_term(None)
            self._say("")
        elif about not in (None, self.new_term) and self._row_of(about) < 0:
            self._say("")  # its row is gone
        self.empty_label.setVisible(not events)
        header = self.table.horizontalHeader().sizeHint().height()
        rows = max(len(events), 1) * self.ROW_HEIGHT
        self.table.setFixedHeight(header + rows + 2 * self.table.frameWidth())

    def term_combo(self, row: int) -> TermCombo:
        """Return the term editor of a row."""
        return cast("TermCombo", self.table.cellWidget(row, 0))

    def _spins(self, row: int) -> tuple[QSpinBox, QSpinBox, QSpinBox]:
        cell = self.table.cellWidget
        return (
            cast("QSpinBox", cell(row, 1)),
            cast("QSpinBox", cell(row, 2)),
            cast("QSpinBox", cell(row, 3)),
        )

    def _append_row(self) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        term = self._term_combo()
        grade = spin_box(1, 5, empty=False)
        occurrence = spin_box(1, 20, empty=False)
        occurrence.setToolTip("1 the first time this term reached this grade, 2 ...")
        days = spin_box(NOT_ENTERED, 365)
        days.setSuffix(" d")
        remove = QToolButton()
        remove.setText("\N{MULTIPLICATION SIGN}")
        remove.setToolTip("Remove this adverse event")
        for column, widget in enumerate((term, grade, occurrence, days, remove)):
            self.table.setCellWidget(row, column, widget)
        term.activated.connect(partial(self._on_row_term_edited, term))
        line = term.lineEdit()
        if line is not None:
            line.editingFinished.connect(partial(self._on_row_term_edited, term))
        for spin in (grade, occurrence, days):
            spin.valueChanged.connect(partial(self._on_row_value_changed, spin))
        remove.clicked.connect(partial(self._on_remove_clicked, remove))

    def _set_row(self, row: int, event: AdverseEvent, *, reset: bool) -> None:
        term = self.term_combo(row)
        grade, occurrence, days = self._spins(row)
        if reset or term.shown_term != event.term:
            term.show_term(event.term)
            if term is self._message_for:
                self._say("")
        with signals_blocked(grade, occurrence, days):
            grade.setValue(event.grade)
            occurrence.setValue(event.occurrence)
            stalled = event.days_without_improvement
            days.setValue(NOT_ENTERED if stalled is None else stalled)

    def _row_of(self, widget: QWidget) -> int:
        for row in range(self.table.rowCount()):
            columns = range(self.table.columnCount())
            if any(self.table.cellWidget(row, c) is widget for c in columns):
                return row
        return -1

    def _say(self, rich_text: str, about: TermCombo | None = None) -> None:
        self.message.setText(rich_text)
        self.message.setVisible(bool(rich_text))
        self._message_for = about if rich_text else None

    def _refuse(self, combo: TermCombo) -> None:
        """Say the combo's text is no term; record nothing, keep what was typed."""
        combo.set_unknown(True)
        self._say(unknown_term_html(combo.text()), combo)

    # -- edits ---------------------------------------------------------------------
    def _emit_events(self, text: str, events: tuple[AdverseEvent, ...]) -> None:
        if events != self._shown:
            self.edited.emit(text, partial(replace_clinical, adverse_events=events))

    def _replace_row(self, row: int, **changes: object) -> tuple[AdverseEvent, ...]:
        events = list(self._shown)
        events[row] = dataclasses.replace(events[row], **changes)  # type: ignore[arg-type]
        return tuple(events)

    def _on_row_term_edited(self, combo: TermCombo, *_args: object) -> None:
        """Record a row's term once it is a known one; else say why not."""
        row = self._row_of(combo)
        if row < 0 or row >= len(self._shown):
            return
        stored = self._shown[row].term
        text = combo.text()
        if text == stored or not text:
            # unchanged (also an unknown stored term, never changed silently),
            # or emptied: show the stored term again
            combo.show_term(stored)
            if self._message_for is combo:
                self._say("")
            return
        key = combo.key()
        if key is None:
            self._refuse(combo)
            return
        problem = _grade_problem(key, self._shown[row].grade)
        if problem:
            self._say(problem, combo)
            return
        if self._message_for is combo:
            self._say("")
        combo.set_unknown(False)
        if key != stored:
            self._emit_events(
                f"Change {term_name(stored)} to {term_name(key)}",
                self._replace_row(row, term=key),
            )

    def _on_row_value_changed(self, spin: QSpinBox, value: int) -> None:
        row = self._row_of(spin)
        if row < 0 or row >= len(self._shown):
            return
        column = next(c for c in _SPIN_FIELDS if self.table.cellWidget(row, c) is spin)
        field = _SPIN_FIELDS[column]
        stored: int | None = value
        if field == "days_without_improvement" and value == NOT_ENTERED:
            stored = None
        event = self._shown[row]
        problem = _grade_problem(event.term, value) if field == "grade" else ""
        if problem:
            with QSignalBlocker(spin):
                spin.setValue(event.grade)
            self._say(problem)
            return
        self._emit_events(
            f"Edit {term_name(event.term)} grade {event.grade}",
            self._replace_row(row, **{field: stored}),
        )

    def _on_remove_clicked(self, button: QToolButton) -> None:
        row = self._row_of(button)
        if row < 0 or row >= len(self._shown):
            return
        gone = self._shown[row]
        self._emit_events(
            f"Remove {term_name(gone.term)} grade {gone.grade}",
            self._shown[:row] + self._shown[row + 1 :],
        )

    def _on_add_button_clicked(self) -> None:
        if not self.new_term.text():
            self._say("Type or choose a CTCAE v5 term first.", self.new_term)
            return
        key = self.new_term.key()
        if key is None:
            self._refuse(self.new_term)
            return
        problem = _grade_problem(key, self.new_grade.value())
        if problem:
            self._say(problem, self.new_term)
            return
        self._say("")
        event = AdverseEvent(term=key, grade=self.new_grade.value())
        self.new_term.show_term(None)
        self.edited.emit(
            f"Add {term_name(key)} grade {event.grade}",
            partial(_add_event, event=event),
        )

    def _on_message_link_activated(self, key: str) -> None:
        """Take a suggested term: into the adder row, or as a row's term."""
        combo = self._message_for
        if combo is None:
            return
        if combo is self.new_term:
            combo.show_term(key)
            self._say("")
            combo.setFocus()
            return
        combo.show_term(key)
        self._on_row_term_edited(combo)


def _grade_problem(key: str, grade: int) -> str:
    """Say why a grade is not one CTCAE v5 defines for the term ('' when it is)."""
    found = lookup(key)
    if found is None or grade in found.grades:
        return ""
    grades = ", ".join(str(g) for g in found.grades)
    return html.escape(
        f"{term_name(key)} has no grade {grade} in CTCAE v5 (its grades: {grades})"
    )


def _add_event(clinical: Clinical, *, event: AdverseEvent) -> Clinical:
    return dataclasses.replace(
        clinical, adverse_events=(*clinical.adverse_events, event)
    )
