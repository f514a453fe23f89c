"""File > Export: the PDF, DICOM SR and CSV of the open patient or of all patients.

The window builds no report itself (ui talks to the session only): the
application gives it export functions (``pdf_export``, ``sr_export``,
``csv_export``). Images for key images and SR references are looked up where
the image index found each time point's study. Exports of all patients show a
progress dialog that can be cancelled; a patient that cannot be exported is
named with the reason and the others go on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog

from respond.errors import RespondError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from respond.criteria.record import PatientRead
    from respond.session import ReadingStore
    from respond.ui.main_window import MainWindow

__all__ = [
    "CsvExport",
    "SrExport",
    "add_export_menu",
    "export_all",
    "image_folders_of",
]

SrExport = Callable[["PatientRead", Sequence[Path], Path], list[Path]]
"""(read, image folders, output folder) -> the SR files written."""
CsvExport = Callable[[Sequence["PatientRead"], Path], list[Path]]
"""(reads, lesions CSV path) -> the CSV files written."""


def image_folders_of(store: ReadingStore, read: PatientRead) -> list[Path]:
    """Return the folders holding a read's studies, as the image index knows them."""
    folders: dict[str, None] = {}
    for record in read.timepoints:
        if not record.study_uid:
            continue
        for image in store.study_images(record.study_uid):
            folders.setdefault(os.path.dirname(image.path), None)
    return [Path(f) for f in folders]


def add_export_menu(window: MainWindow, menu: QMenu) -> QMenu:
    """Add File > Export with the open patient's and all patients' exports."""
    export = menu.addMenu("Export")
    export.addAction("PDF report of this patient…", lambda: _pdf(window))
    export.addAction("DICOM SR of this patient…", lambda: _sr(window))
    export.addAction("CSV of this patient…", lambda: _csv(window, every=False))
    export.addSeparator()
    export.addAction("PDF reports of all patients…", lambda: _all(window, "pdf"))
    export.addAction("DICOM SR of all patients…", lambda: _all(window, "sr"))
    export.addAction("CSV of all patients…", lambda: _csv(window, every=True))
    return export


def _pdf(window: MainWindow) -> None:
    from respond.ui.report_action import save_pdf_report

    save_pdf_report(window)


def _sr(window: MainWindow) -> None:
    session = window.session
    if session is None or window.sr_export is None:
        window.show_error("Open a patient first to export its DICOM SR")
        return
    folder = window.prompts.folder("Export DICOM SR: choose the output folder")
    if folder is None:
        return
    read = session.read
    try:
        written = window.sr_export(read, image_folders_of(window.store, read), folder)
    except RespondError as exc:
        window.show_error(exc)
        return
    window.statusBar().showMessage(
        f"DICOM SR: {len(written)} file(s) written to {folder}", 10000
    )


def _csv(window: MainWindow, *, every: bool) -> None:
    if window.csv_export is None:
        window.show_error("CSV export is not available in this build")
        return
    if not every and window.session is None:
        window.show_error("Open a patient first to export its CSV")
        return
    default = Path.home() / (
        "respond-all.csv" if every else f"{window.session.read.patient.id}.csv"  # type: ignore[union-attr]
    )
    path = window.prompts.save_file("Export CSV", default, "CSV (*.csv)")
    if path is None:
        return
    if every:
        reads, problems = _load_all(window)
    else:
        reads, problems = [window.session.read], []  # type: ignore[union-attr]
    try:
        written = window.csv_export(reads, path)
    except RespondError as exc:
        window.show_error(exc)
        return
    note = f"; not exported: {'; '.join(problems)}" if problems else ""
    window.statusBar().showMessage(
        f"CSV written: {', '.join(str(p) for p in written)}{note}", 15000
    )


def _load_all(window: MainWindow) -> tuple[list[PatientRead], list[str]]:
    reads, problems = [], []
    for summary in window.home_store.list_patients():
        try:
            reads.append(window.home_store.load(summary.patient_id))
        except RespondError as exc:
            problems.append(f"{summary.patient_id} ({exc})")
    return reads, problems


def _all(window: MainWindow, kind: str) -> None:
    folder = window.prompts.folder(
        f"Export {'PDF reports' if kind == 'pdf' else 'DICOM SR'} of all patients: "
        "choose the output folder"
    )
    if folder is not None:
        export_all(window, kind, folder)


def export_all(window: MainWindow, kind: str, folder: Path) -> list[str]:
    """Export every stored patient's PDF (``kind`` "pdf") or SR ("sr") to a folder.

    Returns the problems met (one line per patient not exported).
    """
    store = window.home_store
    patients = [s.patient_id for s in store.list_patients()]
    progress = QProgressDialog(
        f"Exporting {len(patients)} patients…", "Cancel", 0, len(patients), window
    )
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    problems: list[str] = []
    done = 0
    for number, patient_id in enumerate(patients):
        progress.setValue(number)
        progress.setLabelText(
            f"Exporting {patient_id} ({number + 1} of {len(patients)})"
        )
        QApplication.processEvents()
        if progress.wasCanceled():
            problems.append("cancelled")
            break
        try:
            read = store.load(patient_id)
            folders = image_folders_of(store, read)
            if kind == "pdf":
                if window.pdf_export is None:
                    raise RespondError("PDF reports are not available in this build")
                window.pdf_export(read, [], folders, folder / f"{patient_id}.pdf")
            else:
                if window.sr_export is None:
                    raise RespondError("DICOM SR is not available in this build")
                window.sr_export(read, folders, folder / patient_id)
            done += 1
        except RespondError as exc:
            problems.append(f"{patient_id}: {exc}")
    progress.setValue(len(patients))
    progress.deleteLater()
    note = f"; not exported: {'; '.join(problems)}" if problems else ""
    window.statusBar().showMessage(
        f"Exported {done} of {len(patients)} patients to {folder}{note}", 15000
    )
    return problems
