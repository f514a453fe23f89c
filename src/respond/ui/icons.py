"""The toolbar's icons, drawn with QPainter (no image files to ship or theme).

Each icon is a small pictogram of what its tool does: a caliper line with end
ticks for the long axis, a crossed pair for the short axis, a line inside a
ring for the viable diameter, a target for click-to-measure, panes for the
layouts. One stroke colour reads on the dark and the light theme alike::

    action.setIcon(icon("long_axis"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ICON_NAMES", "icon"]

_SIZE: Final = 32
_STROKE: Final = QColor("#5b9be6")
_ACCENT: Final = QColor("#f2b84b")


def _pen(colour: QColor = _STROKE, width: float = 2.6) -> QPen:
    pen = QPen(colour, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


def _caliper(p: QPainter, a: QPointF, b: QPointF) -> None:
    """Draw a line with short ticks across each end."""
    line = QLineF(a, b)
    p.drawLine(line)
    normal = line.normalVector().unitVector()
    tick = QPointF(normal.dx() * 4.5, normal.dy() * 4.5)
    for end in (a, b):
        p.drawLine(end - tick, end + tick)


def _long_axis(p: QPainter) -> None:
    _caliper(p, QPointF(6, 24), QPointF(26, 8))


def _short_axis(p: QPainter) -> None:
    p.setPen(_pen(_STROKE, 1.6))
    p.drawLine(QPointF(6, 24), QPointF(26, 8))
    p.setPen(_pen(_ACCENT))
    _caliper(p, QPointF(11, 11), QPointF(21, 21))


def _viable(p: QPainter) -> None:
    p.setPen(_pen(_STROKE, 1.8))
    p.drawEllipse(QRectF(4, 4, 24, 24))
    p.setPen(_pen(_ACCENT))
    _caliper(p, QPointF(10, 19), QPointF(22, 13))


def _measure(p: QPainter) -> None:
    p.drawEllipse(QRectF(5, 5, 22, 22))
    p.setPen(_pen(_ACCENT))
    p.drawLine(QPointF(16, 10), QPointF(16, 22))
    p.drawLine(QPointF(10, 16), QPointF(22, 16))


def _panes(columns: int, rows: int) -> Callable[[QPainter], None]:
    def draw(p: QPainter) -> None:
        p.setPen(_pen(_STROKE, 2.0))
        width, height = 24 / columns, 22 / rows
        for c in range(columns):
            for r in range(rows):
                p.drawRect(QRectF(4 + c * width, 5 + r * height, width - 2, height - 2))

    return draw


def _compare(p: QPainter) -> None:
    _panes(2, 1)(p)
    p.setPen(_pen(_ACCENT, 2.0))
    p.drawText(QRectF(4, 5, 11, 20), Qt.AlignmentFlag.AlignCenter, "P")


def _phases(p: QPainter) -> None:
    p.setPen(_pen(_STROKE, 2.0))
    p.drawRect(QRectF(4, 6, 11, 20))
    p.setPen(_pen(_ACCENT, 2.0))
    p.drawRect(QRectF(17, 6, 11, 20))
    p.drawEllipse(QRectF(19.5, 12, 6, 6))


def _link(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(4, 11, 14, 10), 5, 5)
    p.setPen(_pen(_ACCENT))
    p.drawRoundedRect(QRectF(14, 11, 14, 10), 5, 5)


def _add_study(p: QPainter) -> None:
    p.setPen(_pen(_STROKE, 2.0))
    p.drawRect(QRectF(5, 5, 18, 22))
    p.setPen(_pen(_ACCENT))
    p.drawLine(QPointF(22, 14), QPointF(22, 28))
    p.drawLine(QPointF(15, 21), QPointF(29, 21))


def _arterial(p: QPainter) -> None:
    p.drawArc(QRectF(6, 6, 20, 20), 30 * 16, 300 * 16)
    p.setPen(_pen(_ACCENT))
    p.drawLine(QPointF(16, 6), QPointF(16, 26))


_DRAW: Final[dict[str, Callable[[QPainter], None]]] = {
    "long_axis": _long_axis,
    "short_axis": _short_axis,
    "viable": _viable,
    "measure": _measure,
    "compare": _compare,
    "phases": _phases,
    "link": _link,
    "add_study": _add_study,
    "arterial": _arterial,
    "layout-1x1": _panes(1, 1),
    "layout-1x2": _panes(2, 1),
    "layout-2x2": _panes(2, 2),
}
ICON_NAMES: Final = tuple(_DRAW)


def icon(name: str) -> QIcon:
    """Return the icon called ``name`` (one of :data:`ICON_NAMES`)."""
    draw = _DRAW[name]
    pixmap = QPixmap(_SIZE, _SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(_pen())
        draw(painter)
    finally:
        painter.end()
    return QIcon(pixmap)
