"""Native pixels are read in place, from the offset the scan found.

Files can change between the scan and the load (sent again, anonymised,
replaced): the loader then reads the header again and loads the same image from
where its pixels are now, or reports the slice in words; it never shows pixels
from a stale offset.
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from tests.integration.dicom.conftest import LIVER, copy_files

from respond.dicom import SeriesLoadError, load_series, scan
from respond.dicom._decode import read_native, read_native_into

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from respond.dicom import ScanResult, SeriesCandidate, Volume

    LoadShared = Callable[[str], tuple[SeriesCandidate, Volume]]

SLICES = slice(40, 46)
CHANGED = 2  # the slice changed after the scan, within the six copied


def hounsfield(path: Path) -> np.ndarray:
    ds = pydicom.dcmread(path)
    return np.asarray(
        ds.pixel_array.astype(np.int32) * int(ds.RescaleSlope)
        + int(ds.RescaleIntercept)
    )


@pytest.fixture
def six_slices(shared_volume: LoadShared, tmp_path: Path) -> tuple[list[Path], Path]:
    """Six liver slices copied into ``tmp_path / "series"``, and the folder."""
    candidate, _ = shared_volume(LIVER)
    folder = tmp_path / "series"
    files = copy_files([f.path for f in candidate.frames[SLICES]], folder)
    return files, folder


def scanned(folder: Path) -> ScanResult:
    result = scan(folder)
    assert len(result.series) == 1
    return result


def changed_later(path: Path) -> None:
    """Make sure the file's modification time differs from the scan's."""
    status = path.stat()
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))


def test_a_slice_rewritten_with_a_longer_header_loads_from_its_new_offset(
    six_slices: tuple[list[Path], Path],
) -> None:
    files, folder = six_slices
    reference = [hounsfield(path) for path in files]
    (candidate,) = scanned(folder).series
    changed = candidate.frames[CHANGED].path
    ds = pydicom.dcmread(changed)
    ds.ImageComments = "re-sent by the archive " * 40  # moves the pixel data
    ds.save_as(changed)
    changed_later(changed)
    volume = load_series(candidate)
    assert volume.unreadable_slices == {}
    by_name = {path.name: values for path, values in zip(files, reference, strict=True)}
    for k, frame in enumerate(candidate.frames):
        assert np.array_equal(volume.voxels[k], by_name[frame.path.name]), k


@pytest.mark.parametrize(
    "change",
    ["another-image", "other-rescale", "not-dicom"],
)
def test_a_slice_that_is_no_longer_the_scanned_image_is_reported(
    six_slices: tuple[list[Path], Path], change: str
) -> None:
    _, folder = six_slices
    (candidate,) = scanned(folder).series
    changed = candidate.frames[CHANGED].path
    other = candidate.frames[CHANGED + 1].path
    if change == "another-image":
        changed.write_bytes(other.read_bytes())
    elif change == "other-rescale":
        ds = pydicom.dcmread(changed)
        ds.RescaleIntercept = -1000
        ds.save_as(changed)
    else:
        changed.write_bytes(b"not an image any more" * 30_000)
    changed_later(changed)
    volume = load_series(candidate)
    assert set(volume.unreadable_slices) == {CHANGED}
    assert "changed since the scan" in volume.unreadable_slices[CHANGED]
    assert changed.name in volume.unreadable_slices[CHANGED]
    for k, frame in enumerate(candidate.frames):
        if k != CHANGED:
            assert np.array_equal(volume.voxels[k], hounsfield(frame.path)), k


def test_a_file_that_changes_while_it_is_read_is_a_series_load_error(
    six_slices: tuple[list[Path], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import respond.dicom._decode as decode_module

    _, folder = six_slices
    (candidate,) = scanned(folder).series
    frame = candidate.frames[CHANGED]
    # the file keeps changing: every look at it gives a new stamp
    stamps = iter(range(10**6))
    monkeypatch.setattr(decode_module, "file_stamp", lambda _stream: next(stamps))
    with pytest.raises(SeriesLoadError, match="changed"):
        read_native(frame)


def test_a_native_frame_goes_straight_into_the_array_given(
    six_slices: tuple[list[Path], Path],
) -> None:
    _, folder = six_slices
    (candidate,) = scanned(folder).series
    frame = candidate.frames[0]
    volume = np.zeros((2, 512, 512), dtype=np.int16)
    read_native_into(frame, volume[1])
    stored = pydicom.dcmread(frame.path).pixel_array
    assert np.array_equal(volume[1], stored)
    assert not volume[0].any()
    with pytest.raises(SeriesLoadError, match="cannot hold"):
        read_native_into(frame, np.zeros((512, 512), dtype=np.uint16))


def test_stored_bits_are_masked_and_sign_extended_in_place(
    six_slices: tuple[list[Path], Path], tmp_path: Path
) -> None:
    files, _ = six_slices
    folder = tmp_path / "twelve_bits"
    copies = copy_files(files, folder)
    for path in copies:
        ds = pydicom.dcmread(path)
        ds.BitsStored, ds.HighBit = 12, 11  # the top 4 bits become junk
        ds.save_as(path)
    (candidate,) = scanned(folder).series
    volume = load_series(candidate)
    for k, frame in enumerate(candidate.frames):
        ds = pydicom.dcmread(frame.path)
        raw = np.frombuffer(ds.PixelData, dtype="<i2").reshape(512, 512)
        expected = ((raw << 4) >> 4).astype(np.int32) - 1024
        assert np.array_equal(volume.voxels[k], expected), k
        assert np.array_equal(volume.voxels[k], hounsfield(frame.path)), k


def test_a_slice_replaced_with_the_same_size_and_time_is_reported(
    six_slices: tuple[list[Path], Path],
) -> None:
    # cp -p, rsync -t and tar restore the modification time: with the same size,
    # only the inode or the status change time tell the file was replaced
    _, folder = six_slices
    (candidate,) = scanned(folder).series
    changed = candidate.frames[CHANGED].path
    same_size = [
        f.path
        for f in candidate.frames
        if f.path != changed and f.path.stat().st_size == changed.stat().st_size
    ]
    assert same_size, "the test needs two liver slices of one size"
    before = changed.stat()
    time.sleep(0.05)  # let the file system's clock tick past the scan's
    changed.write_bytes(same_size[0].read_bytes())
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = changed.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    volume = load_series(candidate)
    assert set(volume.unreadable_slices) == {CHANGED}
    assert "changed since the scan" in volume.unreadable_slices[CHANGED]


def test_a_changed_multiframe_file_is_opened_and_read_again_once(
    shared_dicom: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import respond.dicom._decode as decode_module

    (path,) = copy_files(
        [shared_dicom / "edge_cases_pydicom" / "emri_small.dcm"], tmp_path
    )
    (candidate,) = scan(path).series
    assert len(candidate.frames) == 10
    time.sleep(0.05)
    changed_later(path)
    calls = {"file_stamp": 0, "read_header": 0}

    def counted(name: str) -> Callable[..., object]:
        real = getattr(decode_module, name)

        def call(*args: object, **kwargs: object) -> object:
            calls[name] += 1
            return real(*args, **kwargs)

        return call

    for name in calls:
        monkeypatch.setattr(decode_module, name, counted(name))
    volume = load_series(candidate)
    assert calls == {"file_stamp": 1, "read_header": 1}
    assert volume.unreadable_slices == {}
    expected = pydicom.dcmread(path).pixel_array
    for k, frame in enumerate(volume.frames):
        assert np.array_equal(volume.voxels[k], expected[frame.frame]), k


@pytest.mark.parametrize("kind", ["transposed", "read-only"])
def test_reading_into_an_array_that_is_not_writable_and_contiguous_is_refused(
    six_slices: tuple[list[Path], Path], kind: str
) -> None:
    _, folder = six_slices
    (candidate,) = scanned(folder).series
    out = np.zeros((512, 512), dtype=np.int16)
    if kind == "transposed":
        out = out.T  # reading into it would fill a hidden copy
    else:
        out.flags.writeable = False
    with pytest.raises(SeriesLoadError, match="C-contiguous"):
        read_native_into(candidate.frames[0], out)


def test_read_native_without_a_pixel_format_says_so(
    six_slices: tuple[list[Path], Path],
) -> None:
    _, folder = six_slices
    (candidate,) = scanned(folder).series
    frame = dataclasses.replace(candidate.frames[0], pixel_format=None)
    with pytest.raises(SeriesLoadError, match="no pixel format"):
        read_native(frame)


def test_a_compressed_file_replaced_after_the_scan_is_not_decoded_as_the_scanned_image(
    shared_dicom: Path, tmp_path: Path
) -> None:
    (path,) = copy_files(
        [shared_dicom / "edge_cases_pydicom" / "MR_small_RLE.dcm"], tmp_path
    )
    (candidate,) = scan(path).series
    ds = pydicom.dcmread(path)
    ds.SOPInstanceUID = pydicom.uid.generate_uid(prefix="1.2.826.0.1.3680043.8.498.")
    time.sleep(0.05)
    ds.save_as(path)
    with pytest.raises(SeriesLoadError, match="changed since the scan"):
        load_series(candidate)
