"""Send respond's SR and a report PDF (as Encapsulated PDF) to a real Orthanc."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest
from pacsbuild import Pacs, dataset_bytes

from respond.pacs import SendProgress, connect, encapsulate_pdf

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture(scope="module")
def srs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """respond's SR of each time point of the demo read (BL, FU1, FU2)."""
    from respond.demo import prepare_demo
    from respond.report.images import ImageIndex
    from respond.report.sr import write_sr
    from respond.store import open_store

    demo = prepare_demo(tmp_path_factory.mktemp("demo"))
    with open_store(demo.database) as store:
        read = store.load(demo.patient_id)
    images = ImageIndex.from_folders([demo.dicom_root])
    return write_sr(read, images, tmp_path_factory.mktemp("sr"))


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)
    return path


@pytest.mark.parametrize(("how", "index"), [("dicomweb", 0), ("dimse", 1)])
def test_send_an_sr_and_a_pdf_then_find_them(
    pacs: Pacs, srs: list[Path], pdf: Path, tmp_path: Path, how: str, index: int
) -> None:
    sr = srs[index]
    wrapped = encapsulate_pdf(pdf, sr, tmp_path)
    client = connect(pacs.web() if how == "dicomweb" else pacs.dimse())
    steps: list[SendProgress] = []
    result = client.send([sr, wrapped], progress=steps.append)
    assert result.ok, result.failed
    assert result.sent == (sr, wrapped)
    assert [s.done for s in steps] == [1, 2]
    study_uid = str(pydicom.dcmread(sr, stop_before_pixels=True).StudyInstanceUID)
    series = client.find_series(study_uid)
    assert sorted(s.modality for s in series) == ["DOC", "SR"]
    doc = next(s for s in series if s.modality == "DOC")
    back = connect(pacs.web()).retrieve_study(
        study_uid, tmp_path / "back", series_uids=[doc.series_uid]
    )
    (stored,) = back.files
    assert dataset_bytes(stored) == dataset_bytes(wrapped)  # meta: the sender's
    assert pydicom.dcmread(stored).EncapsulatedDocument[: len(PDF)] == PDF


def test_a_file_that_is_not_dicom_fails_alone(
    pacs: Pacs, srs: list[Path], tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("not DICOM")
    for node in (pacs.web(), pacs.dimse()):
        result = connect(node).send([junk, srs[2]])
        assert result.sent == (srs[2],)
        (failure,) = result.failed
        assert failure.path == junk
        assert "not a readable DICOM file" in failure.reason
        assert not result.ok


def test_encapsulated_pdf_takes_patient_and_study_of_the_sr(
    srs: list[Path], pdf: Path, tmp_path: Path
) -> None:
    sr = pydicom.dcmread(srs[0])
    out = encapsulate_pdf(pdf, sr, tmp_path / "report.dcm")
    doc = pydicom.dcmread(out)
    assert doc.SOPClassUID == "1.2.840.10008.5.1.4.1.1.104.1"
    assert doc.file_meta.MediaStorageSOPClassUID == doc.SOPClassUID
    for keyword in ("PatientID", "PatientName", "PatientBirthDate", "StudyInstanceUID"):
        assert doc[keyword].value == sr[keyword].value
    assert doc.SeriesInstanceUID != sr.SeriesInstanceUID
    assert (doc.Modality, doc.MIMETypeOfEncapsulatedDocument) == (
        "DOC",
        "application/pdf",
    )
    assert doc.DocumentTitle == "Tumour response report"
    assert doc.EncapsulatedDocumentLength == len(PDF)
    assert doc.EncapsulatedDocument[: len(PDF)] == PDF
    if shutil.which("dciodvfy") is not None:
        check = subprocess.run(["dciodvfy", str(out)], capture_output=True, check=False)
        output = (check.stdout + check.stderr).decode("latin-1")
        errors = [line for line in output.splitlines() if line.startswith("Error")]
        assert not errors, output
