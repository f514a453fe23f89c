"""A loaded image volume and its exact index <-> patient (LPS, mm) mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from respond.dicom.errors import GeometryError
from respond.dicom.geometry import VolumeGeometry
from respond.dicom.model import FrameRef

__all__ = ["Volume"]


@dataclass(frozen=True, slots=True, eq=False)
class Volume:
    """Voxels of one series stack, with the geometry to measure on them.

    Attributes
    ----------
    voxels
        Shape ``(slices, rows, columns)``, indexed ``[k, i, j]``, sorted along the
        slice normal. When ``is_rescaled`` the values are modality values (HU for
        CT; a Modality LUT's values where an image has one) in the smallest
        exact integer type (int16 where it fits); otherwise they are the stored
        values and ``slopes``/``intercepts`` convert them.
    geometry
        Per-slice patient geometry, or ``None`` when the files carry no position
        or orientation (then lengths across slices cannot be measured).
    slopes, intercepts
        Per-slice rescale, shape ``(slices,)`` float64; 1 and 0 for a slice
        whose values come from its Modality LUT (the voxels hold the table's
        values, exactly).
    frames
        The image each slice came from (file, frame, SOP instance).
    unreadable_slices
        Slices that could not be decoded, with the reason; their voxels hold
        the type's lowest value (black, never plausible tissue).
    """

    voxels: NDArray[np.generic]
    geometry: VolumeGeometry | None
    is_rescaled: bool
    slopes: NDArray[np.float64]
    intercepts: NDArray[np.float64]
    frames: tuple[FrameRef, ...]
    series_key: str = ""
    modality: str = ""
    unreadable_slices: Mapping[int, str] = field(default_factory=dict)

    @property
    def series_uid(self) -> str:
        """The SeriesInstanceUID (the key without a stack suffix)."""
        return self.series_key.split("#", 1)[0]

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(slices, rows, columns)``."""
        k, i, j = self.voxels.shape
        return int(k), int(i), int(j)

    @property
    def nbytes(self) -> int:
        """Bytes held by the voxel array."""
        return int(self.voxels.nbytes)

    def value_at(self, k: int, i: int, j: int) -> float:
        """Return the modality value (HU for CT) of one voxel."""
        stored = float(self.voxels[k, i, j])
        if self.is_rescaled:
            return stored
        return stored * float(self.slopes[k]) + float(self.intercepts[k])

    def slice_values(self, k: int) -> NDArray[np.generic]:
        """Return one slice in modality values (a float64 copy only if needed)."""
        plane: NDArray[np.generic] = self.voxels[k]
        if self.is_rescaled:
            return plane
        values: NDArray[np.float64] = np.asarray(
            plane * self.slopes[k] + self.intercepts[k], np.float64
        )
        return values

    def distance_mm(
        self, a: tuple[float, float, float], b: tuple[float, float, float]
    ) -> float:
        """Return the distance in mm between two voxel indices ``(k, i, j)``.

        Raises
        ------
        GeometryError
            Without geometry, lengths in mm cannot be measured.
        """
        if self.geometry is None:
            raise GeometryError(
                "this series has no image position/orientation: lengths in mm "
                "cannot be measured on it"
            )
        return float(self.geometry.distance_mm(np.asarray(a), np.asarray(b)))
