"""The enhancing (viable) part of a lesion on an arterial-phase volume (mRECIST).

The arterial volume is sampled at the measured volume's voxels (trilinear, in
modality values, through both volumes' patient geometry: another series of
the same study, any orientation or tilt), then smoothed like the measured one.
Within the lesion, a voxel **enhances** when its arterial value is at least
half-way from the lesion's darkest tissue (its 5th percentile: necrosis) up to
the surrounding parenchyma, and half-way up to its enhancing tissue (the
median of its values brighter than the parenchyma: viable tumour); when
nothing in the lesion is clearly darker than the parenchyma, all of it
enhances. The viable part ends at the lesion's edge too. Non-enhancing areas
are left out; holes are not filled.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import numpy as np

from respond.measure._image import crop, distance_mm, noise_gain, robust_level, smooth
from respond.measure._parts import SHELL_MM
from respond.measure._work import NOISE_SIGMAS

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from respond.dicom.volume import Volume
    from respond.measure._grid import Grid
    from respond.measure._parts import Lesion

DARK_PERCENTILE: Final = 5.0
MARGIN_MM: Final = 5.0


def sample(volume: Volume, index: NDArray[np.float64]) -> NDArray[np.float32]:
    """Trilinear modality values at fractional ``(k, i, j)`` rows; NaN outside."""
    shape = np.asarray(volume.shape)
    valid = np.all((index >= -0.5) & (index <= shape - 0.5), axis=1)
    clipped = np.clip(index, 0.0, shape - 1.0)
    low = np.minimum(np.floor(clipped).astype(np.intp), np.maximum(shape - 2, 0))
    fraction = clipped - low
    values = np.zeros(len(index), np.float64)
    for corner in np.ndindex(2, 2, 2):
        at = np.minimum(low + np.asarray(corner), shape - 1)
        weight = np.prod(np.where(corner, fraction, 1.0 - fraction), axis=1)
        raw = volume.voxels[at[:, 0], at[:, 1], at[:, 2]].astype(np.float64)
        if not volume.is_rescaled:
            raw = raw * volume.slopes[at[:, 0]] + volume.intercepts[at[:, 0]]
        values += weight * raw
    values[~valid] = np.nan
    return values.astype(np.float32)


def _resampled(
    grid: Grid, lesion: Lesion, arterial: Volume, window: tuple[slice, ...]
) -> tuple[NDArray[np.float32], NDArray[np.float32], float]:
    """Arterial values at the window's voxels: raw, smoothed, and noise sd."""
    if arterial is grid.volume:
        work = lesion.work
        return work.values[window], work.smooth[window], work.noise
    if arterial.geometry is None:
        shape = lesion.mask[window].shape
        empty = np.full(shape, np.nan, np.float32)
        return empty, empty, 0.0
    box = lesion.work.box
    ranges = [
        np.arange(box.lo[a] + window[a].start, box.lo[a] + window[a].stop)
        for a in range(3)
    ]
    index = np.stack(np.meshgrid(*ranges, indexing="ij"), axis=-1).reshape(-1, 3)
    patient = grid.geometry.indices_to_patient(index)
    values = sample(arterial, arterial.geometry.patient_to_index(patient))
    raw = values.reshape(len(ranges[0]), len(ranges[1]), len(ranges[2]))
    filled = np.where(
        np.isnan(raw), np.nanmedian(raw) if np.isfinite(raw).any() else 0.0, raw
    )
    smoothed = smooth(filled.astype(np.float32), grid.spacing)
    gain_smooth, gain_residual = noise_gain(grid.spacing)
    middle = raw.shape[0] // 2
    residual = (filled - smoothed)[middle]
    noise = robust_level(residual)[1] / gain_residual * gain_smooth
    return raw, np.where(np.isnan(raw), np.nan, smoothed).astype(np.float32), noise


def _threshold(values: NDArray[np.float32], background: float, width: float) -> float:
    """Return the arterial level from which lesion tissue counts as enhancing.

    Half-way from its darkest tissue (5th percentile) up to the parenchyma and
    up to its enhancing tissue (the median of what is brighter than the
    parenchyma); -inf when nothing in it is clearly darker than the parenchyma.
    """
    dark = float(np.percentile(values, DARK_PERCENTILE))
    if dark >= background - width:
        return -math.inf
    bright = values[values > background + width]
    level = float(np.median(bright)) if len(bright) else background
    return max(dark + background, dark + level) / 2.0


def enhancing(
    grid: Grid, lesion: Lesion, arterial: Volume
) -> tuple[NDArray[np.bool_], NDArray[np.float32]]:
    """Return the lesion's enhancing voxels (in its box) and the edge field.

    The field is the smoothed arterial value minus the threshold (> 0
    enhances), for sub-voxel ends of the viable diameter.
    """
    spacing = lesion.work.spacing
    margin = [math.ceil(MARGIN_MM / s) + 1 for s in spacing]
    window = crop(lesion.mask, margin)
    _, art, noise = _resampled(grid, lesion, arterial, window)
    mask = lesion.mask[window]
    distance = distance_mm(mask, spacing)
    shell = (distance > SHELL_MM[0]) & (distance <= SHELL_MM[1]) & np.isfinite(art)
    inside = mask & np.isfinite(art)
    result = np.zeros_like(lesion.mask)
    field = np.full(lesion.mask.shape, -np.inf, np.float32)
    if not inside.any() or not shell.any():
        return result, field
    background = float(np.median(art[shell]))
    width = max(NOISE_SIGMAS * noise, lesion.work.floor)
    threshold = _threshold(art[inside], background, width)
    result[window] = inside & (art >= threshold)
    # the viable part ends at the lesion's own edge too (whichever comes first)
    viable = np.where(np.isfinite(art), art - threshold, -np.inf)
    field[window] = np.minimum(viable, lesion.edge[window])
    return result, field
