"""A report PDF wrapped as an Encapsulated PDF Storage instance (for a PACS).

The instance takes the patient and study of a reference dataset (respond's SR
of that patient and study, or one of the images), gets a new series (modality
DOC), and holds the PDF bytes unchanged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Final

from pydicom import Dataset, FileMetaDataset, dcmread
from pydicom.errors import InvalidDicomError
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    UID,
    ExplicitVRLittleEndian,
    generate_uid,
)

from respond import __version__
from respond.pacs.errors import PacsError

__all__ = ["ENCAPSULATED_PDF_STORAGE", "encapsulate_pdf", "read_reference"]

ENCAPSULATED_PDF_STORAGE: Final = "1.2.840.10008.5.1.4.1.1.104.1"
PATIENT_KEYWORDS: Final = (
    "PatientName", "PatientID", "IssuerOfPatientID", "PatientBirthDate",
    "PatientSex", "OtherPatientIDsSequence", "PatientIdentityRemoved",
    "DeidentificationMethod",
)  # fmt: skip
STUDY_KEYWORDS: Final = (
    "StudyInstanceUID", "StudyDate", "StudyTime", "ReferringPhysicianName",
    "StudyID", "AccessionNumber", "StudyDescription",
)  # fmt: skip
_TYPE2: Final = (
    "PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate",
    "StudyTime", "ReferringPhysicianName", "StudyID", "AccessionNumber",
)  # fmt: skip


def _read_pdf(pdf_path: Path) -> bytes:
    try:
        data = pdf_path.read_bytes()
    except OSError as exc:
        raise PacsError(f"{pdf_path}: cannot be read ({exc.strerror or exc})") from None
    if not data.startswith(b"%PDF-"):
        raise PacsError(f"{pdf_path}: not a PDF file (it does not start with %PDF-)")
    return data


def _copy_patient_and_study(ds: Dataset, like: Dataset | None) -> None:
    for keyword in (*PATIENT_KEYWORDS, *STUDY_KEYWORDS):
        if like is not None and keyword in like:
            ds[keyword] = like[keyword]
    for keyword in _TYPE2:
        if keyword not in ds:
            setattr(ds, keyword, "")
    if "StudyInstanceUID" not in ds or not ds.StudyInstanceUID:
        ds.StudyInstanceUID = generate_uid()


def _document(ds: Dataset, data: bytes, title: str, now: dt.datetime) -> None:
    ds.Modality = "DOC"
    ds.SeriesInstanceUID = generate_uid()
    ds.SeriesNumber = 9901
    ds.SeriesDescription = "respond report (PDF)"
    ds.Manufacturer = "respond"
    ds.SoftwareVersions = __version__
    ds.ConversionType = "WSD"  # workstation
    ds.InstanceNumber = 1
    ds.ContentDate = now.strftime("%Y%m%d")
    ds.ContentTime = now.strftime("%H%M%S")
    ds.AcquisitionDateTime = now.strftime("%Y%m%d%H%M%S")
    ds.BurnedInAnnotation = "YES"  # the report names the patient
    ds.DocumentTitle = title[:64]
    ds.ConceptNameCodeSequence = []
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = data + (b"\x00" if len(data) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(data)


def encapsulate_pdf(
    pdf_path: Path,
    like: Dataset | Path | str | None,
    out: Path,
    *,
    title: str = "Tumour response report",
) -> Path:
    """Write ``pdf_path`` as an Encapsulated PDF Storage instance.

    The PDF is kept byte for byte in EncapsulatedDocument. ``like`` is a
    dataset of the same patient and study (respond's SR, an image), or the path
    of such a DICOM file: its patient and general study modules are copied
    (None: empty patient fields and a new study). ``out`` is the file to write,
    or an existing folder (then ``<SOPInstanceUID>.dcm`` in it); ``title`` is
    the DocumentTitle. Returns the file written.

    Raises
    ------
    PacsError
        The PDF cannot be read or is not a PDF, ``like`` is not a readable
        DICOM file, or the file cannot be written.
    """
    data = _read_pdf(Path(pdf_path))
    if isinstance(like, str | Path):
        like = read_reference(Path(like))
    ds = _instance(data, like, title)
    target = Path(out) / f"{ds.SOPInstanceUID}.dcm" if Path(out).is_dir() else Path(out)
    try:
        ds.save_as(target, enforce_file_format=True)
    except OSError as exc:
        raise PacsError(
            f"{target}: cannot be written ({exc.strerror or exc})"
        ) from None
    return target


def _instance(data: bytes, like: Dataset | None, title: str) -> Dataset:
    sop_uid = generate_uid()
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = ENCAPSULATED_PDF_STORAGE
    ds.SOPInstanceUID = sop_uid
    _copy_patient_and_study(ds, like)
    now = dt.datetime.now()
    ds.InstanceCreationDate = now.strftime("%Y%m%d")
    ds.InstanceCreationTime = now.strftime("%H%M%S")
    _document(ds, data, title, now)
    ds.file_meta = _file_meta(sop_uid)
    return ds


def _file_meta(sop_uid: str) -> FileMetaDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(ENCAPSULATED_PDF_STORAGE)
    meta.MediaStorageSOPInstanceUID = UID(sop_uid)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = f"RESPOND_{__version__}"[:16]
    return meta


def read_reference(like_path: Path) -> Dataset:
    """Return the header of the DICOM file that gives a PDF its patient and study.

    Raises
    ------
    PacsError
        ``like_path`` is not a readable DICOM file with a StudyInstanceUID.
    """
    try:
        like = dcmread(like_path, stop_before_pixels=True)
    except (InvalidDicomError, OSError, ValueError, EOFError) as exc:
        raise PacsError(
            f"{like_path}: not a readable DICOM file ({str(exc)[:120]}): a PDF "
            "takes its patient and study from a DICOM file of the same study "
            "(e.g. respond's SR)"
        ) from None
    if not str(like.get("StudyInstanceUID", "")):
        raise PacsError(f"{like_path}: has no StudyInstanceUID to file the PDF under")
    return like
