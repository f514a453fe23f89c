"""The fast header path reads exactly what pydicom reads, or steps aside."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import respond.dicom._header as header_module
from respond.dicom._fastheader import read_fast
from respond.dicom._header import Header, read_header


def slow_header(path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(header_module, "read_fast_from", lambda _stream, _head: None)
        return read_header(path)


def comparable(header: object) -> object:
    """Headers with the pixel offset blanked: pydicom records it only when deferred."""
    if not isinstance(header, Header):
        return header
    frames = tuple(dataclasses.replace(f, pixel_offset=None) for f in header.frames)
    return dataclasses.replace(header, frames=frames)


def test_every_shared_file_reads_the_same_both_ways(
    shared_dicom: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [p for p in shared_dicom.rglob("*") if p.is_file()]
    fast_used = 0
    for path in files:
        fast_used += read_fast(path) is not None
        assert comparable(read_header(path)) == comparable(
            slow_header(path, monkeypatch)
        ), path
    assert fast_used > len(files) * 0.8  # the common case takes the fast path


def test_fast_path_steps_aside_for_what_it_does_not_read(shared_dicom: Path) -> None:
    edge = shared_dicom / "edge_cases_pydicom"
    for name in (
        "MR_small_bigendian.dcm",  # big endian
        "image_dfl.dcm",  # deflated
        "ExplVR_LitEndNoMeta.dcm",  # no preamble
        "emri_small.dcm",  # multi-frame
        "eCT_Supplemental.dcm",  # functional groups
    ):
        assert read_fast(edge / name) is None, name


def test_native_pixel_offset_points_at_the_pixels(shared_dicom: Path) -> None:
    import numpy as np
    import pydicom

    path = shared_dicom / "ct_liver_hcc048_pv" / "00000045.dcm"
    (frame,) = read_header(path).frames  # type: ignore[union-attr]
    raw = np.fromfile(path, dtype="<i2", count=512 * 512, offset=frame.pixel_offset)
    assert np.array_equal(raw.reshape(512, 512), pydicom.dcmread(path).pixel_array)


def test_truncated_and_garbage_files_fall_back(
    tmp_path: Path, shared_dicom: Path
) -> None:
    source = (shared_dicom / "ct_liver_hcc048_pv" / "00000045.dcm").read_bytes()
    for cut in (10, 131, 140, 400, 1500):
        path = tmp_path / f"cut{cut}.dcm"
        path.write_bytes(source[:cut])
        result = read_header(path)  # never raises: a header or an unreadable file
        assert result is not None
    garbage = tmp_path / "garbage.dcm"
    garbage.write_bytes(source[:132] + bytes(range(256)) * 20)
    assert read_fast(garbage) is None
