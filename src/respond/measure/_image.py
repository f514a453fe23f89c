"""Array-level image operations (SimpleITK and numpy) the segmentation uses.

Arrays are indexed ``[k, i, j]``; spacings are ``(k, i, j)`` mm, reversed for
SimpleITK, which wants ``(x, y, z)`` = (column, row, slice).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import SimpleITK as sitk

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

_SMOOTH_MM = 1.0  # the Gaussian's sigma the binomial passes approximate
POOL_VOXELS = 400_000  # distance maps of larger blocks are computed on 2 x 2 pixels
POOL_PIXEL_MM = 1.0  # ... when the pixels are this fine
_BLOCK = 1 << 15  # values summed at a time by the binomial passes (fits in cache)
EXACT_PASSES = 12  # binomial passes whose sums of 0 and 1 float32 holds exactly
_Number = TypeVar("_Number", bound=np.number[Any])


def _image(array: NDArray[np.generic], spacing: Sequence[float]) -> sitk.Image:
    image = sitk.GetImageFromArray(array)
    image.SetSpacing([float(v) for v in reversed(spacing)])  # type: ignore[no-untyped-call]
    return image


def _passes(step_mm: float, variance_mm2: float = _SMOOTH_MM**2) -> int:
    """Binomial [1 2 1]/4 passes whose variance (n/2 steps^2) is ~ ``variance_mm2``."""
    return round(2.0 * variance_mm2 / step_mm**2)


def _filtered(
    a: NDArray[_Number], axis: int, passes: int, *, exact: bool
) -> NDArray[_Number]:
    """Apply ``passes`` of [1 2 1] along ``axis``, over 4 unless ``exact``.

    The sums run over the array as one flat line, neighbours one stride of
    ``axis`` apart (long runs of memory whatever the axis, not one short run
    per row); the two ends along ``axis``, whose flat neighbours belong to
    other rows, are then set by the repeated-edge rule. The line is summed in
    blocks of `_BLOCK` values (each block's steps run while it is in cache),
    and the passes alternate between two buffers. ``exact`` leaves out the
    division (integer counts).
    """
    n = a.shape[axis]
    if n < 3 or passes == 0:
        return a
    a = np.ascontiguousarray(a)
    step = a.strides[axis] // a.itemsize  # elements between neighbours
    ends = [[slice(None)] * a.ndim for _ in range(4)]
    for index, at in zip(ends, (0, 1, n - 1, n - 2), strict=True):
        index[axis] = slice(at, at + 1)
    first, second, last, before = (tuple(index) for index in ends)
    buffers = [np.empty_like(a), np.empty_like(a) if passes > 1 else a]
    size = a.size - 2 * step
    twice = np.empty(min(size, _BLOCK), a.dtype)
    for count in range(passes):
        out = buffers[count % 2]
        line, into = a.reshape(-1), out.reshape(-1)
        for start in range(0, size, _BLOCK):
            stop = min(start + _BLOCK, size)
            middle, double = into[step + start : step + stop], twice[: stop - start]
            np.add(
                line[start:stop], line[start + 2 * step : stop + 2 * step], out=middle
            )
            np.multiply(line[step + start : step + stop], 2, out=double)
            middle += double
            if not exact:
                middle *= 0.25
        if exact:
            out[first] = 3 * a[first] + a[second]
            out[last] = 3 * a[last] + a[before]
        else:
            out[first] = 0.75 * a[first] + 0.25 * a[second]
            out[last] = 0.75 * a[last] + 0.25 * a[before]
        a = out
    return a


def binomial(a: NDArray[np.float32], axis: int, passes: int) -> NDArray[np.float32]:
    """Apply ``passes`` of the [1 2 1]/4 filter along ``axis`` (edges repeated)."""
    return _filtered(a, axis, passes, exact=False)


def smooth(
    values: NDArray[np.float32],
    spacing: Sequence[float],
    variance_mm2: float = _SMOOTH_MM**2,
) -> NDArray[np.float32]:
    """Light smoothing: binomial passes approximating a 1 mm Gaussian per axis.

    Or a Gaussian of ``variance_mm2``. Axes whose step is above ~1.4 times
    its sd (thick slices) are not smoothed.
    """
    out = values
    for axis in range(values.ndim):
        out = binomial(out, axis, _passes(spacing[axis], variance_mm2))
    return np.ascontiguousarray(out, dtype=np.float32)


def smooth_mask(mask: NDArray[np.bool_], spacing: Sequence[float]) -> NDArray[np.bool_]:
    """Return where `smooth` of ``mask`` (as 0 and 1) is at least one half.

    Counted in integers: after ``n`` passes in all, `smooth` gives
    ``count / 4**n`` exactly (float32 holds every such value up to
    ``EXACT_PASSES``), so the answer is the same, for less memory traffic.
    """
    passes = [
        _passes(spacing[axis]) if mask.shape[axis] >= 3 else 0
        for axis in range(mask.ndim)
    ]
    total = sum(passes)
    if total > EXACT_PASSES:
        blurred = smooth(mask.astype(np.float32), spacing)
        return np.asarray(blurred >= 0.5)
    if total == 0:
        return mask.copy()
    counts: NDArray[np.unsignedinteger[Any]] = mask.astype(
        np.uint16 if total <= 7 else np.uint32  # 4**7 = 16384 fits in 16 bits
    )
    for axis, count in enumerate(passes):
        counts = _filtered(counts, axis, count, exact=True)
    return np.asarray(counts >= 2 ** (2 * total - 1))


def noise_gain(spacing: Sequence[float], ndim: int = 3) -> tuple[float, float]:
    """Noise sd of `smooth` and of ``values - smooth`` per unit of white noise."""
    size = 17
    delta = np.zeros((size,) * ndim, np.float32)
    delta[(size // 2,) * ndim] = 1.0
    kernel = smooth(delta, spacing[-ndim:])
    residual = delta - kernel
    return float(np.sqrt(np.sum(kernel**2))), float(np.sqrt(np.sum(residual**2)))


def _cell_means(values: NDArray[np.generic], factor: int) -> NDArray[np.float32]:
    """Mean over ``factor`` x ``factor`` pixels of every slice (zeros beyond)."""
    k, i, j = values.shape
    result = np.zeros((k, -(-i // factor), -(-j // factor)), np.float32)
    for a in range(factor):
        for b in range(factor):
            part = values[:, a::factor, b::factor]
            result[:, : part.shape[1], : part.shape[2]] += part
    result *= np.float32(1.0 / (factor * factor))
    return result


def _bilinear(
    low: NDArray[np.float32], factor: int, at: NDArray[np.bool_]
) -> NDArray[np.float32]:
    """Values of the cell grid ``low`` at the pixels of ``at``, bilinear in-plane.

    In the order of ``np.flatnonzero(at)``.
    """
    flat_at = np.flatnonzero(at)
    slices, rest = np.divmod(flat_at, at.shape[1] * at.shape[2])
    pixel = np.divmod(rest, at.shape[2])
    _, rows, columns = low.shape
    flat = low.reshape(-1)
    base = slices * (rows * columns)
    weights = []
    for index, count, stride in zip(pixel, (rows, columns), (columns, 1), strict=True):
        where = np.clip(
            (index.astype(np.float32) + 0.5) / factor - 0.5, 0.0, count - 1.0
        )
        first = np.minimum(where.astype(np.intp), max(count - 2, 0))
        base += first * stride
        weights.append((where - first, stride if count > 1 else 0))
    (down, row_step), (right, column_step) = weights
    top = flat[base] + right * (flat[base + column_step] - flat[base])
    base += row_step
    bottom = flat[base] + right * (flat[base + column_step] - flat[base])
    result: NDArray[np.float32] = top + down * (bottom - top)
    return result


def local_mean(
    values: NDArray[np.float32],
    sample: NDArray[np.bool_],
    spacing: Sequence[float],
    sd_mm: float,
    at: NDArray[np.bool_],
    *,
    min_weight: float,
    fill: float,
) -> NDArray[np.float32]:
    """Gaussian-weighted mean of ``values`` over ``sample``, within each slice.

    Evaluated at the pixels of ``at`` only (in the order of
    ``np.flatnonzero``), as a normalised convolution: the blurred sample
    values over the blurred sample; ``fill`` where the sample's weight near a
    pixel (the share of the blur's mass on sample pixels) is under
    ``min_weight``. The blur (binomial passes of variance ``sd_mm`` squared)
    runs on cells of pixels about ``sd_mm`` wide, over the part of the block
    within three sd of ``at``, and is read back bilinearly: a slowly varying
    level for a fraction of the work.
    """
    if not at.any():
        return np.empty(0, np.float32)
    factor = max(1, round(sd_mm / max(spacing[1:])))
    reach = [0] + [math.ceil(3.0 * sd_mm / s) + factor for s in spacing[1:]]
    window = crop(at, reach)
    part = sample[window]
    count = part.shape[0]
    cells = np.concatenate(
        (_cell_means(part, factor), _cell_means(values[window] * part, factor))
    )
    for axis in (1, 2):
        cell_mm = spacing[axis] * factor
        cells = binomial(cells, axis, round(2.0 * (sd_mm / cell_mm) ** 2))
    weights, sums = cells[:count], cells[count:]
    known = weights >= min_weight
    mean = np.full(weights.shape, fill, np.float32)
    mean[known] = sums[known] / weights[known]
    return _bilinear(mean, factor, at[window])


def components(mask: NDArray[np.bool_]) -> NDArray[np.int32]:
    """Label face-connected components (0 is background)."""
    image = sitk.ConnectedComponent(  # type: ignore[no-untyped-call]
        sitk.GetImageFromArray(np.ascontiguousarray(mask, dtype=np.uint8)), False
    )
    labels = sitk.GetArrayFromImage(image)
    # unsigned labels, far fewer than 2**31: read them as int32 without a copy
    return (
        labels.view(np.int32) if labels.dtype == np.uint32 else labels.astype(np.int32)
    )


def component_at(mask: NDArray[np.bool_], index: Sequence[int]) -> NDArray[np.bool_]:
    """Return the component of ``mask`` holding ``index`` (empty if it is off)."""
    if not mask[tuple(index)]:
        return np.zeros_like(mask)
    labels = components(mask)
    result: NDArray[np.bool_] = labels == labels[tuple(index)]
    return result


def touching(labels: NDArray[np.int32], where: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Return the union of the labelled components that meet ``where``."""
    lookup = np.zeros(int(labels.max()) + 1, bool)
    lookup[labels[where]] = True
    lookup[0] = False
    hit = np.flatnonzero(lookup)
    if len(hit) == 1:  # the common case: one comparison, not a gather
        single: NDArray[np.bool_] = labels == hit[0]
        return single
    result: NDArray[np.bool_] = lookup[labels]
    return result


def _bbox(mask: NDArray[np.bool_], margin: int) -> tuple[slice, ...]:
    return crop(mask, [margin] * mask.ndim)


def fill_holes(mask: NDArray[np.bool_], *, planar: bool = False) -> NDArray[np.bool_]:
    """Fill holes in 3-D, or slice by slice (``[k]``) with ``planar``.

    A hole is background that cannot reach the outside. The mask's bounding
    box is padded with background and the background labelled (face
    connectivity): what is not the outside's component is filled. Slice by
    slice, the padded slices are laid one under the other in one image
    (sharing their rows of padding, all outside), so background cannot pass
    from one slice to another but through the outside.
    """
    window = _bbox(mask, 0)
    part = mask[window]
    if part.size == 0:
        return mask
    if planar:
        count, rows, columns = part.shape
        padded = np.pad(part, ((0, 0), (1, 0), (1, 1)))
        tiled = np.pad(
            padded.reshape(count * (rows + 1), columns + 2), ((0, 1), (0, 0))
        )
        labels = components(~tiled)
        outside = labels[: count * (rows + 1)].reshape(padded.shape) == labels[0, 0]
        holes = ~outside[:, 1:, 1:-1] & ~part
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
    result = np.zeros((k, -(-i // factor), -(-j // factor)), bool)
    for a in range(factor):
        for b in range(factor):
            part = mask[:, a::factor, b::factor]
            result[:, : part.shape[1], : part.shape[2]] |= part
    return result


def _unpooled(
    low: NDArray[np.generic], factor: int, shape: Sequence[int]
) -> NDArray[np.generic]:
    """Each value of ``low`` on its ``factor`` x ``factor`` pixels of ``shape``."""
    result = np.empty((shape[0], shape[1], shape[2]), low.dtype)
    for a in range(factor):
        for b in range(factor):
            part = result[:, a::factor, b::factor]
            part[...] = low[:, : part.shape[1], : part.shape[2]]
    return result


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
    return _unpooled(low, factor, mask.shape).astype(np.float32, copy=False)


def distance_mm(
    mask: NDArray[np.bool_], spacing: Sequence[float], *, squared: bool = False
) -> NDArray[np.float32]:
    """Return the signed distance to ``mask`` in mm (its square with ``squared``).

    Outside, > 0: mm to the nearest mask voxel; inside, <= 0 (0 on the mask's
    boundary voxels). Squared distances (sign kept) skip a square root per
    voxel, for comparisons with a squared radius.
    """
    if not mask.any():
        return np.full(mask.shape, np.inf, np.float32)
    image = sitk.SignedMaurerDistanceMap(  # type: ignore[no-untyped-call]
        _image(np.ascontiguousarray(mask, dtype=np.uint8), spacing),
        False,
        squared,
        True,
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
    squared = radius_mm * radius_mm
    outside = distance_mm(~low, step, squared=True)  # inside: to the outside
    eroded = low & (outside > squared)
    result = np.zeros_like(mask)
    if eroded.any():
        opened = (distance_mm(eroded, step, squared=True) <= squared) & low
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
