"""Reformats: every patient point lands on the pixel where it lies, in every plane.

Synthetic volumes hold a field that is linear in the voxel index
(``100 k + 3 i + j``), so linear interpolation reproduces it exactly: the
value read at a reformat pixel must be the field at the index the geometry
gives for that pixel's patient point, on axis-aligned, anisotropic, tilted and
unevenly spaced stacks alike.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import SHARED

from respond.dicom import GeometryError, Volume
from respond.dicom.geometry import VolumeGeometry
from respond.dicom.reformat import (
    ORIENTATIONS,
    OUTSIDE_VALUE,
    PlaneRelation,
    Reformatter,
    project_segment,
    project_segments,
    reformat,
)

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
SHAPE = (12, 40, 50)
SHARED_DICOM = SHARED / "data" / "dicom"


def linear_field(shape: tuple[int, int, int]) -> np.ndarray:
    k, i, j = np.indices(shape)
    return (100 * k + 3 * i + j).astype(np.int16)


def make_volume(
    *,
    spacing: tuple[float, float] = (0.7, 0.7),
    gaps: list[float] | None = None,
    tilt_deg: float = 0.0,
    shape: tuple[int, int, int] = SHAPE,
    voxels: np.ndarray | None = None,
    slopes: np.ndarray | None = None,
) -> Volume:
    """An axial stack, optionally tilted about x (slices still step along z)."""
    slices, rows, columns = shape
    tilt = math.radians(tilt_deg)
    orientation = (1.0, 0.0, 0.0, 0.0, math.cos(tilt), -math.sin(tilt))
    steps = [5.0] * (slices - 1) if gaps is None else gaps
    # A gantry tilt moves the slices along z, not along the tilted normal.
    z = np.concatenate([[0.0], np.cumsum(steps)]) / math.cos(tilt)
    positions = [(-20.0, -15.0, -40.0 + float(dz)) for dz in z]
    geometry = VolumeGeometry.from_slices(
        positions, orientation, spacing, rows, columns
    )
    is_rescaled = slopes is None
    return Volume(
        voxels=linear_field(shape) if voxels is None else voxels,
        geometry=geometry,
        is_rescaled=is_rescaled,
        slopes=np.ones(slices) if slopes is None else slopes,
        intercepts=np.zeros(slices) if slopes is None else np.full(slices, -10.0),
        frames=(),
        series_key="1.2.826.0.1.3680043.8.498.7",
        modality="CT",
    )


def field_at(volume: Volume, points: np.ndarray) -> np.ndarray:
    """The linear field at patient points, through the geometry's own inverse."""
    assert volume.geometry is not None
    k, i, j = volume.geometry.patient_to_index(points).T
    return 100 * k + 3 * i + j


def assert_every_pixel_true(volume: Volume, orientation: str, position: int) -> None:
    planes = Reformatter(volume, orientation)  # type: ignore[arg-type]
    image = planes.image(position)
    rows, columns = image.shape
    r, c = np.meshgrid(np.arange(rows), np.arange(columns), indexing="ij")
    pixels = np.column_stack([r.ravel(), c.ravel()])
    values = image.pixels.ravel().astype(np.float64)
    inside = values != OUTSIDE_VALUE
    assert inside.sum() > 0.3 * len(values)
    expected = field_at(volume, image.pixel_to_patient(pixels[inside]))
    np.testing.assert_allclose(values[inside], expected, atol=0.02)


# --- axis-aligned stacks: strided slices, exactly the voxels --------------------


@pytest.mark.parametrize("orientation", ORIENTATIONS)
@pytest.mark.parametrize("index", [(0, 0, 0), (7, 13, 29), (11, 39, 49), (3, 25, 4)])
def test_a_voxel_is_at_its_own_pixel_in_every_orientation(orientation, index) -> None:
    volume = make_volume()
    assert volume.geometry is not None
    point = volume.geometry.index_to_patient(*index)
    image = reformat(volume, orientation, point)
    row, column, distance = image.patient_to_plane(point)
    assert distance == pytest.approx(0.0, abs=1e-9)
    assert (row, column) == pytest.approx((round(row), round(column)), abs=1e-9)
    assert image.pixels[round(row), round(column)] == volume.voxels[index]
    np.testing.assert_allclose(image.pixel_to_patient((row, column)), point)
    assert not image.is_interpolated


def test_axis_aligned_planes_are_views_of_the_voxels() -> None:
    volume = make_volume()
    for orientation in ORIENTATIONS:
        image = Reformatter(volume, orientation).image(3)
        assert np.shares_memory(image.pixels, volume.voxels)


def test_anisotropic_voxels_give_the_spacing_and_the_display_directions() -> None:
    volume = make_volume(spacing=(0.7, 0.7), gaps=[5.0] * 11)
    coronal = Reformatter(volume, "coronal")
    sagittal = Reformatter(volume, "sagittal")
    axial = Reformatter(volume, "axial")
    assert coronal.image(0).pixel_spacing_mm == pytest.approx((5.0, 0.7))
    assert sagittal.image(0).pixel_spacing_mm == pytest.approx((5.0, 0.7))
    assert axial.image(0).pixel_spacing_mm == pytest.approx((0.7, 0.7))
    assert coronal.image(0).shape == (12, 50)
    assert sagittal.image(0).shape == (12, 40)
    assert (coronal.position_count, sagittal.position_count) == (40, 50)
    assert axial.position_count == 12
    # superior at the top, the patient's left to the right (coronal),
    # posterior to the right (sagittal)
    np.testing.assert_allclose(coronal.image(0).row_step_mm, (0, 0, -5.0))
    np.testing.assert_allclose(coronal.image(0).column_step_mm, (0.7, 0, 0))
    np.testing.assert_allclose(sagittal.image(0).column_step_mm, (0, 0.7, 0))
    assert coronal.image(0).origin_mm[2] == pytest.approx(-40.0 + 55.0)
    np.testing.assert_array_equal(coronal.image(5).pixels, volume.voxels[::-1, 5, :])


@pytest.mark.parametrize("orientation", ["coronal", "sagittal"])
def test_the_fast_path_equals_the_interpolated_path(orientation) -> None:
    volume = make_volume(spacing=(0.7, 0.9))
    planes = Reformatter(volume, orientation)
    assert planes.is_strided
    for position in (0, 7, planes.position_count - 1):
        fast = planes.image(position)
        slow = planes.image(position, interpolate=True)
        assert not fast.is_interpolated
        assert slow.is_interpolated
        np.testing.assert_allclose(slow.pixels, fast.pixels, atol=1e-3)
        np.testing.assert_allclose(slow.origin_mm, fast.origin_mm)
        np.testing.assert_allclose(slow.row_step_mm, fast.row_step_mm)


def test_a_position_maps_back_to_itself() -> None:
    volume = make_volume(tilt_deg=20.0)
    for orientation in ORIENTATIONS:
        planes = Reformatter(volume, orientation)
        for position in (0, planes.position_count // 2, planes.position_count - 1):
            image = planes.image(position)
            centre = image.pixel_to_patient(np.array(image.shape) / 2)
            assert planes.position_of(centre) == position
            assert planes.offset_mm(position) == pytest.approx(image.offset_mm)


# --- tilted and unevenly spaced stacks: interpolated, still exact --------------


@pytest.mark.parametrize("orientation", ["coronal", "sagittal"])
def test_tilted_stack_every_pixel_reads_its_true_patient_position(
    orientation,
) -> None:
    volume = make_volume(tilt_deg=18.5, spacing=(0.8, 0.6))
    planes = Reformatter(volume, orientation)
    assert not planes.is_strided
    for position in (planes.position_count // 3, planes.position_count // 2):
        assert_every_pixel_true(volume, orientation, position)


@pytest.mark.parametrize("orientation", ["coronal", "sagittal"])
def test_uneven_gaps_every_pixel_reads_its_true_patient_position(orientation) -> None:
    gaps = [4.0] * 5 + [1.0] + [7.0] * 5
    volume = make_volume(gaps=gaps)
    planes = Reformatter(volume, orientation)
    assert not planes.is_strided
    image = planes.image(planes.position_count // 2)
    assert image.pixel_spacing_mm[0] == pytest.approx(4.0)  # the typical gap
    # rows are evenly spaced from the top (superior) slice to the bottom one
    assert image.shape[0] == math.floor(sum(gaps) / 4.0) + 1
    assert_every_pixel_true(volume, orientation, planes.position_count // 2)


@pytest.mark.parametrize("orientation", ORIENTATIONS)
def test_tilted_stack_a_point_maps_to_where_it_lies(orientation) -> None:
    volume = make_volume(tilt_deg=18.5, gaps=[2.0] * 5 + [3.0] * 6)
    assert volume.geometry is not None
    point = volume.geometry.index_to_patient(6.0, 21.0, 17.0)
    planes = Reformatter(volume, orientation)
    image = reformat(volume, orientation, point)
    row, column, distance = image.patient_to_plane(point)
    assert abs(distance) <= image.half_thickness_mm + 1e-9
    on_plane = image.pixel_to_patient((row, column))
    np.testing.assert_allclose(on_plane + distance * image.normal, point, atol=1e-9)
    assert planes.position_of(on_plane) == image.position


def test_tilted_coronal_is_perpendicular_to_the_slices_and_sagittal_is_x() -> None:
    volume = make_volume(tilt_deg=18.5)
    coronal = Reformatter(volume, "coronal").normal
    sagittal = Reformatter(volume, "sagittal").normal
    assert volume.geometry is not None
    slice_normal = volume.geometry.analysis.normal
    assert coronal @ slice_normal == pytest.approx(0.0, abs=1e-12)
    assert math.degrees(math.acos(coronal[1])) == pytest.approx(18.5)
    np.testing.assert_allclose(sagittal, (1.0, 0.0, 0.0), atol=1e-12)


# --- rescale, errors ---------------------------------------------------------


def test_stored_values_keep_a_shared_rescale_and_mixed_rescales_are_applied() -> None:
    shared = make_volume(slopes=np.full(SHAPE[0], 2.0))
    image = Reformatter(shared, "coronal").image(4)
    assert (image.slope, image.intercept) == (2.0, -10.0)
    mixed_slopes = np.linspace(1.0, 2.0, SHAPE[0])
    mixed = make_volume(slopes=mixed_slopes)
    image = Reformatter(mixed, "coronal").image(4)
    assert (image.slope, image.intercept) == (1.0, 0.0)
    top = mixed.voxels[-1, 4, :] * mixed_slopes[-1] - 10.0
    np.testing.assert_allclose(image.pixels[0], top, rtol=1e-6)


def test_a_volume_without_geometry_or_with_one_slice_cannot_be_reformatted() -> None:
    volume = make_volume()
    no_geometry = Volume(
        voxels=volume.voxels,
        geometry=None,
        is_rescaled=True,
        slopes=volume.slopes,
        intercepts=volume.intercepts,
        frames=(),
    )
    with pytest.raises(GeometryError, match="at least two slices"):
        Reformatter(no_geometry, "coronal")
    one = make_volume(shape=(1, 40, 50), gaps=[], voxels=linear_field((1, 40, 50)))
    with pytest.raises(GeometryError, match="at least two slices") as error:
        Reformatter(one, "sagittal")
    assert "one slice" in error.value.detail
    with pytest.raises(ValueError, match="orientation"):
        Reformatter(volume, "oblique")  # type: ignore[arg-type]
    with pytest.raises(IndexError, match=r"outside 0\.\.39"):
        Reformatter(volume, "coronal").image(40)


# --- calipers projected ------------------------------------------------------


def test_a_caliper_on_the_plane_projects_solid_with_its_ends() -> None:
    volume = make_volume()
    assert volume.geometry is not None
    start = volume.geometry.index_to_patient(6, 20, 10)
    end = volume.geometry.index_to_patient(6, 20.2, 30)  # 0.14 mm off in y
    image = reformat(volume, "coronal", start)
    projected = project_segment(image, start, end)
    assert projected.relation is PlaneRelation.ON
    assert projected.crossing_px is None
    assert projected.start_px == pytest.approx((5.0, 10.0))
    assert projected.end_px == pytest.approx((5.0, 30.0))
    assert projected.end_distance_mm == pytest.approx(0.14)


def test_a_caliper_across_the_plane_crosses_it_where_it_meets_it() -> None:
    volume = make_volume()
    assert volume.geometry is not None
    start = volume.geometry.index_to_patient(6, 10, 10)
    end = volume.geometry.index_to_patient(6, 30, 30)
    image = Reformatter(volume, "coronal").image(20)
    projected = project_segment(image, start, end)
    assert projected.relation is PlaneRelation.CROSSES
    assert projected.crossing_px == pytest.approx((5.0, 20.0))
    assert projected.start_distance_mm == pytest.approx(-7.0)
    assert projected.end_distance_mm == pytest.approx(7.0)


def test_a_caliper_beyond_half_a_step_is_away() -> None:
    volume = make_volume()
    assert volume.geometry is not None
    image = Reformatter(volume, "coronal").image(20)
    assert image.half_thickness_mm == pytest.approx(0.35)
    geometry = volume.geometry
    near = project_segment(
        image,
        geometry.index_to_patient(6, 20.45, 0),
        geometry.index_to_patient(6, 20.45, 9),
    )
    away = project_segment(
        image,
        geometry.index_to_patient(6, 20.55, 0),
        geometry.index_to_patient(6, 25, 9),
    )
    assert near.relation is PlaneRelation.ON
    assert away.relation is PlaneRelation.AWAY
    # on the acquired plane: the caliper's own slice only
    axial = Reformatter(volume, "axial")
    start, end = geometry.index_to_patient(6, 1, 1), geometry.index_to_patient(6, 9, 9)
    assert project_segment(axial.image(6), start, end).relation is PlaneRelation.ON
    assert project_segment(axial.image(7), start, end).relation is PlaneRelation.AWAY


def test_many_segments_project_as_each_one_does() -> None:
    volume = make_volume(tilt_deg=10.0)
    image = Reformatter(volume, "sagittal").image(25)
    rng = np.random.default_rng(3)
    starts = rng.uniform(-30, 30, (6, 3))
    ends = starts + rng.uniform(-8, 8, (6, 3))
    together = project_segments(image, starts, ends)
    assert together == [
        project_segment(image, a, b) for a, b in zip(starts, ends, strict=True)
    ]
    assert {p.relation for p in together} >= {PlaneRelation.AWAY}
    assert project_segments(image, np.empty((0, 3)), np.empty((0, 3))) == []


# --- the shared real series --------------------------------------------------


@pytest.fixture(scope="module")
def shared_dicom() -> Path:
    if not SHARED_DICOM.is_dir():
        pytest.skip(
            "shared DICOM data not found at ../shared/data/dicom (not in a fresh clone)"
        )
    return SHARED_DICOM


def load(folder: Path) -> Volume:
    from respond.dicom import load_series, scan

    return load_series(scan(folder).series[0])


def reference_value(volume: Volume, point: np.ndarray) -> float | None:
    """Trilinear value at a patient point, through ``patient_to_index``."""
    assert volume.geometry is not None
    k, i, j = volume.geometry.patient_to_index(point)
    slices, rows, columns = volume.shape
    if not (0 <= k <= slices - 1 and 0 <= i <= rows - 1 and 0 <= j <= columns - 1):
        return None
    k0, i0, j0 = (min(int(v), n - 2) for v, n in ((k, slices), (i, rows), (j, columns)))
    box = volume.voxels[k0 : k0 + 2, i0 : i0 + 2, j0 : j0 + 2].astype(np.float64)
    for fraction in (k - k0, i - i0, j - j0):
        box = box[0] * (1 - fraction) + box[1] * fraction
    return float(box)


def test_tilted_head_ct_voxels_round_trip_and_read_true(shared_dicom) -> None:
    volume = load(shared_dicom / "ct_head_ge_tilt_varspacing")
    assert volume.geometry is not None
    assert volume.geometry.analysis.is_tilted
    rng = np.random.default_rng(7)
    point = volume.geometry.index_to_patient(14, 300, 250)
    for orientation in ORIENTATIONS:
        image = reformat(volume, orientation, point)
        row, column, distance = image.patient_to_plane(point)
        assert abs(distance) <= image.half_thickness_mm
        back = image.pixel_to_patient((row, column)) + distance * image.normal
        np.testing.assert_allclose(back, point, atol=1e-9)
        pixels = rng.integers(0, image.shape, size=(200, 2))
        checked = 0
        for r, c in pixels:
            expected = reference_value(volume, image.pixel_to_patient((r, c)))
            if expected is not None:
                assert float(image.pixels[r, c]) == pytest.approx(expected, abs=0.01)
                checked += 1
        assert checked > 50


def test_liver_ct_coronal_and_sagittal_are_the_voxels(shared_dicom) -> None:
    volume = load(shared_dicom / "ct_liver_hcc048_pv")
    assert volume.geometry is not None
    index = (40, 256, 300)
    point = volume.geometry.index_to_patient(*index)
    for orientation in ("coronal", "sagittal"):
        image = reformat(volume, orientation, point)
        row, column, _ = image.patient_to_plane(point)
        assert not image.is_interpolated
        assert image.pixel_spacing_mm[0] == pytest.approx(2.5)
        assert image.pixels[round(row), round(column)] == volume.voxels[index]
