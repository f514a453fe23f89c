"""The study picker: which scanned study (or series) a patient's read starts from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from respond.criteria import Criterion
from respond.dicom import Readiness, study_facts
from respond.session.intake import choose_series, display_name, parse_dicom_date

if TYPE_CHECKING:
    from collections.abc import Collection

    from respond.dicom import PatientEntry, ScanResult, SeriesCandidate, StudyEntry

__all__ = ["StudyPickerDialog"]

HEADERS: Final = (
    "ID / date / series",
    "Name / description",
    "Details",
    "Arterial / phase",
    "Readiness",
)
KNOWN_MARK: Final = "(already in respond)"
_READINESS_COLOUR: Final = {
    Readiness.READY: QColor(67, 160, 71),
    Readiness.CAUTION: QColor(239, 108, 0),
    Readiness.NOT_MEASURABLE: QColor(224, 70, 60),
    Readiness.NOT_LOADABLE: QColor(138, 138, 138),
}
_WHERE: Final = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True, slots=True)
class _Where:
    """What a tree row stands for (item data)."""

    patient: int
    study: int | None = None
    series_key: str | None = None


def _iso(dicom_date: str) -> str:
    parsed = parse_dicom_date(dicom_date)
    if parsed is not None:
        return parsed.isoformat()
    return dicom_date.strip() or "no date"


def _series_label(number: int | None, description: str) -> str:
    return f"#{number if number is not None else '?'} {description}".strip()


def _arterial_text(patient: PatientEntry, study: StudyEntry) -> tuple[str, str]:
    """Return the study's arterial series as shown, and a tooltip on the choice."""
    facts = study_facts(patient, study)
    chosen = choose_series(facts, Criterion.MRECIST)
    if chosen is None:
        return "no arterial series", "The study has no image series to measure on."
    label = _series_label(chosen.number, chosen.description)
    if chosen.arterial:
        return (
            f"arterial: {label}",
            f"Picking the study reads it on {label} (arterial phase, for mRECIST).",
        )
    return (
        "no arterial series",
        (
            f"Picking the study reads it on {label}, the series with the most "
            "images; mRECIST needs the arterial phase to judge viable tumour."
        ),
    )


def _is_choosable(series: SeriesCandidate) -> bool:
    return not series.is_localizer and series.readiness is not Readiness.NOT_LOADABLE


class StudyPickerDialog(QDialog):
    """Shows a ScanResult as patients, studies and series; the reader picks a study."""

    def __init__(
        self,
        result: ScanResult,
        parent: QWidget | None = None,
        *,
        title: str = "New patient from study",
        known_patients: Collection[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._result = result
        self._known = frozenset(known_patients)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(HEADERS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.hint = QLabel(self._hint_text())
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)
        self.resize(820, 460)

        studies = self._fill()
        self.tree.itemSelectionChanged.connect(self._on_tree_selection_changed)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        if len(studies) == 1:
            self.tree.setCurrentItem(studies[0])
        self._on_tree_selection_changed()

    @property
    def ok_button(self) -> QPushButton:
        """The OK button (enabled only while a study is chosen)."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def chosen(self) -> tuple[PatientEntry, StudyEntry, str | None] | None:
        """Return the chosen patient, study and series UID (None: the study row)."""
        items = self.tree.selectedItems()
        where = items[0].data(0, _WHERE) if items else None
        if not isinstance(where, _Where) or where.study is None:
            return None
        patient = self._result.patients[where.patient]
        study = patient.studies[where.study]
        series = next((s for s in study.series if s.key == where.series_key), None)
        return patient, study, series.series_uid if series is not None else None

    def _hint_text(self) -> str:
        root = self._result.root.name or str(self._result.root)
        studies = sum(len(p.studies) for p in self._result.patients)
        if not studies:
            return f"No CT or MR study was found in {root}."
        return (
            f"{studies} stud{'y' if studies == 1 else 'ies'} found in {root}. "
            "Pick a study (respond chooses its arterial series), or one of its "
            "series to read on that one."
        )

    def _fill(self) -> list[QTreeWidgetItem]:
        """Build the tree; return the study items."""
        studies = []
        for p_index, patient in enumerate(self._result.patients):
            top = self._patient_item(patient)
            top.setData(0, _WHERE, _Where(p_index))
            self.tree.addTopLevelItem(top)
            for s_index, study in enumerate(patient.studies):
                node = self._study_item(patient, study)
                node.setData(0, _WHERE, _Where(p_index, s_index))
                top.addChild(node)
                studies.append(node)
                for series in study.series:
                    item = self._series_item(series)
                    item.setData(0, _WHERE, _Where(p_index, s_index, series.key))
                    node.addChild(item)
        self.tree.expandAll()
        return studies

    def _patient_item(self, patient: PatientEntry) -> QTreeWidgetItem:
        name = display_name(patient.name) or "(no name)"
        born = parse_dicom_date(patient.birth_date)
        is_known = patient.id in self._known
        details = ", ".join(
            d for d in (f"born {born.isoformat()}" if born else "", patient.sex) if d
        )
        item = QTreeWidgetItem(
            [
                patient.id or "(no ID)",
                f"{name}  {KNOWN_MARK}" if is_known else name,
                details,
                "",
                "",
            ]
        )
        if is_known:
            item.setToolTip(
                1,
                f"respond already has patient {patient.id}: open it and add the "
                "study as a time point rather than starting the patient again.",
            )
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        return item

    def _study_item(self, patient: PatientEntry, study: StudyEntry) -> QTreeWidgetItem:
        images = [s for s in study.series if not s.is_localizer]
        localizers = len(study.series) - len(images)
        count = f"{len(images)} image series"
        if localizers:
            count += f" (+{localizers} localizer{'s' if localizers > 1 else ''})"
        arterial, why = _arterial_text(patient, study)
        item = QTreeWidgetItem(
            [_iso(study.date), study.description, count, arterial, ""]
        )
        item.setToolTip(3, why)
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        return item

    def _series_item(self, series: SeriesCandidate) -> QTreeWidgetItem:
        item = QTreeWidgetItem(
            [
                _series_label(series.series_number, ""),
                series.description or series.modality,
                f"{series.image_count} image{'s' if series.image_count != 1 else ''}",
                series.phase.phase.value.replace("_", " "),
                series.readiness.value.replace("_", " "),
            ]
        )
        tips = [f"[{f.severity.value}] {f.message}" for f in series.findings]
        if series.is_localizer:
            tips.insert(0, "localizer: not for measuring")
        item.setToolTip(1, "\n".join(tips))
        if _is_choosable(series):
            item.setForeground(4, QBrush(_READINESS_COLOUR[series.readiness]))
        else:
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            grey = self.palette().brush(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
            )
            for column in range(len(HEADERS)):
                item.setForeground(column, grey)
        return item

    def _on_tree_selection_changed(self) -> None:
        self.ok_button.setEnabled(self.chosen() is not None)

    def _on_tree_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.isSelected() and self.chosen() is not None:
            self.accept()
