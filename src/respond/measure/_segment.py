"""Grow the lesion around the click: its core, in a box sized from two planes.

1. **Sizing** (cheap): the click's tissue class is grown within
   ``max_diameter_mm`` of it on the clicked slice and on the plane across the
   slices through its column; their reach sizes the 3-D box, with room for
   other parts of the lesion and its surroundings.
2. **Core** (3-D, in that box): the component holding the click of the voxels
   whose smoothed value is within the class width of the click's level. If it
   reaches a face of the box it is opened by a ball scaled to it (cuts thin
   bridges into vessels) and, if it still does, the box grows on that side,
   up to ``max_diameter_mm`` from the click; beyond that it is not a lesion.

:mod:`respond.measure._parts` then adds the lesion's other parts and finds
its edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from respond.measure._image import component_at, opening, touches_faces
from respond.measure._work import Work, prepare
from respond.measure.errors import MeasureError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.measure._grid import Box, Grid
    from respond.measure.model import Index

OPEN_SHARE: Final = 0.15  # opening radius: this share of the lesion's size...
OPEN_MM: Final = (0.75, 4.0)  # ... within these bounds (mm)
MARGIN_MM: Final = 5.0  # room around the core for its shell
ROOM_SHARE: Final = 1.0  # room for other parts: this share of the core's size...
PART_ROOM_MM: Final = (10.0, 15.0)  # ... within these bounds (mm)
MIN_DIAMETER_MM: Final = 2.0  # smaller than this is noise, not a lesion
GROW_FACTOR: Final = 1.6  # a box face the core reaches moves this much farther
ATTEMPTS: Final = 4


@dataclass(frozen=True, slots=True)
class Core:
    """The click's tissue class, grown: the start of the lesion."""

    work: Work
    mask: NDArray[np.bool_]
    level: float
    width: float
    open_mm: float


def open_radius(mask: NDArray[np.bool_], spacing: Sequence[float]) -> float:
    """Return the opening radius for a region: a share of its size."""
    count = float(mask.sum())
    flat = [a for a in range(3) if mask.shape[a] == 1]
    if flat:  # one slice (or one column): the diameter of a disc of its area
        area = math.prod(spacing[a] for a in range(3) if a != flat[0])
        diameter = 2.0 * math.sqrt(count * area / math.pi)
    else:
        volume = count * math.prod(spacing)
        diameter = 2.0 * (3.0 * volume / (4.0 * math.pi)) ** (1 / 3)
    low, high = OPEN_MM
    return min(max(OPEN_SHARE * diameter, low, 0.5 * max(spacing[1:])), high)


def class_component(work: Work, level: float, width: float) -> NDArray[np.bool_]:
    """Return the seed's component of ``|smooth - level| <= width``.

    When it reaches a face of the box it is opened first (a thin bridge into
    a vessel or an organ is cut), and the seed's component of that is kept.
    """
    inside = np.abs(work.smooth - level) <= width
    inside[work.seed] = True  # the click's own voxel, whatever its noise
    grown = component_at(inside, work.seed)
    if not grown.any() or not touches_faces(grown):
        return grown
    radius = open_radius(grown, work.spacing)
    opened = opening(grown, radius, work.spacing)
    kept = component_at(opened, work.seed)
    # a lesion thinner than the ball at the click: keep it unopened
    return kept if kept.any() else grown


def plateau(values: NDArray[np.float32], noise: float) -> float:
    """Return the most common level of ``values``: their histogram's peak.

    Bins of one noise sd; then the median of the values within two sd of it.
    """
    low, high = float(values.min()), float(values.max())
    bins = max(1, min(1000, math.ceil((high - low) / noise)))
    counts, edges = np.histogram(values, bins=bins)
    peak = int(np.argmax(counts))
    centre = (edges[peak] + edges[peak + 1]) / 2.0
    near = values[np.abs(values - centre) <= 2.0 * noise]
    return float(np.median(near)) if len(near) else float(centre)


def _extent_mm(mask: NDArray[np.bool_], axis: int, step: float) -> float:
    other = tuple(a for a in range(mask.ndim) if a != axis)
    hit = np.flatnonzero(mask.any(axis=other))
    return float(hit[-1] - hit[0] + 1) * step


def _reach_mm(
    core: NDArray[np.bool_], seed: Index, spacing: Sequence[float]
) -> list[tuple[float, float]]:
    """Per axis: how far the core reaches below and above the seed (mm)."""
    reach = []
    for axis in range(3):
        other = tuple(a for a in range(3) if a != axis)
        hit = np.flatnonzero(core.any(axis=other))
        step = spacing[axis]
        reach.append(((seed[axis] - hit[0]) * step, (hit[-1] - seed[axis]) * step))
    return reach


def _probe(
    grid: Grid, seed: Index, flat_axis: int, max_mm: float
) -> list[tuple[float, float]]:
    """Grow the click's class on one plane through it; its reach per axis (mm)."""
    reach = [0.0 if axis == flat_axis else max_mm for axis in range(3)]
    plane = grid.box(seed, reach, reach)
    work = prepare(grid, plane, seed, planar=flat_axis == 0)
    core = class_component(work, work.seed_level(), work.width)
    return _reach_mm(core, work.seed, work.spacing)


def size_box(grid: Grid, seed: Index, point_mm: Sequence[float], max_mm: float) -> Box:
    """Size the 3-D box from the click's class grown on two planes through it.

    The acquired (axial) plane gives the reach across rows and columns, the
    plane across the slices (through the click's column) the reach along them;
    around that, room for other parts of the lesion and for its shell.
    """
    axial = _probe(grid, seed, 0, max_mm)
    across = _probe(grid, seed, 2, max_mm)
    reach = [across[0], axial[1], axial[2]]
    extent = max(low + high for low, high in reach)
    room = min(
        max(ROOM_SHARE * extent, PART_ROOM_MM[0]),
        max(max_mm - extent, 0.0),
        PART_ROOM_MM[1],
    )
    limit = max_mm + MARGIN_MM
    return grid.box(
        seed,
        [min(low + room + MARGIN_MM, limit) for low, _ in reach],
        [min(high + room + MARGIN_MM, limit) for _, high in reach],
    )


def _distances(
    box: Box, seed: Index, spacing: Sequence[float]
) -> tuple[list[float], list[float]]:
    below = [(seed[a] - box.lo[a]) * spacing[a] for a in range(3)]
    above = [(box.hi[a] - 1 - seed[a]) * spacing[a] for a in range(3)]
    return below, above


def grown_box(
    grid: Grid, box: Box, seed: Index, faces: list[tuple[int, int]], max_mm: float
) -> Box | None:
    """Return the box moved out on the faces reached (None: it cannot grow)."""
    below, above = _distances(box, seed, grid.spacing)
    limit = max_mm + MARGIN_MM
    grew = False
    for axis, side in faces:
        sides = above if side else below
        at_edge = box.hi[axis] == grid.shape[axis] if side else box.lo[axis] == 0
        if at_edge or sides[axis] >= limit - grid.spacing[axis]:
            continue
        sides[axis] = min(sides[axis] * GROW_FACTOR + MARGIN_MM, limit)
        grew = True
    return grid.box(seed, below, above) if grew else None


def _leak_error(point_mm: Sequence[float], max_mm: float) -> MeasureError:
    return MeasureError(
        point_mm,
        f"the tissue at the click reaches more than {max_mm:g} mm from it or "
        "the edge of the images (parenchyma, a vessel or an organ, or a lesion "
        "that cannot be told from its surroundings); click inside a lesion, or "
        "measure by hand",
    )


def grow_core(
    grid: Grid,
    seed: Index,
    point_mm: Sequence[float],
    max_mm: float,
    box: Box | None = None,
) -> Core:
    """Grow the click's class in 3-D; the box grows until it holds the core."""
    box = size_box(grid, seed, point_mm, max_mm) if box is None else box
    for _ in range(ATTEMPTS):
        work = prepare(grid, box, seed)
        level, width = work.seed_level(), work.width
        mask = class_component(work, level, width)
        faces = touches_faces(mask)
        if not faces:
            break
        grown = grown_box(grid, box, seed, faces, max_mm)
        if grown is None:
            raise _leak_error(point_mm, max_mm)
        box = grown
    else:
        raise _leak_error(point_mm, max_mm)
    # the class's own level (its plateau): the click's neighbourhood is a few
    # noisy voxels, and the class also holds the near half of its blurred edge
    level = plateau(work.smooth[mask], max(work.noise, 0.05 * width))
    return Core(work, mask, level, width, open_radius(mask, work.spacing))


def check_size(core: Core, point_mm: Sequence[float]) -> None:
    """Refuse a core smaller than `MIN_DIAMETER_MM` in every direction."""
    spacing = core.work.spacing
    extents = [_extent_mm(core.mask, a, spacing[a]) for a in (1, 2)]
    if max(extents) < MIN_DIAMETER_MM:
        raise MeasureError(
            point_mm,
            f"the region at the click is smaller than {MIN_DIAMETER_MM:g} mm "
            "(noise or a speck, not a lesion); click inside the lesion",
        )
