"""The questions the window asks the reader, in one replaceable object.

The window never opens a dialog itself: it asks :class:`Prompts`, which tests
replace with scripted answers (STYLE: the UI injects prompts as callbacks).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

if TYPE_CHECKING:
    from collections.abc import Collection

    from respond.dicom import PatientEntry, ScanResult, StudyEntry

__all__ = ["Prompts", "StudyChoice"]

StudyChoice = tuple["PatientEntry", "StudyEntry", "str | None"]
"""A chosen study: its patient, the study, and the series asked for (or None)."""


class Prompts:
    """Modal questions to the reader (dialogs over ``parent``)."""

    def __init__(self, parent: QWidget | None) -> None:
        self.parent = parent

    def confirm(self, title: str, text: str, *, default_yes: bool = False) -> bool:
        """Ask a yes/no question; True for yes."""
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        answer = QMessageBox.question(
            self.parent, title, text, yes | no, yes if default_yes else no
        )
        return answer == yes

    def folder(self, title: str) -> Path | None:
        """Ask for a folder (or None)."""
        chosen = QFileDialog.getExistingDirectory(self.parent, title)
        return Path(chosen) if chosen else None

    def dicomdir(self, title: str = "Open a DICOMDIR") -> Path | None:
        """Ask for a DICOMDIR file (or None)."""
        chosen, _ = QFileDialog.getOpenFileName(self.parent, title, "", "DICOMDIR (*)")
        return Path(chosen) if chosen else None

    def save_file(self, title: str, default: Path, pattern: str) -> Path | None:
        """Ask where to save a file (or None)."""
        chosen, _ = QFileDialog.getSaveFileName(
            self.parent, title, str(default), pattern
        )
        return Path(chosen) if chosen else None

    def study(
        self,
        result: ScanResult,
        *,
        title: str,
        known_patients: Collection[str] = (),
    ) -> StudyChoice | None:
        """Ask which study (and series) of a scan to take."""
        from respond.ui.study_picker import StudyPickerDialog

        dialog = StudyPickerDialog(
            result, self.parent, title=title, known_patients=known_patients
        )
        try:
            if dialog.exec() != StudyPickerDialog.DialogCode.Accepted:
                return None
            return dialog.chosen()
        finally:
            dialog.deleteLater()

    def date(self, text: str) -> dt.date | None:
        """Ask for a date (``YYYY-MM-DD``); None when cancelled or not a date."""
        answer, ok = QInputDialog.getText(self.parent, "Imaging date", text)
        if not ok:
            return None
        try:
            return dt.date.fromisoformat(answer.strip())
        except ValueError:
            return None
