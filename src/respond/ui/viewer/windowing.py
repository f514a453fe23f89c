"""Display windows: the named presets and the window -> image levels mapping."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping

    from respond.dicom import Volume

__all__ = [
    "MIN_WINDOW_WIDTH",
    "WINDOW_PRESETS",
    "WindowPreset",
    "default_window",
    "dragged_window",
    "format_window",
    "window_levels",
]

MIN_WINDOW_WIDTH: Final = 1.0
# A right drag changes the window by this fraction of its width per screen pixel,
# so narrow windows get fine control and wide ones move quickly.
_DRAG_FRACTION_PER_PX: Final = 1.0 / 200.0


@dataclass(frozen=True, slots=True)
class WindowPreset:
    """A named display window in modality units (HU for CT).

    Attributes
    ----------
    name : str
        Key for `SliceView.apply_preset`.
    label : str
        Text for menus and buttons.
    center, width : float
        Window centre (level) and width.
    """

    name: str
    label: str
    center: float
    width: float


WINDOW_PRESETS: Final[Mapping[str, WindowPreset]] = MappingProxyType(
    {
        preset.name: preset
        for preset in (
            WindowPreset("abdomen", "Abdomen", 40.0, 400.0),
            WindowPreset("liver", "Liver", 60.0, 160.0),
            # Arterial phase: enhancing liver near 80-100 HU, hypervascular HCC
            # brighter still; -25..225 HU keeps both apart below saturated vessels.
            WindowPreset("arterial_liver", "Arterial liver", 100.0, 250.0),
            WindowPreset("lung", "Lung", -600.0, 1500.0),
            WindowPreset("bone", "Bone", 400.0, 1800.0),
        )
    }
)


def window_levels(
    center: float, width: float, slope: float = 1.0, intercept: float = 0.0
) -> tuple[float, float]:
    """Return the stored-value levels ``(low, high)`` that show a window.

    Parameters
    ----------
    center, width : float
        The window in modality units.
    slope, intercept : float
        The slice's rescale (stored * slope + intercept = modality value).

    Returns
    -------
    tuple of float
        Levels for ``ImageItem.setLevels`` on the stored values.
    """
    low, high = center - width / 2.0, center + width / 2.0
    return (low - intercept) / slope, (high - intercept) / slope


def default_window(volume: Volume) -> tuple[float, float]:
    """Return the first window of a volume ``(center, width)``.

    CT opens in the abdomen preset; other modalities on the 1st-99th percentile
    of the middle slice (computed once, when the volume is first shown).
    """
    if volume.modality == "CT":
        preset = WINDOW_PRESETS["abdomen"]
        return preset.center, preset.width
    values = np.asarray(volume.slice_values(volume.shape[0] // 2))
    low, high = (float(v) for v in np.percentile(values, (1.0, 99.0)))
    return (low + high) / 2.0, max(MIN_WINDOW_WIDTH, high - low)


def dragged_window(
    start: tuple[float, float], dx_px: float, dy_px: float
) -> tuple[float, float]:
    """Return the window ``(center, width)`` after a right drag.

    Parameters
    ----------
    start : tuple of float
        ``(center, width)`` when the drag began.
    dx_px, dy_px : float
        Mouse travel since the press, screen pixels: right widens the window,
        down raises the level (the image darkens).

    Returns
    -------
    tuple of float
        The new ``(center, width)``; the width never goes below 1.
    """
    center, width = start
    step = max(width, 10.0) * _DRAG_FRACTION_PER_PX
    return center + dy_px * step, max(MIN_WINDOW_WIDTH, width + dx_px * step)


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def format_window(center: float, width: float) -> str:
    """Return the overlay text of a window, e.g. ``"W 400 L 40"``."""
    return f"W {_number(width)} L {_number(center)}"
