"""A key image as a picture: the windowed crop, enlarged, with its calipers.

Each caliper's value is in a legend (top left, on a dark box) with a sample of
its line. A caliper lying on an earlier one (the viable diameter of a lesion
without necrosis is its long axis) is drawn dashed and shifted by 5 pixels, so
both stay visible, and both values keep their own legend row.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from respond.criteria.record import CaliperKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from respond.report.keyimages import CaliperLine, KeyImage

__all__ = ["key_image_picture"]

_SIZE = 480
_COLOURS = {
    CaliperKind.LONG_AXIS: "#ffd600",
    CaliperKind.SHORT_AXIS: "#00e5ff",
    CaliperKind.VIABLE: "#ff4081",
    CaliperKind.FRAGMENT: "#ffab00",
}


def _grey(image: KeyImage) -> QImage:
    assert image.pixels is not None
    level, width = image.window
    low = level - width / 2.0
    scaled = np.clip((image.pixels - low) * (255.0 / width), 0, 255).astype(np.uint8)
    rows, cols = scaled.shape
    grey = QImage(scaled.data, cols, rows, cols, QImage.Format.Format_Grayscale8)
    return grey.copy()  # own the bytes


def _coincident(lines: Sequence[CaliperLine], number: int, pixel_mm: float) -> bool:
    """Whether line ``number`` lies on an earlier one (same ends within 1 mm)."""
    line = lines[number]
    for earlier in lines[:number]:
        for a, b in ((earlier.start, earlier.end), (earlier.end, earlier.start)):
            if (
                math.dist(a, line.start) * pixel_mm <= 1.0
                and math.dist(b, line.end) * pixel_mm <= 1.0
            ):
                return True
    return False


def _offset(a: QPointF, b: QPointF, by: float) -> QPointF:
    """Return the shift ``by`` pixels perpendicular to the line from a to b."""
    dx, dy = b.x() - a.x(), b.y() - a.y()
    length = math.hypot(dx, dy) or 1.0
    return QPointF(-dy / length * by, dx / length * by)


def _draw_caliper(
    painter: QPainter, a: QPointF, b: QPointF, colour: QColor, *, dashed: bool
) -> None:
    """Draw a caliper line with a cross at each end."""
    pen = QPen(colour, 3)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.drawLine(a, b)
    painter.setPen(QPen(colour, 3))
    for end in (a, b):
        painter.drawLine(end + QPointF(-6, -6), end + QPointF(6, 6))
        painter.drawLine(end + QPointF(-6, 6), end + QPointF(6, -6))


def _legend(painter: QPainter, entries: Sequence[tuple[str, QColor, bool]]) -> None:
    """Write each caliper's label on its own row, top left, on a dark box.

    A sample of the line (dashed for a caliper drawn over an earlier one) stands
    before the label, so coincident calipers each keep a readable value.
    """
    if not entries:
        return
    metrics = QFontMetricsF(painter.font())
    wide = max(metrics.horizontalAdvance(text) for text, _, _ in entries)
    painter.fillRect(
        QRectF(6, 6, wide + 52, 28 * len(entries) + 8), QColor(0, 0, 0, 170)
    )
    for number, (text, colour, dashed) in enumerate(entries):
        y = 30.0 + 28 * number
        pen = QPen(colour, 3, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(12, y - 7), QPointF(40, y - 7))
        painter.setPen(colour)
        painter.drawText(QPointF(48, y), text)


def _missing(painter: QPainter, image: KeyImage) -> None:
    painter.setPen(QColor("white"))
    painter.drawText(
        QRectF(20, 20, _SIZE - 40, _SIZE - 40),
        Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
        image.missing or "no image",
    )


def _scale_bar(painter: QPainter, scale: float) -> None:
    painter.setPen(QPen(QColor("white"), 3))
    bar_y = _SIZE - 16
    painter.drawLine(QPointF(16, bar_y), QPointF(16 + 10 * scale, bar_y))
    small = QFont("DejaVu Sans")
    small.setPixelSize(16)
    painter.setFont(small)
    painter.drawText(QPointF(16, bar_y - 8), "10 mm")


def _calipers(painter: QPainter, image: KeyImage, target: QRectF, scale: float) -> None:
    """Draw the calipers; one lying on an earlier one is dashed and shifted."""
    row_mm, col_mm = image.pixel_spacing

    def point(col: float, row: float) -> QPointF:
        # crop pixel centres -> picture: pixel (0, 0) centre is half a pixel in
        return QPointF(
            target.left() + (col + 0.5) * col_mm * scale,
            target.top() + (row + 0.5) * row_mm * scale,
        )

    entries = []
    for number, line in enumerate(image.lines):
        colour = QColor(_COLOURS[line.kind])
        a, b = point(*line.start), point(*line.end)
        over = _coincident(image.lines, number, min(row_mm, col_mm))
        if over:
            shift = _offset(a, b, 5.0)
            a, b = a + shift, b + shift
        _draw_caliper(painter, a, b, colour, dashed=over)
        entries.append((line.label, colour, over))
    _legend(painter, entries)


def key_image_picture(image: KeyImage) -> QImage:
    """Return the key image enlarged to a square picture with calipers and labels."""
    picture = QImage(_SIZE, _SIZE, QImage.Format.Format_RGB32)
    picture.fill(QColor("black"))
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont("DejaVu Sans")
    font.setPixelSize(22)
    font.setBold(True)
    painter.setFont(font)
    if image.pixels is None:
        _missing(painter, image)
        painter.end()
        return picture
    rows, cols = image.pixels.shape
    row_mm, col_mm = image.pixel_spacing
    width_mm, height_mm = cols * col_mm, rows * row_mm
    scale = _SIZE / max(width_mm, height_mm)  # picture pixels per mm, square pixels
    target = QRectF(
        (_SIZE - width_mm * scale) / 2, (_SIZE - height_mm * scale) / 2,
        width_mm * scale, height_mm * scale,
    )  # fmt: skip
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.drawImage(target, _grey(image))
    _calipers(painter, image, target, scale)
    _scale_bar(painter, scale)
    painter.end()
    return picture
