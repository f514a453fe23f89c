"""From the core to the whole lesion: its other parts, its background, its edge.

A lesion can hold several tissue classes (an enhancing rim around necrosis, a
viable nodule beside necrosis). Around the lesion found so far, a *shell*
(``SHELL_MM`` outside it) is sampled:

- when much of the shell (``DOMINANT_SHARE``) is one class whose region is
  **bounded** (it reaches no face of the box), that region is part of the
  lesion (a rim, or the larger part beside the one clicked), unless its level
  lies between the lesion's and the level around it (then it is the lesion's
  blurred edge); the search goes on around the larger lesion;
- otherwise the shell's class is the **background** (parenchyma), and a
  bounded class on the other side of it touching the lesion over
  ``CONTACT_SHARE`` of its surface (and making up ``MINORITY_SHARE`` of the
  shell) is added too.

A part cut by the box makes it grow (`RegrowError`). Holes are filled
(necrosis enclosed by tumour is tumour for RECIST). Then the edge is
**refined**: within ``BAND_MM`` of the boundary, a voxel belongs to the lesion
when its smoothed value lies beyond half-way from the background to the
nearest lesion class on its side (the half-way level is where a blurred edge
really is). The background there is the local one (fat beyond one end of a
node, soft tissue along its side), and the image is smoothed no more than
keeps the lesion's sharpest ends in place; the result is opened once more to
cut what touches the lesion from outside (vessels), and its holes are filled
slice by slice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from respond.measure._image import (
    closing,
    components,
    crop,
    distance_near,
    fill_holes,
    local_mean,
    opening,
    robust_level,
    smooth,
    smooth_mask,
    touches_faces,
    touching,
)
from respond.measure._outline import DEPTH_MM
from respond.measure._work import Work
from respond.measure.errors import MeasureError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.measure._segment import Core

SHELL_MM: Final = (2.0, 4.5)
DOMINANT_SHARE: Final = 0.35  # of the shell: a part that surrounds the lesion
MINORITY_SHARE: Final = 0.03  # of the shell: a smaller part beside it
CONTACT_SHARE: Final = 0.2  # of a smaller part's surface touching the lesion
PART_MAX: Final = 50.0  # a part at most this many times the lesion's volume
REGROW_FACES: Final = 2  # a region reaching at most this many faces of the box...
REGROW_SHARE: Final = 0.5  # ... and under this share of it is a part of the lesion
# cut by the box (the box grows); otherwise it is the background
ROUNDS: Final = 3
BAND_MM: Final = 2.0
CLOSE_MM: Final = 2.0  # closes the seam between two parts of a lesion
CONTACT_MM: Final = 3.0  # a part this close to the lesion touches it (across the seam)
PART_OPEN_MM: Final = 0.75  # parts (rims) can be thin: only specks are opened off
LOCAL_MM: Final = 1.5  # reach (Gaussian sd) of the local background's average
LOCAL_REACH_MM: Final = BAND_MM + DEPTH_MM + 1.0  # where the edge looks past it
LOCAL_WEIGHT: Final = 0.02  # less shell weight than this near a voxel: no local level
TIP_SHIFT: Final = 0.25  # of a pixel: the most the edge blur may pull a lesion's end in
LIGHT_MM2: Final = 0.25  # the least blur variance an edge is read with
CNR_SMOOTHER: Final = (30.0, 20.0, 12.0, 6.0)  # contrast/noise under each: a pass more


@dataclass(frozen=True, slots=True)
class Lesion:
    """The lesion's 3-D mask (holes filled) in its box, and its levels."""

    work: Work
    mask: NDArray[np.bool_]
    background: float
    levels: tuple[float, ...]
    edge: NDArray[np.float32]
    """Per voxel, how far beyond the half-way level toward the lesion its
    (smoothed) value is: > 0 lesion side, < 0 background side; it places the
    mask's boundary between voxels (sub-voxel edge)."""
    is_noisy: bool = False
    """Whether the edge is noisy for its contrast (contrast/noise under
    ``CNR_SMOOTHER[0]``): its points are then fitted to the lesion's surface."""


class RegrowError(Exception):
    """A part of the lesion reaches the box's faces: grow the box and start again."""

    def __init__(self, faces: list[tuple[int, int]]) -> None:
        super().__init__(f"a part of the lesion reaches the box's faces {faces}")
        self.faces = faces


@dataclass(slots=True)
class _State:
    work: Work
    mask: NDArray[np.bool_]
    levels: list[float]
    distance: NDArray[np.float32]
    shell: NDArray[np.bool_]
    may_regrow: bool

    @classmethod
    def start(
        cls, work: Work, mask: NDArray[np.bool_], level: float, may_regrow: bool
    ) -> _State:
        unset = np.zeros(mask.shape, np.float32)  # set by add
        state = cls(work, mask, [level], unset, mask, may_regrow)
        state.add(mask, None)
        return state

    def add(self, part: NDArray[np.bool_], level: float | None) -> None:
        union = self.mask | part
        if level is not None:  # bridge the blurred seam between the parts
            self.levels.append(level)
            union = closing(union, CLOSE_MM, self.work.spacing)
        self.mask = fill_holes(union)
        reach = max(SHELL_MM[1], BAND_MM, CONTACT_MM) + 1.0
        self.distance = distance_near(self.mask, self.work.spacing, reach)
        low, high = SHELL_MM
        self.shell = (self.distance > low) & (self.distance <= high)


def _surface(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Voxels of ``mask`` with a face neighbour outside it (or on the box edge)."""
    inner = mask.copy()
    for axis in range(3):
        if mask.shape[axis] < 2:
            continue
        lower = [slice(None)] * 3
        upper = [slice(None)] * 3
        lower[axis], upper[axis] = slice(None, -1), slice(1, None)
        inner[tuple(lower)] &= mask[tuple(upper)]
        inner[tuple(upper)] &= mask[tuple(lower)]
    result: NDArray[np.bool_] = mask & ~inner
    return result


def _contact(part: NDArray[np.bool_], state: _State) -> float:
    surface = _surface(part)
    reach = max(
        CONTACT_MM, 1.01 * math.hypot(state.work.spacing[1], state.work.spacing[2])
    )
    near = surface & (state.distance <= reach)
    return float(near.sum()) / max(float(surface.sum()), 1.0)


def _region(
    state: _State, inside: NDArray[np.bool_], through: NDArray[np.bool_], open_mm: float
) -> NDArray[np.bool_] | None:
    """Return the bounded region of ``inside`` meeting ``through``, opened."""
    inside &= ~state.mask
    region = touching(components(inside), through & inside)
    if not region.any():
        return None
    faces = touches_faces(region)
    if faces:
        cut = len(faces) <= REGROW_FACES and region.sum() < REGROW_SHARE * region.size
        if state.may_regrow and cut:
            raise RegrowError(faces)  # a part cut by the box, not the background
        return None
    if region.sum() > PART_MAX * state.mask.sum():
        return None
    opened = opening(region, open_mm, state.work.spacing)
    region = touching(components(opened), through & opened)
    if not region.any() or touches_faces(region):
        return None
    return region


def _mode(values: NDArray[np.float32], width: float) -> float:
    """Return the most common level: histogram peak, then the median near it."""
    bins = max(1, math.ceil((float(values.max()) - float(values.min())) / (width / 2)))
    counts, edges = np.histogram(values, bins=bins)
    peak = int(np.argmax(counts))
    centre = (edges[peak] + edges[peak + 1]) / 2.0
    near = values[np.abs(values - centre) <= width]
    return float(np.median(near)) if len(near) else float(centre)


def _dominant(state: _State, core: Core) -> bool:
    """Add the shell's main class when it is bounded and surrounds the lesion.

    Not when its level lies between the lesion's and the level around it: that
    is the blurred edge between the lesion and its surroundings.
    """
    smooth, width = state.work.smooth, core.width
    level = _mode(smooth[state.shell], width)
    if any(abs(level - known) <= width for known in state.levels):
        return False
    inside = np.abs(smooth - level) <= width
    part = _region(state, inside, state.shell, PART_OPEN_MM)
    if part is None or (part & state.shell).sum() < DOMINANT_SHARE * state.shell.sum():
        return False
    # hysteresis: the part's blurred flanks (within twice the width) join it
    wide = (np.abs(smooth - level) <= 2 * width) & ~state.mask
    grown = touching(components(wide), part)
    if not touches_faces(grown):
        part = grown
    before = (state.mask, list(state.levels), state.distance, state.shell)
    state.add(part, level)
    outer = float(np.median(smooth[state.shell]))
    if any(min(v, outer) < level < max(v, outer) for v in before[1]):
        state.mask, state.levels, state.distance, state.shell = before
        return False
    return True


def _side_part(
    state: _State, core: Core, background: float, sign: float
) -> tuple[NDArray[np.bool_], float] | None:
    """Find a bounded class touching the lesion on one side of the background.

    Not on a side that already holds lesion tissue: between that and the
    background lies the lesion's blurred edge, not another part.
    """
    smooth, width = state.work.smooth, core.width
    if any(sign * (v - background) > width for v in state.levels):
        return None
    shell_values = smooth[state.shell]
    beyond = sign * (shell_values - background) > width
    if beyond.sum() < MINORITY_SHARE * len(shell_values):
        return None
    level = float(np.median(shell_values[beyond]))
    offset = sign * (smooth - background)
    reach = max(width, abs(level - background))
    inside = (offset > width) & (offset <= abs(level - background) + reach)
    part = _region(state, inside, state.shell & inside, PART_OPEN_MM)
    if part is None or _contact(part, state) < CONTACT_SHARE:
        return None
    return part, level


def _minorities(state: _State, core: Core, background: float) -> bool:
    """Add bounded classes beside the lesion, above and below the background."""
    added = False
    for sign in (-1.0, 1.0):
        found = _side_part(state, core, background, sign)
        if found is not None:
            state.add(*found)
            added = True
    return added


def _background(state: _State, core: Core) -> float:
    """Grow the lesion by its parts; return the background's level."""
    for _ in range(ROUNDS):
        if _dominant(state, core):
            continue
        background, _ = robust_level(state.work.smooth[state.shell])
        if not _minorities(state, core, background):
            return background
    background, _ = robust_level(state.work.smooth[state.shell])
    return background


def _contrast_noise(state: _State, background: float) -> float:
    """Return the lesion's smallest contrast to the background over the noise sd."""
    contrast = min(abs(v - background) for v in state.levels)
    noise = state.work.noise
    return contrast / noise if noise > 0 else math.inf


def _tip_radius_mm(mask: NDArray[np.bool_], spacing: Sequence[float]) -> float:
    """Return the radius of curvature at the ends of the lesion's widest slice.

    The slice's mask is taken as the ellipse of its second moments (semi-axes
    ``a >= b``); the curvature at the ends of its long axis is ``a / b**2``.
    """
    areas = mask.sum(axis=(1, 2))
    k = int(np.argmax(areas))
    if areas[k] < 3:
        return math.inf
    i, j = np.nonzero(mask[k])
    points = np.column_stack((i * spacing[1], j * spacing[2]))
    variance = np.linalg.eigvalsh(np.cov(points, rowvar=False))
    b, a = (2.0 * math.sqrt(max(float(v), 1e-12)) for v in variance)
    return b * b / a


def _edge_image(state: _State, ratio: float) -> NDArray[np.float32]:
    """Return the image the edge is read on: smoothed for the noise, not past the ends.

    Blur of variance ``v`` moves an edge curved with radius ``R`` inward by
    about ``v / (2 R)``; at the ends of the lesion's widest slice that may
    not pass `TIP_SHIFT` of a pixel, which bounds ``v``. Where the contrast is
    low for the noise, each pass of `smooth` adds (1 mm)^2 (`CNR_SMOOTHER`),
    within that bound. A lesion whose ends are too sharp even for the one
    pass every block has (a small oval) has its edge read on the values
    smoothed only to the bound (at least `LIGHT_MM2`), within the slices when
    they are thick, like `smooth`.
    """
    work = state.work
    radius = _tip_radius_mm(state.mask, work.spacing)
    bound = 2.0 * radius * TIP_SHIFT * min(work.spacing[1:])  # mm^2
    passes = min(
        sum(ratio < limit for limit in CNR_SMOOTHER), max(0, math.floor(bound - 1.0))
    )
    if passes == 0 and bound >= 1.0:
        return work.smooth
    image = work.smooth.copy()
    window = crop(np.abs(state.distance) <= BAND_MM + 3.0, [3, 3, 3])
    if passes:
        for _ in range(passes):
            image[window] = smooth(image[window], work.spacing)
        return image
    image[window] = smooth(work.values[window], work.spacing, max(bound, LIGHT_MM2))
    return image


def _local_background(
    state: _State, background: float, sign: float, width: float
) -> NDArray[np.float32]:
    """Return the background's level near each voxel, from the shell around it.

    The shell's voxels of the background's class or beyond it, away from the
    lesion (not lesion-like tissue beside it), are averaged with Gaussian
    weights (``LOCAL_MM``) within each slice; where none are near, the
    lesion's one background level holds, and within half a class ``width`` of
    it too. A lesion between fat and soft tissue then has its edge half-way
    to what lies beyond each stretch of it, as a reader sees it.
    """
    smooth, spacing = state.work.smooth, state.work.spacing
    sample = state.shell & (sign * (smooth - background) <= width)
    distance = state.distance
    near = (distance >= -BAND_MM - 1.0) & (distance <= LOCAL_REACH_MM)
    mean = local_mean(
        smooth,
        sample,
        spacing,
        LOCAL_MM,
        near,
        min_weight=LOCAL_WEIGHT,
        fill=background,
    )
    # within half a class width of the one level, it holds (a local mean is
    # biased by the lesion's blurred flank; a different tissue is far beyond)
    shift = mean - np.float32(background)
    shift = np.sign(shift) * np.maximum(np.abs(shift) - np.float32(0.5 * width), 0)
    result = np.full(smooth.shape, background, np.float32)
    result[near] += shift
    return result


def _edge_field(state: _State, core: Core, background: float) -> NDArray[np.float32]:
    """Return how far each value lies inside the lesion's classes, in value units.

    Per side of the background holding lesion tissue: from the half-way level
    (0) toward the lesion, and no farther beyond its farthest level than half
    its contrast (fat beyond a hypodense lesion is not lesion).
    """
    image = _edge_image(state, _contrast_noise(state, background))
    field: NDArray[np.float32] | None = None
    for sign in (-1.0, 1.0):
        contrasts = [sign * (v - background) for v in state.levels]
        contrasts = [c for c in contrasts if c > core.width]
        if not contrasts:
            continue
        near = _local_background(state, background, sign, core.width)
        nearest = background + sign * min(contrasts)  # the lesion level on this side
        half = 0.5 * sign * (nearest - near)  # where a blurred edge really is
        beyond = max(core.width, 0.5 * max(contrasts))
        offset = image - near
        if sign < 0:
            np.negative(offset, out=offset)
        side = offset - half
        np.subtract(
            sign * (background - near) + max(contrasts) + beyond, offset, out=offset
        )
        np.minimum(side, offset, out=side)
        field = side if field is None else np.maximum(field, side, out=field)
    return np.full(image.shape, -np.inf, np.float32) if field is None else field


def _refined(
    state: _State, core: Core, field: NDArray[np.float32]
) -> NDArray[np.bool_]:
    """Move the edge to the half-way level; open; keep what holds the core."""
    spacing = state.work.spacing
    reach = BAND_MM + CLOSE_MM + 2.0
    window = crop(state.mask, [math.ceil(reach / s) + 1 for s in spacing])
    mask, start = state.mask[window], core.mask[window]
    band = np.abs(state.distance[window]) <= BAND_MM
    candidate = (mask & ~band) | (band & (field[window] >= 0))
    if len(state.levels) > 1:  # the seams between parts are not edges
        candidate = fill_holes(closing(fill_holes(candidate), CLOSE_MM, spacing))
    kept = touching(components(candidate), start & candidate)
    opened = opening(kept, core.open_mm, spacing)
    inner = touching(components(opened), start & opened)
    if not inner.any():
        inner = kept if kept.any() else mask
    result = np.zeros_like(state.mask)
    result[window] = _regular(inner, spacing)
    return fill_holes(result, planar=True)


def _regular(mask: NDArray[np.bool_], spacing: Sequence[float]) -> NDArray[np.bool_]:
    """Smooth the mask's outline: blur it like the image, keep what is over half."""
    window = crop(mask, [math.ceil(2.0 / s) + 1 for s in spacing])
    result = np.zeros_like(mask)
    result[window] = smooth_mask(mask[window], spacing)
    return result if result.any() else mask


def find_lesion(
    core: Core, point_mm: Sequence[float], *, may_regrow: bool = True
) -> Lesion:
    """Return the whole lesion grown from ``core``; MeasureError if not distinct.

    Raises
    ------
    RegrowError
        With ``may_regrow``, when a part of the lesion is cut by the box.
    MeasureError
        The click's tissue is like its surroundings.
    """
    state = _State.start(core.work, core.mask, core.level, may_regrow)
    background = _background(state, core)
    if abs(core.level - background) <= core.width:
        unit = core.work.unit
        raise MeasureError(
            point_mm,
            f"the click is on tissue like its surroundings ({core.level:.0f}{unit} "
            f"there, {background:.0f}{unit} around it); click inside a lesion",
        )
    field = _edge_field(state, core, background)
    mask = _refined(state, core, field)
    is_noisy = _contrast_noise(state, background) < CNR_SMOOTHER[0]
    return Lesion(core.work, mask, background, tuple(state.levels), field, is_noisy)
