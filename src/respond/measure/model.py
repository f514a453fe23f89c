"""What a click-to-measure proposes: lines in patient mm, and extra figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from respond.criteria import length_mm

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Index", "Line", "Point", "Proposal"]

Point = tuple[float, float, float]
Index = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class Line:
    """A proposed caliper: two points in patient coordinates (LPS, mm).

    Attributes
    ----------
    start_mm, end_mm
        The end points, on one acquired slice.
    length_mm
        Their distance to 0.1 mm, half up: what a caliper drawn between the same
        points records (:func:`respond.criteria.length_mm`).
    """

    start_mm: Point
    end_mm: Point
    length_mm: Decimal

    @classmethod
    def between(cls, start: Sequence[float], end: Sequence[float]) -> Line:
        """Return the line between two patient points, its length as recorded."""
        a = (float(start[0]), float(start[1]), float(start[2]))
        b = (float(end[0]), float(end[1]), float(end[2]))
        return cls(a, b, length_mm(a, b))


@dataclass(frozen=True, slots=True)
class Proposal:
    """The measurement proposed for one click.

    Attributes
    ----------
    long_axis
        Longest diameter on ``slice_index`` (the acquired slice where the lesion
        is longest).
    short_axis
        Longest diameter perpendicular to it on the same slice (RECIST's short
        axis of nodes); None when the lesion is one voxel wide there.
    viable
        mRECIST: longest diameter of the arterially enhancing part on the same
        slice; None without an arterial volume or when nothing enhances there.
    volume_ml
        Volume of the lesion (necrosis included), mL.
    enhancing_fraction
        Share of the lesion's volume that enhances on the arterial volume, 0-1;
        None without one.
    slice_index
        ``k`` of the slice the lines are on, in the measured volume.
    seed_index
        ``(k, i, j)`` of the voxel clicked.
    mask_voxels
        Voxels of the lesion's 3-D mask.
    """

    long_axis: Line
    short_axis: Line | None
    viable: Line | None
    volume_ml: float
    enhancing_fraction: float | None
    slice_index: int
    seed_index: Index
    mask_voxels: int
