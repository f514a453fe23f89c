"""Array operations of the segmentation: the fast forms equal the plain ones."""

from __future__ import annotations

import numpy as np
import pytest

from respond.measure._image import (
    _pooled,
    _unpooled,
    binomial,
    components,
    fill_holes,
    local_mean,
    smooth,
    smooth_mask,
    touching,
)
from respond.measure._outline import DEPTH_MM, edge_steps, row_extremes

SPACINGS = [
    (1.25, 0.78, 0.78),
    (5.0, 0.7, 0.7),
    (0.6, 0.5, 0.9),
    (2.5, 0.3, 0.3),  # more passes than the integer counts hold: float32 path
]


def _masks(seed: int, count: int = 40):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        shape = tuple(int(n) for n in rng.integers(1, 24, 3))
        yield rng.random(shape) < rng.uniform(0.2, 0.8)


def _binomial_per_row(a, axis, passes):
    """One [1 2 1]/4 pass at a time, row by row, as written in textbooks."""
    a = np.moveaxis(np.asarray(a), axis, 0).copy()
    if a.shape[0] < 3:
        return np.moveaxis(a, 0, axis)
    for _ in range(passes):
        out = np.empty_like(a)
        out[1:-1] = (a[:-2] + a[2:] + 2.0 * a[1:-1]) * 0.25
        out[0] = 0.75 * a[0] + 0.25 * a[1]
        out[-1] = 0.75 * a[-1] + 0.25 * a[-2]
        a = out
    return np.moveaxis(a, 0, axis)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_binomial_along_any_axis_equals_the_row_by_row_filter(axis):
    rng = np.random.default_rng(axis)
    for shape in [(7, 9, 11), (9, 60, 70)]:  # the second: summed in two blocks
        values = rng.normal(40.0, 10.0, shape).astype(np.float32)
        for passes in range(4):
            expected = _binomial_per_row(values, axis, passes)
            assert np.array_equal(binomial(values, axis, passes), expected)


@pytest.mark.parametrize("spacing", SPACINGS)
def test_smooth_mask_equals_the_smoothed_mask_over_one_half(spacing):
    rng = np.random.default_rng(6)
    masks = [*_masks(1), rng.random((9, 60, 70)) < 0.5]
    for mask in masks:
        expected = smooth(mask.astype(np.float32), spacing) >= 0.5
        assert np.array_equal(smooth_mask(mask, spacing), expected)


def _fill_slice(plane):
    """Holes of one slice: background the slice's border cannot reach."""
    padded = np.pad(plane, 1)
    labels = components(~padded[None])[0]
    return (labels != labels[0, 0])[1:-1, 1:-1] | plane


def test_holes_filled_slice_by_slice_equal_each_slice_filled_alone():
    for mask in _masks(2):
        expected = np.stack([_fill_slice(plane) for plane in mask])
        assert np.array_equal(fill_holes(mask, planar=True), expected)


def test_a_hole_open_to_the_next_slice_is_filled_slice_by_slice_only():
    mask = np.ones((3, 5, 5), bool)
    mask[1:, 2, 2] = False  # a hole in slice 1, open through slice 2 only
    mask[2, 2, 2:] = False  # ... which reaches its border
    assert not fill_holes(mask)[1, 2, 2]
    assert fill_holes(mask, planar=True)[1, 2, 2]


def test_touching_keeps_the_components_met():
    for n, mask in enumerate(_masks(3)):
        labels = components(mask)
        where = np.random.default_rng(n).random(mask.shape) < 0.02
        met = set(labels[where & mask].tolist())
        expected = np.isin(labels, sorted(met)) & mask
        assert np.array_equal(touching(labels, where), expected)


def test_pooling_ors_blocks_and_unpooling_spreads_them_back():
    for mask in _masks(4):
        low = _pooled(mask, 2)
        for i, j in np.ndindex(*mask.shape[1:]):
            assert np.array_equal(
                low[:, i // 2, j // 2] | mask[:, i, j], low[:, i // 2, j // 2]
            )
        back = _unpooled(low, 2, mask.shape)
        assert back.shape == mask.shape
        assert np.array_equal(
            back, low.repeat(2, 1).repeat(2, 2)[:, : mask.shape[1], : mask.shape[2]]
        )
        assert not (mask & ~back).any()


def _true_edges_walked(mask, edge, pixel):
    """Flags of `edge_steps`, one point and one pixel at a time."""
    field = np.pad(edge, 1, constant_values=-np.inf)
    flags = []
    for step in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        reach = int(np.ceil(DEPTH_MM / (pixel[0] if step[0] else pixel[1])))
        for i, j in row_extremes(mask) + 1:
            b = (i + step[0], j + step[1])
            if np.pad(mask, 1)[b]:
                continue
            deep = field[b] < 0
            for n in range(1, reach + 1):
                at = (b[0] + n * step[0], b[1] + n * step[1])
                inside = 0 <= at[0] < field.shape[0] and 0 <= at[1] < field.shape[1]
                deep &= not (inside and field[at] >= 0)
            flags.append(deep)
    return np.asarray(flags, bool)


@pytest.mark.parametrize("pixel", [(0.78, 0.78), (0.3, 1.0), (2.5, 2.5)])
def test_the_true_edge_test_equals_a_walk_outward_from_each_point(pixel):
    rng = np.random.default_rng(5)
    for _ in range(30):
        shape = tuple(int(n) for n in rng.integers(2, 30, 2))
        mask = rng.random(shape) < rng.uniform(0.2, 0.9)
        if not mask.any():
            continue
        edge = rng.normal(0.0, 1.0, shape).astype(np.float32)
        edge[rng.random(shape) < 0.1] = -np.inf
        _, flags = edge_steps(mask, edge, pixel)
        assert np.array_equal(flags, _true_edges_walked(mask, edge, pixel))


def _gaussian_mean_by_hand(values, sample, spacing, sd_mm, k, i, j):
    """The Gaussian-weighted mean of the sample around a pixel, and its weight."""
    rows, columns = np.indices(values.shape[1:])
    distance_sq = ((rows - i) * spacing[1]) ** 2 + ((columns - j) * spacing[2]) ** 2
    gaussian = np.exp(-distance_sq / (2 * sd_mm**2))
    weight = gaussian * sample[k]
    share = float(weight.sum() / gaussian.sum())
    mean = float((weight * values[k]).sum() / weight.sum()) if share > 0 else None
    return mean, share


@pytest.mark.parametrize("spacing", [(2.5, 0.7, 0.7), (1.0, 1.0, 0.6), (5.0, 2.0, 2.0)])
def test_the_local_mean_follows_the_tissue_nearest_each_pixel(spacing):
    # fat (-80) on the left of every slice, soft tissue (40) on the right,
    # sampled in a ring around a disc where the mean is read
    shape = (3, 50, 50)
    values = np.full(shape, 40.0, np.float32)
    values[:, :, :25] = -80.0
    rows, columns = np.indices(shape[1:])
    radius = np.hypot((rows - 25) * spacing[1], (columns - 25) * spacing[2])
    ring = (radius > 8.0) & (radius <= 12.0)
    sample = np.broadcast_to(ring, shape).copy()
    sample[1] = False  # nothing sampled on the middle slice: the fill holds
    at = np.broadcast_to(radius <= 10.0, shape).copy()
    mean = local_mean(values, sample, spacing, 3.0, at, min_weight=0.02, fill=7.0)
    assert mean.shape == (int(at.sum()),)
    k, i, j = np.nonzero(at)
    assert np.all(mean[k == 1] == 7.0)
    compared = 0
    for n in np.flatnonzero(k != 1):
        expected, share = _gaussian_mean_by_hand(
            values, sample, spacing, 3.0, k[n], i[n], j[n]
        )
        if share < 0.005:
            assert mean[n] == 7.0
        elif share > 0.1:
            # within a few HU of the direct sum: the blur runs on cells of
            # pixels and is read back bilinearly
            assert mean[n] == pytest.approx(expected, abs=10.0)
            compared += 1
    assert compared > 20
    fat_side = (k == 0) & (j < 25) & (mean != 7.0)
    soft_side = (k == 0) & (j >= 25) & (mean != 7.0)
    assert mean[fat_side].min() < -60.0
    assert mean[soft_side].max() > 20.0


def test_an_edge_point_beyond_the_mask_moves_out_to_the_field_crossing():
    # the mask ends at column 5 but the field stays on the lesion's side to
    # column 6 and crosses zero a quarter of the way to column 7
    mask = np.zeros((5, 12), bool)
    mask[1:4, 2:6] = True
    field = np.full(mask.shape, -30.0, np.float32)
    field[1:4, 2:7] = 10.0
    field[1:4, 7] = -30.0
    pixel = (0.7, 0.7)
    points, is_true = edge_steps(mask, field, pixel, to_crossing=True)
    right = points[:, 1] > 5.2  # the steps out of the right-hand column
    assert np.allclose(points[right, 1], 6.25)
    assert is_true[right].all()
    # read where the mask ends, the point sits half-way and is not a true edge
    points, is_true = edge_steps(mask, field, pixel)
    right = points[:, 1] > 5.2  # the steps out of the right-hand column
    assert np.allclose(points[right, 1], 5.5)
    assert not is_true[right].any()
    # a crossing farther than 1 mm away is not looked for
    field[1:4, 7] = 10.0
    field[1:4, 8] = 10.0
    points, _ = edge_steps(mask, field, pixel, to_crossing=True)
    assert np.allclose(points[points[:, 1] > 5.2, 1], 5.5)
