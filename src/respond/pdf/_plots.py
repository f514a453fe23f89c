"""Spider plot and waterfall, painted with QPainter for the PDF."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.report.plotdata import Curve

__all__ = ["spider_image", "waterfall_image"]

_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")
_PR, _PD = -30.0, 20.0
_W, _H = 1000, 640
_MARGIN = (110, 40, 40, 90)  # left, top, right, bottom


def _frame(painter: QPainter, title: str) -> QRectF:
    painter.fillRect(QRectF(0, 0, _W, _H), QColor("white"))
    font = QFont("DejaVu Sans")
    font.setPixelSize(26)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(QRectF(0, 0, _W, _MARGIN[1]), Qt.AlignmentFlag.AlignCenter, title)
    left, top, right, bottom = _MARGIN
    return QRectF(left, top + 10, _W - left - right, _H - top - bottom - 10)


def _y_range(values: Sequence[float]) -> tuple[float, float]:
    low = min([*values, _PR, -40.0])
    high = max([*values, _PD, 30.0])
    return 10.0 * (low // 10.0), 10.0 * -(-high // 10.0)


def _axes(
    painter: QPainter, area: QRectF, y_low: float, y_high: float, y_of: object
) -> None:
    font = QFont("DejaVu Sans")
    font.setPixelSize(20)
    painter.setFont(font)
    grid = QPen(QColor("#dddddd"), 1)
    step = 20.0 if y_high - y_low > 120 else 10.0
    value = y_low
    while value <= y_high + 1e-9:
        y = y_of(value)  # type: ignore[operator]
        painter.setPen(grid)
        painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        painter.setPen(QColor("black"))
        painter.drawText(
            QRectF(0, y - 12, area.left() - 10, 24),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"{value:+.0f} %" if value else "0 %",
        )
        value += step
    for level, colour, name in (
        (_PR, "#2e7d32", "PR -30 %"),
        (_PD, "#c62828", "PD +20 %"),
    ):
        pen = QPen(QColor(colour), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        y = y_of(level)  # type: ignore[operator]
        painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        painter.drawText(QPointF(area.right() - 110, y - 6), name)
    painter.setPen(QPen(QColor("black"), 2))
    painter.drawRect(area)


def spider_image(curves: Sequence[Curve], title: str) -> QImage:
    """Return the spider plot: per cent change from baseline over days."""
    image = QImage(_W, _H, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    area = _frame(painter, title)
    values = [pct for c in curves for _, pct in c.points]
    days = [day for c in curves for day, _ in c.points] or [0]
    y_low, y_high = _y_range(values or [0.0])
    x_max = max(max(days), 1)

    def x_of(day: float) -> float:
        return area.left() + 20 + (area.width() - 40) * day / x_max

    def y_of(pct: float) -> float:
        return area.bottom() - area.height() * (pct - y_low) / (y_high - y_low)

    _axes(painter, area, y_low, y_high, y_of)
    painter.setPen(QColor("black"))
    for day in sorted(set(days)):
        painter.drawText(
            QRectF(x_of(day) - 40, area.bottom() + 6, 80, 24),
            Qt.AlignmentFlag.AlignCenter,
            f"{day}",
        )
    painter.drawText(
        QRectF(area.left(), area.bottom() + 34, area.width(), 26),
        Qt.AlignmentFlag.AlignCenter,
        "days from baseline",
    )
    legend_y = area.top() + 10
    for number, curve in enumerate(curves):
        colour = (
            QColor("black")
            if curve.is_sum
            else QColor(_PALETTE[number % len(_PALETTE)])
        )
        pen = QPen(colour, 5 if curve.is_sum else 3)
        painter.setPen(pen)
        points = [QPointF(x_of(d), y_of(p)) for d, p in curve.points]
        for a, b in pairwise(points):
            painter.drawLine(a, b)
        for point in points:
            painter.drawEllipse(point, 5, 5)
        painter.drawLine(
            QPointF(area.left() + 14, legend_y), QPointF(area.left() + 44, legend_y)
        )
        painter.drawText(QPointF(area.left() + 52, legend_y + 7), curve.label)
        legend_y += 28
    painter.end()
    return image


def waterfall_image(bars: Sequence[tuple[str, float]], title: str) -> QImage:
    """Return the waterfall of best change from baseline, largest first."""
    image = QImage(_W, _H, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    area = _frame(painter, title)
    y_low, y_high = _y_range([pct for _, pct in bars] or [0.0])

    def y_of(pct: float) -> float:
        return area.bottom() - area.height() * (pct - y_low) / (y_high - y_low)

    _axes(painter, area, y_low, y_high, y_of)
    if not bars:
        painter.drawText(
            area, Qt.AlignmentFlag.AlignCenter, "no follow-up measurement yet"
        )
        painter.end()
        return image
    slot = area.width() / len(bars)
    zero = y_of(0.0)
    for number, (label, pct) in enumerate(bars):
        colour = "#2e7d32" if pct <= _PR else "#c62828" if pct >= _PD else "#757575"
        x = area.left() + slot * number + slot * 0.2
        top, bottom = sorted((zero, y_of(pct)))
        bar = QRectF(x, top, slot * 0.6, max(bottom - top, 2.0))
        painter.fillRect(bar, QColor(colour if label != "sum" else "#263238"))
        painter.setPen(QColor("black"))
        painter.drawText(
            QRectF(x - 20, area.bottom() + 6, slot * 0.6 + 40, 24),
            Qt.AlignmentFlag.AlignCenter,
            label,
        )
        text_y = bar.bottom() + 4 if pct < 0 else bar.top() - 26
        painter.drawText(
            QRectF(x - 20, text_y, slot * 0.6 + 40, 22),
            Qt.AlignmentFlag.AlignCenter,
            f"{pct:+.1f} %",
        )
    painter.end()
    return image
