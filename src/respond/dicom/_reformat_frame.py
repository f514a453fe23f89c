"""Reformat planes: which volume axis each orientation follows, and its grid.

The volume's index axes are ``k`` (slice normal ``n``), ``i`` (column direction,
one row down) and ``j`` (row direction, one column right). Each orientation has
target LPS directions for its normal, its screen-down and screen-right axes; each
is given the volume axis nearest to it, normal first, then down, so the three
views are mutually orthogonal and follow the acquisition's own axes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import numpy as np

if TYPE_CHECKING:
    from respond.dicom.geometry import VolumeGeometry
    from respond.dicom.stack_geometry import FloatArray

Orientation = Literal["axial", "coronal", "sagittal"]

# (normal, screen down, screen right) in LPS: radiological display, the patient's
# right on the viewer's left, anterior at the top of the axial, superior at the
# top of the coronal and sagittal, anterior on the left of the sagittal.
_TARGETS: Final[dict[str, tuple[tuple[float, float, float], ...]]] = {
    "axial": ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0)),
    "coronal": ((0.0, 1.0, 0.0), (0.0, 0.0, -1.0), (1.0, 0.0, 0.0)),
    "sagittal": ((1.0, 0.0, 0.0), (0.0, 0.0, -1.0), (0.0, 1.0, 0.0)),
}
# A stack counts as regular (the strided fast path) when no slice is off its
# evenly spaced place along the normal by more than this fraction of a voxel.
_REGULAR_FRACTION: Final = 0.01


@dataclass(frozen=True, slots=True)
class AxisChoice:
    """The volume index axis (0 = k, 1 = i, 2 = j) and sign of each plane axis."""

    normal_axis: int
    down_axis: int
    right_axis: int
    normal_sign: float
    down_sign: float
    right_sign: float


def axis_directions(geometry: VolumeGeometry) -> FloatArray:
    """Return the unit patient directions of the k, i and j axes, rows of (3, 3)."""
    a = geometry.analysis
    return np.vstack((a.normal, a.column_direction, a.row_direction))


def choose_axes(directions: FloatArray, orientation: Orientation) -> AxisChoice:
    """Give each plane axis the nearest unused volume axis, and its sign."""
    chosen: list[int] = []
    signs: list[float] = []
    for target in _TARGETS[orientation]:
        dots = directions @ np.asarray(target)
        free = [axis for axis in range(3) if axis not in chosen]
        axis = max(free, key=lambda n: abs(float(dots[n])))
        chosen.append(axis)
        signs.append(1.0 if dots[axis] >= 0 else -1.0)
    return AxisChoice(chosen[0], chosen[1], chosen[2], signs[0], signs[1], signs[2])


def is_regular(geometry: VolumeGeometry) -> bool:
    """Whether slice k sits at ``origin + k * step`` with the step along the normal.

    Then a plane along an in-plane axis is a strided slice of the voxels, with
    no interpolation; tilt or uneven gaps (even below the warning thresholds)
    need the interpolating path.
    """
    positions, a = geometry.positions_mm, geometry.analysis
    count = len(positions)
    if count < 2:
        return False
    offsets = a.offsets_mm - a.offsets_mm[0]
    gap = float(offsets[-1]) / (count - 1)
    along = np.abs(offsets - gap * np.arange(count)).max()
    drift = positions - positions[0] - np.outer(offsets, a.normal)
    across = np.linalg.norm(drift, axis=1).max()
    voxel_mm = min(float(geometry.pixel_spacing_mm.min()), gap)
    limit = _REGULAR_FRACTION * voxel_mm
    return bool(gap > 0 and along <= limit and across <= limit)


def slice_corners(geometry: VolumeGeometry) -> FloatArray:
    """Patient points of the 4 corner voxel centres of every slice, (4 N, 3)."""
    a, (row_mm, column_mm) = geometry.analysis, geometry.pixel_spacing_mm
    down = a.column_direction * row_mm * (geometry.rows - 1)
    right = a.row_direction * column_mm * (geometry.columns - 1)
    shifts = np.array([np.zeros(3), down, right, down + right])
    corners = geometry.positions_mm[:, None, :] + shifts[None, :, :]
    return np.asarray(corners.reshape(-1, 3), dtype=np.float64)


def grid_count(low: float, high: float, step: float, limit: int) -> int:
    """Count the grid points ``low + n * step`` up to ``high`` (at most ``limit``)."""
    return int(min(limit, np.floor((high - low) / step + 1e-6) + 1))
