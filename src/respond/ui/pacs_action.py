"""File > PACS: find, retrieve, and send the open time point's reports.

- "Find on PACS…" opens the :class:`~respond.ui.pacs_dialog.PacsDialog`. A
  retrieved study's first image is shown as soon as it arrives; once the study
  is in, its folder is scanned and indexed like any opened folder and its
  arterial series (else its largest) is shown.
- "Find this patient's studies on the PACS" does the same for the open patient,
  marking the studies that are time points already.
- "Send this time point's report to the PACS…" writes the time point's DICOM SR
  and the patient's PDF report (as Encapsulated PDF, in the SR's study) and
  sends both, then says what was stored and what was refused.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QInputDialog

from respond.dicom import scan_files
from respond.errors import RespondError
from respond.pacs import PacsError, connect, encapsulate_pdf, load_nodes
from respond.ui.pacs_dialog import PacsDialog
from respond.ui.pacs_workers import PacsCallWorker
from respond.ui.series_browser import suggested_arterial

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from respond.dicom import ScanResult
    from respond.pacs import PacsClient, PacsNode, RetrieveResult, SendResult
    from respond.ui.main_window import MainWindow

__all__ = ["add_pacs_menu", "open_pacs_dialog", "send_reports"]


def add_pacs_menu(window: MainWindow, menu: QMenu) -> QMenu:
    """Add File > PACS with find, find this patient, and send."""
    pacs = menu.addMenu("PACS")
    find = pacs.addAction("Find on PACS…", lambda: open_pacs_dialog(window))
    find.setShortcut(QKeySequence("Ctrl+Shift+F"))
    pacs.addAction(
        "Find this patient's studies on the PACS", lambda: _find_patient(window)
    )
    pacs.addAction(
        "Send this time point's report to the PACS…", lambda: send_reports(window)
    )
    return pacs


def _nodes(window: MainWindow) -> list[PacsNode]:
    try:
        return list(load_nodes())
    except PacsError as exc:
        window.errors.report(exc)
        return []


def open_pacs_dialog(window: MainWindow) -> PacsDialog:
    """Show the window's PACS dialog (made once, kept while the window lives)."""
    dialog = window.pacs_dialog
    if dialog is None:
        dialog = PacsDialog(
            _nodes(window), known_studies=lambda: _known(window), parent=window
        )
        dialog.first_image.connect(lambda path: _preview(window, path))
        dialog.retrieved.connect(lambda folder, result: _open(window, folder, result))
        window.pacs_dialog = dialog
    dialog.show()
    dialog.raise_()
    return dialog


def _known(window: MainWindow) -> dict[str, str]:
    """Return the open patient's time points' studies: study UID -> label."""
    if window.session is None:
        return {}
    return {tp.study_uid: tp.label for tp in window.session.read.timepoints}


def _find_patient(window: MainWindow) -> None:
    if window.session is None:
        window.errors.report("Open a patient first to find its studies on the PACS")
        return
    open_pacs_dialog(window).find_patient(window.session.read.patient.id)


def _preview(window: MainWindow, path: Path) -> None:
    """Show the first image in the viewer too, when a patient's read is open."""
    if window.session is None:
        return  # the start screen: the dialog's preview shows it
    try:
        result = scan_files([path], root=path.parent)
    except RespondError:
        return  # the whole study is scanned at the end and reports its problems
    if result.series:
        window.show_series(result.series[0])
        window.statusBar().showMessage(
            "Retrieving: the first image is shown; the study opens when it is in",
            10000,
        )


def _open(window: MainWindow, folder: Path, result: RetrieveResult) -> None:
    """Take the retrieved study in as the reader would from a folder.

    No patient open: it may become a new patient (or a time point of the
    patient it belongs to: the intake asks). The open patient's study: a time
    point already is shown; a new one is offered as a time point. Another
    patient's study is only listed (its series can be looked at).
    """
    session = window.session
    if session is None:
        window.new_patient_from_study(folder)
        return
    known = {tp.study_uid for tp in session.read.timepoints}
    if result.study_uid not in known and _patient_of(folder) == session.read.patient.id:
        window.add_study_from_folder(folder)
        return

    def show(scan: ScanResult) -> None:
        study = [s for s in scan.series if s.study_uid == result.study_uid]
        chosen = suggested_arterial(tuple(study)) or max(
            study, key=lambda s: s.image_count, default=None
        )
        if chosen is not None:
            window.show_series(chosen)

    window.open_folder(folder, then=show)


def _patient_of(folder: Path) -> str | None:
    """Return the Patient ID of a retrieved study folder's first file."""
    first = next(folder.rglob("*.dcm"), None)
    if first is None:
        return None
    try:
        result = scan_files([first], root=folder)
    except RespondError:
        return None
    return next((p.id for p in result.patients), None)


def _choose_node(window: MainWindow, nodes: list[PacsNode]) -> PacsNode | None:
    if not nodes:
        window.errors.report(
            "No PACS is configured: add one with 'respond pacs add NAME …' "
            "(see docs/pacs.md)"
        )
        return None
    if len(nodes) == 1:
        return nodes[0]
    names = [n.name for n in nodes]
    name, ok = QInputDialog.getItem(window, "Send to PACS", "PACS", names, 0, False)
    return nodes[names.index(name)] if ok else None


def _report_files(window: MainWindow, out: Path) -> list[Path]:
    """Write the current time point's SR and the PDF (wrapped) into ``out``."""
    from respond.ui.export_action import image_folders_of
    from respond.ui.report_action import image_folders

    session = window.session
    if session is None or window.sr_export is None:
        raise RespondError("Open a patient first to send its report")
    read = session.read
    index = next(
        (i for i, tp in enumerate(read.timepoints) if tp.uid == window.current_uid),
        len(read.timepoints) - 1,
    )
    written = window.sr_export(read, image_folders_of(window.store, read), out / "sr")
    if not written:
        raise RespondError("no DICOM SR was written for this patient")
    sr = written[min(index, len(written) - 1)]
    files = [sr]
    if window.pdf_export is not None:
        scans = [] if window.scan_result is None else [window.scan_result]
        pdf = window.pdf_export(read, scans, image_folders(window), out / "report.pdf")
        files.append(encapsulate_pdf(pdf, like=sr, out=out / "report-pdf.dcm"))
    return files


def send_reports(
    window: MainWindow, node: PacsNode | None = None
) -> PacsCallWorker | None:
    """Send the current time point's SR and the PDF report to a PACS."""
    if window.session is None:
        window.errors.report("Open a patient first to send its report")
        return None
    node = node or _choose_node(window, _nodes(window))
    if node is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="respond-send-"))
    try:
        files = _report_files(window, folder)
        client: PacsClient = connect(node)
    except RespondError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        window.errors.report(exc)
        return None
    worker = PacsCallWorker(client, lambda c: c.send(files), "sending the report")
    worker.finished.connect(lambda result: _sent(window, node, result))
    worker.failed.connect(window.errors.report)
    worker.ended.connect(lambda: shutil.rmtree(folder, ignore_errors=True))
    window.statusBar().showMessage(f"Sending {len(files)} file(s) to {node.name} …")
    worker.start()
    return worker


def _sent(window: MainWindow, node: PacsNode, result: SendResult) -> None:
    if result.failed:
        reasons = "; ".join(f"{f.path.name}: {f.reason}" for f in result.failed)
        window.errors.report(
            f"{node.name} refused {len(result.failed)} of "
            f"{len(result.sent) + len(result.failed)} file(s): {reasons}"
        )
        return
    window.statusBar().showMessage(
        f"Sent to {node.name}: {len(result.sent)} file(s) (DICOM SR and PDF) stored",
        15000,
    )
