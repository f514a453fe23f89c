"""Images with a Modality LUT (0028,3000) get the table's values, not a rescale.

The files are copies of shared liver CT slices (RescaleIntercept -1024) given
a Modality LUT Sequence with pydicom; the expected values come from pydicom's
own ``apply_modality_lut`` on its ``pixel_array``, voxel by voxel. The loader
and ``read_frame`` (key images, reports) must both give them, exactly; a
malformed table is a SeriesLoadError that says what is wrong with it.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_modality_lut
from pydicom.sequence import Sequence
from tests.integration.dicom.conftest import EDGE, LIVER, copy_files

from respond.dicom import SeriesLoadError, load_series, scan
from respond.dicom.frame import read_frame

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from respond.dicom import SeriesCandidate

SLICES = ("00000044.dcm", "00000045.dcm", "00000046.dcm")
FIRST_MAPPED = 0  # stored values run from -1024: the low end is clipped
ENTRIES = 1200  # and stored values above 1199 (HU 175) take the last entry


def table(entries: int = ENTRIES, seed: int = 0) -> list[int]:
    """A table no rescale could give: values jump about, up to 60000."""
    return [int(v) for v in (np.arange(entries) * 7919 + 13 + seed) % 60000]


def lut_item(descriptor: list[int], data: list[int] | bytes, vr: str = "US") -> Dataset:
    item = Dataset()
    item.LUTDescriptor = descriptor
    item.add_new(0x00283006, vr, data)  # LUT Data
    item.ModalityLUTType = "HU"
    return item


def add_lut(path: Path, item: Dataset) -> None:
    ds = pydicom.dcmread(path)
    ds.ModalityLUTSequence = Sequence([item])
    ds.save_as(path)


def expected_values(path: Path) -> np.ndarray:
    """pydicom's modality values of a one-frame file (its LUT applied)."""
    ds = pydicom.dcmread(path)
    return np.asarray(apply_modality_lut(ds.pixel_array, ds))


def with_lut(candidate: SeriesCandidate, paths: Iterable[Path]) -> SeriesCandidate:
    """The stack with ``modality_lut`` set on the images of ``paths``.

    The scan sets it itself; setting it here keeps these tests about the
    loader alone.
    """
    names = {p.name for p in paths}
    frames = tuple(
        dataclasses.replace(f, modality_lut=True) if f.path.name in names else f
        for f in candidate.frames
    )
    return dataclasses.replace(candidate, frames=frames)


def unstamped(candidate: SeriesCandidate) -> SeriesCandidate:
    """The stack without the scan's file stamps: read as listed, not re-checked."""
    frames = tuple(dataclasses.replace(f, file_stamp=None) for f in candidate.frames)
    return dataclasses.replace(candidate, frames=frames)


def only_series(folder: Path) -> SeriesCandidate:
    (candidate,) = scan(folder).series
    return candidate


@pytest.fixture
def liver_copies(shared_dicom: Path, tmp_path: Path) -> list[Path]:
    return copy_files([shared_dicom / LIVER / name for name in SLICES], tmp_path)


@pytest.fixture
def lut_series(liver_copies: list[Path]) -> SeriesCandidate:
    for path in liver_copies:
        add_lut(path, lut_item([ENTRIES, FIRST_MAPPED, 16], table()))
    return with_lut(only_series(liver_copies[0].parent), liver_copies)


def test_loaded_values_equal_the_table_lookup_voxel_by_voxel(
    lut_series: SeriesCandidate,
) -> None:
    volume = load_series(lut_series)
    assert volume.is_rescaled
    assert volume.voxels.dtype.kind in "iu"
    for k, frame in enumerate(volume.frames):
        expected = expected_values(frame.path)
        stored = pydicom.dcmread(frame.path).pixel_array
        # both ends of the table are used, and so is its middle
        assert (stored < FIRST_MAPPED).any()
        assert (stored > FIRST_MAPPED + ENTRIES - 1).any()
        assert np.array_equal(volume.voxels[k], expected)
        assert np.array_equal(volume.slice_values(k), expected)
    assert int(volume.voxels.max()) > np.iinfo(np.int16).max  # no wrap-around
    k, i, j = 1, 256, 256
    assert volume.value_at(k, i, j) == float(
        expected_values(volume.frames[k].path)[i, j]
    )


def test_read_frame_agrees_with_the_loader(lut_series: SeriesCandidate) -> None:
    volume = load_series(lut_series)
    for k, frame in enumerate(lut_series.frames):
        values = read_frame(frame)
        assert values.dtype == np.float32
        assert np.array_equal(values, expected_values(frame.path).astype(np.float32))
        assert np.array_equal(values, volume.voxels[k].astype(np.float32))


def test_the_rescale_is_not_applied_where_a_lut_is(
    lut_series: SeriesCandidate,
) -> None:
    frame = lut_series.frames[0]
    assert frame.rescale_intercept == -1024  # still in the header, unused
    ds = pydicom.dcmread(frame.path)
    rescaled = ds.pixel_array.astype(np.int64) - 1024
    values = read_frame(frame)
    assert not np.array_equal(values, rescaled.astype(np.float32))
    assert np.array_equal(values, expected_values(frame.path).astype(np.float32))


def test_a_lut_slice_among_rescaled_slices_keeps_its_exact_table_values(
    liver_copies: list[Path],
) -> None:
    lut_file = liver_copies[1]
    add_lut(lut_file, lut_item([ENTRIES, FIRST_MAPPED, 16], table()))
    candidate = with_lut(only_series(lut_file.parent), [lut_file])
    volume = load_series(candidate)
    for k, frame in enumerate(volume.frames):
        ds = pydicom.dcmread(frame.path)
        if frame.path == lut_file:
            expected = expected_values(frame.path)
        else:
            expected = ds.pixel_array.astype(np.int64) + int(ds.RescaleIntercept)
        assert np.array_equal(volume.voxels[k].astype(np.int64), expected)
        assert np.array_equal(volume.slice_values(k), expected)


def test_a_table_of_65536_entries_is_declared_with_0(
    liver_copies: list[Path],
) -> None:
    path = liver_copies[0]
    full = [int(v) for v in (np.arange(65536) * 3 + 5) % 65536]
    # 128 KB of entries: longer than a US value may be, so OW
    words = np.asarray(full, dtype="<u2").tobytes()
    add_lut(path, lut_item([0, -32768, 16], words, "OW"))
    candidate = with_lut(only_series(path.parent), [path])
    volume = load_series(candidate)
    k = next(k for k, f in enumerate(volume.frames) if f.path == path)
    ds = pydicom.dcmread(path)
    expected = np.asarray(full)[ds.pixel_array.astype(np.int64) + 32768]
    assert np.array_equal(volume.voxels[k], expected)
    assert np.array_equal(read_frame(volume.frames[k]), expected.astype(np.float32))


def test_lut_data_as_ow_bytes_and_8_bit_entries_are_read(
    liver_copies: list[Path],
) -> None:
    words = np.asarray(table(), dtype="<u2").tobytes()
    add_lut(liver_copies[0], lut_item([ENTRIES, FIRST_MAPPED, 16], words, "OW"))
    small = [v % 256 for v in table()]
    add_lut(liver_copies[1], lut_item([ENTRIES, FIRST_MAPPED, 8], small))
    candidate = with_lut(only_series(liver_copies[0].parent), liver_copies[:2])
    volume = load_series(candidate)
    for k, frame in enumerate(volume.frames):
        if frame.modality_lut:
            assert np.array_equal(volume.voxels[k], expected_values(frame.path))
            assert np.array_equal(
                read_frame(frame), expected_values(frame.path).astype(np.float32)
            )


def lut_group(descriptor: list[int], data: list[int]) -> Dataset:
    """A functional group item holding a Modality LUT, as a frame's groups do."""
    transformation = Dataset()
    transformation.ModalityLUTSequence = Sequence([lut_item(descriptor, data)])
    group = Dataset()
    group.PixelValueTransformationSequence = Sequence([transformation])
    return group


def test_each_frame_of_an_enhanced_image_uses_its_own_table(
    shared_dicom: Path, tmp_path: Path
) -> None:
    (path,) = copy_files([shared_dicom / EDGE / "emri_small.dcm"], tmp_path)
    ds = pydicom.dcmread(path)
    count = int(ds.NumberOfFrames)
    own = count - 2  # the last two frames take the shared table
    firsts = [int(v) for v in np.linspace(0, 400, count)]
    groups = [lut_group([600, firsts[n], 16], table(600, seed=n)) for n in range(own)]
    ds.PerFrameFunctionalGroupsSequence = Sequence(
        groups + [Dataset() for _ in range(count - own)]
    )
    ds.SharedFunctionalGroupsSequence = Sequence(
        [lut_group([600, firsts[-1], 16], table(600, seed=99))]
    )
    ds.save_as(path)
    stored = pydicom.dcmread(path).pixel_array.astype(np.int64)
    candidate = with_lut(only_series(path), [path])
    volume = load_series(candidate)
    assert len(volume.frames) == count
    for k, frame in enumerate(volume.frames):
        n = frame.frame
        assert n is not None
        first, seed = (firsts[n], n) if n < own else (firsts[-1], 99)
        expected = np.asarray(table(600, seed=seed))[np.clip(stored[n] - first, 0, 599)]
        assert np.array_equal(volume.voxels[k], expected)
        assert np.array_equal(read_frame(frame), expected.astype(np.float32))


MALFORMED = [
    pytest.param(lut_item([ENTRIES, 0], table()), "three numbers", id="two-values"),
    pytest.param(lut_item([ENTRIES, 0, 20], table()), "20 bits", id="20-bits"),
    pytest.param(lut_item([ENTRIES, 0, 16], table(50)), "50 entries", id="short-table"),
    pytest.param(
        lut_item([ENTRIES, 0, 16], bytes(100), "OW"), "100 bytes", id="few-bytes"
    ),
]


@pytest.mark.parametrize(("item", "reason"), MALFORMED)
def test_a_malformed_lut_is_a_series_load_error_saying_why(
    liver_copies: list[Path], item: Dataset, reason: str
) -> None:
    # The scan refuses such a stack itself; the loader must not rely on that
    # (a file can change after the scan): scanned first, the LUT added after.
    candidate = unstamped(with_lut(only_series(liver_copies[0].parent), liver_copies))
    for path in liver_copies:
        add_lut(path, item)
    with pytest.raises(SeriesLoadError, match="Modality LUT cannot be used") as caught:
        load_series(candidate)
    assert reason in str(caught.value)
    with pytest.raises(SeriesLoadError, match=reason) as caught:
        read_frame(candidate.frames[0])
    assert candidate.frames[0].path.name in str(caught.value)


def test_a_lut_missing_from_the_file_is_a_series_load_error(
    liver_copies: list[Path],
) -> None:
    candidate = with_lut(only_series(liver_copies[0].parent), liver_copies[:1])
    with pytest.raises(SeriesLoadError, match="Modality LUT"):
        read_frame(next(f for f in candidate.frames if f.modality_lut))
    volume = load_series(candidate)
    (k,) = volume.unreadable_slices
    assert "Modality LUT" in volume.unreadable_slices[k]
