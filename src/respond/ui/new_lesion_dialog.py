"""The dialog for a new finding: where, how big, how sure, which pattern."""

from __future__ import annotations

import dataclasses
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
from respond.ui._organs import FINDING_ORGANS, kind_for_organ

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["NewLesionDialog"]

_LIVER_KINDS = (LesionKind.HCC, LesionKind.INFILTRATIVE_HCC)


class NewLesionDialog(QDialog):
    """Edits one NewLesion: organ, site, size, equivocal, typical HCC, cytology.

    Editing a finding changes only what the reader changed: the rest (its kind,
    its note, values the widgets cannot show exactly) stays as it was.
    """

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
        self._original = finding
        self.organ = QComboBox()
        self.organ.setEditable(True)
        self.organ.addItems([*organs, *FINDING_ORGANS])
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
        self._shown = self._entries()

    def _show(self, finding: NewLesion) -> None:
        self.organ.setCurrentText(finding.organ)
        self.site.setText(finding.site)
        size = finding.short_axis_mm if finding.is_node else finding.long_axis_mm
        self.size_mm.setValue(float(size or 0))
        self.equivocal.setChecked(finding.equivocal)
        self.typical.setChecked(bool(finding.typical_hcc))
        if finding.cytology is not None:
            self.cytology.setCurrentText(finding.cytology.value.replace("_", " "))

    def _entries(self) -> dict[str, object]:
        """Return what the widgets show, to tell what the reader changed."""
        return {
            "organ": self.organ.currentText().strip(),
            "site": self.site.text().strip(),
            "size": self.size_mm.value(),
            "equivocal": self.equivocal.isChecked(),
            "typical": self.typical.isChecked(),
            "cytology": self.cytology.currentText(),
        }

    def _size(self) -> Decimal | None:
        value = self.size_mm.value()
        try:
            return Decimal(f"{value:.1f}") if value > 0 else None
        except InvalidOperation:  # pragma: no cover - the spin box gives numbers
            return None

    def finding(self) -> NewLesion:
        """Return the finding as entered.

        A new finding comes from the widgets; an edited one is the original
        with only the fields whose widget the reader changed.
        """
        original = self._original
        entries = self._entries()
        changed = {
            name
            for name, value in entries.items()
            if original is None or value != self._shown[name]
        }
        before = original or NewLesion(self._id)
        finding = before
        if "organ" in changed:
            organ = self.organ.currentText().strip()
            kind = kind_for_organ(organ)
            finding = dataclasses.replace(
                finding,
                organ=organ.split(" (")[0],
                kind=kind,
                is_node=kind is LesionKind.NODE,
            )
        if "site" in changed:
            finding = dataclasses.replace(finding, site=self.site.text().strip())
        if "size" in changed or finding.is_node != before.is_node:
            size = self._size()
            finding = dataclasses.replace(
                finding,
                long_axis_mm=None if finding.is_node else size,
                short_axis_mm=size if finding.is_node else None,
            )
        if "equivocal" in changed:
            finding = dataclasses.replace(finding, equivocal=self.equivocal.isChecked())
        if finding.kind not in _LIVER_KINDS and finding.organ != "liver":
            finding = dataclasses.replace(finding, typical_hcc=None)
        elif changed & {"typical", "organ"}:
            finding = dataclasses.replace(finding, typical_hcc=self.typical.isChecked())
        if "cytology" in changed:
            text = self.cytology.currentText().replace(" ", "_")
            cytology = None if text == "not_done" else Cytology(text)
            finding = dataclasses.replace(finding, cytology=cytology)
        return finding
