"""Editors the clinical panel is built from: FHSI-8 and the status.

Each editor shows one part of a :class:`~respond.criteria.Clinical` and emits
``edited(text, change)``: the undo text and a function from the time point's
clinical status, as the session holds it, to the new one. The panel applies the
change and pushes one command; it then syncs every editor back from the session
with their signals blocked (no echo edits). The adverse events have their own
module (:mod:`respond.ui._adverse_events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QWidget,
)

from respond.criteria import DoseForm, SecondLine
from respond.criteria.sorafenib import FHSI8_DROP
from respond.ui._clinical_common import (
    HINT_STYLE,
    LOWEST_LEVEL,
    NOT_ENTERED,
    WARNING_STYLE,
    dose_text,
    hint_label,
    minus,
    replace_clinical,
    signals_blocked,
    spin_box,
    widget_row,
)

if TYPE_CHECKING:
    from respond.criteria import Clinical

FHSI8_ITEMS: Final = 8
ECOG_TEXT: Final = (
    "0: fully active",
    "1: restricted in strenuous activity",
    "2: ambulatory, unable to work",
    "3: limited self-care",
    "4: completely disabled",
)
CHILD_PUGH_MIN: Final = 5
CHILD_PUGH_SCORES: Final = {"A": range(5, 7), "B": range(7, 10), "C": range(10, 16)}


def parse_child_pugh(value: str | None) -> tuple[str | None, int | None]:
    """Split ``A6`` into the class letter and the score (either may be missing)."""
    if not value:
        return None, None
    letter, digits = value[0].upper(), value[1:]
    return letter, int(digits) if digits.isdigit() else None


def child_pugh_class(score: int) -> str:
    """Return the class a Child-Pugh score belongs to (5-6 A, 7-9 B, 10-15 C)."""
    return next(k for k, scores in CHILD_PUGH_SCORES.items() if score in scores)


class Fhsi8Panel(QGroupBox):
    """The FHSI-8 items and total of one time point, with the change from baseline.

    The eight items are stored once all eight are entered (with their sum as the
    total); until then the stored total stays. With no items, a total can be
    entered directly; clearing the items keeps their total as such an entry.
    """

    edited = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Symptoms: FHSI-8 (items 0-4, higher = fewer symptoms)", parent
        )
        self.items = [spin_box(NOT_ENTERED, 4) for _ in range(FHSI8_ITEMS)]
        self.total_only = spin_box(NOT_ENTERED, 32)
        self.total_only.setToolTip("FHSI-8 total 0-32, when the items are not at hand")
        self.clear_button = QPushButton("Clear items")
        self.total_label = QLabel()
        self.total_label.setWordWrap(True)
        self.hint = hint_label()
        self._stored: tuple[tuple[int, ...] | None, int | None] = (None, None)
        self._baseline: int | None = None
        self._is_baseline = False
        grid = QGridLayout(self)
        for n, spin in enumerate(self.items):
            spin.setToolTip(
                f"FHSI-8 item {n + 1}: scored 0-4; \N{EM DASH} = not entered"
            )
            label = QLabel(f"Item {n + 1}")
            label.setBuddy(spin)
            row, column = n % 4, (n // 4) * 2
            grid.addWidget(label, row, column)
            grid.addWidget(spin, row, column + 1)
            spin.valueChanged.connect(self._on_item_value_changed)
        grid.addWidget(QLabel("Total only"), 4, 0)
        grid.addWidget(self.total_only, 4, 1)
        grid.addWidget(self.clear_button, 4, 2, 1, 2)
        grid.addWidget(self.total_label, 5, 0, 1, 5)
        grid.addWidget(self.hint, 6, 0, 1, 5)
        grid.setColumnStretch(4, 1)
        for spin in (*self.items, self.total_only):
            spin.setMinimumWidth(70)
        self.total_only.valueChanged.connect(self._on_total_only_value_changed)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)

    def show_clinical(
        self,
        clinical: Clinical,
        baseline_total: int | None,
        *,
        is_baseline: bool,
        reset: bool = False,
    ) -> None:
        """Show a time point's FHSI-8; keep a half-entered draft unless ``reset``."""
        stored = (clinical.fhsi8_items, clinical.fhsi8)
        keep_draft = not reset and self._is_draft() and stored == self._stored
        self._stored, self._baseline = stored, baseline_total
        self._is_baseline = is_baseline
        if not keep_draft:
            items = clinical.fhsi8_items or (NOT_ENTERED,) * FHSI8_ITEMS
            with signals_blocked(*self.items, self.total_only):
                for spin, value in zip(self.items, items, strict=False):
                    spin.setValue(value)
                total = clinical.fhsi8_total
                self.total_only.setValue(NOT_ENTERED if total is None else total)
        self._refresh()

    def _entered(self) -> list[int]:
        return [s.value() for s in self.items if s.value() != NOT_ENTERED]

    def _is_draft(self) -> bool:
        return 0 < len(self._entered()) < FHSI8_ITEMS

    def _stored_total(self) -> int | None:
        items, total = self._stored
        if total is not None:
            return total
        return None if items is None else sum(items)

    def _refresh(self) -> None:
        entered = self._entered()
        self.total_only.setEnabled(not entered)
        self.clear_button.setEnabled(bool(entered))
        now = sum(entered) if len(entered) == FHSI8_ITEMS else self._stored_total()
        if 0 < len(entered) < FHSI8_ITEMS:
            self.hint.setText(
                f"{len(entered)} of 8 items entered: nothing is stored until all "
                "eight are."
            )
        elif not entered:
            self.hint.setText("Enter the eight items, or the total only.")
        else:
            self.hint.setText("The total is the sum of the items.")
        self._show_total(now)

    def _show_total(self, now: int | None) -> None:
        base, is_drop = self._baseline, False
        if now is None:
            text = "Total \N{EM DASH}"
        elif self._is_baseline:
            text = f"Total {now} (baseline)"
        elif base is None:
            text = f"Total {now} (no baseline total to compare)"
        else:
            is_drop = base - now >= FHSI8_DROP
            text = f"Baseline \N{RIGHTWARDS ARROW} now: {base} \N{RIGHTWARDS ARROW} "
            text += f"{now} ({minus(now - base)})"
            if is_drop:
                text += ": symptomatic progression (SHARP)"
        self.total_label.setText(text)
        self.total_label.setStyleSheet(WARNING_STYLE if is_drop else "")
        self.total_label.setToolTip(
            f"A fall of {FHSI8_DROP} or more points from the baseline total is "
            "symptomatic progression as defined in SHARP."
        )

    def _on_item_value_changed(self) -> None:
        self._refresh()
        values = tuple(s.value() for s in self.items)
        entered = self._entered()
        if len(entered) == FHSI8_ITEMS:
            total = sum(values)
            self.edited.emit(
                f"Set FHSI-8 items (total {total})",
                partial(replace_clinical, fhsi8_items=values, fhsi8=total),
            )
        elif not entered and self._stored[0] is not None:
            self.edited.emit(
                "Clear FHSI-8 items", partial(replace_clinical, fhsi8_items=None)
            )

    def _on_total_only_value_changed(self, value: int) -> None:
        total = None if value == NOT_ENTERED else value
        self.edited.emit(
            f"Set FHSI-8 total {'cleared' if total is None else total}",
            partial(replace_clinical, fhsi8=total),
        )

    def _on_clear_button_clicked(self) -> None:
        if self._stored[0] is not None:
            self.edited.emit(
                "Clear FHSI-8 items", partial(replace_clinical, fhsi8_items=None)
            )
            return
        with signals_blocked(*self.items):
            for spin in self.items:
                spin.setValue(NOT_ENTERED)
        self._refresh()


@dataclass(frozen=True, slots=True)
class SecondLineSource:
    """The second-line record that applies at a time point: what the engine uses.

    The engine takes the latest record at or before the time point; with none,
    no second line is available.

    Parameters
    ----------
    here
        The label of the time point shown.
    offer
        The record that applies (None: none up to here).
    label
        The time point it was recorded at.
    is_here
        It was recorded at the time point shown.
    verdict
        The recommendation's second-line rule, when it fired for this time point.
    """

    here: str
    offer: SecondLine | None = None
    label: str = ""
    is_here: bool = False
    verdict: str = ""

    @property
    def is_inherited(self) -> bool:
        """Whether the record that applies comes from an earlier time point."""
        return self.offer is not None and not self.is_here

    def hint(self) -> str:
        """Say where the boxes' values come from, and what the engine made of them."""
        here, offer = self.here, self.offer
        if offer is None:
            text = (
                f"Not recorded at {here} or before: counts as not available. "
                f"A tick records it at {here}."
            )
        elif self.is_inherited:
            text = (
                f"Not recorded at {here}: {self.label}'s record applies. A change "
                f"records both boxes at {here}."
            )
        else:
            text = f"Recorded at {here}; Clear lets an earlier record apply."
        if offer is not None and offer.eligible and not offer.available:
            text += " Eligibility counts only when a second line is available."
        if self.verdict:
            text += f" Recommendation: {self.verdict}."
        return text


Dose = tuple[int | None, bool, DoseForm | None]
"""A dose entry: the level, whether interrupted, the form at level -2."""


def _dose_entry(dose: Dose) -> str:
    level, is_interrupted, form = dose
    if is_interrupted:
        return "interrupted"
    return "not recorded" if level is None else dose_text(level, form)


def _unmatched_dose(clinical: Clinical) -> str:
    """Name a stored dose that no entry shows."""
    level = clinical.dose_level
    if level == LOWEST_LEVEL and clinical.dose_form is None:
        return f"level {minus(level)}, form not recorded: choose one"
    text = "not recorded" if level is None else dose_text(level, clinical.dose_form)
    return f"{text}, interrupted" if clinical.is_interrupted else text


class StatusPanel(QGroupBox):
    """ECOG, Child-Pugh, the sorafenib dose level and second-line options."""

    edited = Signal(str, object)
    DOSES: Final[tuple[Dose, ...]] = (
        (None, False, None),
        (0, False, None),
        (-1, False, None),
        (LOWEST_LEVEL, False, DoseForm.EVERY_OTHER_DAY_400),
        (LOWEST_LEVEL, False, DoseForm.ONCE_DAILY_200),
        (None, True, None),
    )
    """The dose entries: level, interrupted, and at level -2 the form."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Status and treatment", parent)
        self.ecog = QComboBox()
        self.ecog.addItems(["not recorded", *ECOG_TEXT])
        self.child_pugh_class = QComboBox()
        self.child_pugh_class.addItems(["\N{EM DASH}", *CHILD_PUGH_SCORES])
        self.child_pugh_score = spin_box(4, 15)
        self.child_pugh_score.setToolTip("Score 5-15; the score sets the class")
        self.child_pugh_hint = hint_label()
        self.child_pugh_hint.setWordWrap(False)
        self.dose = QComboBox()
        self.dose.addItems([_dose_entry(dose) for dose in self.DOSES])
        self.dose.setToolTip(
            "Level \N{MINUS SIGN}2 is given as 400 mg every other day or as "
            "200 mg once daily: choose the form given"
        )
        self.second_line_available = QCheckBox("available")
        self.second_line_eligible = QCheckBox("patient eligible")
        self.second_line_eligible.setToolTip(
            "Counts only when a second line is available; the engine also needs "
            "Child-Pugh A, ECOG 0-1 and sorafenib tolerated"
        )
        self.second_line_clear = QPushButton("Clear")
        self.second_line_clear.setToolTip(
            "Remove the record at this time point: an earlier one applies again"
        )
        self.second_line_hint = hint_label()
        self.second_line_hint.setAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        )
        form = QFormLayout(self)
        form.addRow("ECOG PS", self.ecog)
        form.addRow(
            "Child-Pugh",
            widget_row(
                self.child_pugh_class, self.child_pugh_score, self.child_pugh_hint
            ),
        )
        form.addRow("Sorafenib dose", self.dose)
        second = widget_row(
            self.second_line_available,
            self.second_line_eligible,
            self.second_line_clear,
        )
        form.addRow("Second line", second)
        form.addRow("", self.second_line_hint)
        self.ecog.currentIndexChanged.connect(self._on_ecog_changed)
        self.child_pugh_class.currentIndexChanged.connect(
            partial(self._on_child_pugh_changed, is_score=False)
        )
        self.child_pugh_score.valueChanged.connect(
            partial(self._on_child_pugh_changed, is_score=True)
        )
        self.dose.currentIndexChanged.connect(self._on_dose_changed)
        self.second_line_available.toggled.connect(
            self._on_second_line_available_toggled
        )
        self.second_line_eligible.toggled.connect(self._on_second_line_eligible_toggled)
        self.second_line_clear.clicked.connect(self._on_second_line_clear_clicked)

    def show_clinical(self, clinical: Clinical, second_line: SecondLineSource) -> None:
        """Show the status, with the second-line record that applies here."""
        letter, score = parse_child_pugh(clinical.child_pugh)
        dose = (clinical.dose_level, clinical.is_interrupted, clinical.dose_form)
        widgets = (self.ecog, self.child_pugh_class, self.child_pugh_score, self.dose)
        with signals_blocked(*widgets):
            self.ecog.setCurrentIndex(0 if clinical.ecog is None else clinical.ecog + 1)
            classes = [None, *CHILD_PUGH_SCORES]
            self.child_pugh_class.setCurrentIndex(
                classes.index(letter) if letter in classes else 0
            )
            self.child_pugh_score.setValue(score or 4)
            doses = list(self.DOSES)
            # a dose no entry matches (level -2 with no form, from before the
            # form was recorded) is named, never shown as another entry
            self.dose.setPlaceholderText(_unmatched_dose(clinical))
            self.dose.setCurrentIndex(doses.index(dose) if dose in doses else -1)
        scores = CHILD_PUGH_SCORES.get(letter or "")
        is_bad = scores is not None and score is not None and score not in scores
        self.child_pugh_hint.setText(
            f"Child-Pugh {clinical.child_pugh} is inconsistent: class {letter} is "
            f"{scores[0]}-{scores[-1]} points"
            if is_bad and scores
            else "A 5-6, B 7-9, C 10-15 points"
        )
        self.child_pugh_hint.setStyleSheet(WARNING_STYLE if is_bad else HINT_STYLE)
        self.show_second_line(second_line)

    def show_second_line(self, source: SecondLineSource) -> None:
        """Show the second line as the engine takes it at this time point.

        An inherited record is shown ticked as it is, in italics and named;
        "patient eligible" is ticked and editable only when available.
        """
        offer = source.offer or SecondLine(available=False, eligible=False)
        available, eligible = self.second_line_available, self.second_line_eligible
        with signals_blocked(available, eligible):
            available.setChecked(offer.available)
            eligible.setChecked(offer.available and offer.eligible)
        eligible.setEnabled(offer.available)
        origin = f" (from {source.label})" if source.is_inherited else ""
        available.setText(f"available{origin}")
        eligible.setText(f"patient eligible{origin}")
        for box in (available, eligible):
            font = box.font()
            font.setItalic(source.is_inherited)
            box.setFont(font)
        self.second_line_clear.setVisible(source.is_here)
        self.second_line_hint.setText(source.hint())

    def _on_ecog_changed(self, index: int) -> None:
        ecog = index - 1 if index > 0 else None
        text = "Clear ECOG" if ecog is None else f"Set ECOG {ecog}"
        self.edited.emit(text, partial(replace_clinical, ecog=ecog))

    def _on_child_pugh_changed(self, _value: int, *, is_score: bool) -> None:
        """Keep class and score consistent: a score entered sets the class."""
        index, score = (
            self.child_pugh_class.currentIndex(),
            self.child_pugh_score.value(),
        )
        letter = [None, *CHILD_PUGH_SCORES][index]
        if is_score and score >= CHILD_PUGH_MIN:
            letter = child_pugh_class(score)
        value = None
        if letter is not None:
            fits = score in CHILD_PUGH_SCORES[letter]
            value = f"{letter}{score}" if fits else letter
        text = f"Set Child-Pugh {value}" if value else "Clear Child-Pugh"
        self.edited.emit(text, partial(replace_clinical, child_pugh=value))

    def _on_dose_changed(self, index: int) -> None:
        if index < 0:
            return
        level, is_interrupted, form = self.DOSES[index]
        text = (
            "Clear the dose" if level is None else f"Set dose {dose_text(level, form)}"
        )
        if is_interrupted:
            text = "Interrupt sorafenib"
        change = partial(
            replace_clinical,
            dose_level=level,
            is_interrupted=is_interrupted,
            dose_form=form,
        )
        self.edited.emit(text, change)

    def _on_second_line_available_toggled(self, checked: bool) -> None:
        # Not available: not eligible either, as the engine reads it.
        eligible = checked and self.second_line_eligible.isChecked()
        self._record_second_line(SecondLine(available=checked, eligible=eligible))

    def _on_second_line_eligible_toggled(self, checked: bool) -> None:
        self._record_second_line(SecondLine(available=True, eligible=checked))

    def _record_second_line(self, offer: SecondLine) -> None:
        """Record both boxes at this time point, as they now show."""
        text = "Set second line " + ("available" if offer.available else "unavailable")
        if offer.available:
            text += ", patient eligible" if offer.eligible else ", not eligible"
        self.edited.emit(text, partial(replace_clinical, second_line=offer))

    def _on_second_line_clear_clicked(self) -> None:
        self.edited.emit(
            "Clear second line", partial(replace_clinical, second_line=None)
        )
