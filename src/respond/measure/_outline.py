"""A lesion's outline on one slice: its true edge points, fitted to its surface.

Two refinements of the edge points of :mod:`respond.measure._feret` before the
longest diameter is taken from them (it is the largest distance between two
of them, so a single point too far out makes it too long):

- **Only true edges.** An edge point is where the edge field crosses zero
  between an outer pixel of the mask and its outside neighbour. It is a true
  edge only when the outside stays on the background side (field < 0) for
  ``DEPTH_MM`` beyond it: a blurred edge falls to the background within that.
  Where lesion-like tissue lies closer (the mask was cut by an opening from a
  vessel as bright as the lesion, or the dip to the half-way level is the
  narrow blurred seam between the lesion and a vessel tangent to it), the
  mask's boundary there is a cut, not the lesion's edge, and its points are
  left out. When most points are cuts, all are kept (nothing better is known).
- **A local surface fit** (when the edge is noisy for its contrast). Each
  point moves onto a quadric surface fitted, by Gaussian-weighted least
  squares (moving least squares), to the true edge points within ``FIT_MM``
  of it on its slice and on the slices next to it. Noise moves single points
  by a fair share of a voxel at low contrast, and the largest of many
  diameters then picks up the noise; the fit averages it over the lesion's
  surface (in 3-D, so the neighbouring slices' independent noise counts too),
  and a quadric follows the surface's curvature, so a sphere stays a sphere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

DEPTH_MM: Final = 2.0  # a true edge has background at least this deep beyond it
WALK_MM: Final = 1.0  # a step beyond the mask looks this far for the edge
FIT_MM: Final = 6.0  # the surface fit's reach (its Gaussian weight: sd half this)
FIT_SHARE: Final = 0.25  # ... and at most this share of the outline's extent
TRUE_SHARE: Final = 0.5  # fewer true edge points than this share: keep all
CHUNK: Final = 128  # points fitted at a time (bounds the memory of the fit)
_STEPS: Final = ((1, 0), (-1, 0), (0, 1), (0, -1))


def row_extremes(mask: NDArray[np.bool_]) -> NDArray[np.intp]:
    """Pixels at both ends of every row and column: the hull is theirs.

    Sorted by row, then column, each once.
    """
    flat = []
    for axis in (0, 1):
        m = mask if axis == 0 else mask.T
        lines = np.flatnonzero(m.any(axis=1))
        sub = m[lines]
        first = np.argmax(sub, axis=1)
        last = m.shape[1] - 1 - np.argmax(sub[:, ::-1], axis=1)
        for ends in (first, last):
            i, j = (lines, ends) if axis == 0 else (ends, lines)
            flat.append(i * mask.shape[1] + j)
    i, j = np.divmod(np.unique(np.concatenate(flat)), mask.shape[1])
    return np.column_stack((i, j))


def _is_deep(
    field: NDArray[np.float32],
    b: NDArray[np.intp],
    steps: NDArray[np.intp],
    reach: NDArray[np.intp],
) -> NDArray[np.bool_]:
    """Whether the field stays < 0 from each ``b`` for its ``reach`` more pixels.

    Outward along its step; one gather of the pixels beyond every point.
    Pixels off the slice count as background.
    """
    if len(b) == 0 or int(reach.max()) < 1:
        return np.ones(len(b), bool)
    shape = np.asarray(field.shape)
    n = np.arange(1, int(reach.max()) + 1)
    at = b[:, None, :] + n[None, :, None] * steps[:, None, :]
    inside = np.all((at >= 0) & (at < shape), axis=2) & (n[None, :] <= reach[:, None])
    at = np.clip(at, 0, shape - 1)
    lesion_like = inside & (field[at[..., 0], at[..., 1]] >= 0)
    deep: NDArray[np.bool_] = ~lesion_like.any(axis=1)
    return deep


def _to_crossing(
    field: NDArray[np.float32],
    a: NDArray[np.intp],
    b: NDArray[np.intp],
    steps: NDArray[np.intp],
    pixel: tuple[float, float],
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Move each step outward to where the field crosses zero, within `WALK_MM`.

    The mask's outline is smoothed and opened, which pulls it inside the
    field's zero level where the lesion curves sharply (the ends of a small
    oval): there the pixel beyond the mask is still on the lesion's side.
    Such a step moves out to the first pixel on the background's side, so its
    point lies on the edge itself; a step that finds none stays.
    """
    outside = field[b[:, 0], b[:, 1]]
    short = np.flatnonzero((outside >= 0) & np.isfinite(outside))
    if len(short) == 0:
        return a, b
    step_mm = np.where(steps[short, 0] != 0, pixel[0], pixel[1])
    reach = np.floor(WALK_MM / step_mm).astype(np.intp)
    if int(reach.max()) < 1:
        return a, b
    n = np.arange(1, int(reach.max()) + 1)
    at = b[short, None, :] + n[None, :, None] * steps[short, None, :]
    at = np.clip(at, 0, np.asarray(field.shape) - 1)
    below = (field[at[..., 0], at[..., 1]] < 0) & (n[None, :] <= reach[:, None])
    found = below.any(axis=1)
    first = np.argmax(below, axis=1)  # steps beyond b to the background side
    moved = short[found]
    a, b = a.copy(), b.copy()
    a[moved] = b[moved] + first[found, None] * steps[moved]  # last on the lesion side
    b[moved] = a[moved] + steps[moved]
    return a, b


def edge_steps(
    mask: NDArray[np.bool_],
    edge: NDArray[np.float32] | None,
    pixel: tuple[float, float] | None = None,
    *,
    to_crossing: bool = False,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Edge points ``(i, j)`` (fractional pixels) and whether each is a true edge.

    Without ``pixel`` (or ``edge``) every point counts as a true edge. Points
    come step by step (`_STEPS`), each step's in row then column order. With
    ``to_crossing`` a step whose outside pixel is still on the lesion's side
    moves out to the field's zero crossing (`_to_crossing`).
    """
    outer = row_extremes(mask) + 1  # in the padded slice
    steps = np.repeat(np.asarray(_STEPS), len(outer), axis=0)
    a = np.tile(outer, (len(_STEPS), 1))
    b = a + steps
    out = ~np.pad(mask, 1)[b[:, 0], b[:, 1]]
    a, b, steps = a[out], b[out], steps[out]
    t = np.full(len(a), 0.5)
    is_true = np.ones(len(a), bool)
    if edge is not None:
        field = np.pad(edge, 1, constant_values=-np.inf)
        if pixel is not None and to_crossing:
            a, b = _to_crossing(field, a, b, steps, pixel)
        fa, fb = field[a[:, 0], a[:, 1]], field[b[:, 0], b[:, 1]]
        sign_change = (fa >= 0) & (fb < 0) & np.isfinite(fa) & np.isfinite(fb)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(sign_change, fa / (fa - fb), 0.5)
        t = np.where(sign_change & (fb == -np.inf), 0.5, t)
        if pixel is not None:
            step_mm = np.where(steps[:, 0] != 0, pixel[0], pixel[1])
            reach = np.ceil(DEPTH_MM / step_mm).astype(np.intp)
            is_true = (fb < 0) & _is_deep(field, b, steps, reach)
    return a - 1 + t[:, None] * steps, is_true


def outline_mm(
    mask: NDArray[np.bool_],
    pixel: tuple[float, float],
    edge: NDArray[np.float32] | None,
    *,
    to_crossing: bool = False,
) -> NDArray[np.float64]:
    """Return the true edge points in mm (all edge points when most are cuts)."""
    points, is_true = edge_steps(mask, edge, pixel, to_crossing=to_crossing)
    if is_true.sum() >= TRUE_SHARE * len(is_true):
        points = points[is_true]
    return points * np.asarray(pixel, dtype=np.float64)


def _basis(u: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.float64]:
    """Basis ``1, u, v, u^2, uv, v^2`` per pair, stacked last."""
    return np.stack((np.ones_like(u), u, v, u * u, u * v, v * v), axis=-1)


def _fit_chunk(
    points: NDArray[np.float64], support: NDArray[np.float64], radius: float
) -> NDArray[np.float64]:
    offset = points[:, None, :] - support[None, :, :]
    distance_sq = np.einsum("ijk,ijk->ij", offset, offset)
    sd = radius / 2.0
    weight = np.exp(-distance_sq / (2.0 * sd * sd)) * (distance_sq <= radius * radius)
    total = weight.sum(axis=1)
    centre = (weight @ support) / total[:, None]
    relative = support[None, :, :] - centre[:, None, :]
    scatter = np.einsum("ij,ijk,ijl->ikl", weight, relative, relative)
    _, axes = np.linalg.eigh(scatter)  # ascending: the normal first
    normal, across, along = axes[:, :, 0], axes[:, :, 1], axes[:, :, 2]
    u = np.einsum("ijk,ik->ij", relative, along)
    v = np.einsum("ijk,ik->ij", relative, across)
    h = np.einsum("ijk,ik->ij", relative, normal)
    basis = _basis(u, v)
    gram = np.einsum("ij,ijk,ijl->ikl", weight, basis, basis)
    rhs = np.einsum("ij,ijk,ij->ik", weight, basis, h)
    coefficients = np.linalg.solve(gram + 1e-9 * np.eye(6), rhs[..., None])[..., 0]
    own = points - centre
    pu = np.einsum("ik,ik->i", own, along)
    pv = np.einsum("ik,ik->i", own, across)
    ph = np.einsum("ik,ik->i", _basis(pu, pv), coefficients)
    fitted: NDArray[np.float64] = (
        centre + pu[:, None] * along + pv[:, None] * across + ph[:, None] * normal
    )
    return fitted


def surface_fit(
    points_mm: NDArray[np.float64],
    neighbours: Sequence[tuple[float, NDArray[np.float64]]],
) -> NDArray[np.float64]:
    """Move a slice's edge points onto the lesion's surface fitted around them.

    Parameters
    ----------
    points_mm
        ``(n, 2)`` edge points of the slice, mm in its frame.
    neighbours
        Per neighbouring slice: its offset along the normal (mm) and its
        ``(m, 2)`` edge points; slices farther than the fit's reach are left
        out. Without a neighbour within reach the points are returned as they are.

    Returns
    -------
    NDArray[np.float64]
        ``(n, 2)`` fitted points, mm.
    """
    if len(points_mm) < 6:
        return points_mm
    extent = float(np.max(np.ptp(points_mm, axis=0)))
    radius = min(FIT_MM, FIT_SHARE * extent)
    near = [(dz, p) for dz, p in neighbours if abs(dz) < radius and len(p)]
    if not near:
        return points_mm
    own = np.column_stack((np.zeros(len(points_mm)), points_mm))
    support = np.concatenate(
        [own] + [np.column_stack((np.full(len(p), dz), p)) for dz, p in near]
    )
    fitted = np.concatenate(
        [
            _fit_chunk(own[n : n + CHUNK], support, radius)
            for n in range(0, len(own), CHUNK)
        ]
    )
    return fitted[:, 1:]
