"""Holes and damaged positions in a slice stack: reported in bounded words and work.

A slice whose ImagePositionPatient is far off (z = 1e7 mm, 1e200 mm) once made the
scan list every "missing" position in between: seconds, hundreds of MB and a
megabyte warning at 1e7, memory exhausted at 1e200. A hole is now a count and a
range; a slice at a place no scanner reaches is displaced (its position damaged)
and slices beyond a gap far larger than the rest are separated, whatever the
numbers. Each test runs under a generous alarm, so a hang fails instead of
stalling the suite.
"""

from __future__ import annotations

import json
import signal
from typing import TYPE_CHECKING

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from respond.dicom import GeometryError, Readiness, scan, scan_document
from respond.dicom.geometry import VolumeGeometry, analyze_stack
from respond.dicom.stack_geometry import (
    FAR_GAP_MM,
    FAR_GAP_MULTIPLE,
    MAX_COORDINATE_MM,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from respond.dicom import SeriesCandidate
    from respond.dicom.geometry import GeometryFinding, StackAnalysis

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
STEP_MM = 2.5
# Far more than any message needs, far less than one line per missing slice.
MESSAGE_LIMIT = 600
# A generous bound on the time one call may take before it counts as a hang.
HANG_SECONDS = 60

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM"),
    # DICOM files with non-finite positions make pydicom warn when written and read
    pytest.mark.filterwarnings("ignore::UserWarning:pydicom"),
]


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    """Turn a call that does not return within HANG_SECONDS into a failure."""

    def _fail(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {HANG_SECONDS} s: a hang")

    previous = signal.signal(signal.SIGALRM, _fail)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def even_stack(count: int = 10, start: float = 0.0) -> list[list[float]]:
    return [[0.0, 0.0, start + STEP_MM * k] for k in range(count)]


def only(analysis: StackAnalysis, code: str) -> GeometryFinding:
    (item,) = [f for f in analysis.findings if f.code == code]
    return item


def codes(analysis: StackAnalysis) -> set[str]:
    return {f.code for f in analysis.findings}


# --- a hole: a count and a range -----------------------------------------------------


@pytest.mark.parametrize("missing", [2, 39])
def test_a_hole_is_a_count_and_a_range_not_a_list(missing: int) -> None:
    positions = [*even_stack(5), *even_stack(5, start=STEP_MM * (5 + missing))]
    analysis = analyze_stack(positions, AXIAL, (0.7, 0.7))
    hole = only(analysis, "missing_slices")
    assert analysis.missing_slice_count == missing
    assert hole.slices == (4, 5)
    first, last = STEP_MM * 5, STEP_MM * (4 + missing)
    assert f"{missing} slices missing" in hole.message
    assert f"{missing} positions from {first:.2f} to {last:.2f} mm" in hole.message
    assert len(hole.message) < MESSAGE_LIMIT
    assert "displaced_slices" not in codes(analysis)


def test_a_short_and_a_long_hole_read_alike() -> None:
    short = only(
        analyze_stack([*even_stack(5), *even_stack(5, 30.0)], AXIAL, (1, 1)),
        "missing_slices",
    )
    long = only(
        analyze_stack([*even_stack(5), *even_stack(5, 97.5)], AXIAL, (1, 1)),
        "missing_slices",
    )
    assert abs(len(long.message) - len(short.message)) < 10


# --- a slice far from the rest: displaced, never millions of missing slices ---------


@pytest.mark.parametrize("z", [1e7, 1e200, -1e300], ids=["1e7", "1e200", "-1e300"])
def test_a_far_off_slice_is_displaced_not_a_hole(z: float) -> None:
    analysis = analyze_stack([*even_stack(10), [0.0, 0.0, z]], AXIAL, (0.7, 0.7))
    displaced = only(analysis, "displaced_slices")
    assert displaced.severity == "error"
    far_end = 0 if z < 0 else 10
    assert displaced.slices == (far_end,)
    assert "its position is damaged" in displaced.message
    assert f"{abs(z):.3g}" in displaced.message
    assert len(displaced.message) < MESSAGE_LIMIT
    assert analysis.missing_slice_count == 0
    assert codes(analysis) == {"displaced_slices"}
    assert analysis.spacing_mm == pytest.approx(STEP_MM)
    assert not analysis.is_uniform
    assert all(len(f.message) < MESSAGE_LIMIT for f in analysis.findings)


def test_slices_far_off_on_both_sides_are_one_finding() -> None:
    positions = [[0.0, 0.0, -1e308], *even_stack(10), [0.0, 0.0, 1e308]]
    analysis = analyze_stack(positions, AXIAL, (1, 1))
    displaced = only(analysis, "displaced_slices")
    assert displaced.slices == (0, 11)
    assert "2 images" in displaced.message
    assert len(displaced.message) < MESSAGE_LIMIT
    assert analysis.spacing_mm == pytest.approx(STEP_MM)
    assert analysis.tilt_deg == pytest.approx(0.0)


def test_a_coordinate_beyond_any_scanner_is_displaced_even_in_line() -> None:
    # on the slice grid along the normal, but 10 km off to the side
    positions = [*even_stack(10), [1e7, 0.0, STEP_MM * 10]]
    analysis = analyze_stack(positions, AXIAL, (1, 1))
    displaced = only(analysis, "displaced_slices")
    assert displaced.slices == (10,)
    assert "scanner's origin" in displaced.message
    assert "gantry_tilt" not in codes(analysis)


def test_a_far_gap_separates_the_smaller_part() -> None:
    gap = FAR_GAP_MM + 50.0
    positions = [*even_stack(6), *even_stack(3, start=STEP_MM * 5 + gap)]
    analysis = analyze_stack(positions, AXIAL, (1, 1))
    separated = only(analysis, "separated_slices")
    assert separated.severity == "warning"
    assert separated.slices == (6, 7, 8)
    assert f"3 images (sorted slices 6, 7, 8) lie up to {gap + 2 * STEP_MM:.2f} mm" in (
        separated.message
    )
    assert "images in between are missing" in separated.message
    assert codes(analysis) == {"separated_slices"}
    assert analysis.missing_slice_count == 0
    assert analysis.spacing_mm == pytest.approx(STEP_MM)


@pytest.mark.parametrize(
    ("gap", "step", "is_displaced"),
    [
        pytest.param(FAR_GAP_MM - 2.5, 2.5, False, id="under-100-mm"),
        pytest.param(FAR_GAP_MM + 20.0, 15.0, False, id="under-10-steps"),
        pytest.param(FAR_GAP_MM + 20.0, 2.5, True, id="over-both"),
    ],
)
def test_displaced_needs_a_gap_over_100_mm_and_10_typical_gaps(
    gap: float, step: float, is_displaced: bool
) -> None:
    assert gap > FAR_GAP_MULTIPLE * step or not is_displaced
    positions = [[0.0, 0.0, step * k] for k in range(8)]
    positions.append([0.0, 0.0, step * 7 + gap])
    analysis = analyze_stack(positions, AXIAL, (1, 1))
    assert ("separated_slices" in codes(analysis)) is is_displaced
    assert "displaced_slices" not in codes(analysis)


def test_one_slice_beyond_any_scanner_is_displaced() -> None:
    analysis = analyze_stack([[0.0, 0.0, 2 * MAX_COORDINATE_MM]], AXIAL, (1, 1))
    displaced = only(analysis, "displaced_slices")
    assert displaced.message.startswith(
        f"The image lies at {2 * MAX_COORDINATE_MM:.2f} mm from the scanner's origin"
    )
    assert analysis.spacing_mm is None


# --- positions no computation can use -------------------------------------------------


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_positions_are_a_short_geometry_error(value: float) -> None:
    positions = np.asarray(even_stack(20000))
    positions[12345, 2] = value
    with pytest.raises(GeometryError) as raised:
        analyze_stack(positions, AXIAL, (1, 1))
    assert len(str(raised.value)) < MESSAGE_LIMIT
    assert len(raised.value.detail) < MESSAGE_LIMIT


def test_positions_too_far_apart_to_subtract_are_a_geometry_error() -> None:
    # both finite, but their distance overflows a float
    positions = [[0.0, 0.0, -1.7e308], [0.0, 0.0, 1.7e308]]
    with pytest.raises(GeometryError, match="too far apart"):
        analyze_stack(positions, AXIAL, (1, 1))


def test_unsorted_volume_error_quotes_a_few_values_only() -> None:
    positions = even_stack(20000)[::-1]
    with pytest.raises(GeometryError) as raised:
        VolumeGeometry.from_slices(positions, AXIAL, (1, 1), 4, 4)
    assert len(raised.value.detail) < MESSAGE_LIMIT


def test_a_volume_with_a_displaced_slice_has_no_single_affine() -> None:
    positions = [*even_stack(10), [0.0, 0.0, 1e200]]
    geometry = VolumeGeometry.from_slices(positions, AXIAL, (1, 1), 4, 4)
    np.testing.assert_allclose(geometry.index_to_patient(3, 0, 0), (0, 0, 7.5))
    with pytest.raises(GeometryError, match="off the stack") as raised:
        geometry.affine_lps()
    assert len(raised.value.detail) < MESSAGE_LIMIT


# --- the same through a scan of real files --------------------------------------------


def write_series(folder: Path, z_values: list[str]) -> list[Path]:
    """Write a tiny CT series (4 x 4 pixels), one file per ImagePositionPatient z."""
    folder.mkdir(parents=True, exist_ok=True)
    study, series = generate_uid(), generate_uid()
    paths = []
    for index, z in enumerate(z_values):
        uid = generate_uid()
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.MediaStorageSOPClassUID = CTImageStorage
        ds.file_meta.MediaStorageSOPInstanceUID = uid
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, uid
        ds.PatientID, ds.PatientName = "MISSING-1", "Test^Slices"
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.Modality, ds.SeriesNumber, ds.InstanceNumber = "CT", 3, index + 1
        ds.ImagePositionPatient = ["0", "0", z]
        ds.ImageOrientationPatient = list(AXIAL)
        ds.PixelSpacing, ds.SliceThickness = [0.7, 0.7], 2.5
        ds.Rows = ds.Columns = 4
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
        ds.PixelRepresentation, ds.RescaleSlope, ds.RescaleIntercept = 1, 1, -1024
        ds.PixelData = np.zeros((4, 4), dtype=np.int16).tobytes()
        path = folder / f"slice{index:03d}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def grid(count: int = 10) -> list[str]:
    return [f"{STEP_MM * k:.1f}" for k in range(count)]


def the_series(result_series: tuple[SeriesCandidate, ...]) -> SeriesCandidate:
    (candidate,) = result_series
    return candidate


@pytest.mark.parametrize("z", ["1e7", "1e200"])
def test_scanning_a_far_off_slice_is_quick_and_short(tmp_path: Path, z: str) -> None:
    paths = write_series(tmp_path / "series", [*grid(), z])
    result = scan(tmp_path / "series")
    candidate = the_series(result.series)
    assert candidate.image_count == 11
    assert candidate.frames[-1].path == paths[-1]
    (displaced,) = [f for f in candidate.findings if f.code == "displaced_slices"]
    assert "slice 10" in displaced.message
    assert "damaged" in displaced.message
    assert "missing_slices" not in {f.code for f in candidate.findings}
    assert all(len(f.message) < MESSAGE_LIMIT for f in candidate.findings)
    assert candidate.spacing_mm == pytest.approx(STEP_MM)
    assert candidate.readiness is Readiness.NOT_MEASURABLE
    document = json.dumps(scan_document(result), allow_nan=False)
    assert len(document) < 20_000


def test_a_sparse_series_with_a_far_gap_stays_measurable(tmp_path: Path) -> None:
    # key images: three near the top, one 200 mm lower, on the same slice grid
    write_series(tmp_path / "series", ["-200.0", "0.0", "2.5", "5.0"])
    candidate = the_series(scan(tmp_path / "series").series)
    codes = {f.code for f in candidate.findings}
    assert "separated_slices" in codes
    assert "missing_slices" not in codes
    assert candidate.readiness is Readiness.CAUTION
    assert candidate.spacing_mm == pytest.approx(STEP_MM)


@pytest.mark.parametrize("z", ["nan", "inf", "-inf"])
def test_scanning_a_non_finite_position_is_quick(tmp_path: Path, z: str) -> None:
    write_series(tmp_path / "series", [*grid(), z])
    result = scan(tmp_path / "series")
    assert sum(c.image_count for c in result.series) == 11
    damaged = [c for c in result.series if c.readiness is Readiness.NOT_MEASURABLE]
    assert damaged, "a slice without a usable position must block measuring"
    for candidate in result.series:
        assert all(len(f.message) < MESSAGE_LIMIT for f in candidate.findings)
    json.dumps(scan_document(result), allow_nan=False)
