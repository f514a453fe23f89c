"""File > Export: this patient's CSV and SR, every patient's PDF, with progress."""

from __future__ import annotations

import csv
from pathlib import Path

import pydicom
import pytest
from tests.ui.readflow import ScriptedPrompts

from respond.app import csv_report, pdf_report, sr_report
from respond.demo import prepare_demo
from respond.errors import RespondError
from respond.store import open_store
from respond.ui.export_action import export_all, image_folders_of
from respond.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path):
    setup = prepare_demo(tmp_path / "demo")
    store = open_store(setup.database)
    window = MainWindow(store, reader="Dr Export (radiologist)")
    window.pdf_export, window.sr_export, window.csv_export = (
        pdf_report,
        sr_report,
        csv_report,
    )
    window.prompts = ScriptedPrompts(window)
    qtbot.addWidget(window)
    window.show()
    window.open_patient(setup.patient_id)
    window.open_folder(setup.dicom_root)
    qtbot.waitUntil(lambda: window.scan_result is not None, timeout=30000)
    yield window
    window.close()
    store.close()


def test_this_patients_csv_and_sr(window: MainWindow, tmp_path: Path) -> None:
    prompts = window.prompts
    assert isinstance(prompts, ScriptedPrompts)
    target = tmp_path / "out" / "demo.csv"
    target.parent.mkdir()
    prompts.save_file = lambda *_a: target  # type: ignore[method-assign]
    menu = {a.text(): a for a in window.export_menu.actions()}
    menu["CSV of this patient…"].trigger()
    assert not target.exists()  # the tables are named by their SDTM domain
    for domain in ("tu", "tr", "rs"):
        table = tmp_path / "out" / f"demo-{domain}.csv"
        rows = list(csv.DictReader(table.open(encoding="utf-8")))
        assert rows
        assert {r["USUBJID"] for r in rows} == {"DEMO-0001"}
        assert {r["DOMAIN"] for r in rows} == {domain.upper()}
        assert str(table) in window.statusBar().currentMessage()
    prompts.folders.append(tmp_path / "sr")
    menu["DICOM SR of this patient…"].trigger()
    written = sorted((tmp_path / "sr").glob("*.dcm"))
    assert len(written) == 3
    sr = pydicom.dcmread(written[0])
    assert sr.PatientID == "DEMO-0001"
    assert "3 file(s) written" in window.statusBar().currentMessage()


def test_every_patients_pdf_with_progress(window: MainWindow, tmp_path: Path) -> None:
    folders = image_folders_of(window.store, window.session.read)  # type: ignore[union-attr]
    assert folders, "the demo's studies are in the image index"
    problems = export_all(window, "pdf", tmp_path)
    assert problems == []
    pdf = tmp_path / "DEMO-0001.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Exported 1 of 1 patients" in window.statusBar().currentMessage()


def test_a_failing_export_names_the_patient_and_goes_on(
    window: MainWindow, tmp_path: Path
) -> None:
    def broken(*_args: object) -> list[Path]:
        raise RespondError("the output folder is read-only")

    window.sr_export = broken
    problems = export_all(window, "sr", tmp_path)
    assert problems == ["DEMO-0001: the output folder is read-only"]
    assert "not exported: DEMO-0001" in window.statusBar().currentMessage()
