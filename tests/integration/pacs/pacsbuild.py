"""Helpers of the PACS tests: the liver CT, an Orthanc that knows respond, nodes.

A plain module (not conftest.py), so ``from pacsbuild import ...`` finds it and
no other test folder's conftest.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pydicom
import pytest
from interop.orthanc import Orthanc, free_port, orthanc_missing, running_orthanc
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset
from tests.conftest import SHARED

from respond.pacs import PacsNode

LIVER = SHARED / "data" / "dicom" / "ct_liver_hcc048_pv"
SECRET = "s3cr3t-Pa55word-4711"
USER = "respond-user"


@dataclass(frozen=True)
class Liver:
    """The shared liver CT: its files by SOP Instance UID, and its UIDs."""

    files: dict[str, Path]
    study_uid: str
    series_uid: str
    patient_id: str


@dataclass(frozen=True)
class Pacs:
    """A running Orthanc and the port respond receives C-MOVE on."""

    server: Orthanc
    move_port: int

    def web(self, **changes: object) -> PacsNode:
        node = PacsNode("orthanc-web", "dicomweb", url=self.server.dicomweb, timeout=10)
        return replace(node, **changes)  # type: ignore[arg-type]

    def dimse(self, **changes: object) -> PacsNode:
        node = PacsNode(
            "orthanc-dimse",
            "dimse",
            host="127.0.0.1",
            port=self.server.dicom_port,
            called_aet=self.server.aet,
            timeout=10,
        )
        return replace(node, **changes)  # type: ignore[arg-type]

    def move(self, **changes: object) -> PacsNode:
        return self.dimse(retrieve="move", move_port=self.move_port, **changes)


def upload(server: Orthanc, paths: Iterator[Path] | list[Path]) -> None:
    """Store files in Orthanc as they are, through its REST API."""
    for path in paths:
        server.rest("/instances", data=path.read_bytes(), method="POST")


@contextlib.contextmanager
def orthanc(folder: Path, **options: object) -> Iterator[Pacs]:
    """Start an Orthanc that knows RESPOND as a C-MOVE destination."""
    missing = orthanc_missing()
    if missing:
        pytest.skip(missing)
    move_port = free_port()
    modalities = {"RESPOND": ("RESPOND", "127.0.0.1", move_port)}
    with running_orthanc(folder, modalities=modalities, **options) as server:  # type: ignore[arg-type]
        try:
            yield Pacs(server, move_port)
        finally:
            server.kill()


def defined_length_encoding(path: Path) -> bytes:
    """The data set of ``path`` encoded with defined-length sequences and items.

    Orthanc sends over DIMSE through DCMTK, which writes every sequence and
    item with an explicit length; all other bytes are the stored file's.
    """
    ds = pydicom.dcmread(path)
    _define_lengths(ds)
    buffer = DicomBytesIO()
    buffer.is_little_endian = True
    buffer.is_implicit_VR = False
    write_dataset(buffer, ds)
    return buffer.getvalue()


def _define_lengths(ds: pydicom.Dataset) -> None:
    for element in ds:
        if element.VR == "SQ":
            element.is_undefined_length = False
            for item in element.value:
                item.is_undefined_length_sequence_item = False
                _define_lengths(item)


def dataset_bytes(path: Path) -> bytes:
    """The bytes of a part-10 file after its file meta information."""
    raw = path.read_bytes()
    ds = pydicom.dcmread(io.BytesIO(raw), stop_before_pixels=True)
    meta_length = int(ds.file_meta.FileMetaInformationGroupLength)
    return raw[128 + 4 + 12 + meta_length :]


def load_liver() -> Liver:
    """The shared liver CT, or a skip when it is absent."""
    if not LIVER.is_dir():
        pytest.skip(
            f"the shared liver CT is not here ({LIVER.name}): see tests/conftest.py"
        )
    files = {}
    for path in sorted(LIVER.glob("*.dcm")):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        files[str(ds.SOPInstanceUID)] = path
    return Liver(
        files, str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID), ds.PatientID
    )
