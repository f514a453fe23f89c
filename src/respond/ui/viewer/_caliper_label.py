"""Caliper labels: the lesion and the length, placed where the lines do not meet.

A label is fixed in size on screen (it ignores the view's zoom) and sits beyond
one end of its caliper. `place_labels` chooses, in screen pixels, the end and the
side of each label of a slice so that the labels of one lesion (a long axis, its
short axis, a viable diameter) never cover each other: the long axis labels its
end farther from the lesion's other lines, the others take what is left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QLineF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QGraphicsItem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

GAP_PX: Final = 6.0
"""Screen pixels between a caliper's end point and its label."""
_PAD_X_PX: Final = 4.0
_PAD_Y_PX: Final = 1.0
_BACKGROUND: Final = QColor(0, 0, 0, 165)
_Z_LABEL: Final = 20.0
_MAX_SLIDES: Final = 12


class CaliperLabelItem(QGraphicsItem):
    """A caliper's label: lesion (bold) and length over a dark translucent box.

    Its position is a point of the caliper (an end point); the box is drawn at
    an offset from it given in screen pixels, so it keeps its size and its gap
    at any zoom.
    """

    def __init__(self, colour: QColor, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self._colour = QColor(colour)
        self._font = QFont()
        self._bold = QFont(self._font)
        self._bold.setBold(True)
        self._lesion = ""
        self._length = ""
        self._size = QSizeF()
        self._centre = QPointF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)
        self.setZValue(_Z_LABEL)

    def colour(self) -> QColor:
        """Return the text colour: the caliper's."""
        return QColor(self._colour)

    def text(self) -> str:
        """Return the text shown, e.g. ``"T1 52.3 mm"``."""
        return f"{self._lesion} {self._length}".strip()

    def set_text(self, lesion: str, length: str) -> None:
        """Show a lesion label (bold; may be empty) and a length."""
        if (lesion, length) == (self._lesion, self._length):
            return
        self.prepareGeometryChange()
        self._lesion, self._length = lesion, length
        width = QFontMetricsF(self._font).horizontalAdvance(f" {length}")
        if lesion:
            width += QFontMetricsF(self._bold).horizontalAdvance(lesion)
        height = max(QFontMetricsF(f).height() for f in (self._font, self._bold))
        self._size = QSizeF(width + 2 * _PAD_X_PX, height + 2 * _PAD_Y_PX)
        self.update()

    def size_px(self) -> QSizeF:
        """Return the size of the box in screen pixels."""
        return QSizeF(self._size)

    def offset_px(self) -> QPointF:
        """Return the box centre relative to the label's position, in pixels."""
        return QPointF(self._centre)

    def set_offset_px(self, centre: QPointF) -> None:
        """Draw the box centred ``centre`` screen pixels from the position."""
        if centre == self._centre:
            return
        self.prepareGeometryChange()
        self._centre = QPointF(centre)

    def boundingRect(self) -> QRectF:
        """Qt override: the box, in screen pixels around the position."""
        w, h = self._size.width(), self._size.height()
        return QRectF(self._centre.x() - w / 2, self._centre.y() - h / 2, w, h)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Qt override: the box, then the bold lesion and the length."""
        rect = self.boundingRect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_BACKGROUND)
        painter.drawRoundedRect(rect, 3.0, 3.0)
        painter.setPen(self._colour)
        text_rect = rect.adjusted(_PAD_X_PX, _PAD_Y_PX, -_PAD_X_PX, -_PAD_Y_PX)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if self._lesion:
            painter.setFont(self._bold)
            painter.drawText(text_rect, flags, self._lesion)
            shift = QFontMetricsF(self._bold).horizontalAdvance(self._lesion)
            text_rect.setLeft(text_rect.left() + shift)
        painter.setFont(self._font)
        painter.drawText(text_rect, flags, f" {self._length}")


@dataclass(frozen=True, slots=True)
class LabelRequest:
    """One caliper to label, in screen pixels: its ends, label size and lesion."""

    start: QPointF
    end: QPointF
    size: QSizeF
    lesion: str


@dataclass(frozen=True, slots=True)
class LabelPlace:
    """Where a label goes: at end 0 or 1, its box centre offset (pixels), its box."""

    end: int
    offset: QPointF
    rect: QRectF


def _unit(vector: QPointF) -> QPointF:
    length = math.hypot(vector.x(), vector.y())
    return QPointF(1.0, 0.0) if length == 0.0 else vector / length


def _box_beyond(point: QPointF, direction: QPointF, size: QSizeF) -> QRectF:
    """Return the box whose near side is `GAP_PX` past ``point`` on ``direction``."""
    w, h = size.width(), size.height()
    reach = GAP_PX + abs(direction.x()) * w / 2 + abs(direction.y()) * h / 2
    centre = point + direction * reach
    return QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h)


def _crosses(rect: QRectF, start: QPointF, end: QPointF) -> bool:
    if rect.contains(start) or rect.contains(end):
        return True
    line = QLineF(start, end)
    corners = (rect.topLeft(), rect.topRight(), rect.bottomRight(), rect.bottomLeft())
    for n in range(4):
        edge = QLineF(corners[n], corners[(n + 1) % 4])
        kind, _ = line.intersects(edge)
        if kind == QLineF.IntersectionType.BoundedIntersection:
            return True
    return False


def _ends_by_preference(request: LabelRequest, others: list[QPointF]) -> list[int]:
    """End indices, the one farther from the lesion's other lines first."""
    ends = (request.start, request.end)
    if not others:
        # Alone: the right-hand end, where a label rarely covers the lesion.
        return [0, 1] if ends[0].x() > ends[1].x() else [1, 0]

    def clearance(index: int) -> float:
        return min(
            math.hypot(ends[index].x() - o.x(), ends[index].y() - o.y()) for o in others
        )

    return sorted((0, 1), key=clearance, reverse=True)


def _candidates(request: LabelRequest, ends: list[int]) -> list[tuple[int, QRectF]]:
    points = (request.start, request.end)
    boxes: list[tuple[int, QRectF]] = []
    for index in ends:
        outward = _unit(points[index] - points[1 - index])
        across = QPointF(-outward.y(), outward.x())
        for direction in (outward, across, -across):
            boxes.append((index, _box_beyond(points[index], direction, request.size)))
    return boxes


def place_labels(requests: Sequence[LabelRequest]) -> list[LabelPlace]:
    """Place the labels of one slice so that none covers another.

    Requests are placed in order (put each lesion's long axis first): each takes
    the first free box among beyond-the-end, then beside-the-end, at its
    preferred end then the other. Free means clear of the labels placed so far
    and of the other lines, those of its own lesion above all. With no free box
    (a tiny lesion zoomed out) the label slides outward until it clears the
    other labels.
    """
    placed: list[QRectF] = []
    places: list[LabelPlace] = []
    for request in requests:
        others = [r for r in requests if r is not request]
        same = [r for r in others if r.lesion == request.lesion]
        middles = [(r.start + r.end) / 2 for r in same]
        candidates = _candidates(request, _ends_by_preference(request, middles))

        def is_free(rect: QRectF, lines: list[LabelRequest]) -> bool:
            return not any(rect.intersects(p) for p in placed) and not any(
                _crosses(rect, r.start, r.end) for r in lines
            )

        free = [c for c in candidates if is_free(c[1], others)] or [
            c for c in candidates if is_free(c[1], same)
        ]
        index, rect = free[0] if free else _slide_free(request, candidates[0], placed)
        anchor = (request.start, request.end)[index]
        placed.append(rect)
        places.append(LabelPlace(index, rect.center() - anchor, rect))
    return places


def _slide_free(
    request: LabelRequest, first: tuple[int, QRectF], placed: list[QRectF]
) -> tuple[int, QRectF]:
    index, rect = first
    points = (request.start, request.end)
    outward = _unit(points[index] - points[1 - index])
    step = outward * max(request.size.height(), 1.0)
    for _ in range(_MAX_SLIDES):
        if not any(rect.intersects(p) for p in placed):
            break
        rect = rect.translated(step)
    return index, rect
