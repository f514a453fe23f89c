"""A deflated file's header is inflated only as far as its pixel data."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    CTImageStorage,
    DeflatedExplicitVRLittleEndian,
    generate_uid,
)

from respond.dicom import NotDicomError, load_series, scan
from respond.dicom._deflated import MAX_INFLATED, read_deflated
from respond.dicom._header import Header, Unreadable, read_header

if TYPE_CHECKING:
    from pathlib import Path


def _deflated_ct(
    path: Path, pixels: np.ndarray, *, private_bytes: int = 0, z: float = 0.0
) -> Path:
    ds = Dataset()
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = "1.2.3.4"
    ds.SeriesInstanceUID = "1.2.3.4.5"
    ds.FrameOfReferenceUID = "1.2.3.4.6"
    ds.Modality = "CT"
    ds.PatientID = "DFL-1"
    ds.SeriesDescription = "deflated"
    ds.ImagePositionPatient = [0.0, 0.0, z]
    ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    ds.PixelSpacing = [0.7, 0.7]
    ds.SliceThickness = 1.0
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.RescaleSlope = 1
    ds.RescaleIntercept = -1024
    if private_bytes:
        block = ds.private_block(0x0009, "RESPOND TEST", create=True)
        block.add_new(0x01, "OB", bytes(private_bytes))
    ds.PixelData = pixels.astype(np.int16).tobytes()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(path, enforce_file_format=True)
    return path


def test_the_header_is_read_as_pydicom_reads_it(tmp_path: Path) -> None:
    pixels = np.arange(64 * 48, dtype=np.int16).reshape(64, 48)
    path = _deflated_ct(tmp_path / "a.dcm", pixels)
    with open(path, "rb") as stream:
        header = read_deflated(stream, path, lambda *_: False)
    assert header is not None
    full = pydicom.dcmread(path)
    for element in full:
        if element.tag != 0x7FE00010:
            assert header[element.tag].value == element.value, element.keyword
    pixel = header.get_item(0x7FE00010, keep_deferred=True)
    assert pixel.length == len(full.PixelData) == 64 * 48 * 2
    assert pixel.value is None  # never inflated


def test_the_pixels_are_not_inflated_for_the_header(tmp_path: Path) -> None:
    noise = np.random.default_rng(7).integers(-1024, 3000, (512, 512))
    path = _deflated_ct(tmp_path / "noise.dcm", noise)
    raw = path.read_bytes()

    class Counting(io.BytesIO):
        consumed = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            self.consumed += len(data)
            return data

    stream = Counting(raw)
    assert read_deflated(stream, path, lambda *_: False, whole=False) is not None
    assert len(raw) > 400_000
    assert stream.consumed < 150_000


def test_a_file_that_is_not_deflated_is_left_to_the_other_readers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "plain.dcm"
    ds = pydicom.dcmread(_deflated_ct(tmp_path / "d.dcm", np.zeros((8, 8))))
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.save_as(path, enforce_file_format=True)
    with open(path, "rb") as stream:
        assert read_deflated(stream, path, lambda *_: False) is None
    assert isinstance(read_header(path), Header)


def test_a_header_that_inflates_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    path = _deflated_ct(
        tmp_path / "bomb.dcm", np.zeros((8, 8)), private_bytes=MAX_INFLATED + 1
    )
    assert path.stat().st_size < MAX_INFLATED // 100
    result = read_header(path)
    assert isinstance(result, Unreadable)
    assert "larger than 64 MB" in result.reason


def test_a_deflated_series_scans_and_loads_exactly(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    slices = [rng.integers(-1024, 2000, (32, 40)) for _ in range(4)]
    for k, plane in enumerate(slices):
        _deflated_ct(tmp_path / f"{k}.dcm", plane, z=2.0 * k)
    (candidate,) = scan(tmp_path).series
    assert candidate.readiness.name == "READY", candidate.findings
    volume = load_series(candidate)
    expected = np.stack(slices).astype(np.float32) - 1024
    assert np.array_equal(np.asarray(volume.voxels, dtype=np.float32), expected)


@pytest.mark.parametrize("cut", [0.3, 0.9, 0.999])
def test_a_deflated_file_cut_short_is_refused_by_the_scan(
    tmp_path: Path, cut: float
) -> None:
    noise = np.random.default_rng(5).integers(-1024, 3000, (128, 128))
    _deflated_ct(tmp_path / "good.dcm", noise, z=1.0)
    path = _deflated_ct(tmp_path / "cut.dcm", noise)
    raw = path.read_bytes()
    path.write_bytes(raw[: int(len(raw) * cut)])
    result = scan(tmp_path)
    (candidate,) = result.series
    assert len(candidate.frames) == 1
    (unreadable,) = result.unreadable
    assert unreadable.path == path
    assert "cut short" in unreadable.reason or "damaged" in unreadable.reason


def test_a_folder_of_damaged_files_says_so(tmp_path: Path) -> None:
    noise = np.random.default_rng(5).integers(-1024, 3000, (128, 128))
    path = _deflated_ct(tmp_path / "cut.dcm", noise)
    path.write_bytes(path.read_bytes()[:-1000])
    with pytest.raises(NotDicomError, match=r"no readable DICOM files .*cut\.dcm.*cut"):
        scan(tmp_path)


def test_damaged_deflated_pixels_are_refused_by_the_scan(tmp_path: Path) -> None:
    noise = np.random.default_rng(5).integers(-1024, 3000, (128, 128))
    _deflated_ct(tmp_path / "good.dcm", noise, z=1.0)
    path = _deflated_ct(tmp_path / "flipped.dcm", noise)
    raw = bytearray(path.read_bytes())
    for k in range(len(raw) - 2000, len(raw) - 1000, 7):
        raw[k] ^= 0x5A
    path.write_bytes(bytes(raw))
    result = scan(tmp_path)
    (unreadable,) = result.unreadable
    assert unreadable.path == path
    assert "deflated data set" in unreadable.reason


def test_the_loader_leaves_the_whole_check_to_its_decoder(tmp_path: Path) -> None:
    noise = np.random.default_rng(5).integers(-1024, 3000, (128, 128))
    path = _deflated_ct(tmp_path / "a.dcm", noise)
    raw = path.read_bytes()
    path.write_bytes(raw[: int(len(raw) * 0.9)])
    assert isinstance(read_header(path, whole=False), Header)
    assert isinstance(read_header(path), Unreadable)


def test_the_fast_reader_gives_the_header_pydicom_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import respond.dicom._header as header_module

    rng = np.random.default_rng(9)
    paths = [
        _deflated_ct(tmp_path / "a.dcm", rng.integers(-1024, 2000, (64, 48))),
        _deflated_ct(
            tmp_path / "b.dcm",
            rng.integers(-1024, 2000, (32, 32)),
            private_bytes=300_000,
        ),
    ]
    fast = [read_header(path) for path in paths]
    monkeypatch.setattr(header_module, "read_deflated_fast", lambda *_a, **_k: None)
    slow = [read_header(path) for path in paths]
    assert all(isinstance(h, Header) for h in fast)
    assert fast == slow


def test_a_cut_deflated_file_is_refused_by_the_fast_reader_too(tmp_path: Path) -> None:
    from respond.dicom._deflated import read_deflated_fast

    noise = np.random.default_rng(5).integers(-1024, 3000, (128, 128))
    path = _deflated_ct(tmp_path / "cut.dcm", noise)
    path.write_bytes(path.read_bytes()[:-500])
    with open(path, "rb") as stream:
        head = stream.read(8192)
        with pytest.raises(ValueError, match="cut short"):
            read_deflated_fast(stream, head)
        assert read_deflated_fast(stream, head, whole=False) is not None
