"""The study and series browser: phase, images, readiness and warnings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from respond.dicom import Readiness
from respond.dicom.phase import is_arterial

if TYPE_CHECKING:
    from collections.abc import Mapping

    from respond.dicom import ScanResult, SeriesCandidate

__all__ = ["SeriesBrowserPanel", "suggested_arterial"]

_READINESS_COLOUR = {
    Readiness.READY: QColor(67, 160, 71),
    Readiness.CAUTION: QColor(239, 108, 0),
    Readiness.NOT_MEASURABLE: QColor(224, 70, 60),
    Readiness.NOT_LOADABLE: QColor(138, 138, 138),
}


def suggested_arterial(series: tuple[SeriesCandidate, ...]) -> SeriesCandidate | None:
    """Return the study's series to measure mRECIST on: arterial, loadable, largest."""
    arterial = [
        s
        for s in series
        if is_arterial(s.phase.phase)
        and not s.is_localizer
        and s.readiness is not Readiness.NOT_LOADABLE
    ]
    return max(arterial, key=lambda s: s.image_count, default=None)


class SeriesBrowserPanel(QTreeWidget):
    """Shows a ScanResult: patient / study / series, the arterial one suggested."""

    series_chosen = Signal(object)  # SeriesCandidate

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(["series", "phase", "images", "readiness"])
        self.setColumnWidth(0, 230)
        self._by_item: dict[int, SeriesCandidate] = {}
        self.itemActivated.connect(self._on_item_activated)
        self.itemDoubleClicked.connect(self._on_item_activated)

    def show_scan(
        self, result: ScanResult, timepoints: Mapping[str, str] | None = None
    ) -> None:
        """List what a scan found; ``timepoints`` labels studies (uid -> "FU1")."""
        labels = timepoints or {}
        self.clear()
        self._by_item.clear()
        for patient in result.patients:
            top = QTreeWidgetItem([f"{patient.id} {patient.name}".strip()])
            self.addTopLevelItem(top)
            for study in patient.studies:
                label = labels.get(study.uid)
                text = f"{study.date} {study.description}".strip()
                node = QTreeWidgetItem([f"{label} · {text}" if label else text])
                if label:
                    node.setToolTip(0, f"time point {label} of the open patient")
                top.addChild(node)
                suggestion = suggested_arterial(study.series)
                for series in study.series:
                    node.addChild(self._series_item(series, series is suggestion))
                node.setExpanded(True)
            top.setExpanded(True)
        if result.unreadable or result.non_image:
            summary = (
                f"not loaded: {len(result.non_image)} non-image, "
                f"{len(result.unreadable)} unreadable"
            )
            other = QTreeWidgetItem([summary])
            other.setToolTip(
                0,
                "\n".join(
                    [f"{o.kind}: {o.path.name}" for o in result.non_image]
                    + [f"{u.path.name}: {u.reason}" for u in result.unreadable]
                ),
            )
            self.addTopLevelItem(other)

    def _series_item(self, series: SeriesCandidate, suggested: bool) -> QTreeWidgetItem:
        label = f"#{series.series_number} {series.description or series.modality}"
        if suggested:
            label = "★ " + label
        item = QTreeWidgetItem(
            [
                label,
                series.phase.phase.value.replace("_", " "),
                str(series.image_count),
                series.readiness.value.replace("_", " "),
            ]
        )
        item.setForeground(3, QBrush(_READINESS_COLOUR[series.readiness]))
        tips = [f"[{f.severity.value}] {f.message}" for f in series.findings]
        tips += [f"phase: {e}" for e in series.phase.evidence]
        if suggested:
            tips.insert(0, "suggested for mRECIST: arterial phase")
            font = QFont(item.font(0))
            font.setBold(True)
            item.setFont(0, font)
        item.setToolTip(0, "\n".join(tips))
        item.setData(0, Qt.ItemDataRole.UserRole, series.key)
        self._by_item[id(item)] = series
        return item

    def candidate(self, item: QTreeWidgetItem) -> SeriesCandidate | None:
        """Return the series an item shows, if it is a series item."""
        return self._by_item.get(id(item))

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        series = self.candidate(item)
        if series is not None:
            self.series_chosen.emit(series)
