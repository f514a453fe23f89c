"""Loading real series: the values and millimetres a radiologist measures on.

Voxel values are checked against pydicom's ``pixel_array`` with the file's own
rescale; positions and distances against points computed here, by hand, from
each file's ImagePositionPatient, ImageOrientationPatient and PixelSpacing.
"""

from __future__ import annotations

import math
import struct
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
import pydicom
import pytest
from pydicom.encaps import generate_frames
from tests.integration.dicom.conftest import (
    EDGE,
    ENHANCED_XA10,
    FILESET,
    HEAD_TILT,
    LIVER,
    PHILIPS_SAG,
    TRANSFER_SYNTAXES,
    copy_files,
)

from respond.dicom import (
    DicomError,
    GeometryError,
    LoadCancelledError,
    LoadJob,
    Readiness,
    SeriesLoadError,
    UnsupportedSeriesError,
    Volume,
    load_series,
    scan,
)
from respond.dicom.frame import read_frame

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from respond.dicom import FrameRef, ScanResult, SeriesCandidate

    ScanShared = Callable[[str], ScanResult]
    LoadShared = Callable[[str], tuple[SeriesCandidate, Volume]]

TS_PIXEL_SUM = 38_036_663
PHILIPS_SLOPE = 2.36166056166056
WAIT_S = 30.0


def header(path: Path) -> pydicom.Dataset:
    return pydicom.dcmread(path, stop_before_pixels=True, force=True)


def modality_values(path: Path) -> np.ndarray:
    """pydicom's pixels of a file (all frames), times slope plus intercept."""
    ds = pydicom.dcmread(path, force=True)
    stored = ds.pixel_array.astype(np.float64)
    if stored.ndim == 2:
        stored = stored[np.newaxis]
    slope = float(ds.get("RescaleSlope", 1.0))
    intercept = float(ds.get("RescaleIntercept", 0.0))
    return np.asarray(stored * slope + intercept, dtype=np.float64)


def hand_point(path: Path, i: float, j: float) -> np.ndarray:
    """Patient position (LPS, mm) of pixel (row i, column j), from the file alone.

    The direction cosines are made unit length (the files store 7 digits, so
    e.g. (0, 0.9483237, -0.3173047) is 1 + 1e-7 long).
    """
    ds = header(path)
    ipp = np.array([float(v) for v in ds.ImagePositionPatient])
    iop = np.array([float(v) for v in ds.ImageOrientationPatient])
    row_dir = iop[:3] / np.linalg.norm(iop[:3])
    column_dir = iop[3:] / np.linalg.norm(iop[3:])
    row_mm, column_mm = (float(v) for v in ds.PixelSpacing)
    return np.asarray(ipp + row_dir * column_mm * j + column_dir * row_mm * i)


def hand_distance(
    volume: Volume, a: tuple[int, int, int], b: tuple[int, int, int]
) -> float:
    pa = hand_point(volume.frames[a[0]].path, a[1], a[2])
    pb = hand_point(volume.frames[b[0]].path, b[1], b[2])
    return float(np.linalg.norm(pb - pa))


def z_of(frame: FrameRef) -> float:
    assert frame.position is not None
    return frame.position[2]


def held_back_by(gate: threading.Event) -> Callable[[int], None]:
    """An on_slice callback that waits until ``gate`` is set."""

    def on_slice(k: int) -> None:
        gate.wait(WAIT_S)

    return on_slice


def all_slices(volume: Volume) -> np.ndarray:
    return np.stack([volume.slice_values(k) for k in range(volume.shape[0])])


@pytest.fixture(scope="module")
def liver(shared_volume: LoadShared) -> tuple[SeriesCandidate, Volume]:
    return shared_volume(LIVER)


@pytest.fixture(scope="module")
def liver_reference(liver: tuple[SeriesCandidate, Volume]) -> np.ndarray:
    """The liver series in HU as pydicom reads it, in the loader's slice order."""
    candidate, _ = liver
    return np.concatenate([modality_values(f.path) for f in candidate.frames])


# --- the liver CT --------------------------------------------------------------------


def test_liver_volume_is_int16_hounsfield_units_equal_to_pydicom(
    liver: tuple[SeriesCandidate, Volume], liver_reference: np.ndarray
) -> None:
    _, volume = liver
    assert volume.voxels.dtype == np.int16
    assert volume.shape == (89, 512, 512)
    assert volume.is_rescaled
    assert volume.unreadable_slices == {}
    assert np.array_equal(volume.voxels, liver_reference)
    assert volume.voxels.min() >= -2048
    assert volume.voxels.max() <= 3071


def test_liver_known_voxel_equals_pydicom_pixel_times_slope_plus_intercept(
    liver: tuple[SeriesCandidate, Volume],
) -> None:
    _, volume = liver
    k, i, j = 44, 256, 100
    ds = pydicom.dcmread(volume.frames[k].path)
    expected = int(ds.pixel_array[i, j]) * float(ds.RescaleSlope) + float(
        ds.RescaleIntercept
    )
    assert volume.value_at(k, i, j) == expected
    assert volume.frames[k].position == pytest.approx(
        [float(v) for v in ds.ImagePositionPatient]
    )


def test_air_in_front_of_the_patient_is_about_minus_1000_hu(
    liver: tuple[SeriesCandidate, Volume],
) -> None:
    _, volume = liver
    # top edge, inside the reconstruction circle, outside the body
    band = volume.voxels[:, 2:18, 240:272].astype(np.float64)
    means = band.mean(axis=(1, 2))
    assert np.all(means > -1024.0)
    assert np.all(means < -950.0)
    assert float(np.median(means)) == pytest.approx(-1000.0, abs=15.0)


def test_liver_parenchyma_is_about_100_hu_at_z_minus_251(
    liver: tuple[SeriesCandidate, Volume],
) -> None:
    _, volume = liver
    (k,) = [k for k, f in enumerate(volume.frames) if z_of(f) == -251.0]
    region = volume.slice_values(k)[200:240, 100:140].astype(np.float64)
    assert 80.0 < region.mean() < 130.0


@pytest.mark.parametrize(
    ("a", "b", "expected_mm"),
    [
        ((40, 256, 100), (40, 256, 200), 70.3125),
        ((40, 100, 256), (40, 200, 256), 70.3125),
        ((40, 256, 256), (50, 256, 256), 25.0),
        ((40, 256, 100), (50, 256, 200), math.hypot(70.3125, 25.0)),
        ((0, 0, 0), (88, 511, 511), math.sqrt(2 * (511 * 0.703125) ** 2 + 220.0**2)),
    ],
    ids=["100-columns", "100-rows", "10-slices", "diagonal", "corner-to-corner"],
)
def test_liver_distances_are_exact_in_mm(
    liver: tuple[SeriesCandidate, Volume],
    a: tuple[int, int, int],
    b: tuple[int, int, int],
    expected_mm: float,
) -> None:
    _, volume = liver
    assert volume.distance_mm(a, b) == pytest.approx(expected_mm, abs=1e-6)
    assert volume.distance_mm(a, b) == pytest.approx(
        hand_distance(volume, a, b), abs=1e-6
    )


def test_liver_voxels_map_to_patient_points_and_back(
    liver: tuple[SeriesCandidate, Volume],
) -> None:
    _, volume = liver
    geometry = volume.geometry
    assert geometry is not None
    for k, i, j in [(0, 0, 0), (44, 256, 100), (88, 511, 3), (17, 33, 480)]:
        point = geometry.index_to_patient(k, i, j)
        assert point == pytest.approx(hand_point(volume.frames[k].path, i, j), abs=1e-9)
        assert geometry.patient_to_index(point) == pytest.approx([k, i, j], abs=1e-9)


# --- the tilted, unevenly spaced head CT ---------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ((0, 0, 0), (27, 511, 511)),
        ((13, 100, 200), (14, 300, 50)),
        ((5, 256, 256), (20, 256, 256)),
        ((2, 400, 10), (25, 12, 470)),
    ],
)
def test_tilted_head_ct_distances_follow_each_slice_position(
    shared_volume: LoadShared, a: tuple[int, int, int], b: tuple[int, int, int]
) -> None:
    _, volume = shared_volume(HEAD_TILT)
    assert volume.distance_mm(a, b) == pytest.approx(
        hand_distance(volume, a, b), abs=1e-6
    )


def test_tilted_head_ct_is_28_slices_with_each_slice_where_its_file_says(
    shared_volume: LoadShared,
) -> None:
    candidate, volume = shared_volume(HEAD_TILT)
    assert volume.shape == (28, 512, 512)
    assert volume.voxels.dtype == np.int16
    geometry = volume.geometry
    assert geometry is not None
    assert geometry.analysis.tilt_deg == pytest.approx(18.5, abs=0.05)
    for k, frame in enumerate(volume.frames):
        point = geometry.index_to_patient(k, 10, 20)
        assert point == pytest.approx(hand_point(frame.path, 10, 20), abs=1e-9)
    for k in (0, 13, 14, 27):
        assert np.array_equal(
            volume.slice_values(k), modality_values(volume.frames[k].path)[0]
        )
    assert volume.voxels.min() == -1500  # the padding value, untouched
    assert candidate.readiness is Readiness.CAUTION


# --- the sagittal Philips MR --------------------------------------------------------


def test_philips_mr_values_apply_the_2_36_rescale_slope(
    shared_volume: LoadShared,
) -> None:
    _, volume = shared_volume(PHILIPS_SAG)
    assert volume.shape == (170, 256, 256)
    assert volume.slopes == pytest.approx(np.full(170, PHILIPS_SLOPE))
    assert np.all(volume.intercepts == 0.0)
    for k, i, j in [(85, 128, 128), (40, 100, 150), (120, 60, 200)]:
        ds = pydicom.dcmread(volume.frames[k].path)
        stored = int(ds.pixel_array[i, j])
        assert stored > 0
        assert volume.value_at(k, i, j) == pytest.approx(
            stored * PHILIPS_SLOPE, rel=1e-12
        )
    k = 85
    assert volume.slice_values(k) == pytest.approx(
        modality_values(volume.frames[k].path)[0], rel=1e-12
    )


def test_philips_mr_distances_across_sagittal_slices(shared_volume: LoadShared) -> None:
    _, volume = shared_volume(PHILIPS_SAG)
    a, b = (10, 30, 40), (160, 200, 220)
    assert volume.distance_mm(a, b) == pytest.approx(
        hand_distance(volume, a, b), abs=1e-6
    )
    assert volume.distance_mm((0, 128, 128), (100, 128, 128)) == pytest.approx(
        100.0, abs=1e-3
    )


# --- transfer syntaxes -------------------------------------------------------------


def test_nine_transfer_syntaxes_decode_to_the_same_pixels(
    shared_scan: ScanShared, shared_dicom: Path
) -> None:
    candidates = shared_scan(TRANSFER_SYNTAXES).series
    assert len(candidates) == 9
    reference = pydicom.dcmread(shared_dicom / TRANSFER_SYNTAXES / "1.dcm").pixel_array
    assert int(reference.sum()) == TS_PIXEL_SUM
    for candidate in candidates:
        volume = load_series(candidate)
        assert volume.shape == (1, 384, 384), candidate.transfer_syntaxes
        assert volume.unreadable_slices == {}
        values = volume.slice_values(0)
        assert int(values.sum()) == TS_PIXEL_SUM, candidate.transfer_syntaxes
        assert np.array_equal(values, reference), candidate.transfer_syntaxes
        assert volume.distance_mm((0, 0, 0), (0, 0, 10)) == pytest.approx(32.5)


# --- enhanced multi-frame -----------------------------------------------------------


def test_xa10_time_points_load_as_6_slice_volumes_with_functional_group_geometry(
    shared_scan: ScanShared,
) -> None:
    for candidate in shared_scan(ENHANCED_XA10).series:
        volume = load_series(candidate)
        assert volume.shape == (6, 64, 64)
        frames = modality_values(candidate.frames[0].path)
        expected = np.stack([frames[f.frame] for f in volume.frames])
        assert np.array_equal(all_slices(volume), expected)
        assert volume.geometry is not None
        ds = header(candidate.frames[0].path)
        groups = ds.PerFrameFunctionalGroupsSequence
        first, last = (
            np.array(
                [
                    float(v)
                    for v in groups[f.frame]
                    .PlanePositionSequence[0]
                    .ImagePositionPatient
                ]
            )
            for f in (volume.frames[0], volume.frames[5])
        )
        assert volume.distance_mm((0, 0, 0), (5, 0, 0)) == pytest.approx(
            float(np.linalg.norm(last - first)), abs=1e-6
        )
        assert volume.distance_mm((0, 0, 0), (5, 0, 0)) == pytest.approx(12.0, abs=1e-3)
        assert volume.distance_mm((2, 10, 0), (2, 10, 10)) == pytest.approx(
            33.75, abs=1e-6
        )


def test_enhanced_ct_loads_hounsfield_units_per_frame(shared_scan: ScanShared) -> None:
    (candidate,) = shared_scan(f"{EDGE}/eCT_Supplemental.dcm").series
    volume = load_series(candidate)
    assert volume.shape == (2, 512, 512)
    assert volume.voxels.dtype == np.int16
    ds = pydicom.dcmread(candidate.frames[0].path)
    stored = ds.pixel_array.astype(np.float64)
    expected = np.stack([stored[f.frame] - 1024.0 for f in volume.frames])
    assert np.array_equal(all_slices(volume), expected)
    assert volume.distance_mm((0, 100, 100), (1, 100, 100)) == pytest.approx(
        10.0, abs=1e-6
    )


def test_enhanced_mr_without_geometry_loads_but_cannot_be_measured(
    shared_scan: ScanShared,
) -> None:
    (candidate,) = shared_scan(f"{EDGE}/emri_small.dcm").series
    assert candidate.readiness is Readiness.NOT_MEASURABLE
    volume = load_series(candidate)
    assert volume.shape == (10, 64, 64)
    expected = modality_values(candidate.frames[0].path)
    assert np.array_equal(
        all_slices(volume), expected[[f.frame or 0 for f in volume.frames]]
    )
    assert volume.geometry is None
    with pytest.raises(GeometryError, match="mm"):
        volume.distance_mm((0, 0, 0), (0, 0, 10))


# --- small edge cases: codecs and rescale -------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "CT_small.dcm",
        "MR_small_bigendian.dcm",
        "MR_small_RLE.dcm",
        "image_dfl.dcm",
    ],
)
def test_single_files_decode_like_pydicom(shared_scan: ScanShared, name: str) -> None:
    (candidate,) = shared_scan(f"{EDGE}/{name}").series
    volume = load_series(candidate)
    assert volume.unreadable_slices == {}
    assert np.array_equal(all_slices(volume), modality_values(candidate.frames[0].path))


def test_lossy_jpeg_loads_as_gdcm_shows_it(shared_scan: ScanShared) -> None:
    """Lossy JPEG has libjpeg-turbo's values: GDCM's (SimpleITK's), not pylibjpeg's."""
    import SimpleITK as sitk

    (candidate,) = shared_scan(f"{EDGE}/JPGExtended.dcm").series
    volume = load_series(candidate)
    assert volume.unreadable_slices == {}
    path = candidate.frames[0].path
    gdcm = sitk.GetArrayFromImage(sitk.ReadImage(str(path))).astype(np.float32)
    assert np.array_equal(all_slices(volume).astype(np.float32), gdcm)
    assert np.array_equal(read_frame(candidate.frames[0]), gdcm[0])
    assert np.abs(all_slices(volume) - modality_values(path)).max() <= 1


def test_cr_values_apply_slope_0_684_and_intercept_200(shared_scan: ScanShared) -> None:
    cr = [c for c in shared_scan(f"{FILESET}/DICOMDIR").series if c.modality == "CR"]
    assert cr
    for candidate in cr:
        volume = load_series(candidate)
        stored = pydicom.dcmread(candidate.frames[0].path).pixel_array
        assert volume.value_at(0, 5, 7) == pytest.approx(
            int(stored[5, 7]) * 0.684 + 200.0
        )
        assert volume.slice_values(0) == pytest.approx(stored * 0.684 + 200.0)


def test_header_only_series_cannot_be_loaded(shared_scan: ScanShared) -> None:
    (candidate,) = shared_scan(f"{FILESET}/TINY_ALPHA/DICOMDIR").series
    with pytest.raises(UnsupportedSeriesError, match="no pixel data"):
        load_series(candidate)
    with pytest.raises(UnsupportedSeriesError):
        LoadJob(candidate)


# --- broken copies of the liver series ---------------------------------------------


def test_truncated_slice_is_reported_and_the_others_load_right(
    liver: tuple[SeriesCandidate, Volume],
    liver_reference: np.ndarray,
    copy_series: Callable[..., Path],
) -> None:
    k_broken = 60
    folder = copy_series(LIVER)
    broken = folder / liver[0].frames[k_broken].path.name
    data = broken.read_bytes()
    broken.write_bytes(data[: len(data) - 100_000])
    (candidate,) = scan(folder).series
    volume = load_series(candidate)
    assert volume.shape == (89, 512, 512)
    assert set(volume.unreadable_slices) == {k_broken}
    assert broken.name in volume.unreadable_slices[k_broken]
    assert "truncated" in volume.unreadable_slices[k_broken]
    others = [k for k in range(89) if k != k_broken]
    assert np.array_equal(volume.voxels[others], liver_reference[others])


def test_distances_stay_exact_across_a_missing_slice(
    liver: tuple[SeriesCandidate, Volume], copy_series: Callable[..., Path]
) -> None:
    folder = copy_series(LIVER)
    (folder / liver[0].frames[44].path.name).unlink()
    (candidate,) = scan(folder).series
    volume = load_series(candidate)
    assert volume.shape == (88, 512, 512)
    geometry = volume.geometry
    assert geometry is not None
    assert float(geometry.analysis.gaps_mm.max()) == pytest.approx(5.0)
    # slices 40 and 50 now lie 11 gaps of 2.5 mm apart (one of them 5 mm)
    a, b = (40, 256, 100), (50, 256, 100)
    assert volume.distance_mm(a, b) == pytest.approx(27.5, abs=1e-6)
    assert volume.distance_mm(a, b) == pytest.approx(
        hand_distance(volume, a, b), abs=1e-6
    )
    c, d = (40, 256, 100), (50, 300, 300)
    assert volume.distance_mm(c, d) == pytest.approx(
        hand_distance(volume, c, d), abs=1e-6
    )


def test_volume_with_two_images_at_one_position_refuses_to_measure(
    liver: tuple[SeriesCandidate, Volume], copy_series: Callable[..., Path]
) -> None:
    folder = copy_series(LIVER)
    source = folder / liver[0].frames[44].path.name
    ds = pydicom.dcmread(source)
    uid = pydicom.uid.generate_uid(prefix="1.2.826.0.1.3680043.8.498.")
    ds.SOPInstanceUID = uid
    ds.file_meta.MediaStorageSOPInstanceUID = uid
    ds.save_as(folder / "same_place.dcm")
    original_uid = liver[0].frames[44].sop_instance_uid
    candidates = scan(folder).series
    for candidate in candidates:
        uids = {f.sop_instance_uid for f in candidate.frames}
        volume = load_series(candidate)
        if {uid, original_uid} <= uids:
            assert volume.geometry is None
            with pytest.raises(GeometryError, match="mm"):
                volume.distance_mm((0, 0, 0), (1, 0, 0))
        else:
            assert volume.geometry is not None


@pytest.mark.parametrize(
    ("keyword", "value", "dtype"),
    [
        ("RescaleIntercept", 40_000, np.int32),
        ("RescaleSlope", 0.5, np.int16),
    ],
    ids=["intercept-beyond-int16", "fractional-slope"],
)
def test_each_slice_keeps_its_own_rescale(
    liver: tuple[SeriesCandidate, Volume],
    tmp_path: Path,
    keyword: str,
    value: float,
    dtype: type[np.integer],
) -> None:
    files = copy_files([f.path for f in liver[0].frames[40:46]], tmp_path)
    ds = pydicom.dcmread(files[2])
    setattr(ds, keyword, value)
    ds.save_as(files[2])
    (candidate,) = scan(tmp_path).series
    assert "mixed_rescale" in {f.code for f in candidate.findings}
    volume = load_series(candidate)
    assert volume.voxels.dtype == dtype
    for k, frame in enumerate(volume.frames):
        assert np.array_equal(volume.slice_values(k), modality_values(frame.path)[0])
    assert volume.value_at(2, 256, 256) == modality_values(files[2])[0, 256, 256]


# --- progressive loading -------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_middle_slice_is_filled_first_then_every_slice_once(
    liver: tuple[SeriesCandidate, Volume], workers: int
) -> None:
    candidate, _ = liver
    lock = threading.Lock()
    calls: list[int] = []

    def on_slice(k: int) -> None:
        with lock:
            calls.append(k)

    job = LoadJob(candidate, workers=workers, on_slice=on_slice)
    assert job.middle == 44
    volume = job.start().result(timeout=WAIT_S)
    assert calls[0] == job.middle
    assert sorted(calls) == list(range(89))
    assert job.progress == (89, 89)
    assert volume.shape == (89, 512, 512)


def test_first_slice_is_ready_and_right_before_the_load_finishes(
    liver: tuple[SeriesCandidate, Volume], liver_reference: np.ndarray
) -> None:
    candidate, _ = liver
    gate = threading.Event()
    middle = len(candidate.frames) // 2

    def on_slice(k: int) -> None:
        if k != middle:
            gate.wait(WAIT_S)  # hold the rest of the load back

    job = LoadJob(candidate, on_slice=on_slice).start()
    try:
        assert job.first_slice_ready.wait(WAIT_S)
        done, total = job.progress
        assert done < total == 89
        assert np.array_equal(job.voxels[job.middle], liver_reference[job.middle])
    finally:
        gate.set()
    volume = job.result(timeout=WAIT_S)
    assert np.array_equal(volume.voxels, liver_reference)


def test_cancel_right_after_start_raises_load_cancelled(
    liver: tuple[SeriesCandidate, Volume],
) -> None:
    candidate, _ = liver
    gate = threading.Event()
    job = LoadJob(candidate, on_slice=held_back_by(gate)).start()
    job.cancel()
    gate.set()
    with pytest.raises(LoadCancelledError):
        job.result(timeout=WAIT_S)
    done, total = job.progress
    assert done < total


def test_cancel_from_the_first_slice_callback_stops_the_load(
    liver: tuple[SeriesCandidate, Volume],
) -> None:
    candidate, _ = liver
    seen: list[int] = []
    job: LoadJob

    def on_slice(k: int) -> None:
        seen.append(k)
        job.cancel()

    job = LoadJob(candidate, on_slice=on_slice)
    job.start()
    with pytest.raises(LoadCancelledError) as raised:
        job.result(timeout=WAIT_S)
    assert isinstance(raised.value, SeriesLoadError)
    assert raised.value.series_uid == candidate.series_uid
    assert seen[0] == job.middle
    assert len(seen) < 89


def test_result_that_is_not_ready_in_time_raises_series_load_error(
    liver: tuple[SeriesCandidate, Volume],
) -> None:
    candidate, _ = liver
    gate = threading.Event()
    job = LoadJob(candidate, on_slice=held_back_by(gate)).start()
    try:
        with pytest.raises(SeriesLoadError, match="in time"):
            job.result(timeout=0.05)
    finally:
        gate.set()
    assert job.result(timeout=WAIT_S).shape == (89, 512, 512)


def test_middle_slice_comes_first_in_a_multiframe_file(shared_scan: ScanShared) -> None:
    candidate = shared_scan(ENHANCED_XA10).series[0]
    calls: list[int] = []
    job = LoadJob(candidate, on_slice=calls.append)
    job.start().result(timeout=WAIT_S)
    assert sorted(calls) == list(range(6))
    assert calls[0] == job.middle == 3


def test_failing_slice_callback_stops_the_load_with_a_series_load_error(
    liver: tuple[SeriesCandidate, Volume],
) -> None:
    candidate, _ = liver
    calls: list[int] = []

    def on_slice(k: int) -> None:
        calls.append(k)
        raise RuntimeError("viewer closed")

    job = LoadJob(candidate, on_slice=on_slice).start()
    with pytest.raises(SeriesLoadError, match="viewer closed"):
        job.result(timeout=WAIT_S)
    assert calls[0] == job.middle
    assert len(calls) < 89


# --- decoder failures must stay DicomErrors -----------------------------------------


def corrupt_rle_segment_offset(path: Path) -> None:
    """Point the second RLE segment of the first frame 57 bytes too early."""
    data = bytearray(path.read_bytes())
    fragment = next(
        generate_frames(pydicom.dcmread(path).PixelData, number_of_frames=1)
    )
    start = bytes(data).find(fragment[:64])
    segments, first, second = struct.unpack_from("<3I", data, start)
    assert (segments, first) == (2, 64)
    struct.pack_into("<I", data, start + 8, second ^ 0xFF)
    path.write_bytes(bytes(data))


class EscapedLoadError(Exception):
    """A failure that left the loader as something else than a DicomError."""


def load_on_the_calling_thread(candidate: SeriesCandidate) -> Volume:
    return load_series(candidate)


def load_in_the_background(candidate: SeriesCandidate) -> Volume:
    try:
        return LoadJob(candidate).start().result(timeout=WAIT_S)
    finally:
        # let a dying load thread finish inside this test, not the next one
        for thread in threading.enumerate():
            if thread.name == "respond-load":
                thread.join(WAIT_S)


LOADS = [load_on_the_calling_thread, load_in_the_background]


def outcome(
    load: Callable[[SeriesCandidate], Volume], candidate: SeriesCandidate
) -> Volume | DicomError:
    """The Volume or the DicomError a load ends with; anything else escapes."""
    try:
        return load(candidate)
    except DicomError as exc:
        return exc
    except BaseException as exc:
        raise EscapedLoadError(f"{type(exc).__module__}.{type(exc).__name__}") from exc


@pytest.mark.parametrize("load", LOADS)
def test_corrupt_rle_frame_is_a_series_load_error(
    shared_dicom: Path, tmp_path: Path, load: Callable[[SeriesCandidate], Volume]
) -> None:
    (copy,) = copy_files([shared_dicom / EDGE / "MR_small_RLE.dcm"], tmp_path)
    corrupt_rle_segment_offset(copy)
    (candidate,) = scan(copy).series
    assert candidate.readiness is Readiness.READY
    assert isinstance(outcome(load, candidate), SeriesLoadError)


ABSURD_HEADERS = [
    pytest.param({"BitsStored": 2000}, id="bits-stored-2000"),
    pytest.param({"RescaleSlope": "1e300"}, id="slope-1e300"),
    pytest.param({"RescaleIntercept": "1e300"}, id="intercept-1e300"),
    # 17000 frames of 65535 x 65535: 146 TB, beyond any 64-bit address space
    pytest.param(
        {"NumberOfFrames": 17000, "Rows": 65535, "Columns": 65535},
        id="frames-rows-columns-146-tb",
    ),
]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
@pytest.mark.parametrize("load", LOADS)
@pytest.mark.parametrize("header_values", ABSURD_HEADERS)
def test_absurd_header_numbers_end_as_a_volume_or_a_dicom_error(
    shared_dicom: Path,
    tmp_path: Path,
    header_values: dict[str, object],
    load: Callable[[SeriesCandidate], Volume],
) -> None:
    (copy,) = copy_files([shared_dicom / EDGE / "CT_small.dcm"], tmp_path)
    ds = pydicom.dcmread(copy)
    for keyword, value in header_values.items():
        setattr(ds, keyword, value)
    ds.save_as(copy)
    for candidate in scan(copy).series:
        assert isinstance(outcome(load, candidate), Volume | DicomError)


def test_job_dtype_follows_the_volume_when_a_slice_widens_it(
    liver: tuple[SeriesCandidate, Volume], tmp_path: Path
) -> None:
    files = copy_files([f.path for f in liver[0].frames[40:46]], tmp_path)
    ds = pydicom.dcmread(files[2])
    ds.RescaleIntercept = 40_000
    ds.save_as(files[2])
    (candidate,) = scan(tmp_path).series
    job = LoadJob(candidate)
    assert job.dtype == np.int16
    volume = job.run()
    assert volume.voxels.dtype == np.int32
    assert job.dtype == np.int32


def test_a_slice_whose_rescale_fails_is_listed_and_the_rest_loads(
    liver: tuple[SeriesCandidate, Volume],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import respond.dicom.load as load_module

    files = copy_files([f.path for f in liver[0].frames[40:46]], tmp_path)
    (candidate,) = scan(tmp_path).series
    real = load_module.write_rescaled
    calls = iter(range(100))

    def failing_once(*args: Any) -> None:
        if next(calls) == 0:  # the middle slice, read first
            raise OverflowError("Python integer -40000 out of bounds for int16")
        real(*args)

    monkeypatch.setattr(load_module, "write_rescaled", failing_once)
    volume = load_series(candidate)
    assert set(volume.unreadable_slices) == {3}
    assert "OverflowError" in volume.unreadable_slices[3]
    assert (volume.voxels[3] == np.iinfo(np.int16).min).all()
    for k, frame in enumerate(volume.frames):
        if k != 3:
            assert np.array_equal(volume.voxels[k], modality_values(frame.path)[0])
    assert len(files) == 6
