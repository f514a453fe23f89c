"""Diameters of 2-D masks: the conventions of the long and the short axis."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from respond.criteria import length_mm
from respond.measure import Line
from respond.measure._feret import edge_points, long_axis, short_axis, width_bounds
from respond.measure._outline import outline_mm, surface_fit


def _disc(radius: float, centre: tuple[float, float], size: int = 64):
    i, j = np.indices((size, size), dtype=np.float64)
    distance = np.hypot(i - centre[0], j - centre[1])
    return distance <= radius, (radius - distance).astype(np.float32)


def test_a_row_of_ten_pixels_measures_ten_pixels():
    mask = np.zeros((5, 20), bool)
    mask[2, 4:14] = True
    axis = long_axis(mask, (1.0, 1.0))
    assert axis is not None
    assert axis.length_mm == pytest.approx(10.0)
    assert {axis.start, axis.end} == {(2.0, 3.5), (2.0, 13.5)}
    across = short_axis(mask, (1.0, 1.0), axis)
    assert across is not None
    assert across.length_mm == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize(
    ("radius", "centre"),
    [(10.0, (32.0, 32.0)), (12.3, (31.4, 30.7)), (4.6, (20.2, 40.9))],
)
def test_with_an_edge_field_a_disc_measures_its_diameter(radius, centre):
    mask, field = _disc(radius, centre)
    axis = long_axis(mask, (0.7, 0.7), field)
    assert axis is not None
    assert axis.length_mm == pytest.approx(2 * radius * 0.7, abs=0.05)
    across = short_axis(mask, (0.7, 0.7), axis, field)
    assert across is not None
    assert across.length_mm == pytest.approx(2 * radius * 0.7, abs=0.7)


def test_non_square_pixels_are_measured_in_mm():
    # an ellipse in pixels that is a 20 mm circle with 0.5 x 1.0 mm pixels
    i, j = np.indices((60, 40), dtype=np.float64)
    distance = np.hypot((i - 30.2) * 0.5, (j - 19.6) * 1.0)
    mask = distance <= 10.0
    axis = long_axis(mask, (0.5, 1.0), (10.0 - distance).astype(np.float32))
    assert axis is not None
    assert axis.length_mm == pytest.approx(20.0, abs=0.05)


def test_the_short_axis_is_perpendicular_and_across_an_ellipse():
    i, j = np.indices((80, 80), dtype=np.float64)
    u, v = (
        (i - 40) * math.cos(0.5) + (j - 40) * math.sin(0.5),
        -(i - 40) * math.sin(0.5) + (j - 40) * math.cos(0.5),
    )
    level = 1.0 - np.hypot(u / 30.0, v / 12.0)
    mask = level >= 0
    axis = long_axis(mask, (1.0, 1.0), level.astype(np.float32))
    assert axis is not None
    across = short_axis(mask, (1.0, 1.0), axis, level.astype(np.float32))
    assert axis is not None
    assert across is not None
    assert axis.length_mm == pytest.approx(60.0, abs=0.1)
    assert across.length_mm == pytest.approx(24.0, abs=0.2)
    a = np.subtract(axis.end, axis.start)
    b = np.subtract(across.end, across.start)
    assert abs(float(a @ b)) / (np.linalg.norm(a) * np.linalg.norm(b)) < 1e-6


def test_the_short_axis_stays_inside_the_mask():
    # a C shape: across its opening a perpendicular chord would leave the mask
    mask = np.zeros((40, 40), bool)
    mask[5:35, 5:12] = True
    mask[5:12, 5:35] = True
    mask[28:35, 5:35] = True
    axis = long_axis(mask, (1.0, 1.0))
    across = short_axis(mask, (1.0, 1.0), axis)
    assert axis is not None
    assert across is not None
    assert across.length_mm <= axis.length_mm


def test_edge_points_sit_half_way_without_a_field():
    mask = np.zeros((6, 6), bool)
    mask[2:4, 2:4] = True
    points = edge_points(mask, None)
    assert points.min(axis=0).tolist() == [1.5, 1.5]
    assert points.max(axis=0).tolist() == [3.5, 3.5]


def test_width_bounds_never_underestimate():
    rng = np.random.default_rng(3)
    mask = rng.random((6, 40, 40)) > 0.7
    bounds = width_bounds(mask, (0.8, 0.6))
    for k, bound in bounds.items():
        axis = long_axis(mask[k], (0.8, 0.6))
        assert axis is not None
        assert axis.length_mm <= bound


def test_a_line_records_its_length_as_a_caliper_does():
    start, end = (0.0, 0.0, 0.0), (3.0, 4.05, 0.0)
    line = Line.between(start, end)
    assert line.length_mm == length_mm(start, end) == Decimal("5.0")
    assert Line.between((0, 0, 0), (0.05, 0, 0)).length_mm == Decimal("0.1")


def test_a_cut_from_a_bright_neighbour_is_not_an_edge():
    # a disc whose field stays lesion-like to its right (a vessel as bright as
    # the lesion was cut off there): the points on that side are not edges
    mask, field = _disc(10.0, (32.0, 32.0))
    mask[:, 40:] = False
    field[:, 40:] = np.maximum(field[:, 40:], 1.0)
    points = outline_mm(mask, (1.0, 1.0), field)
    assert points[:, 1].max() < 40.0
    assert points[:, 1].min() == pytest.approx(22.0, abs=0.01)


def test_the_surface_fit_keeps_a_sphere_round_and_evens_out_noise():
    rng = np.random.default_rng(5)
    angles = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    ring = np.column_stack((np.cos(angles), np.sin(angles)))
    neighbours = []
    for dz in (-2.5, 2.5):
        r = math.sqrt(12.5**2 - dz**2)
        neighbours.append((dz, r * ring + rng.normal(0, 0.25, ring.shape)))
    noisy = 12.5 * ring + rng.normal(0, 0.25, ring.shape)
    fitted = surface_fit(noisy, neighbours)
    radii = np.hypot(fitted[:, 0], fitted[:, 1])
    assert np.mean(radii) == pytest.approx(12.5, abs=0.1)
    assert np.std(radii) < 0.6 * np.std(np.hypot(noisy[:, 0], noisy[:, 1]))
