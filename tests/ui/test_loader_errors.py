"""Background workers never die silently: every failure reaches the window.

A respond error goes to the window as it is; anything else (a bug) is logged by
type and traceback only, never with its message (which may name the patient),
and reaches the window as a RespondError saying what failed and what to do.
Either way the worker's thread ends and the worker is let go (``running()``
comes back to 0 only once its thread said ``ended``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from respond.dicom import SeriesLoadError, scan
from respond.errors import RespondError
from respond.ui import loader

if TYPE_CHECKING:
    from pathlib import Path

    from pytestqt.qtbot import QtBot

    from respond.dicom import SeriesCandidate

PATIENT_NAME = "Doe^Jane"
PATIENT_ID = "MRN-4711"
WAIT_MS = 10_000


def write_ct_slice(path: Path, size: int = 16) -> Path:
    """A small CT slice (int16, RescaleIntercept -1024) of a named patient."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Modality, ds.SeriesNumber = "CT", 3
    ds.PatientName, ds.PatientID = PATIENT_NAME, PATIENT_ID
    ds.Rows = ds.Columns = size
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation, ds.SamplesPerPixel = 1, 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.ImagePositionPatient = [0, 0, 0]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing, ds.SliceThickness = [1, 1], 1
    ds.PixelData = np.arange(size * size, dtype="<i2").tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


@pytest.fixture
def ct_slice(tmp_path: Path) -> Path:
    return write_ct_slice(tmp_path / "slice.dcm")


@pytest.fixture
def candidate(ct_slice: Path) -> SeriesCandidate:
    (series,) = scan(ct_slice).series
    return series


class _BrokenResultJob:
    """A load whose thread fails with a bug whose message names the patient."""

    middle = 0

    def __init__(self, _candidate: object, **_kwargs: object) -> None:
        pass

    def start(self) -> _BrokenResultJob:
        return self

    def cancel(self) -> None:
        pass

    def result(self, timeout: float | None = None) -> object:
        raise RuntimeError(f"{PATIENT_NAME} ({PATIENT_ID}): index out of range")


class _BrokenStartJob(_BrokenResultJob):
    def __init__(self, _candidate: object, **_kwargs: object) -> None:
        raise ValueError(f"negative dimensions for {PATIENT_ID}")


def assert_logged_without_identifiers(
    caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert records, "the unexpected failure was not logged"
    text = "\n".join(r.getMessage() for r in records)
    assert kind in text
    assert PATIENT_NAME not in text
    assert PATIENT_ID not in text


def assert_reported_as_respond_error(error: object, kind: str) -> None:
    assert isinstance(error, RespondError)
    message = str(error)
    assert "unexpected error" in message
    assert kind in message
    assert "report it" in message


def test_a_bug_in_the_load_thread_reaches_the_window_as_a_message(
    qtbot: QtBot,
    candidate: SeriesCandidate,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(loader, "LoadJob", _BrokenResultJob)
    worker = loader.SeriesLoadWorker(candidate)
    with qtbot.waitSignal(worker.failed, timeout=WAIT_MS) as failed:
        worker.start()
    (error,) = failed.args
    assert isinstance(error, SeriesLoadError)
    assert error.series_uid == candidate.series_uid
    assert_reported_as_respond_error(error, "RuntimeError")
    assert_logged_without_identifiers(caplog, "RuntimeError")
    qtbot.waitUntil(lambda: loader.running() == 0, timeout=WAIT_MS)


def test_a_bug_starting_a_load_is_reported_at_once(
    qtbot: QtBot,
    candidate: SeriesCandidate,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(loader, "LoadJob", _BrokenStartJob)
    worker = loader.SeriesLoadWorker(candidate)
    with qtbot.waitSignal(worker.failed, timeout=WAIT_MS) as failed:
        worker.start()
    assert_reported_as_respond_error(failed.args[0], "ValueError")
    assert_logged_without_identifiers(caplog, "ValueError")
    assert loader.running() == 0


def test_a_damaged_file_fails_the_load_with_its_name(
    qtbot: QtBot, ct_slice: Path, candidate: SeriesCandidate
) -> None:
    data = ct_slice.read_bytes()
    ct_slice.write_bytes(data[: len(data) - 100])
    worker = loader.SeriesLoadWorker(candidate)
    with qtbot.waitSignal(worker.failed, timeout=WAIT_MS) as failed:
        worker.start()
    (error,) = failed.args
    assert isinstance(error, SeriesLoadError)
    assert ct_slice.name in str(error)
    qtbot.waitUntil(lambda: loader.running() == 0, timeout=WAIT_MS)


def test_a_bug_while_examining_a_folder_is_reported_not_lost(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_scan(_path: object) -> object:
        raise KeyError(PATIENT_ID)

    monkeypatch.setattr(loader, "scan", broken_scan)
    worker = loader.FolderScanWorker(tmp_path)
    with qtbot.waitSignal(worker.failed, timeout=WAIT_MS) as failed:
        worker.start()
    assert_reported_as_respond_error(failed.args[0], "KeyError")
    assert_logged_without_identifiers(caplog, "KeyError")
    qtbot.waitUntil(lambda: loader.running() == 0, timeout=WAIT_MS)


def test_a_bug_while_reading_a_patients_images_is_reported_not_lost(
    qtbot: QtBot,
    ct_slice: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_scan_files(_files: object, root: object) -> object:
        raise AttributeError(f"'NoneType' has no attribute {PATIENT_NAME!r}")

    monkeypatch.setattr(loader, "scan_files", broken_scan_files)
    worker = loader.FilesScanWorker([str(ct_slice)], str(ct_slice.parent))
    with qtbot.waitSignal(worker.failed, timeout=WAIT_MS) as failed:
        worker.start()
    assert_reported_as_respond_error(failed.args[0], "AttributeError")
    assert_logged_without_identifiers(caplog, "AttributeError")
    qtbot.waitUntil(lambda: loader.running() == 0, timeout=WAIT_MS)
