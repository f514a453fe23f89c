"""Slice-stack analysis and the exact pixel <-> patient mapping (mm, LPS)."""

from __future__ import annotations

import math
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from respond.dicom.geometry import (
    GeometryError,
    GeometryFinding,
    StackAnalysis,
    VolumeGeometry,
    analyze_stack,
    normal_from_orientation,
    slice_offsets,
)
from respond.errors import RespondError

REPO = Path(__file__).resolve().parents[3]
SHARED_DICOM = REPO.parent / "shared" / "data" / "dicom"

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
SAGITTAL = (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)
CORONAL = (1.0, 0.0, 0.0, 0.0, 0.0, -1.0)


def rotation(a: float, b: float, c: float) -> np.ndarray:
    """A rotation matrix from three angles in radians (z, y, x)."""
    ca, sa, cb, sb, cc, sc = (f(x) for x in (a, b, c) for f in (math.cos, math.sin))
    rz = np.array([[ca, -sa, 0], [sa, ca, 0], [0, 0, 1]])
    ry = np.array([[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]])
    rx = np.array([[1, 0, 0], [0, cc, -sc], [0, sc, cc]])
    return np.asarray(rz @ ry @ rx, dtype=np.float64)


def oblique_orientation(a: float, b: float, c: float) -> tuple[float, ...]:
    matrix = rotation(a, b, c)
    return (*matrix[:, 0], *matrix[:, 1])


OBLIQUE = oblique_orientation(0.3, -0.5, 0.9)
ORIENTATIONS = {
    "axial": (AXIAL, (0.0, 0.0, 1.0)),
    "sagittal": (SAGITTAL, (-1.0, 0.0, 0.0)),
    "coronal": (CORONAL, (0.0, 1.0, 0.0)),
    "oblique": (OBLIQUE, tuple(np.cross(OBLIQUE[:3], OBLIQUE[3:]))),
}


def stack(
    orientation: tuple[float, ...],
    gaps: list[float],
    origin: tuple[float, float, float] = (-120.0, 35.5, -396.0),
) -> np.ndarray:
    """Slice positions stepping along the normal by the given gaps."""
    normal = np.cross(orientation[:3], orientation[3:])
    offsets = np.concatenate([[0.0], np.cumsum(gaps)])
    return np.asarray(origin + offsets[:, None] * normal, dtype=np.float64)


def codes(analysis: StackAnalysis) -> list[str]:
    return [f.code for f in analysis.findings]


def finding(analysis: StackAnalysis, code: str) -> GeometryFinding:
    (match,) = [f for f in analysis.findings if f.code == code]
    return match


# --- orientation and the slice normal ---------------------------------------------


@pytest.mark.parametrize(("name"), list(ORIENTATIONS))
def test_normal_is_row_cross_column(name: str) -> None:
    orientation, expected = ORIENTATIONS[name]
    np.testing.assert_allclose(
        normal_from_orientation(orientation), expected, atol=1e-12
    )


def test_slice_offsets_project_positions_on_the_normal() -> None:
    positions = np.array([[0.0, 0.0, -10.0], [5.0, 7.0, 2.5]])
    np.testing.assert_array_equal(
        slice_offsets(positions, np.array([0.0, 0.0, 1.0])), [-10.0, 2.5]
    )


def test_slightly_off_unit_directions_are_normalised() -> None:
    orientation = (1.0004, 0.0, 0.0, 0.0, 0.9996, 0.0)
    analysis = analyze_stack(stack(AXIAL, [2.5]), orientation, (1.0, 1.0))
    np.testing.assert_allclose(analysis.row_direction, (1.0, 0.0, 0.0), atol=1e-15)
    np.testing.assert_allclose(analysis.column_direction, (0, 1.0, 0), atol=1e-15)


@pytest.mark.parametrize(
    ("orientation", "words"),
    [
        pytest.param(
            (1, 0, 0, 0.0872, 0.9962, 0), "perpendicular", id="not-orthogonal"
        ),
        pytest.param((0, 0, 0, 0, 1, 0), "zero", id="zero-row"),
        pytest.param((1, 0, 0, 0, 0, 0), "zero", id="zero-column"),
        pytest.param((2, 0, 0, 0, 1, 0), "length 2", id="not-unit"),
        pytest.param((1, 0, 0, 0, 1), "6 finite numbers", id="five-values"),
        pytest.param((1, 0, 0, 0, math.nan, 0), "6 finite numbers", id="nan"),
    ],
)
def test_bad_orientation_is_a_geometry_error(
    orientation: tuple[float, ...], words: str
) -> None:
    with pytest.raises(GeometryError, match=words) as caught:
        analyze_stack(stack(AXIAL, [2.5]), orientation, (0.7, 0.7))
    assert isinstance(caught.value, RespondError)
    assert caught.value.detail
    assert "measur" in str(caught.value)


@pytest.mark.parametrize("spacing", [(0.0, 1.0), (1.0, -0.5), (1.0,), (math.inf, 1)])
def test_bad_pixel_spacing_is_a_geometry_error(spacing: tuple[float, ...]) -> None:
    with pytest.raises(GeometryError, match="PixelSpacing"):
        analyze_stack(stack(AXIAL, [2.5]), AXIAL, spacing)


# --- stack analysis ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ORIENTATIONS))
def test_even_stack_in_any_order_sorts_along_the_normal(name: str) -> None:
    orientation, _ = ORIENTATIONS[name]
    positions = stack(orientation, [2.5] * 9)
    shuffled = np.random.default_rng(7).permutation(len(positions))
    analysis = analyze_stack(positions[shuffled], orientation, (0.703125, 0.703125))
    np.testing.assert_array_equal(shuffled[analysis.order], np.arange(10))
    np.testing.assert_allclose(analysis.gaps_mm, 2.5, atol=1e-9)
    assert analysis.findings == ()
    assert analysis.spacing_mm == pytest.approx(2.5)
    assert analysis.min_gap_mm == pytest.approx(2.5)
    assert analysis.max_gap_mm == pytest.approx(2.5)
    assert analysis.tilt_deg == pytest.approx(0.0, abs=1e-6)
    assert analysis.is_uniform
    assert not analysis.is_tilted


def test_uneven_spacing_gives_min_max_and_median_gaps() -> None:
    analysis = analyze_stack(stack(AXIAL, [2.5, 2.5, 3.0, 2.5, 1.0]), AXIAL, (1, 1))
    uneven = finding(analysis, "uneven_spacing")
    assert "1.00 mm" in uneven.message
    assert "3.00 mm" in uneven.message
    assert "2.50 mm" in uneven.message
    assert "coronal and sagittal views place each slice where it lies" in uneven.message
    assert uneven.slices == (2, 3, 4, 5)
    assert uneven.severity == "warning"
    assert (analysis.min_gap_mm, analysis.max_gap_mm) == pytest.approx((1.0, 3.0))
    assert not analysis.is_uniform
    assert "missing_slices" not in codes(analysis)


def test_gap_jitter_within_one_percent_is_even() -> None:
    analysis = analyze_stack(stack(AXIAL, [5.0, 5.04, 4.97, 5.0]), AXIAL, (1, 1))
    assert analysis.findings == ()
    assert analysis.is_uniform


@pytest.mark.parametrize(
    ("gaps", "count", "slices", "words"),
    [
        pytest.param([2.5] * 5 + [5.0] + [2.5] * 4, 1, (5, 6), "1 slice", id="one"),
        pytest.param([2.5, 7.5, 2.5, 2.5], 2, (1, 2), "2 slices", id="two"),
        pytest.param([2.5, 2.5, 5.1, 2.5], 1, (2, 3), "5.10 mm", id="near-multiple"),
    ],
)
def test_a_gap_of_whole_typical_gaps_means_missing_slices(
    gaps: list[float], count: int, slices: tuple[int, ...], words: str
) -> None:
    analysis = analyze_stack(stack(CORONAL, gaps), CORONAL, (0.8, 0.8))
    missing = finding(analysis, "missing_slices")
    assert missing.slices == slices
    assert words in missing.message
    assert analysis.missing_slice_count == count
    assert analysis.spacing_mm == pytest.approx(2.5)
    assert not analysis.is_uniform


def test_a_gap_between_multiples_is_not_a_missing_slice() -> None:
    analysis = analyze_stack(stack(AXIAL, [4.0, 4.0, 4.0, 7.0, 7.0]), AXIAL, (1, 1))
    assert "missing_slices" not in codes(analysis)
    assert "uneven_spacing" in codes(analysis)
    assert analysis.missing_slice_count == 0


def test_slices_at_one_position_are_duplicates() -> None:
    positions = stack(SAGITTAL, [1.0, 1.0, 1.0])
    nudge = 0.004 * normal_from_orientation(SAGITTAL)
    positions = np.vstack([positions, positions[2] + nudge])
    analysis = analyze_stack(positions, SAGITTAL, (1, 1))
    duplicate = finding(analysis, "duplicate_positions")
    assert duplicate.slices == (2, 3)
    assert "same position" in duplicate.message
    np.testing.assert_array_equal(analysis.order, [0, 1, 2, 4, 3])
    assert analysis.spacing_mm == pytest.approx(1.0)
    assert analysis.min_gap_mm == pytest.approx(0.004)
    assert not analysis.is_uniform
    assert "uneven_spacing" not in codes(analysis)


def test_gantry_tilt_is_the_angle_between_stacking_line_and_normal() -> None:
    tilt = math.radians(18.5)
    orientation = (1.0, 0.0, 0.0, 0.0, math.cos(tilt), -math.sin(tilt))
    positions = np.array([[0.0, 0.0, 4.22 * k] for k in range(12)])
    analysis = analyze_stack(positions, orientation, (0.488, 0.488))
    assert analysis.tilt_deg == pytest.approx(18.5, abs=1e-9)
    assert analysis.is_tilted
    tilted = finding(analysis, "gantry_tilt")
    assert "18.5" in tilted.message
    assert "sheared" in tilted.message
    assert analysis.spacing_mm == pytest.approx(4.22 * math.cos(tilt))
    assert codes(analysis) == ["gantry_tilt"]


@pytest.mark.parametrize(("degrees", "is_tilted"), [(0.05, False), (0.2, True)])
def test_tilt_counts_above_a_tenth_of_a_degree(degrees: float, is_tilted: bool) -> None:
    shear = math.tan(math.radians(degrees))
    positions = np.array([[0.0, shear * 3.0 * k, 3.0 * k] for k in range(40)])
    analysis = analyze_stack(positions, AXIAL, (1, 1))
    assert analysis.tilt_deg == pytest.approx(degrees)
    assert ("gantry_tilt" in codes(analysis)) is is_tilted


def test_one_slice_has_no_spacing() -> None:
    analysis = analyze_stack(np.array([[1.0, 2.0, 3.0]]), AXIAL, (0.5, 0.5), 3.0)
    assert codes(analysis) == ["single_slice"]
    assert analysis.spacing_mm is None
    assert analysis.min_gap_mm is None
    assert analysis.max_gap_mm is None
    assert analysis.tilt_deg == 0.0
    assert not analysis.is_uniform


@pytest.mark.parametrize(("thickness", "is_thick"), [(5.0, False), (7.0, True)])
def test_slices_thicker_than_5_mm_are_reported(
    thickness: float, is_thick: bool
) -> None:
    analysis = analyze_stack(stack(AXIAL, [thickness] * 3), AXIAL, (1, 1), thickness)
    assert ("thick_slices" in codes(analysis)) is is_thick
    if is_thick:
        thick = finding(analysis, "thick_slices")
        assert thick.severity == "info"
        assert "14.0 mm" in thick.message


def test_findings_are_frozen() -> None:
    item = GeometryFinding("single_slice", "one slice", ())
    with pytest.raises(FrozenInstanceError):
        item.code = "other"  # type: ignore[misc]


# --- the volume mapping ------------------------------------------------------------


def volume(
    orientation: tuple[float, ...],
    positions: np.ndarray,
    spacing: tuple[float, float] = (0.703125, 0.703125),
) -> VolumeGeometry:
    return VolumeGeometry.from_slices(positions, orientation, spacing, 512, 512)


@pytest.mark.parametrize("name", list(ORIENTATIONS))
@pytest.mark.parametrize(
    ("index_a", "index_b", "expected_mm"),
    [
        pytest.param((0, 0, 0), (0, 0, 100), 70.3125, id="100-columns"),
        pytest.param((3, 200, 0), (3, 100, 0), 70.3125, id="100-rows"),
        pytest.param((0, 0, 0), (10, 0, 0), 25.0, id="10-slices"),
        pytest.param(
            (0, 10, 20),
            (10, 40, 60),
            math.sqrt(25.0**2 + (30 * 0.703125) ** 2 + (40 * 0.703125) ** 2),
            id="diagonal",
        ),
    ],
)
def test_caliper_distance_is_exact_in_any_orientation(
    name: str, index_a: tuple[int, ...], index_b: tuple[int, ...], expected_mm: float
) -> None:
    orientation, _ = ORIENTATIONS[name]
    geometry = volume(orientation, stack(orientation, [2.5] * 12))
    assert geometry.distance_mm(index_a, index_b) == pytest.approx(expected_mm, 1e-12)


def test_non_square_pixels_use_row_then_column_spacing() -> None:
    # PixelSpacing [0.5, 0.8]: rows are 0.5 mm apart, columns 0.8 mm apart.
    geometry = volume(AXIAL, stack(AXIAL, [2.0] * 3), (0.5, 0.8))
    assert geometry.distance_mm((0, 0, 0), (0, 1, 0)) == pytest.approx(0.5)
    assert geometry.distance_mm((0, 0, 0), (0, 0, 1)) == pytest.approx(0.8)
    assert geometry.distance_mm((0, 0, 0), (0, 60, 50)) == pytest.approx(50.0)
    assert geometry.distance_mm((1, 0, 0), (1, 50, 60)) == pytest.approx(
        math.sqrt(25.0**2 + 48.0**2)
    )
    origin = np.array([-120.0, 35.5, -396.0])
    np.testing.assert_allclose(
        geometry.index_to_patient(2, 10, 20), origin + np.array([16.0, 5.0, 4.0])
    )
    assert geometry.spacing_mm == pytest.approx((0.8, 0.5, 2.0))


def test_uneven_stack_keeps_every_slice_position() -> None:
    positions = stack(OBLIQUE, [2.5, 3.0, 1.0, 2.5])
    geometry = volume(OBLIQUE, positions)
    for k, position in enumerate(positions):
        np.testing.assert_allclose(geometry.index_to_patient(k, 0, 0), position)
    assert geometry.distance_mm((1, 5, 5), (2, 5, 5)) == pytest.approx(3.0)
    assert geometry.distance_mm((2, 5, 5), (3, 5, 5)) == pytest.approx(1.0)
    assert geometry.distance_mm((0, 0, 0), (4, 0, 0)) == pytest.approx(9.0)
    assert geometry.spacing_mm[2] == pytest.approx(2.5)
    with pytest.raises(GeometryError, match="uneven"):
        geometry.affine_lps()


def test_fractional_slice_index_interpolates_and_extrapolates() -> None:
    geometry = volume(AXIAL, stack(AXIAL, [2.0, 4.0, 1.0], origin=(0, 0, 0)))
    z = [geometry.index_to_patient(k, 0, 0)[2] for k in (-1, 0.5, 1.5, 3, 4.5)]
    assert z == pytest.approx([-2.0, 1.0, 4.0, 7.0, 8.5])
    np.testing.assert_allclose(
        geometry.patient_to_index((0.0, 0.0, 8.5)), (4.5, 0.0, 0.0), atol=1e-12
    )


def test_tilted_stack_maps_each_slice_at_its_own_position() -> None:
    tilt = math.radians(18.5)
    orientation = (1.0, 0.0, 0.0, 0.0, math.cos(tilt), -math.sin(tilt))
    positions = np.array([[-125.0, -110.0, 5.8 + 4.22 * k] for k in range(10)])
    geometry = volume(orientation, positions, (0.488, 0.488))
    for k, position in enumerate(positions):
        np.testing.assert_allclose(geometry.index_to_patient(k, 0, 0), position)
        back = geometry.patient_to_index(geometry.index_to_patient(k, 100.5, 7.25))
        np.testing.assert_allclose(back, (k, 100.5, 7.25), atol=1e-9)
    assert geometry.distance_mm((0, 0, 0), (9, 0, 0)) == pytest.approx(9 * 4.22)
    with pytest.raises(GeometryError, match="tilt"):
        geometry.affine_lps()


@pytest.mark.parametrize("name", list(ORIENTATIONS))
def test_affine_matches_the_mapping_for_an_even_untilted_stack(name: str) -> None:
    orientation, normal = ORIENTATIONS[name]
    geometry = volume(orientation, stack(orientation, [1.25] * 20), (0.5, 0.8))
    affine = geometry.affine_lps()
    indices = np.array([[0, 0, 0], [19, 511, 511], [3.5, 20.25, 100.0]])
    homogeneous = np.column_stack([indices, np.ones(3)])
    np.testing.assert_allclose(
        (affine @ homogeneous.T).T[:, :3],
        geometry.indices_to_patient(indices),
        atol=1e-9,
    )
    np.testing.assert_allclose(geometry.direction[:, 2], normal, atol=1e-12)
    np.testing.assert_allclose(
        geometry.direction, np.column_stack([orientation[:3], orientation[3:], normal])
    )
    np.testing.assert_allclose(geometry.origin, (-120.0, 35.5, -396.0))
    assert geometry.spacing_mm == pytest.approx((0.8, 0.5, 1.25))
    assert geometry.shape == (21, 512, 512)


def test_volume_needs_sorted_distinct_slices() -> None:
    positions = stack(AXIAL, [2.5] * 4)
    with pytest.raises(GeometryError, match="sorted"):
        volume(AXIAL, positions[::-1])
    with pytest.raises(GeometryError, match="same position"):
        volume(AXIAL, np.vstack([positions[:2], positions[1:]]))


def test_single_slice_volume_measures_in_plane_only() -> None:
    geometry = volume(AXIAL, np.array([[0.0, 0.0, 10.0]]), (0.5, 0.5))
    assert geometry.distance_mm((0, 0, 0), (0, 30, 40)) == pytest.approx(25.0)
    np.testing.assert_allclose(geometry.patient_to_index((20, 15, 10)), (0, 30, 40))
    with pytest.raises(GeometryError, match="one slice"):
        geometry.index_to_patient(1, 0, 0)
    with pytest.raises(GeometryError, match="one slice"):
        geometry.patient_to_index((0.0, 0.0, 12.0))
    with pytest.raises(GeometryError, match="one slice"):
        geometry.affine_lps()


angles = st.floats(-math.pi, math.pi)
gap_lists = st.lists(st.floats(0.3, 8.0), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    a=angles,
    b=angles,
    c=angles,
    gaps=gap_lists,
    shear=st.tuples(st.floats(-0.5, 0.5), st.floats(-0.5, 0.5)),
    spacing=st.tuples(st.floats(0.2, 3.0), st.floats(0.2, 3.0)),
    data=st.data(),
)
def test_index_patient_round_trip_is_exact(
    a: float,
    b: float,
    c: float,
    gaps: list[float],
    shear: tuple[float, float],
    spacing: tuple[float, float],
    data: st.DataObject,
) -> None:
    orientation = oblique_orientation(a, b, c)
    row, column = np.asarray(orientation[:3]), np.asarray(orientation[3:])
    offsets = np.concatenate([[0.0], np.cumsum(gaps)])
    positions = stack(orientation, gaps) + offsets[:, None] * (
        shear[0] * row + shear[1] * column
    )
    geometry = volume(orientation, positions, spacing)
    n = len(positions)
    index = np.array(
        [
            data.draw(st.floats(-2.0, n + 1.0)),
            data.draw(st.floats(-50.0, 600.0)),
            data.draw(st.floats(-50.0, 600.0)),
        ]
    )
    point = geometry.index_to_patient(*index)
    np.testing.assert_allclose(geometry.patient_to_index(point), index, atol=1e-8)
    again = geometry.index_to_patient(*geometry.patient_to_index(point))
    assert np.linalg.norm(again - point) < 1e-6
    many = np.vstack([index, index + 0.5])
    np.testing.assert_allclose(
        geometry.patient_to_index(geometry.indices_to_patient(many)), many, atol=1e-8
    )


# --- the real series (headers only) ---------------------------------------------------


@pytest.fixture
def shared_dicom() -> Path:
    if not SHARED_DICOM.is_dir():
        pytest.skip(
            "shared DICOM data not found at ../shared/data/dicom (not in a fresh clone)"
        )
    return SHARED_DICOM


def read_series(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float]]:
    """Positions, orientation, pixel spacing and thicknesses of a folder's slices."""
    pydicom = pytest.importorskip("pydicom")
    headers = [
        pydicom.dcmread(path, stop_before_pixels=True)
        for path in sorted(folder.glob("*.dcm"))
    ]
    orientations = np.array(
        [[float(v) for v in h.ImageOrientationPatient] for h in headers]
    )
    spacings = np.array([[float(v) for v in h.PixelSpacing] for h in headers])
    assert np.ptp(orientations, axis=0).max() < 1e-6
    assert np.ptp(spacings, axis=0).max() == 0
    positions = np.array([[float(v) for v in h.ImagePositionPatient] for h in headers])
    thicknesses = [float(h.SliceThickness) for h in headers]
    return positions, orientations[0], spacings[0], thicknesses


def test_liver_ct_is_an_even_2_5_mm_axial_stack(shared_dicom: Path) -> None:
    positions, orientation, spacing, thickness = read_series(
        shared_dicom / "ct_liver_hcc048_pv"
    )
    analysis = analyze_stack(positions, orientation, spacing, max(thickness))
    assert len(positions) == 89
    assert analysis.findings == ()
    assert analysis.spacing_mm == pytest.approx(2.5)
    assert (analysis.min_gap_mm, analysis.max_gap_mm) == pytest.approx((2.5, 2.5))
    assert (analysis.offsets_mm[0], analysis.offsets_mm[-1]) == (-396.0, -176.0)
    geometry = VolumeGeometry.from_slices(
        positions[analysis.order], orientation, spacing, 512, 512
    )
    assert geometry.spacing_mm == (0.703125, 0.703125, 2.5)
    assert geometry.distance_mm((40, 256, 100), (40, 256, 200)) == 70.3125
    np.testing.assert_allclose(
        geometry.affine_lps() @ (88, 0, 0, 1), (*positions[analysis.order][88], 1)
    )


def test_liver_ct_without_a_middle_slice_reports_it_missing(shared_dicom: Path) -> None:
    positions, orientation, spacing, _ = read_series(
        shared_dicom / "ct_liver_hcc048_pv"
    )
    order = analyze_stack(positions, orientation, spacing).order
    kept = np.delete(positions[order], 44, axis=0)
    analysis = analyze_stack(kept, orientation, spacing)
    missing = finding(analysis, "missing_slices")
    assert analysis.missing_slice_count == 1
    assert missing.slices == (43, 44)
    assert "5.00 mm" in missing.message
    assert "-286.00" in missing.message


def test_tilted_head_ct_has_18_5_degree_tilt_and_uneven_gaps(
    shared_dicom: Path,
) -> None:
    positions, orientation, spacing, thickness = read_series(
        shared_dicom / "ct_head_ge_tilt_varspacing"
    )
    analysis = analyze_stack(positions, orientation, spacing, max(thickness))
    assert len(positions) == 28
    assert analysis.tilt_deg == pytest.approx(18.5, abs=0.01)
    assert set(codes(analysis)) == {"gantry_tilt", "uneven_spacing", "thick_slices"}
    gaps = np.round(analysis.gaps_mm, 2)
    assert sorted(set(gaps.tolist())) == pytest.approx([1.08, 4.0, 7.0], abs=0.01)
    assert [int(np.sum(np.abs(gaps - g) < 0.01)) for g in (1.08, 4.0, 7.0)] == [
        1,
        13,
        13,
    ]
    # Along z (not the normal) the gaps would read 4.22 and 7.38 mm.
    assert np.diff(np.sort(positions[:, 2])).max() == pytest.approx(7.38)
    geometry = VolumeGeometry.from_slices(
        positions[analysis.order], orientation, spacing, 512, 512
    )
    for k, position in enumerate(positions[analysis.order]):
        np.testing.assert_allclose(geometry.index_to_patient(k, 0, 0), position)
        back = geometry.patient_to_index(geometry.index_to_patient(k, 255.5, 17.0))
        np.testing.assert_allclose(back, (k, 255.5, 17.0), atol=1e-9)


def test_sagittal_mr_sorts_along_the_true_normal(shared_dicom: Path) -> None:
    positions, orientation, spacing, _ = read_series(
        shared_dicom / "mr_brain_philips_sag_t1"
    )
    analysis = analyze_stack(positions, orientation, spacing)
    assert len(positions) == 170
    assert analysis.findings == ()
    assert analysis.spacing_mm == pytest.approx(1.0, abs=1e-4)
    np.testing.assert_allclose(analysis.gaps_mm, 1.0, atol=1e-4)
    steps = np.linalg.norm(np.diff(positions[analysis.order], axis=0), axis=1)
    np.testing.assert_allclose(steps, 1.0, atol=1e-4)
    # z changes by only 0.06 mm per slice, in the opposite sense: not a sort key.
    assert not np.array_equal(np.argsort(positions[:, 2]), analysis.order)
    assert np.ptp(positions[:, 2]) < 11.0


def test_transfer_syntax_files_all_sit_at_one_position(shared_dicom: Path) -> None:
    positions, orientation, spacing, _ = read_series(
        shared_dicom / "mr_transfer_syntaxes"
    )
    analysis = analyze_stack(positions, orientation, spacing)
    assert len(positions) == 9
    assert codes(analysis) == ["duplicate_positions"]
    assert finding(analysis, "duplicate_positions").slices == tuple(range(9))
    assert analysis.spacing_mm is None
    assert analysis.max_gap_mm == 0.0
    with pytest.raises(GeometryError, match="same position"):
        VolumeGeometry.from_slices(positions, orientation, spacing, 384, 384)
