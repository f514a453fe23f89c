"""Diameters of a 2-D mask in mm: the longest (Feret) and the perpendicular chord.

Pixel ``(i, j)`` of a slice sits at ``(i * row_mm, j * column_mm)`` in the
slice's own orthonormal frame (rows and columns of an image are perpendicular),
so distances here are patient distances within the slice.

Conventions (documented in docs/measure.md):

- **edge points**: between each outer pixel of the mask and its outside
  neighbour (along a row or a column), where the lesion's edge field crosses
  zero: the half-way level between the lesion and the background in the
  smoothed image, interpolated between the two pixel centres (sub-pixel).
  Without a field (or where it does not change sign) the point is half-way
  between the two centres: a square 10 pixels across then measures 10 pixels.
- **long axis**: the largest distance between two edge points (the maximum
  Feret diameter of the lesion's outline on the slice). With a field, only
  true edges count (background for 2 mm beyond them: not where a vessel as
  bright as the lesion was cut off), and where the edge is noisy the points
  are first fitted to the lesion's surface (:mod:`respond.measure._outline`).
- **short axis**: the longest chord perpendicular to the long axis that stays
  inside the mask, its ends where the edge field, interpolated bilinearly,
  crosses zero (without a field, where the interpolated mask crosses one half:
  half-way between an inside and an outside pixel centre, as above).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from respond.measure._outline import edge_steps, outline_mm, surface_fit

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

STEP_ALONG: Final = 0.5  # chord positions along the long axis (pixels)
STEP_ACROSS: Final = 0.25  # samples along each chord (pixels)
_ANGLES = np.radians(np.arange(0.0, 180.0, 0.5))
_DIRECTIONS = np.vstack((np.cos(_ANGLES), np.sin(_ANGLES)))


@dataclass(frozen=True, slots=True)
class Chord:
    """A line on the slice: ends as fractional ``(i, j)``, length in mm."""

    start: tuple[float, float]
    end: tuple[float, float]
    length_mm: float


def edge_points(
    mask: NDArray[np.bool_], edge: NDArray[np.float32] | None
) -> NDArray[np.float64]:
    """Boundary points between the mask's outer pixels and their outside neighbours.

    On each step from an inside pixel to an outside face neighbour, the point
    is where ``edge`` (> 0 inside) crosses zero, linearly between the two
    pixel centres; half-way when ``edge`` is None or does not change sign there.
    Only pixels at the ends of rows and columns are used (the hull is theirs).
    """
    return edge_steps(mask, edge)[0]


def long_axis(
    mask: NDArray[np.bool_],
    pixel: tuple[float, float],
    edge: NDArray[np.float32] | None = None,
    neighbours: Sequence[tuple[float, NDArray[np.bool_], NDArray[np.float32]]] = (),
) -> Chord | None:
    """Return the longest diameter of a 2-D mask, between two `edge_points`.

    With ``edge``, only true edge points count, and with ``neighbours`` (per
    neighbouring slice: its offset along the normal in mm, its mask and its
    edge field) they are first fitted to the lesion's surface
    (:mod:`respond.measure._outline`). The widths of the points' set along
    directions 0.5 degrees apart find the longest direction; the farthest pair
    among the points near its two ends is the diameter (exact to well under
    0.01 mm for lesion-sized masks).
    """
    if not mask.any():
        return None
    scale = np.asarray(pixel, dtype=np.float64)
    if edge is None:
        points = edge_points(mask, None) * scale
    else:
        # a noisy edge is fitted to its surface, not followed into its noise
        points = outline_mm(mask, pixel, edge, to_crossing=not neighbours)
        if neighbours:
            points = surface_fit(
                points, [(dz, outline_mm(m, pixel, e)) for dz, m, e in neighbours]
            )
    projection = points @ _DIRECTIONS
    top, bottom = projection.max(axis=0), projection.min(axis=0)
    best = int(np.argmax(top - bottom))
    near = 1.5 * float(max(pixel))
    ends_a = points[projection[:, best] <= bottom[best] + near]
    ends_b = points[projection[:, best] >= top[best] - near]
    delta = ends_b[None, :, :] - ends_a[:, None, :]
    distance = np.hypot(delta[..., 0], delta[..., 1])
    a, b = np.unravel_index(int(np.argmax(distance)), distance.shape)
    start, end = ends_a[a] / scale, ends_b[b] / scale
    return Chord((start[0], start[1]), (end[0], end[1]), float(distance[a, b]))


def width_bounds(
    mask: NDArray[np.bool_], pixel: tuple[float, float]
) -> dict[int, float]:
    """Per slice ``[k]`` with mask: an upper bound of its longest diameter (mm).

    The largest width of the ends of its rows along 16 directions 11.25
    degrees apart, over cos(5.625 degrees), plus two pixels: no diameter is
    longer.
    """
    rows = mask.any(axis=2)
    k, i = np.nonzero(rows)
    sub = mask[k, i]
    first = np.argmax(sub, axis=1)
    last = mask.shape[2] - 1 - np.argmax(sub[:, ::-1], axis=1)
    kk = np.concatenate((k, k))
    y = np.concatenate((i, i)) * pixel[0]
    x = np.concatenate((first, last)) * pixel[1]
    order = np.argsort(kk, kind="stable")
    kk, y, x = kk[order], y[order], x[order]
    angles = np.arange(16) * math.pi / 16
    projection = np.outer(y, np.sin(angles)) + np.outer(x, np.cos(angles))
    starts = np.flatnonzero(np.r_[True, kk[1:] != kk[:-1]])
    width = np.maximum.reduceat(projection, starts) - np.minimum.reduceat(
        projection, starts
    )
    bound = width.max(axis=1) / math.cos(math.pi / 32) + 2 * max(pixel)
    return {int(kk[s]): float(b) for s, b in zip(starts, bound, strict=True)}


def _level(
    mask: NDArray[np.bool_], edge: NDArray[np.float32] | None
) -> NDArray[np.float64]:
    """Return a value per pixel: >= 0 inside the mask, < 0 outside, 0 on the edge.

    The edge field where it agrees with the mask (clipped), else a small value
    of the mask's sign; without a field, the mask minus one half.
    """
    if edge is None:
        return mask.astype(np.float64) - 0.5
    finite = np.isfinite(edge)
    scale = float(np.max(np.abs(edge[finite]))) if finite.any() else 1.0
    scale = scale if scale > 0 else 1.0
    level = np.clip(np.where(finite, edge, np.sign(edge) * scale), -scale, scale)
    tiny = 1e-3 * scale
    result: NDArray[np.float64] = np.where(
        mask, np.maximum(level, tiny), np.minimum(level, -tiny)
    )
    return result


def _bilinear(
    level: NDArray[np.float64], i: NDArray[np.float64], j: NDArray[np.float64]
) -> NDArray[np.float64]:
    outside = min(float(level.min()), -0.5)
    padded = np.pad(level, 1, constant_values=outside)
    i, j = i + 1.0, j + 1.0
    i = np.clip(i, 0.0, padded.shape[0] - 1.001)
    j = np.clip(j, 0.0, padded.shape[1] - 1.001)
    i0, j0 = np.floor(i).astype(np.intp), np.floor(j).astype(np.intp)
    fi, fj = i - i0, j - j0
    result: NDArray[np.float64] = (
        padded[i0, j0] * (1 - fi) * (1 - fj)
        + padded[i0 + 1, j0] * fi * (1 - fj)
        + padded[i0, j0 + 1] * (1 - fi) * fj
        + padded[i0 + 1, j0 + 1] * fi * fj
    )
    return result


def _longest_run(inside: NDArray[np.bool_]) -> tuple[int, int, int]:
    """Row, first and last sample of the longest run of True over all rows."""
    rows, width = inside.shape
    padded = np.zeros((rows, width + 2), np.int8)
    padded[:, 1:-1] = inside
    change = np.diff(padded, axis=1)
    start_r, start_c = np.nonzero(change == 1)
    _, end_c = np.nonzero(change == -1)
    lengths = end_c - start_c
    best = int(np.argmax(lengths))
    return int(start_r[best]), int(start_c[best]), int(end_c[best]) - 1


def _crossing(values: NDArray[np.float64], inner: int, outer: int) -> float:
    """Fractional sample index where the profile crosses 0 between two samples."""
    a, b = values[outer], values[inner]
    if b == a:
        return float(inner)
    return float(outer + (0.0 - a) / (b - a) * (inner - outer))


def short_axis(
    mask: NDArray[np.bool_],
    pixel: tuple[float, float],
    axis: Chord,
    edge: NDArray[np.float32] | None = None,
) -> Chord | None:
    """Return the longest chord perpendicular to ``axis`` inside ``mask``.

    Its ends are where the edge field (interpolated bilinearly) crosses zero;
    without a field, where the interpolated mask crosses one half.
    """
    scale = np.asarray(pixel, dtype=np.float64)
    start, end = np.asarray(axis.start) * scale, np.asarray(axis.end) * scale
    length = float(np.linalg.norm(end - start))
    if length == 0.0:
        return None
    u = (end - start) / length
    v = np.array([-u[1], u[0]])
    t = (np.argwhere(mask).astype(np.float64) * scale - start) @ v
    unit = float(min(pixel))
    along = np.arange(0.0, length + 1e-9, STEP_ALONG * unit)
    across = np.arange(t.min() - 2 * unit, t.max() + 2 * unit, STEP_ACROSS * unit)
    points = start + along[:, None, None] * u + across[None, :, None] * v
    level = _level(mask, edge)
    values = _bilinear(level, points[..., 0] / scale[0], points[..., 1] / scale[1])
    inside = values >= 0.0
    if not inside.any():
        return None
    row, first, last = _longest_run(inside)
    profile, steps = values[row], np.arange(len(across))
    t0 = np.interp(_crossing(profile, first, first - 1), steps, across)
    t1 = np.interp(_crossing(profile, last, last + 1), steps, across)
    base = start + along[row] * u
    a, b = (base + t0 * v) / scale, (base + t1 * v) / scale
    return Chord((a[0], a[1]), (b[0], b[1]), float(t1 - t0))
