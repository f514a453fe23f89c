"""Sampling a reformat plane: strided slices, or linear interpolation.

A plane that contains the slice normal is sampled on a grid of lines: line
``l`` lies ``t[l]`` mm along the normal and sample ``s`` lies ``h[s]`` mm along
the plane's in-plane volume axis. Each line falls between two slices; both are
read bilinearly where the plane cuts them and blended linearly, with the
geometry's own meaning of a fractional slice index (`VolumeGeometry.
indices_to_patient`), so every line sits at its true patient position on a
tilted or unevenly spaced stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from respond.dicom.stack_geometry import FloatArray

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from respond.dicom.volume import Volume

OUTSIDE_VALUE: Final = -32768.0
# Index tolerance at the volume's edges (fraction of a voxel).
_EDGE: Final = 1e-3


@dataclass(frozen=True, slots=True)
class LineGrid:
    """Points ``plane_mm + t[l] * normal + h[s] * along`` of a plane with the normal.

    ``plane_mm`` is perpendicular to both unit vectors ``normal`` (the slice
    normal) and ``along`` (the in-plane volume axis); ``axis`` is the index
    axis the plane is normal to (1 = i, 2 = j), ``along`` the other one's.
    """

    plane_mm: FloatArray
    normal: FloatArray
    along: FloatArray
    t_mm: FloatArray
    h_mm: FloatArray
    axis: int


def _bracket(
    offsets: FloatArray, t: FloatArray
) -> tuple[NDArray[np.intp], FloatArray, NDArray[np.bool_]]:
    """Slice below each position, the fraction towards the next, and inside-ness."""
    gaps = np.diff(offsets)
    below = np.searchsorted(offsets, t, side="right") - 1
    below = np.clip(below, 0, len(offsets) - 2)
    fraction = np.clip((t - offsets[below]) / gaps[below], 0.0, 1.0)
    tolerance = _EDGE * float(gaps.min())
    inside = (t >= offsets[0] - tolerance) & (t <= offsets[-1] + tolerance)
    return below, fraction, inside


def _corners(
    x: FloatArray, size: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float32], NDArray[np.bool_]]:
    """Lower and upper neighbour, the weight of the upper, and inside-ness."""
    inside = (x >= -_EDGE) & (x <= size - 1 + _EDGE)
    clipped = np.clip(x, 0.0, size - 1)
    low = np.floor(clipped).astype(np.intp)
    high = np.minimum(low + 1, size - 1)
    return low, high, (clipped - low).astype(np.float32), inside


def _gather(
    volume: Volume, axis: int, k: NDArray[np.intp], index: NDArray[np.intp]
) -> NDArray[np.float32]:
    """Row (axis 1) or column (axis 2) ``index[l]`` of slice ``k[l]``, per line."""
    voxels = volume.voxels
    picked = voxels[k, index, :] if axis == 1 else voxels[k, :, index]
    values = picked.astype(np.float32)
    if not volume.is_rescaled:
        values *= volume.slopes[k].astype(np.float32)[:, None]
        values += volume.intercepts[k].astype(np.float32)[:, None]
    return values


def _blend_lines(
    volume: Volume,
    axis: int,
    slices: tuple[NDArray[np.intp], NDArray[np.float32]],
    across: tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float32]],
) -> NDArray[np.float32]:
    """Each line's values at whole indices of the in-plane axis, (lines, size)."""
    below, fraction = slices
    low, high, weight = across
    is_between = bool(np.any(weight > 0))
    blended = []
    for k in (below, below + 1):
        line = _gather(volume, axis, k, low)
        if is_between:
            line *= (1 - weight)[:, None]
            line += _gather(volume, axis, k, high) * weight[:, None]
        blended.append(line)
    return blended[0] * (1 - fraction)[:, None] + blended[1] * fraction[:, None]


def _shift(
    lines: NDArray[np.float32], start: FloatArray, count: int
) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """Sample ``count`` points from fractional index ``start[l]`` of each line.

    Along a line the index grows by one per sample, so each line needs one
    window of its values (copied whole) and one weight.
    """
    size = lines.shape[1]
    low = np.floor(start + _EDGE).astype(np.intp)
    weight = np.clip(start - low, 0.0, 1.0).astype(np.float32)
    weight[weight < _EDGE] = 0.0
    first = int(low[0])
    if np.all(low == first) and not weight.any() and 0 <= first <= size - count:
        shape = (len(lines), count)
        return lines[:, first : first + count], np.ones(shape, dtype=np.bool_)
    pad = count + 1
    padded = np.full((len(lines), size + 2 * pad), np.nan, dtype=np.float32)
    padded[:, pad : pad + size] = lines
    begin = np.clip(low + pad, 0, size + pad)
    windows = sliding_window_view(padded, count + 1, axis=1)
    window = windows[np.arange(len(lines)), begin]
    values = window[:, :-1].copy()
    blended = weight > 0
    step = window[blended, 1:] - window[blended, :-1]
    values[blended] += step * weight[blended, None]
    inside = ~np.isnan(values)
    return values, inside


def sample_lines(volume: Volume, grid: LineGrid) -> NDArray[np.float32]:
    """Sample a plane that contains the slice normal, float32 (lines, samples).

    Values are modality values (HU for CT); points outside the volume hold
    `OUTSIDE_VALUE`. Line ``l`` cuts each slice along one row (or column) of
    it, so the trilinear interpolation is separable: whole rows are read and
    blended across slices and across the plane, then shifted along the line.
    """
    geometry = volume.geometry
    assert geometry is not None
    a, positions = geometry.analysis, geometry.positions_mm
    below, fraction, inside_t = _bracket(a.offsets_mm, grid.t_mm)
    base = positions[below] + fraction[:, None] * (
        positions[below + 1] - positions[below]
    )
    row_mm, column_mm = (float(v) for v in geometry.pixel_spacing_mm)
    basis = np.column_stack(
        (a.column_direction * row_mm, a.row_direction * column_mm, a.normal)
    )
    start = grid.plane_mm + np.outer(grid.t_mm, grid.normal) - base
    line_index = start @ np.linalg.inv(basis).T
    # The plane is normal to index axis ``grid.axis``: along each line that
    # index is constant, and the other one grows by one per sample.
    across, along = grid.axis, 3 - grid.axis
    low, high, weight, inside_a = _corners(
        line_index[:, across - 1], volume.shape[across]
    )
    spacing = row_mm if along == 1 else column_mm
    lines = _blend_lines(
        volume, across, (below, fraction.astype(np.float32)), (low, high, weight)
    )
    first = line_index[:, along - 1] + grid.h_mm[0] / spacing
    values, inside = _shift(lines, first, len(grid.h_mm))
    values = np.array(values, dtype=np.float32)
    values[~(inside & (inside_t & inside_a)[:, None])] = OUTSIDE_VALUE
    return values


def strided_lines(volume: Volume, axis: int, index: int) -> NDArray[np.generic]:
    """Return one row (axis 1) or column (axis 2) of every slice: a view."""
    if axis == 1:
        return volume.voxels[:, index, :]
    return volume.voxels[:, :, index]


def to_modality(volume: Volume, lines: NDArray[np.generic]) -> NDArray[np.generic]:
    """Apply each slice's rescale to strided lines (one line per slice)."""
    if volume.is_rescaled:
        return lines
    slopes = volume.slopes.astype(np.float32)[:, None]
    intercepts = volume.intercepts.astype(np.float32)[:, None]
    values = lines.astype(np.float32) * slopes + intercepts
    return np.asarray(values, dtype=np.float32)
