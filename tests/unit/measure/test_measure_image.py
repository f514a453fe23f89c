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
