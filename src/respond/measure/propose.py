"""Click to measure: from a point inside a lesion to its proposed calipers.

See the package docstring (:mod:`respond.measure`) for the method and the
conventions; this module ties the steps together.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import numpy as np

from respond.measure._feret import Chord, long_axis, short_axis, width_bounds
from respond.measure._grid import Grid
from respond.measure._image import components
from respond.measure._parts import RegrowError, find_lesion
from respond.measure._segment import ATTEMPTS, check_size, grow_core, grown_box
from respond.measure._viable import enhancing
from respond.measure.errors import MeasureError
from respond.measure.model import Line, Proposal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from respond.dicom.volume import Volume
    from respond.measure._parts import Lesion
    from respond.measure.model import Index

__all__ = ["propose"]

AIR_HU: Final = -500.0  # below: air (outside the body, lung, bowel gas)
FAT_HU: Final = -40.0  # below: fat
BACKGROUND_SHARE: Final = 0.05  # MR: below this share of the slice's p99
CONTINUES_SHARE: Final = 0.6  # both end slices go on this much beyond: a vessel


def _point(point_mm: Sequence[float]) -> tuple[float, float, float]:
    values = tuple(float(v) for v in point_mm)
    if len(values) != 3 or not all(math.isfinite(v) for v in values):
        raise MeasureError(
            values, "a click is three finite numbers x, y, z (mm)", lesion=False
        )
    return (values[0], values[1], values[2])


def _check_click(grid: Grid, seed: Index, point: Sequence[float]) -> None:
    """Refuse clicks on air, fat (CT) or background (other modalities)."""
    k, i, j = seed
    plane = np.asarray(grid.volume.slice_values(k), dtype=np.float64)
    near = plane[max(0, i - 1) : i + 2, max(0, j - 1) : j + 2]
    level = float(np.median(near))
    if grid.is_ct:
        if level < AIR_HU:
            what = "air (outside the body, lung or bowel gas)"
        elif level < FAT_HU:
            what = "fat"
        else:
            return
        raise MeasureError(
            point, f"the click is on {what} ({level:.0f} HU); click inside the lesion"
        )
    bright = float(np.percentile(plane[::4, ::4], 99.0))
    if bright > 0 and level < BACKGROUND_SHARE * bright:
        raise MeasureError(
            point,
            f"the click is on background (signal {level:.0f}, under "
            f"{BACKGROUND_SHARE:.0%} of the image's bright tissue); click inside "
            "the lesion",
        )


def _neighbours(
    lesion: Lesion, k: int
) -> list[tuple[float, NDArray[np.bool_], NDArray[np.float32]]]:
    """Return the slices next to ``k`` holding the lesion, to fit a noisy edge."""
    if not lesion.is_noisy:
        return []
    step = lesion.work.spacing[0]
    return [
        (dk * step, lesion.mask[k + dk], lesion.edge[k + dk])
        for dk in (-1, 1)
        if 0 <= k + dk < lesion.mask.shape[0] and lesion.mask[k + dk].any()
    ]


def _largest_slice(
    lesion: Lesion, pixel: tuple[float, float], seed_k: int
) -> tuple[int, Chord]:
    """Return the slice where the lesion's diameter is longest, and that diameter.

    Slices are tried by an upper bound of their diameter, so only the few
    that could win are measured; ties go to the slice nearest the click.
    """
    bounds = width_bounds(lesion.mask, pixel)
    best: tuple[int, Chord] | None = None
    for k in sorted(bounds, key=lambda k: (-bounds[k], abs(k - seed_k))):
        if best is not None and bounds[k] < best[1].length_mm:
            break
        chord = long_axis(lesion.mask[k], pixel, lesion.edge[k], _neighbours(lesion, k))
        if chord is None:
            continue
        longer = best is None or chord.length_mm > best[1].length_mm + 1e-9
        tie = best is not None and abs(chord.length_mm - best[1].length_mm) <= 1e-9
        if longer or (tie and abs(k - seed_k) < abs(best[0] - seed_k)):  # type: ignore[index]
            best = (k, chord)
    assert best is not None  # the lesion is never empty
    return best


def _line(grid: Grid, lesion: Lesion, k: int, chord: Chord) -> Line:
    box = lesion.work.box
    ends = [
        grid.to_patient(box.lo[0] + k, box.lo[1] + i, box.lo[2] + j)
        for i, j in (chord.start, chord.end)
    ]
    return Line.between(ends[0], ends[1])


def _largest_part(plane: NDArray[np.bool_]) -> NDArray[np.bool_]:
    labels = components(plane[None])[0]
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    result: NDArray[np.bool_] = labels == int(np.argmax(sizes))
    return result


def _viable(
    grid: Grid, lesion: Lesion, arterial: Volume, k: int
) -> tuple[Line | None, float]:
    enhances, field = enhancing(grid, lesion, arterial)
    fraction = grid.volume_ml(lesion.work.box, enhances) / max(
        grid.volume_ml(lesion.work.box, lesion.mask), 1e-12
    )
    plane = enhances[k]
    if not plane.any():
        return None, fraction
    pixel = (grid.spacing[1], grid.spacing[2])
    chord = long_axis(_largest_part(plane), pixel, field[k])
    return (None if chord is None else _line(grid, lesion, k, chord)), fraction


def continuation(lesion: Lesion) -> tuple[float | None, float | None]:
    """Return how much of the lesion's first and last slices goes on beyond them.

    The share of each end slice's footprint that, on the next slice out, is
    still on the lesion's side of its edge (edge field >= 0); None where that
    slice is outside the block. A lesion ends: beyond its end slices lies its
    background. A vessel cut out of its length (where its brightness drifts
    out of the clicked class) goes on at both ends.
    """
    mask, edge = lesion.mask, lesion.edge
    slices = np.flatnonzero(mask.any(axis=(1, 2)))
    shares: list[float | None] = []
    for end, beyond in ((slices[0], slices[0] - 1), (slices[-1], slices[-1] + 1)):
        if not 0 <= beyond < mask.shape[0]:
            shares.append(None)
            continue
        footprint = mask[end]
        goes_on = footprint & (edge[beyond] >= 0)
        shares.append(float(goes_on.sum()) / float(footprint.sum()))
    return shares[0], shares[1]


def _check_bounded(lesion: Lesion, point: Sequence[float]) -> None:
    """Refuse tissue that goes on above and below the part found (a vessel)."""
    below, above = continuation(lesion)
    if below is None or above is None or min(below, above) < CONTINUES_SHARE:
        return
    raise MeasureError(
        point,
        f"the tissue at the click goes on above and below the part found "
        f"({below:.0%} and {above:.0%} of its end slices): a vessel (or a "
        "tumour thrombus in one, not measurable), not a lesion; click inside "
        "a lesion, or measure by hand",
    )


def _lesion(grid: Grid, seed: Index, point: Sequence[float], max_mm: float) -> Lesion:
    """Grow the core, then the lesion; a box that cuts a part of it grows."""
    box = None
    for _ in range(ATTEMPTS):
        core = grow_core(grid, seed, point, max_mm, box)
        check_size(core, point)
        try:
            return find_lesion(core, point)
        except RegrowError as exc:
            box = grown_box(grid, core.work.box, seed, exc.faces, max_mm)
            if box is None:
                break
    return find_lesion(core, point, may_regrow=False)


def propose(
    volume: Volume,
    point_mm: Sequence[float],
    *,
    arterial: Volume | None = None,
    max_diameter_mm: float = 100.0,
) -> Proposal:
    """Segment the lesion at a click and propose its calipers.

    Parameters
    ----------
    volume
        The loaded series (CT or MR) to measure on.
    point_mm
        The click, a point inside the lesion (patient LPS, mm).
    arterial
        An arterial-phase volume of the same study (the measured ``volume``
        itself when it is arterial): gives ``viable`` and ``enhancing_fraction``.
    max_diameter_mm
        The largest lesion looked for; tissue reaching farther from the click
        is not a lesion.

    Returns
    -------
    Proposal
        Long and short axis on the slice of largest extent, the viable diameter
        (with ``arterial``), the volume and the enhancing fraction.

    Raises
    ------
    MeasureError
        The click is outside the volume, on air, fat or background, nothing
        lesion-like is there, or the tissue goes on above and below the part
        found (a vessel); the message says which and what to do.
    """
    point = _point(point_mm)
    if not (math.isfinite(max_diameter_mm) and max_diameter_mm > 0):
        raise MeasureError(
            point, "max_diameter_mm must be a positive length", lesion=False
        )
    grid = Grid.of(volume, point)
    seed = grid.seed(point)
    _check_click(grid, seed, point)
    lesion = _lesion(grid, seed, point, max_diameter_mm)
    _check_bounded(lesion, point)
    pixel = (grid.spacing[1], grid.spacing[2])
    box = lesion.work.box
    k, chord = _largest_slice(lesion, pixel, lesion.work.seed[0])
    across = short_axis(lesion.mask[k], pixel, chord, lesion.edge[k])
    viable, fraction = (
        (None, None) if arterial is None else _viable(grid, lesion, arterial, k)
    )
    return Proposal(
        long_axis=_line(grid, lesion, k, chord),
        short_axis=None if across is None else _line(grid, lesion, k, across),
        viable=viable,
        volume_ml=grid.volume_ml(box, lesion.mask),
        enhancing_fraction=fraction,
        slice_index=box.lo[0] + k,
        seed_index=seed,
        mask_voxels=int(lesion.mask.sum()),
    )
