"""The measurement engine's error (see the tree in :mod:`respond.errors`).

::

    RespondError
    └── MeasureError   the click is outside the volume, on air, fat or background,
                       or nothing lesion-like (bounded, distinct) is found there
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from respond.errors import RespondError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["MeasureError", "format_point"]


def format_point(point_mm: Sequence[float]) -> str:
    """Return ``(x, y, z)`` with one decimal, as messages name a click."""
    return "(" + ", ".join(f"{float(v):.1f}" for v in point_mm) + ")"


class MeasureError(RespondError):
    """No proposal can be made for a click; the message says why and what to do.

    Parameters
    ----------
    point_mm
        The click, in patient coordinates (LPS, mm).
    reason
        What is at (or wrong with) the click, and what to do instead.
    lesion
        Whether to phrase it as "no lesion found at ..." (the click was in the
        volume but nothing measurable is there).
    """

    def __init__(
        self, point_mm: Sequence[float], reason: str, *, lesion: bool = True
    ) -> None:
        where = format_point(point_mm)
        prefix = f"no lesion found at {where}: " if lesion else f"{where}: "
        super().__init__(prefix + reason)
        self.point_mm = tuple(float(v) for v in point_mm)
        self.reason = reason
