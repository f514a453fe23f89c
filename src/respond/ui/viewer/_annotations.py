"""Texts of the screen overlay: orientation letters, scale bar, slice, cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    from respond.dicom import Volume
    from respond.ui.viewer.cursor import CursorInfo

# LPS axes: the letter for the negative, then the positive direction.
_AXIS_LETTERS: Final = (("R", "L"), ("A", "P"), ("I", "S"))
# A secondary component counts (oblique planes, "LP") above sin(14.5 degrees).
_OBLIQUE_COMPONENT: Final = 0.25
SCALE_BAR_LENGTHS_MM: Final = (1, 2, 5, 10, 20, 50, 100, 200, 500)


def direction_letters(vector: npt.ArrayLike) -> str:
    """Return the patient letters a direction points to, strongest first."""
    v = np.asarray(vector, dtype=np.float64).reshape(3)
    letters: list[str] = []
    for axis in np.argsort(-np.abs(v), kind="stable"):
        component = float(v[axis])
        if letters and abs(component) < _OBLIQUE_COMPONENT:
            break
        letters.append(_AXIS_LETTERS[axis][component > 0])
    return "".join(letters)


def edge_letters(
    row_direction: npt.ArrayLike, column_direction: npt.ArrayLike
) -> dict[str, str]:
    """Return the letters of the four image edges from the direction cosines.

    The row direction points to the right edge (column index grows), the column
    direction to the bottom edge (row index grows).
    """
    row = np.asarray(row_direction, dtype=np.float64)
    column = np.asarray(column_direction, dtype=np.float64)
    return {
        "left": direction_letters(-row),
        "right": direction_letters(row),
        "top": direction_letters(-column),
        "bottom": direction_letters(column),
    }


def scale_bar_mm(mm_per_px: float, max_px: float) -> tuple[int, float]:
    """Return the longest round length (mm) that fits ``max_px``, and its pixels."""
    fitting = [mm for mm in SCALE_BAR_LENGTHS_MM if mm / mm_per_px <= max_px]
    length_mm = fitting[-1] if fitting else SCALE_BAR_LENGTHS_MM[0]
    return length_mm, length_mm / mm_per_px


def slice_text(volume: Volume, k: int) -> str:
    """Return e.g. ``"11/20 · z = -250.0 mm · 2.5 mm"`` for slice ``k``."""
    parts = [f"{k + 1}/{volume.shape[0]}"]
    geometry = volume.geometry
    if geometry is not None:
        normal = geometry.analysis.normal
        axis = int(np.argmax(np.abs(normal)))
        along_mm = float(geometry.analysis.offsets_mm[k]) * np.sign(normal[axis])
        parts.append(f"{'xyz'[axis]} = {along_mm:.1f} mm")
    thickness = volume.frames[k].slice_thickness if k < len(volume.frames) else None
    if thickness is not None:
        parts.append(f"{thickness:g} mm")
    return " · ".join(parts)


def cursor_text(info: CursorInfo | None, modality: str) -> str:
    """Return the value and patient position under the cursor, two lines."""
    if info is None:
        return ""
    value = f"{info.value:.0f} HU" if modality == "CT" else f"value {info.value:g}"
    lines = [f"{value}  [{info.i}, {info.j}]"]
    if info.position_mm is not None:
        x, y, z = info.position_mm
        lines.append(f"x {x:.1f}  y {y:.1f}  z {z:.1f} mm")
    return "\n".join(lines)
