"""The measured volume's grid: spacing, slice thickness, boxes and the seed voxel.

Segmentation works in voxel index space ``(k, i, j)`` with the volume's own
spacing (slice gap along the normal, row and column spacing); lines are turned
into patient points by the volume's geometry (:class:`VolumeGeometry`), so
tilted and unevenly spaced stacks are measured exactly within a slice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from respond.dicom.errors import GeometryError
from respond.dicom.geometry import VolumeGeometry
from respond.dicom.volume import Volume
from respond.measure.errors import MeasureError
from respond.measure.model import Index

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass(frozen=True, slots=True)
class Box:
    """A block of the volume: ``[lo, hi)`` per axis ``(k, i, j)``."""

    lo: Index
    hi: Index

    @property
    def shape(self) -> Index:
        return (
            self.hi[0] - self.lo[0],
            self.hi[1] - self.lo[1],
            self.hi[2] - self.lo[2],
        )

    @property
    def slices(self) -> tuple[slice, slice, slice]:
        return tuple(slice(a, b) for a, b in zip(self.lo, self.hi, strict=True))  # type: ignore[return-value]

    def local(self, index: Index) -> Index:
        return (
            index[0] - self.lo[0],
            index[1] - self.lo[1],
            index[2] - self.lo[2],
        )


@dataclass(frozen=True, slots=True)
class Grid:
    """The measured volume with the facts segmentation needs."""

    volume: Volume
    geometry: VolumeGeometry
    spacing: tuple[float, float, float]
    """mm per step of ``(k, i, j)``: median slice gap, row and column spacing."""
    thickness_mm: NDArray[np.float64]
    """Per slice: the mean of its gaps to its neighbours, along the normal."""
    is_ct: bool

    @classmethod
    def of(cls, volume: Volume, point_mm: Sequence[float]) -> Grid:
        """Describe ``volume``; raise MeasureError when it cannot be measured on."""
        geometry = volume.geometry
        if geometry is None:
            raise MeasureError(
                point_mm,
                "this series has no image position/orientation, so nothing can be "
                "measured in mm on it",
                lesion=False,
            )
        gaps = np.asarray(geometry.analysis.gaps_mm, dtype=np.float64)
        if len(gaps) == 0 or geometry.analysis.spacing_mm is None:
            raise MeasureError(
                point_mm,
                "the series has one slice: click-to-measure needs a volume; "
                "measure by hand",
                lesion=False,
            )
        row_mm, column_mm = (float(v) for v in geometry.pixel_spacing_mm)
        padded = np.concatenate(([gaps[0]], gaps, [gaps[-1]]))
        thickness = (padded[:-1] + padded[1:]) / 2.0
        spacing = (float(geometry.analysis.spacing_mm), row_mm, column_mm)
        return cls(volume, geometry, spacing, thickness, volume.modality == "CT")

    @property
    def shape(self) -> Index:
        return self.volume.shape

    def seed(self, point_mm: Sequence[float]) -> Index:
        """Return the voxel holding ``point_mm``; MeasureError when outside."""
        try:
            fractional = self.geometry.patient_to_index(np.asarray(point_mm, float))
        except GeometryError as exc:  # pragma: no cover - one slice is refused above
            raise MeasureError(point_mm, str(exc), lesion=False) from exc
        index = tuple(math.floor(v + 0.5) for v in fractional)
        names = ("slice", "row", "column")
        for name, value, size in zip(names, fractional, self.shape, strict=True):
            if not -0.5 <= value < size - 0.5:
                raise MeasureError(
                    point_mm,
                    f"the point is outside the volume ({name} {value:.1f} of "
                    f"0-{size - 1}); click on an image of this series",
                    lesion=False,
                )
        return index

    def box(
        self, seed: Index, below_mm: Sequence[float], above_mm: Sequence[float]
    ) -> Box:
        """Return the box reaching ``below_mm``/``above_mm`` from ``seed`` per axis."""
        lo, hi = [], []
        for axis in range(3):
            step = self.spacing[axis]
            down = math.ceil(below_mm[axis] / step)
            up = math.ceil(above_mm[axis] / step)
            lo.append(max(0, seed[axis] - down))
            hi.append(min(self.shape[axis], seed[axis] + up + 1))
        return Box((lo[0], lo[1], lo[2]), (hi[0], hi[1], hi[2]))

    def values(self, box: Box) -> NDArray[np.float32]:
        """Return the box's modality values (HU for CT), float32."""
        volume = self.volume
        block = volume.voxels[box.slices]
        values = np.asarray(block, dtype=np.float32)
        if not volume.is_rescaled:
            ks = slice(box.lo[0], box.hi[0])
            slopes = volume.slopes[ks].astype(np.float32)[:, None, None]
            intercepts = volume.intercepts[ks].astype(np.float32)[:, None, None]
            values = values * slopes + intercepts
        return np.ascontiguousarray(values)

    def to_patient(self, k: int, i: float, j: float) -> tuple[float, float, float]:
        """Map an in-slice point (fractional row, column) to patient mm."""
        x, y, z = (float(v) for v in self.geometry.index_to_patient(k, i, j))
        return (x, y, z)

    def volume_ml(self, box: Box, mask: NDArray[np.bool_]) -> float:
        """Return the volume of ``mask`` (in ``box``), mL."""
        per_slice = mask.reshape(mask.shape[0], -1).sum(axis=1)
        thickness = self.thickness_mm[box.lo[0] : box.hi[0]]
        area = self.spacing[1] * self.spacing[2]
        return float(np.sum(per_slice * thickness) * area / 1000.0)
