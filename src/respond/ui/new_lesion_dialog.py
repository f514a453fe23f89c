"""The dialog for a new finding: where, how big, how sure, which pattern."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from respond.criteria import Cytology, LesionKind, NewLesion

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["NewLesionDialog"]

_KINDS = {
    "liver": LesionKind.HCC,
    "lymph node": LesionKind.NODE,
    "peritoneum (ascites)": LesionKind.ASCITES,
    "pleura (effusion)": LesionKind.PLEURAL_EFFUSION,
}


class NewLesionDialog(QDialog):
    """Edits one NewLesion: organ, site, size, equivocal, typical HCC, cytology."""

    def __init__(
        self,
        finding_id: str,
        organs: Sequence[str],
        finding: NewLesion | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New lesion {finding_id}")
        self._id = finding_id
        self.organ = QComboBox()
        self.organ.setEditable(True)
        self.organ.addItems([*organs, "peritoneum (ascites)", "pleura (effusion)"])
        self.site = QLineEdit()
        self.size_mm = QDoubleSpinBox()
        self.size_mm.setRange(0.0, 500.0)
        self.size_mm.setDecimals(1)
        self.size_mm.setSuffix(" mm")
        self.size_mm.setSpecialValueText("not measured")
        self.equivocal = QCheckBox(
            "equivocal (not sure it is tumour: not PD until confirmed)"
        )
        self.typical = QCheckBox(
            "typical HCC pattern (arterial hyperenhancement, washout)"
        )
        self.cytology = QComboBox()
        self.cytology.addItems(["not done", "positive", "negative"])
        form = QFormLayout(self)
        form.addRow("Organ", self.organ)
        form.addRow("Site", self.site)
        form.addRow("Long axis (short axis for a node)", self.size_mm)
        form.addRow(self.equivocal)
        form.addRow(self.typical)
        form.addRow("Cytology (effusion, ascites)", self.cytology)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        if finding is not None:
            self._show(finding)

    def _show(self, finding: NewLesion) -> None:
        self.organ.setCurrentText(finding.organ)
        self.site.setText(finding.site)
        size = finding.short_axis_mm if finding.is_node else finding.long_axis_mm
        self.size_mm.setValue(float(size or 0))
        self.equivocal.setChecked(finding.equivocal)
        self.typical.setChecked(bool(finding.typical_hcc))
        if finding.cytology is not None:
            self.cytology.setCurrentText(finding.cytology.value.replace("_", " "))

    def finding(self) -> NewLesion:
        """Return the finding as entered."""
        organ = self.organ.currentText().strip()
        kind = _KINDS.get(organ, LesionKind.OTHER)
        is_node = kind is LesionKind.NODE
        try:
            size = (
                Decimal(f"{self.size_mm.value():.1f}")
                if self.size_mm.value() > 0
                else None
            )
        except InvalidOperation:  # pragma: no cover - the spin box gives numbers
            size = None
        cytology_text = self.cytology.currentText().replace(" ", "_")
        return NewLesion(
            self._id,
            organ=organ.split(" (")[0],
            site=self.site.text().strip(),
            kind=kind,
            is_node=is_node,
            long_axis_mm=None if is_node else size,
            short_axis_mm=size if is_node else None,
            equivocal=self.equivocal.isChecked(),
            typical_hcc=self.typical.isChecked() if organ == "liver" else None,
            cytology=None if cytology_text == "not_done" else Cytology(cytology_text),
        )
