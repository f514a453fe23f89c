"""Spider plot and waterfall, painted with QPainter for the PDF.

The -30 % (PR) and +20 % (PD) lines are labelled in the right margin, outside
the plotting area, so no bar or curve covers their labels. The spider plot
marks each time point's overall response above the plotting area (letters
coloured like the tables) and every new lesion where it first appeared (a red
triangle and a dotted line); its legend sits under the axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPen,
    QPolygonF,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from respond.report.plotdata import Curve

__all__ = ["SpiderMarks", "spider_image", "waterfall_image"]

_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")
_PR, _PD = -30.0, 20.0
_W, _H = 1000, 680
_LEFT, _RIGHT, _TITLE = 110, 130, 40
_NEW = "#d50000"
_CATEGORY = {"PD": "#b71c1c", "PR": "#1b5e20", "CR": "#1b5e20"}


@dataclass(frozen=True, slots=True)
class SpiderMarks:
    """What the spider plot marks besides the curves.

    Parameters
    ----------
    responses
        ``(day, overall response)`` of every time point ("BL" at baseline).
    new_lesions
        ``(day, finding ids)`` where new lesions first appeared.
    """

    responses: tuple[tuple[int, str], ...] = ()
    new_lesions: tuple[tuple[int, str], ...] = ()


def _font(pixels: int, *, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def _title(painter: QPainter, title: str) -> None:
    painter.fillRect(QRectF(0, 0, _W, _H), QColor("white"))
    painter.setFont(_font(26, bold=True))
    painter.setPen(QColor("black"))
    painter.drawText(QRectF(0, 0, _W, _TITLE), Qt.AlignmentFlag.AlignCenter, title)


def _y_range(values: Sequence[float]) -> tuple[float, float]:
    low = min([*values, _PR, -40.0]) - 5.0
    high = max([*values, _PD, 30.0]) + 5.0
    return 10.0 * (low // 10.0), 10.0 * -(-high // 10.0)


def _grid(
    painter: QPainter,
    area: QRectF,
    span: tuple[float, float],
    y_of: Callable[[float], float],
) -> None:
    """Draw the horizontal grid with its per cent labels on the left."""
    painter.setFont(_font(20))
    step = 20.0 if span[1] - span[0] > 120 else 10.0
    value = span[0]
    while value <= span[1] + 1e-9:
        y = y_of(value)
        painter.setPen(QPen(QColor("#dddddd"), 1))
        painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        painter.setPen(QColor("black"))
        painter.drawText(
            QRectF(0, y - 12, area.left() - 10, 24),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"{value:+.0f} %" if value else "0 %",
        )
        value += step


def _thresholds(
    painter: QPainter, area: QRectF, y_of: Callable[[float], float]
) -> None:
    """Draw the -30 % and +20 % lines, labelled in the right margin."""
    painter.setFont(_font(20, bold=True))
    for level, colour, name in (
        (_PR, "#2e7d32", "PR -30 %"),
        (_PD, "#c62828", "PD +20 %"),
    ):
        y = y_of(level)
        painter.setPen(QPen(QColor(colour), 2, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        painter.setPen(QColor(colour))
        painter.drawText(
            QRectF(area.right() + 8, y - 12, _RIGHT - 10, 24),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            name,
        )


def _legend_rows(curves: Sequence[Curve], marks: SpiderMarks) -> list[list[str]]:
    """Lay the legend's entries in rows that fit under the plotting area."""
    metrics = QFontMetricsF(_font(20))
    names = [c.label for c in curves] + (["new lesion"] if marks.new_lesions else [])
    rows: list[list[str]] = [[]]
    used = 0.0
    for name in names:
        wide = 56 + metrics.horizontalAdvance(name) + 20
        if rows[-1] and used + wide > _W - _LEFT - 20:
            rows.append([])
            used = 0.0
        rows[-1].append(name)
        used += wide
    return rows


def _legend(
    painter: QPainter, curves: Sequence[Curve], rows: list[list[str]], top: float
) -> None:
    metrics = QFontMetricsF(_font(20))
    colours = {c.label: _colour(n, c) for n, c in enumerate(curves)}
    painter.setFont(_font(20))
    for number, row in enumerate(rows):
        x, y = float(_LEFT), top + number * 28
        for name in row:
            if name in colours:
                pen = QPen(colours[name], 5 if name == "sum" else 3)
                painter.setPen(pen)
                painter.drawLine(QPointF(x, y), QPointF(x + 40, y))
            else:
                _triangle(painter, QPointF(x + 20, y + 6))
            painter.setPen(QColor("black"))
            painter.drawText(QPointF(x + 48, y + 7), name)
            x += 56 + metrics.horizontalAdvance(name) + 20


def _colour(number: int, curve: Curve) -> QColor:
    return QColor("black") if curve.is_sum else QColor(_PALETTE[number % len(_PALETTE)])


def _triangle(painter: QPainter, tip: QPointF) -> None:
    """Draw the new-lesion marker: a red triangle pointing down at ``tip``."""
    painter.setPen(QPen(QColor(_NEW), 1))
    painter.setBrush(QColor(_NEW))
    painter.drawPolygon(QPolygonF([tip, tip + QPointF(-9, -15), tip + QPointF(9, -15)]))
    painter.setBrush(Qt.BrushStyle.NoBrush)


def _marks(
    painter: QPainter, area: QRectF, marks: SpiderMarks, x_of: Callable[[float], float]
) -> None:
    """Write each time point's response above the area; mark the new lesions."""
    painter.setFont(_font(20, bold=True))
    for day, text in marks.responses:
        painter.setPen(QColor(_CATEGORY.get(text, "#455a64")))
        painter.drawText(
            QRectF(x_of(day) - 40, area.top() - 30, 80, 26),
            Qt.AlignmentFlag.AlignCenter,
            text,
        )
    painter.setFont(_font(18, bold=True))
    for day, ids in marks.new_lesions:
        x = x_of(day)
        painter.setPen(QPen(QColor(_NEW), 2, Qt.PenStyle.DotLine))
        painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        _triangle(painter, QPointF(x, area.top() + 18))
        painter.setPen(QColor(_NEW))
        painter.drawText(
            QRectF(x - 150, area.top() + 20, 140, 24),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"new {ids}",
        )


def _days(
    painter: QPainter, area: QRectF, days: Sequence[int], x_of: Callable[[float], float]
) -> None:
    painter.setFont(_font(20))
    painter.setPen(QColor("black"))
    for day in sorted(set(days)):
        painter.drawText(
            QRectF(x_of(day) - 40, area.bottom() + 6, 80, 24),
            Qt.AlignmentFlag.AlignCenter,
            f"{day}",
        )
    painter.drawText(
        QRectF(area.left(), area.bottom() + 32, area.width(), 26),
        Qt.AlignmentFlag.AlignCenter,
        "days from baseline",
    )


def _curves(
    painter: QPainter,
    curves: Sequence[Curve],
    x_of: Callable[[float], float],
    y_of: Callable[[float], float],
) -> None:
    for number, curve in enumerate(curves):
        painter.setPen(QPen(_colour(number, curve), 5 if curve.is_sum else 3))
        points = [QPointF(x_of(d), y_of(p)) for d, p in curve.points]
        for a, b in pairwise(points):
            painter.drawLine(a, b)
        for point in points:
            painter.drawEllipse(point, 5, 5)


def spider_image(
    curves: Sequence[Curve], title: str, marks: SpiderMarks | None = None
) -> QImage:
    """Return the spider plot: per cent change from baseline over days."""
    marks = marks or SpiderMarks()
    image = QImage(_W, _H, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _title(painter, title)
    rows = _legend_rows(curves, marks)
    bottom = 70 + 28 * len(rows)
    area = QRectF(_LEFT, _TITLE + 36, _W - _LEFT - _RIGHT, _H - _TITLE - 36 - bottom)
    days = [day for c in curves for day, _ in c.points] + [
        d for d, _ in marks.responses
    ]
    span = _y_range([pct for c in curves for _, pct in c.points] or [0.0])
    x_max = max([*days, 1])

    def x_of(day: float) -> float:
        return area.left() + 30 + (area.width() - 60) * day / x_max

    def y_of(pct: float) -> float:
        return area.bottom() - area.height() * (pct - span[0]) / (span[1] - span[0])

    _grid(painter, area, span, y_of)
    _thresholds(painter, area, y_of)
    _marks(painter, area, marks, x_of)
    _days(painter, area, days or [0], x_of)
    _curves(painter, curves, x_of, y_of)
    painter.setPen(QPen(QColor("black"), 2))
    painter.drawRect(area)
    _legend(painter, curves, rows, area.bottom() + 76)
    painter.end()
    return image


def _bars(
    painter: QPainter,
    area: QRectF,
    bars: Sequence[tuple[str, float]],
    y_of: Callable[[float], float],
) -> None:
    slot = area.width() / len(bars)
    zero = y_of(0.0)
    painter.setFont(_font(20 if len(bars) <= 6 else 15))
    for number, (label, pct) in enumerate(bars):
        colour = "#2e7d32" if pct <= _PR else "#c62828" if pct >= _PD else "#757575"
        x = area.left() + slot * number + slot * 0.2
        top, bottom = sorted((zero, y_of(pct)))
        bar = QRectF(x, top, slot * 0.6, max(bottom - top, 2.0))
        painter.fillRect(bar, QColor(colour if label != "sum" else "#263238"))
        painter.setPen(QColor("black"))
        box = QRectF(x - slot * 0.2, area.bottom() + 6, slot, 24)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        text_y = bar.bottom() + 4 if pct < 0 else bar.top() - 26
        painter.drawText(
            QRectF(x - slot * 0.2, text_y, slot, 22),
            Qt.AlignmentFlag.AlignCenter,
            f"{pct:+.1f} %",
        )


def waterfall_image(bars: Sequence[tuple[str, float]], title: str) -> QImage:
    """Return the waterfall of best change from baseline, largest first."""
    image = QImage(_W, _H, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    _title(painter, title)
    area = QRectF(_LEFT, _TITLE + 36, _W - _LEFT - _RIGHT, _H - _TITLE - 36 - 98)
    span = _y_range([pct for _, pct in bars] or [0.0])

    def y_of(pct: float) -> float:
        return area.bottom() - area.height() * (pct - span[0]) / (span[1] - span[0])

    _grid(painter, area, span, y_of)
    if bars:
        _bars(painter, area, bars, y_of)
    else:
        painter.setPen(QColor("black"))
        painter.drawText(
            area, Qt.AlignmentFlag.AlignCenter, "no follow-up measurement yet"
        )
    _thresholds(painter, area, y_of)
    painter.setPen(QPen(QColor("black"), 2))
    painter.drawRect(area)
    painter.end()
    return image
