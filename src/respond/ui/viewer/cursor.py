"""What the mouse points at: one voxel, its value and its patient position."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from respond.dicom import Volume

__all__ = ["CursorInfo", "cursor_info"]


@dataclass(frozen=True, slots=True)
class CursorInfo:
    """The voxel under the mouse in a `SliceView`.

    Attributes
    ----------
    k, i, j : int
        Slice, row and column index of the voxel.
    value : float
        Modality value (HU for CT), as `Volume.value_at` gives it.
    position_mm : tuple of float or None
        Patient position ``(x, y, z)`` (LPS, mm) of the voxel centre; None when
        the volume has no geometry.
    """

    k: int
    i: int
    j: int
    value: float
    position_mm: tuple[float, float, float] | None


def cursor_info(volume: Volume, k: int, row: float, column: float) -> CursorInfo | None:
    """Return the voxel of slice ``k`` nearest a view point, None off the image.

    Parameters
    ----------
    volume : Volume
        The volume shown.
    k : int
        The slice shown.
    row, column : float
        View coordinates (pixel centres are whole numbers).

    Returns
    -------
    CursorInfo or None
        The voxel, its value and its patient position.
    """
    i, j = round(row), round(column)
    _, rows, columns = volume.shape
    if not (0 <= i < rows and 0 <= j < columns):
        return None
    position = None
    if volume.geometry is not None:
        x, y, z = (float(v) for v in volume.geometry.index_to_patient(k, i, j))
        position = (x, y, z)
    return CursorInfo(k, i, j, volume.value_at(k, i, j), position)
