"""Which caliper a mouse press grabs: an end point or the line, in screen pixels.

The choice is made here, at the press, in viewport pixels (a pyqtgraph scene
maps 1:1 to them), so it does not depend on the zoom nor on pyqtgraph's cached
item outlines. A press near a caliper but not on it grabs nothing: with a tool
active it draws a new caliper, so a baseline line is never moved by a near miss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from PySide6.QtCore import QPointF

HANDLE_GRAB_PX: Final = 5.0
"""A press this close to an end point grabs it: the drawn handle's radius."""
LINE_GRAB_PX: Final = 4.0
"""A press this close to the line (and not at an end) grabs the whole line."""

GrabPart = Literal["start", "end", "line"]


@dataclass(frozen=True, slots=True)
class Grab:
    """What a press grabs: the caliper key, the part, and how far the press was."""

    key: str
    part: GrabPart
    distance_px: float

    def rank(self) -> tuple[bool, float]:
        """Sort key: an end point before any line, then the nearest."""
        return self.part == "line", self.distance_px


def _distance(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())


def distance_to_segment(at: QPointF, start: QPointF, end: QPointF) -> float:
    """Return the distance from ``at`` to the segment ``start``-``end``."""
    dx, dy = end.x() - start.x(), end.y() - start.y()
    length_sq = dx * dx + dy * dy
    if length_sq == 0.0:
        return _distance(at, start)
    along = ((at.x() - start.x()) * dx + (at.y() - start.y()) * dy) / length_sq
    along = min(max(along, 0.0), 1.0)
    return math.hypot(
        at.x() - (start.x() + along * dx), at.y() - (start.y() + along * dy)
    )


def grab_of(key: str, start: QPointF, end: QPointF, at: QPointF) -> Grab | None:
    """Return what a press at ``at`` grabs of one caliper (all in screen pixels)."""
    to_start, to_end = _distance(at, start), _distance(at, end)
    if min(to_start, to_end) <= HANDLE_GRAB_PX:
        if to_start <= to_end:
            return Grab(key, "start", to_start)
        return Grab(key, "end", to_end)
    to_line = distance_to_segment(at, start, end)
    if to_line <= LINE_GRAB_PX:
        return Grab(key, "line", to_line)
    return None
