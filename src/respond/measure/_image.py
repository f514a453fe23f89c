"""Array-level image operations (SimpleITK and numpy) the segmentation uses.

Arrays are indexed ``[k, i, j]``; spacings are ``(k, i, j)`` mm, reversed for
SimpleITK, which wants ``(x, y, z)`` = (column, row, slice).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import SimpleITK as sitk

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

_SMOOTH_MM = 1.0  # the Gaussian's sigma the binomial passes approximate
POOL_VOXELS = 400_000  # distance maps of larger blocks are computed on 2 x 2 pixels
POOL_PIXEL_MM = 1.0  # ... when the pixels are this fine


def _image(array: NDArray[np.generic], spacing: Sequence[float]) -> sitk.Image:
    image = sitk.GetImageFromArray(array)
    image.SetSpacing([float(v) for v in reversed(spacing)])  # type: ignore[no-untyped-call]
    return image


def _passes(step_mm: float) -> int:
    """Binomial [1 2 1]/4 passes whose variance (n/2 steps^2) is ~ (1 mm)^2."""
    return round(2.0 * (_SMOOTH_MM / step_mm) ** 2)


def binomial(a: NDArray[np.float32], axis: int, passes: int) -> NDArray[np.float32]:
    """Apply ``passes`` of the [1 2 1]/4 filter along ``axis`` (edges repeated)."""
    if a.shape[axis] < 3 or passes == 0:
        return a
    a = np.moveaxis(a, axis, 0)
    for _ in range(passes):
        out = np.empty_like(a)
        np.add(a[:-2], a[2:], out=out[1:-1])
        out[1:-1] += 2.0 * a[1:-1]
        out[1:-1] *= 0.25
        out[0] = 0.75 * a[0] + 0.25 * a[1]
        out[-1] = 0.75 * a[-1] + 0.25 * a[-2]
        a = out
    return np.moveaxis(a, 0, axis)


def smooth(
    values: NDArray[np.float32], spacing: Sequence[float]
) -> NDArray[np.float32]:
    """Light smoothing: binomial passes approximating a 1 mm Gaussian per axis.

    Axes whose step is above ~1.4 mm (thick slices) are not smoothed.
    """
    out = values
    for axis in range(values.ndim):
        out = binomial(out, axis, _passes(spacing[axis]))
    return np.ascontiguousarray(out, dtype=np.float32)


def noise_gain(spacing: Sequence[float], ndim: int = 3) -> tuple[float, float]:
    """Noise sd of `smooth` and of ``values - smooth`` per unit of white noise."""
    size = 17
    delta = np.zeros((size,) * ndim, np.float32)
    delta[(size // 2,) * ndim] = 1.0
    kernel = smooth(delta, spacing[-ndim:])
    residual = delta - kernel
    return float(np.sqrt(np.sum(kernel**2))), float(np.sqrt(np.sum(residual**2)))


def components(mask: NDArray[np.bool_]) -> NDArray[np.int32]:
    """Label face-connected components (0 is background)."""
    image = sitk.ConnectedComponent(  # type: ignore[no-untyped-call]
        sitk.GetImageFromArray(np.ascontiguousarray(mask, dtype=np.uint8)), False
    )
    return sitk.GetArrayFromImage(image).astype(np.int32, copy=False)


def component_at(mask: NDArray[np.bool_], index: Sequence[int]) -> NDArray[np.bool_]:
    """Return the component of ``mask`` holding ``index`` (empty if it is off)."""
    if not mask[tuple(index)]:
        return np.zeros_like(mask)
    labels = components(mask)
    result: NDArray[np.bool_] = labels == labels[tuple(index)]
    return result


def touching(labels: NDArray[np.int32], where: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Return the union of the labelled components that meet ``where``."""
    hit = np.unique(labels[where & (labels > 0)])
    lookup = np.zeros(int(labels.max()) + 1, bool)
    lookup[hit] = True
    result: NDArray[np.bool_] = lookup[labels]
    return result


def _bbox(mask: NDArray[np.bool_], margin: int) -> tuple[slice, ...]:
    return crop(mask, [margin] * mask.ndim)


def fill_holes(mask: NDArray[np.bool_], *, planar: bool = False) -> NDArray[np.bool_]:
    """Fill holes in 3-D, or slice by slice (``[k]``) with ``planar``.

    A hole is background that cannot reach the outside. The mask's bounding
    box is padded with background and the background labelled (face
    connectivity): what is not the outside's component is filled. Slice by
    slice, the slices are interleaved with full planes first, so background
    cannot pass from one slice to another.
    """
    window = _bbox(mask, 0)
    part = mask[window]
    if part.size == 0:
        return mask
    if planar:
        stack = np.ones((2 * part.shape[0] + 1, *part.shape[1:]), bool)
        stack[1::2] = part
        padded = np.pad(stack, ((0, 0), (1, 1), (1, 1)))
        labels = components(~padded)
        outside = np.unique(
            np.concatenate((labels[:, 0, :].ravel(), labels[:, :, 0].ravel()))
        )
        lookup = np.ones(int(labels.max()) + 1, bool)
        lookup[outside] = False
        holes = lookup[labels[1::2, 1:-1, 1:-1]] & ~part
    else:
        padded = np.pad(part, 1)
        labels = components(~padded)
        holes = (labels != labels[0, 0, 0])[1:-1, 1:-1, 1:-1] & ~part
    result = mask.copy()
    result[window] |= holes
    return result


def distance_near(
    mask: NDArray[np.bool_], spacing: Sequence[float], reach_mm: float
) -> NDArray[np.float32]:
    """`coarse_distance` within ``reach_mm`` of the mask's bounding box, inf beyond."""
    window = crop(mask, [math.ceil(reach_mm / s) + 1 for s in spacing])
    result = np.full(mask.shape, np.inf, np.float32)
    result[window] = coarse_distance(mask[window], spacing)
    return result


def _pool_factor(shape: Sequence[int], spacing: Sequence[float]) -> int:
    """2 for large blocks of fine pixels (distances on 2 x 2 pixels), else 1."""
    if math.prod(shape) > POOL_VOXELS and max(spacing[1:]) <= POOL_PIXEL_MM:
        return 2
    return 1


def _pooled(mask: NDArray[np.bool_], factor: int) -> NDArray[np.bool_]:
    """OR over ``factor`` x ``factor`` pixels of every slice."""
    k, i, j = mask.shape
    pad = ((0, 0), (0, -i % factor), (0, -j % factor))
    blocks = np.pad(mask, pad).reshape(
        k, -(-i // factor), factor, -(-j // factor), factor
    )
    result: NDArray[np.bool_] = np.any(blocks, axis=(2, 4))
    return result


def _unpooled(
    low: NDArray[np.generic], factor: int, shape: Sequence[int]
) -> NDArray[np.generic]:
    up = np.repeat(np.repeat(low, factor, axis=1), factor, axis=2)
    return up[:, : shape[1], : shape[2]]


def coarse_distance(
    mask: NDArray[np.bool_], spacing: Sequence[float]
) -> NDArray[np.float32]:
    """`distance_mm`, on 2 x 2 pixel blocks for large blocks of fine pixels.

    Distances are then those of the blocks (the mask grown to whole blocks):
    within a pixel of the exact ones, which is what shells and bands need.
    """
    factor = _pool_factor(mask.shape, spacing)
    if factor == 1:
        return distance_mm(mask, spacing)
    coarse = (spacing[0], spacing[1] * factor, spacing[2] * factor)
    low = distance_mm(_pooled(mask, factor), coarse)
    return _unpooled(low, factor, mask.shape).astype(np.float32)


def distance_mm(
    mask: NDArray[np.bool_], spacing: Sequence[float]
) -> NDArray[np.float32]:
    """Return the signed distance to ``mask`` in mm.

    Outside, > 0: mm to the nearest mask voxel; inside, <= 0 (0 on the mask's
    boundary voxels).
    """
    if not mask.any():
        return np.full(mask.shape, np.inf, np.float32)
    image = sitk.SignedMaurerDistanceMap(  # type: ignore[no-untyped-call]
        _image(np.ascontiguousarray(mask, dtype=np.uint8), spacing), False, False, True
    )
    return sitk.GetArrayFromImage(image).astype(np.float32, copy=False)


def opening(
    mask: NDArray[np.bool_], radius_mm: float, spacing: Sequence[float]
) -> NDArray[np.bool_]:
    """Morphological opening by a ball of ``radius_mm`` (Euclidean, in mm).

    On large blocks of fine pixels the opening is computed on 2 x 2 pixel
    blocks (OR) and the mask kept where it survived: what it removes (bridges,
    vessel stubs narrower than the ball) is then removed to within a block.
    """
    if radius_mm <= 0 or not mask.any():
        return mask
    window = crop(mask, [math.ceil(radius_mm / s) + 2 for s in spacing])
    part = mask[window]
    factor = _pool_factor(part.shape, spacing) if part.ndim == 3 else 1
    low = _pooled(part, factor) if factor > 1 else part
    step = (spacing[0], spacing[1] * factor, spacing[2] * factor)[: part.ndim]
    if low.all():
        return mask
    outside = distance_mm(~low, step)  # inside: mm to the nearest outside
    eroded = low & (outside > radius_mm)
    result = np.zeros_like(mask)
    if eroded.any():
        opened = (distance_mm(eroded, step) <= radius_mm) & low
        if factor > 1:
            opened = _unpooled(opened, factor, part.shape)  # type: ignore[assignment]
        result[window] = opened & part
    return result


def closing(
    mask: NDArray[np.bool_], radius_mm: float, spacing: Sequence[float]
) -> NDArray[np.bool_]:
    """Morphological closing by a ball of ``radius_mm`` (Euclidean, in mm)."""
    if radius_mm <= 0 or not mask.any():
        return mask
    margin = [math.ceil(radius_mm / s) + 1 for s in spacing]
    window = crop(mask, [0, 0, 0][: mask.ndim])
    padded = np.pad(mask[window], [(m, m) for m in margin])
    dilated = distance_mm(padded, spacing) <= radius_mm
    closed = dilated & (distance_mm(~dilated, spacing) > radius_mm)
    inner = tuple(
        slice(m, m + w.stop - w.start) for m, w in zip(margin, window, strict=True)
    )
    result = mask.copy()
    result[window] |= closed[inner]
    return result


def _span(hit: NDArray[np.bool_] | np.bool_, margin: int) -> slice:
    index = np.flatnonzero(hit)
    if len(index) == 0:
        return slice(0, 0)
    return slice(
        max(0, int(index[0]) - margin), min(np.size(hit), int(index[-1]) + 1 + margin)
    )


def crop(mask: NDArray[np.bool_], margin: Sequence[int]) -> tuple[slice, ...]:
    """Return the bounding box of ``mask`` grown by ``margin`` voxels per axis."""
    if mask.ndim != 3:
        return tuple(
            _span(mask.any(axis=tuple(a for a in range(mask.ndim) if a != axis)), m)
            for axis, m in enumerate(margin)
        )
    plane = np.any(mask, axis=0)  # two passes over the block, not three
    return (
        _span(np.any(mask.reshape(mask.shape[0], -1), axis=1), margin[0]),
        _span(np.any(plane, axis=1), margin[1]),
        _span(np.any(plane, axis=0), margin[2]),
    )


def touches_faces(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Return the faces ``(axis, side)`` (side 0 low, 1 high) ``mask`` reaches."""
    faces = []
    for axis in range(mask.ndim):
        if mask.shape[axis] <= 1:  # a single slice has no faces across it
            continue
        low = np.take(mask, 0, axis=axis)
        high = np.take(mask, mask.shape[axis] - 1, axis=axis)
        if low.any():
            faces.append((axis, 0))
        if high.any():
            faces.append((axis, 1))
    return faces


def robust_level(values: NDArray[np.floating]) -> tuple[float, float]:
    """Return the median and the MAD-based sd of ``values``."""
    median = float(np.median(values))
    mad = float(np.median(np.abs(values - median)))
    return median, 1.4826 * mad
