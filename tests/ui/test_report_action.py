"""File > Save PDF report: the open patient's report in one action."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tests.ui.test_main_window import WAIT_MS, window_for

from respond.app import pdf_report
from respond.errors import RespondError
from respond.store import open_store
from respond.ui.main_window import MainWindow
from respond.ui.report_action import image_folders, save_pdf_report


def test_save_pdf_report_of_the_open_demo(qtbot, tmp_path: Path) -> None:
    from respond.demo import prepare_demo

    setup = prepare_demo(tmp_path / "demo")
    with open_store(setup.database) as store:
        window = window_for(qtbot, store, setup.patient_id)
        window.pdf_export = pdf_report
        window.open_folder(setup.dicom_root)
        qtbot.waitUntil(lambda: window.scan_result is not None, timeout=WAIT_MS)
        # Where the image index found the studies, then the open folder.
        folders = image_folders(window)
        assert folders[0].is_relative_to(setup.dicom_root)
        assert setup.dicom_root in folders
        assert window.save_report.shortcut().toString()  # Ctrl+P on every platform
        written = save_pdf_report(window, tmp_path / "demo.pdf")
        assert written == tmp_path / "demo.pdf"
        assert written.read_bytes().startswith(b"%PDF")
        assert "Report saved" in window.statusBar().currentMessage()
        pdftotext = subprocess.run(
            ["pdftotext", str(written), "-"],
            capture_output=True,
            text=True,
            check=False,
        )
        if pdftotext.returncode == 0:  # poppler-utils installed: key images were found
            assert "image not found" not in pdftotext.stdout
            assert "DEMO-0001" in pdftotext.stdout


def test_no_patient_or_failing_export_is_a_message(qtbot, tmp_path: Path) -> None:
    with open_store(tmp_path / "empty.sqlite3") as store:
        window = MainWindow(store, reader="dr-test")
        qtbot.addWidget(window)
        assert save_pdf_report(window, tmp_path / "x.pdf") is None
        assert "Open a patient first" in window.statusBar().currentMessage()


def test_export_error_is_shown_not_raised(qtbot, tmp_path: Path) -> None:
    from respond.demo import prepare_demo

    setup = prepare_demo(tmp_path / "demo")

    def broken(read, scans, folders, path):
        raise RespondError(f"{path}: the folder does not exist; create it")

    with open_store(setup.database) as store:
        window = window_for(qtbot, store, setup.patient_id)
        window.pdf_export = None
        assert save_pdf_report(window, tmp_path / "x.pdf") is None
        assert "not available" in window.statusBar().currentMessage()
        window.pdf_export = broken
        assert save_pdf_report(window, tmp_path / "x.pdf") is None
        assert "does not exist" in window.statusBar().currentMessage()
        assert not (tmp_path / "x.pdf").exists()


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    def refuse(*args: object, **kwargs: object) -> tuple[str, str]:
        raise AssertionError("a dialog opened in a test that passes the path")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", refuse)
