"""Start the desktop app: a QApplication, the main window, optional demo."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

from respond.ui.main_window import MainWindow

if TYPE_CHECKING:
    from pathlib import Path

    from respond.session import ReadStore
    from respond.ui.report_action import PdfExport

__all__ = ["configure_pyqtgraph", "run_app"]


def configure_pyqtgraph() -> None:
    """Set pyqtgraph's global options once (image axis order: row-major)."""
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


def run_app(
    store: ReadStore,
    *,
    reader: str,
    patient_id: str | None = None,
    folder: Path | None = None,
    banner: str = "",
    pdf_export: PdfExport | None = None,
) -> int:
    """Show the main window and run the event loop; return the exit code."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("respond")
    app.setOrganizationName("respond")
    configure_pyqtgraph()
    window = MainWindow(store, reader=reader)
    window.pdf_export = pdf_export
    if patient_id:
        window.open_patient(patient_id)
    if folder is not None:
        window.open_folder(folder)
    if banner:
        window.statusBar().showMessage(banner)
    window.show()
    return int(app.exec())
