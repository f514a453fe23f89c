"""Keep a short axis perpendicular to its long axis in patient space (mm).

With non-square pixels, perpendicular in pixels is not perpendicular in the
patient, so the geometry is done on patient points: the index <-> patient
mapping of the volume's geometry is applied at both ends of every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from respond.ui.viewer.calipers import IndexPoint

if TYPE_CHECKING:
    from respond.dicom.geometry import VolumeGeometry
    from respond.dicom.stack_geometry import FloatArray

Segment = tuple[IndexPoint, IndexPoint]


@dataclass(frozen=True, slots=True)
class Relation:
    """Where a short axis sits on its long axis: fraction along, offsets (mm)."""

    along: float
    start_offset_mm: float
    end_offset_mm: float


class SlicePlane:
    """Patient coordinates of points on one slice (pixels if no geometry)."""

    def __init__(self, geometry: VolumeGeometry | None, k: int) -> None:
        self._geometry = geometry
        self._k = k
        if geometry is None:
            self.normal: FloatArray = np.array([0.0, 0.0, 1.0])
        else:
            self.normal = np.asarray(geometry.analysis.normal, dtype=np.float64)

    def to_patient(self, point: IndexPoint) -> FloatArray:
        _, i, j = point
        if self._geometry is None:
            return np.array([j, i, 0.0])
        return self._geometry.index_to_patient(self._k, i, j)

    def to_index(self, point_mm: FloatArray) -> IndexPoint:
        if self._geometry is None:
            return (float(self._k), float(point_mm[1]), float(point_mm[0]))
        _, i, j = self._geometry.patient_to_index(point_mm)
        return (float(self._k), float(i), float(j))

    def axes(self, long_axis: Segment) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Return the long axis' start, and its length vector and in-plane normal."""
        start, end = (self.to_patient(p) for p in long_axis)
        along = end - start
        across = np.cross(self.normal, along)
        norm = float(np.linalg.norm(across))
        return start, along, across / norm if norm > 0 else across


def relation_of(plane: SlicePlane, long_axis: Segment, short_axis: Segment) -> Relation:
    """Return the short axis' place relative to the long axis."""
    origin, along, across = plane.axes(long_axis)
    length_sq = float(along @ along)
    start, end = (plane.to_patient(p) for p in short_axis)
    middle = (start + end) / 2.0
    fraction = float((middle - origin) @ along) / length_sq if length_sq else 0.0
    return Relation(
        fraction, float((start - origin) @ across), float((end - origin) @ across)
    )


def place_short_axis(
    plane: SlicePlane, long_axis: Segment, relation: Relation
) -> Segment:
    """Return the short axis re-oriented across a moved long axis.

    Its length and its crossing point (as a fraction along the long axis) stay.
    """
    origin, along, across = plane.axes(long_axis)
    crossing = origin + relation.along * along
    return (
        plane.to_index(crossing + relation.start_offset_mm * across),
        plane.to_index(crossing + relation.end_offset_mm * across),
    )


def project_short_axis(
    plane: SlicePlane, long_axis: Segment, short_axis: Segment, anchor: int
) -> Segment:
    """Return the short axis turned perpendicular about its end ``anchor``.

    The other end is projected on the long axis' normal through the anchor: the
    direction follows the long axis, the length is what the drag left across it.
    """
    _, _, across = plane.axes(long_axis)
    ends = [plane.to_patient(p) for p in short_axis]
    fixed = ends[anchor]
    moved = fixed + float((ends[1 - anchor] - fixed) @ across) * across
    points = (fixed, moved) if anchor == 0 else (moved, fixed)
    return plane.to_index(points[0]), plane.to_index(points[1])
