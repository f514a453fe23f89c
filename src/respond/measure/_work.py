"""One block of the volume, smoothed, with its noise and the click's level."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from respond.measure._grid import Box
from respond.measure._image import noise_gain, robust_level, smooth
from respond.measure.model import Index

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.measure._grid import Grid

SEED_MM: Final = 1.5  # radius of the click's neighbourhood giving its level
SNAP_MM: Final = 2.0  # the seed moves at most this far, to the flattest voxel
NOISE_SIGMAS: Final = 4.0  # a class is its level +/- this many noise sd...
CT_FLOOR_HU: Final = 10.0  # ... and at least this wide (CT)
RANGE_FLOOR: Final = 0.025  # ... or this share of the p1-p99 range (MR)


@dataclass(frozen=True, slots=True)
class Work:
    """A box of the volume with its smoothed values.

    Attributes
    ----------
    spacing
        mm per step of ``(k, i, j)``.
    noise
        Noise sd left in ``smooth``, estimated from the box itself.
    floor
        The narrowest class half-width (HU for CT).
    """

    box: Box
    values: NDArray[np.float32]
    smooth: NDArray[np.float32]
    seed: Index
    spacing: tuple[float, float, float]
    noise: float
    floor: float
    unit: str = ""
    """The unit for messages: " HU" for CT, else empty."""

    @property
    def width(self) -> float:
        """Half-width of one tissue class: noise-based, never below the floor."""
        return max(NOISE_SIGMAS * self.noise, self.floor)

    def ball(self, radius_mm: float) -> NDArray[np.bool_]:
        """Voxels within ``radius_mm`` of the seed (the seed at least)."""
        ranges = []
        for axis in range(3):
            reach = int(radius_mm // self.spacing[axis])
            low = max(0, self.seed[axis] - reach)
            high = min(self.smooth.shape[axis], self.seed[axis] + reach + 1)
            ranges.append(np.arange(low, high))
        dk, di, dj = np.meshgrid(*ranges, indexing="ij")
        distance_sq = sum(
            ((d - s) * step) ** 2
            for d, s, step in zip((dk, di, dj), self.seed, self.spacing, strict=True)
        )
        ball = np.zeros(self.smooth.shape, bool)
        near = distance_sq <= radius_mm**2
        ball[dk[near], di[near], dj[near]] = True
        return ball

    def snapped(self) -> Work:
        """Move the seed, within its slice, to the flattest voxel near the click.

        A click on the seam between two tissues (rim and necrosis) then starts
        from one of them instead of from the blur between them.
        """
        k, i, j = self.seed
        reach = [int(SNAP_MM // self.spacing[a]) for a in (1, 2)]
        low = [max(0, c - r - 1) for c, r in zip((i, j), reach, strict=True)]
        high = [
            min(n, c + r + 2)
            for c, r, n in zip((i, j), reach, self.smooth.shape[1:], strict=True)
        ]
        plane = self.smooth[k, low[0] : high[0], low[1] : high[1]].astype(np.float64)
        if min(plane.shape) < 2:
            return self
        grad_i, grad_j = np.gradient(plane, self.spacing[1], self.spacing[2])
        rows, cols = np.indices(plane.shape)
        distance = np.hypot(
            (rows + low[0] - i) * self.spacing[1], (cols + low[1] - j) * self.spacing[2]
        )
        score = np.hypot(grad_i, grad_j) + 1e-3 * distance
        score[distance > SNAP_MM] = np.inf
        at = np.unravel_index(int(np.argmin(score)), score.shape)
        return replace(self, seed=(k, int(at[0]) + low[0], int(at[1]) + low[1]))

    def seed_level(self) -> float:
        """Median of the smoothed values around the seed."""
        return float(np.median(self.smooth[self.ball(SEED_MM)]))


def _noise(
    values: NDArray[np.float32], smoothed: NDArray[np.float32], spacing: Sequence[float]
) -> float:
    k = values.shape[0] // 2
    gain_smooth, gain_residual = noise_gain(spacing)
    _, sd = robust_level(values[k] - smoothed[k])
    return sd / gain_residual * gain_smooth


def _floor(grid: Grid, values: NDArray[np.float32]) -> float:
    if grid.is_ct:
        return CT_FLOOR_HU
    low, high = np.percentile(values, [1.0, 99.0])
    return max(float(high - low) * RANGE_FLOOR, 1e-6)


def prepare(grid: Grid, box: Box, seed: Index, *, planar: bool = False) -> Work:
    """Read, smooth and describe ``box``; ``planar`` smooths within slices only."""
    values = grid.values(box)
    along = (math.inf if planar else grid.spacing[0], *grid.spacing[1:])
    smoothed = smooth(values, along)
    noise = _noise(values, smoothed, along)
    floor = _floor(grid, values)
    unit = " HU" if grid.is_ct else ""
    work = Work(
        box, values, smoothed, box.local(seed), grid.spacing, noise, floor, unit
    )
    return work.snapped()
