"""Encapsulated PDF: the PDF kept byte for byte, the patient and study of ``like``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest
from pydicom import Dataset

from respond.pacs import PacsError, encapsulate_pdf

ODD_PDF = b"%PDF-1.4\n%%EOF\n"  # 15 bytes: padded to 16 in the data set


def _like() -> Dataset:
    ds = Dataset()
    ds.PatientName = "Müller^Hans"
    ds.PatientID = "MRN-1"
    ds.PatientBirthDate = "19510714"
    ds.PatientSex = "M"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.1"
    ds.StudyDate = "20240108"
    ds.StudyTime = "091025"
    ds.AccessionNumber = "ACC-9"
    ds.StudyID = "7"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.8.498.2"
    ds.ReferringPhysicianName = ""
    return ds


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "report.pdf"
    path.write_bytes(ODD_PDF)
    return path


def test_patient_and_study_copied_new_series(pdf: Path, tmp_path: Path) -> None:
    out = encapsulate_pdf(pdf, _like(), tmp_path, title="HCC response, FU1")
    assert out.parent == tmp_path
    assert out.suffix == ".dcm"
    doc = pydicom.dcmread(out)
    assert out.stem == doc.SOPInstanceUID
    for keyword in ("PatientName", "PatientID", "StudyInstanceUID", "AccessionNumber"):
        assert doc[keyword].value == _like()[keyword].value
    assert doc.SeriesInstanceUID != _like().SeriesInstanceUID
    assert doc.DocumentTitle == "HCC response, FU1"
    assert doc.EncapsulatedDocumentLength == 15
    assert doc.EncapsulatedDocument == ODD_PDF + b"\x00"
    assert doc.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian


def test_without_like_a_new_study(pdf: Path, tmp_path: Path) -> None:
    doc = pydicom.dcmread(encapsulate_pdf(pdf, None, tmp_path / "x.dcm"))
    assert doc.StudyInstanceUID
    assert (doc.PatientID, doc.PatientName) == ("", "")


def test_not_a_pdf_and_not_a_reference(pdf: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.pdf"
    text.write_text("hello")
    with pytest.raises(PacsError, match="not a PDF file"):
        encapsulate_pdf(text, None, tmp_path)
    with pytest.raises(PacsError, match="not a readable DICOM file"):
        encapsulate_pdf(pdf, text, tmp_path)
    with pytest.raises(PacsError, match="cannot be read"):
        encapsulate_pdf(tmp_path / "missing.pdf", None, tmp_path)


@pytest.mark.skipif(
    shutil.which("dciodvfy") is None, reason="dciodvfy is not installed"
)
def test_dciodvfy_finds_no_errors(pdf: Path, tmp_path: Path) -> None:
    for like in (_like(), None):
        out = encapsulate_pdf(pdf, like, tmp_path)
        check = subprocess.run(["dciodvfy", str(out)], capture_output=True, check=False)
        output = (check.stdout + check.stderr).decode("latin-1")
        assert "EncapsulatedPDF" in output
        assert not [line for line in output.splitlines() if line.startswith("Error")], (
            output
        )
