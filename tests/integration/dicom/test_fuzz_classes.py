"""Classes of damage the 10,000-case fuzz run found, one regression each.

Each builds the damage into a real shared file (or a small generated one) and
checks what the reader is told: the scan's verdict and the loader agree, and a
header that two readers could read differently is read one way everywhere.
"""

from __future__ import annotations

import dataclasses
import shutil
import struct
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from tests.integration.dicom.conftest import EDGE, TRANSFER_SYNTAXES

from respond.dicom import DicomError, Readiness, SeriesLoadError, load_series, scan
from respond.dicom._fastcodecs import decode_frames
from respond.dicom.frame import read_frame

if TYPE_CHECKING:
    from pathlib import Path


def _copy(shared_dicom: Path, name: str, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / name.rsplit("/", 1)[-1]
    shutil.copyfile(shared_dicom / name, target)
    return target


def _element(tag: int, vr: bytes, value: bytes) -> bytes:
    """An explicit VR little endian element with a 16-bit length."""
    return struct.pack("<HH2sH", tag >> 16, tag & 0xFFFF, vr, len(value)) + value


def test_a_file_without_pixel_data_is_not_decoded_by_read_frame(
    shared_dicom: Path, tmp_path: Path
) -> None:
    path = _copy(shared_dicom, f"{EDGE}/MR_small_RLE.dcm", tmp_path)
    (candidate,) = scan(tmp_path).series
    frame = dataclasses.replace(candidate.frames[0], has_pixels=False)
    with pytest.raises(
        SeriesLoadError, match=f"{path.name}: no pixel data in the file"
    ):
        read_frame(frame)


@pytest.mark.parametrize(
    ("vr", "value"),
    [(b"IS", b"64"), (b"SS", struct.pack("<h", 64)), (b"FD", struct.pack("<d", 64))],
)
def test_pixel_module_numbers_stored_with_another_vr_are_refused(
    shared_dicom: Path, tmp_path: Path, vr: bytes, value: bytes
) -> None:
    path = _copy(shared_dicom, f"{EDGE}/MR_small_RLE.dcm", tmp_path)
    data = path.read_bytes()
    rows = _element(0x00280010, b"US", struct.pack("<H", 64))
    assert data.count(rows) == 1
    path.write_bytes(data.replace(rows, _element(0x00280010, vr, value)))
    (candidate,) = scan(tmp_path).series
    assert candidate.readiness is Readiness.NOT_LOADABLE
    (finding,) = [f for f in candidate.findings if f.code == "bad_pixel_format"]
    assert f"Rows as {vr.decode()}" in finding.message
    assert path.name in finding.message
    with pytest.raises(DicomError, match="Rows as"):
        load_series(candidate)


def test_the_fast_decoder_leaves_other_vrs_to_pydicom(
    shared_dicom: Path, tmp_path: Path
) -> None:
    path = _copy(shared_dicom, f"{EDGE}/MR_small_RLE.dcm", tmp_path)
    data = path.read_bytes()
    rows = _element(0x00280010, b"US", struct.pack("<H", 64))
    path.write_bytes(data.replace(rows, _element(0x00280010, b"IS", b"64")))
    values, _ = decode_frames(path)  # as pydicom reads it: 64, not 0x3436
    assert values.shape == (1, 64, 64)
    assert np.array_equal(values[0], pydicom.dcmread(path).pixel_array)


def test_elements_after_the_pixel_data_do_not_change_the_image_size(
    shared_dicom: Path, tmp_path: Path
) -> None:
    path = _copy(shared_dicom, f"{TRANSFER_SYNTAXES}/7.dcm", tmp_path)
    before = scan(tmp_path).series[0]
    with path.open("ab") as stream:  # a damaged copy repeats Rows at its end
        stream.write(_element(0x00280010, b"US", struct.pack("<H", 65152)))
    (candidate,) = scan(tmp_path).series
    assert (candidate.rows, candidate.columns) == (before.rows, before.columns)
    assert candidate.readiness is before.readiness
    volume = load_series(candidate)
    assert volume.shape == (1, before.rows, before.columns)
    assert read_frame(candidate.frames[0]).shape == (before.rows, before.columns)


def test_a_slice_with_a_damaged_pixel_module_is_set_apart(
    shared_dicom: Path, tmp_path: Path
) -> None:
    liver = sorted((shared_dicom / "ct_liver_hcc048_pv").iterdir())[:3]
    for source in liver:
        shutil.copyfile(source, tmp_path / source.name)
    first = tmp_path / liver[0].name
    data = first.read_bytes()
    bits = _element(0x00280100, b"US", struct.pack("<H", 16))
    assert data.count(bits) == 1
    # BitsAllocated given two values: no pixel format can be read from it
    first.write_bytes(data.replace(bits, _element(0x00280100, b"US", b"\x10\0\x28\0")))
    good, bad = sorted(scan(tmp_path).series, key=lambda c: -len(c.frames))
    assert [f.path.name for f in bad.frames] == [first.name]
    assert bad.readiness is Readiness.NOT_LOADABLE
    assert any(f.code == "no_pixel_module" for f in bad.findings)
    assert good.readiness is Readiness.READY
    assert load_series(good).shape == (2, 512, 512)


def test_a_first_slice_without_pixel_data_leaves_the_others_loadable(
    shared_dicom: Path, tmp_path: Path
) -> None:
    liver = sorted((shared_dicom / "ct_liver_hcc048_pv").iterdir())[:3]
    for source in liver:
        shutil.copyfile(source, tmp_path / source.name)
    (candidate,) = scan(tmp_path).series
    frames = list(candidate.frames)
    frames[0] = dataclasses.replace(frames[0], has_pixels=False, pixel_format=None)
    volume = load_series(dataclasses.replace(candidate, frames=tuple(frames)))
    assert set(volume.unreadable_slices) == {0}
    assert "no pixel data" in volume.unreadable_slices[0]
    expected = pydicom.dcmread(frames[1].path)
    hu = expected.pixel_array * float(expected.RescaleSlope) + float(
        expected.RescaleIntercept
    )
    assert np.array_equal(volume.slice_values(1), hu.astype(np.float32))
