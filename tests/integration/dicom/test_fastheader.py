"""The fast header path reads exactly what pydicom reads, or steps aside."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest

import respond.dicom._header as header_module
from respond.dicom._fastheader import FIRST_READ, read_fast, read_fast_from
from respond.dicom._header import Header, read_header


def slow_header(path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(header_module, "read_fast_from", lambda *_args: None)
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


class _ShortReads(io.RawIOBase):
    """A file that returns at most 1000 bytes per read (as FUSE or NFS may)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data[self._pos : self._pos + min(len(buffer), 1000)]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


def test_short_reads_do_not_make_a_file_header_only(shared_dicom: Path) -> None:
    data = (shared_dicom / "ct_liver_hcc048_pv" / "00000045.dcm").read_bytes()
    stream = _ShortReads(data)
    head = stream.read(FIRST_READ)
    assert head is not None
    assert len(head) == 1000  # short, long before the end of the file
    result = read_fast_from(stream, head, len(data))  # type: ignore[arg-type]
    assert result is not None
    assert 0x7FE00010 in result  # the pixel data was found
    assert result.get("SeriesInstanceUID")


@pytest.mark.parametrize("cut", [601, 640, 1501])
def test_a_file_cut_inside_an_element_is_left_to_pydicom(
    tmp_path: Path, shared_dicom: Path, monkeypatch: pytest.MonkeyPatch, cut: int
) -> None:
    # the last element goes on past the end: not a header-only file to the fast
    # path; pydicom, the reference, decides what it is
    source = (shared_dicom / "ct_liver_hcc048_pv" / "00000045.dcm").read_bytes()
    path = tmp_path / f"cut{cut}.dcm"
    path.write_bytes(source[:cut])
    assert read_fast(path) is None
    assert read_header(path) == slow_header(path, monkeypatch)
