"""File > Save PDF report: one click from the read to the tumour-board PDF.

The window does not build reports itself (the ui talks to the session only):
the application gives it a ``PdfExport`` function, which gets the read, the
scans already made (the open folder's, so nothing is scanned twice), the folders
where the images may be (the open folder first, then recent ones; they are only
scanned while an image is missing) and the destination, and returns the written
path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog

from respond.errors import RespondError

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    from respond.criteria.record import PatientRead
    from respond.dicom import ScanResult
    from respond.ui.main_window import MainWindow

__all__ = ["PdfExport", "add_report_action", "image_folders", "save_pdf_report"]

PdfExport = Callable[
    ["PatientRead", Sequence["ScanResult"], Sequence[Path], Path], Path
]


def add_report_action(window: MainWindow, menu: QMenu) -> QAction:
    """Add "Save PDF report…" (Ctrl+P) to a menu."""
    action = menu.addAction("Save PDF report…")
    action.setShortcut(QKeySequence.StandardKey.Print)
    action.triggered.connect(lambda: save_pdf_report(window))
    return action


def image_folders(window: MainWindow) -> list[Path]:
    """Return where the read's images may be.

    The folders where the image index found the patient's studies, then the
    open folder, then recent ones (those are only scanned while an image is
    missing).
    """
    from respond.ui.export_action import image_folders_of

    folders: list[Path] = []
    if window.session is not None:
        folders.extend(image_folders_of(window.store, window.session.read))
    if window.scan_result is not None and window.scan_result.root not in folders:
        folders.append(Path(window.scan_result.root).resolve())
    folders.extend(p for p in window.recent.paths() if p not in folders)
    return folders


def save_pdf_report(window: MainWindow, path: Path | None = None) -> Path | None:
    """Ask where to save (unless given) and write the open patient's PDF report."""
    session = window.session
    if session is None:
        window.statusBar().showMessage("Open a patient first to make its report", 8000)
        return None
    export = window.pdf_export
    if export is None:
        window.statusBar().showMessage(
            "PDF reports are not available in this build", 8000
        )
        return None
    if path is None:
        default = Path.home() / f"{session.read.patient.id}-report.pdf"
        chosen, _ = QFileDialog.getSaveFileName(
            window, "Save PDF report", str(default), "PDF (*.pdf)"
        )
        if not chosen:
            return None
        path = Path(chosen)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    scans = [] if window.scan_result is None else [window.scan_result]
    try:
        written = export(session.read, scans, image_folders(window), path)
    except RespondError as exc:
        window.show_error(exc)
        return None
    finally:
        QApplication.restoreOverrideCursor()
    window.statusBar().showMessage(f"Report saved: {written}", 10000)
    return written
