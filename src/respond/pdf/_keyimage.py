"""A key image as a picture: the windowed crop, enlarged, with its calipers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from respond.criteria.record import CaliperKind

if TYPE_CHECKING:
    from respond.report.keyimages import KeyImage

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
        painter.setPen(QColor("white"))
        painter.drawText(
            QRectF(20, 20, _SIZE - 40, _SIZE - 40),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            image.missing or "no image",
        )
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

    def point(col: float, row: float) -> QPointF:
        # crop pixel centres -> picture: pixel (0, 0) centre is half a pixel in
        return QPointF(
            target.left() + (col + 0.5) * col_mm * scale,
            target.top() + (row + 0.5) * row_mm * scale,
        )

    legend_y = 30.0
    for line in image.lines:
        colour = QColor(_COLOURS[line.kind])
        painter.setPen(QPen(colour, 3))
        a, b = point(*line.start), point(*line.end)
        painter.drawLine(a, b)
        for end in (a, b):
            painter.drawLine(end + QPointF(-6, -6), end + QPointF(6, 6))
            painter.drawLine(end + QPointF(-6, 6), end + QPointF(6, -6))
        # labels go in a legend (top left), in the caliper's colour: lines that
        # share a centre (long axis and viable) never hide each other's value
        painter.setPen(QColor("black"))
        painter.drawText(QPointF(13, legend_y + 1), line.label)
        painter.setPen(colour)
        painter.drawText(QPointF(12, legend_y), line.label)
        legend_y += 28
    # 10 mm scale bar
    painter.setPen(QPen(QColor("white"), 3))
    bar_y = _SIZE - 16
    painter.drawLine(QPointF(16, bar_y), QPointF(16 + 10 * scale, bar_y))
    small = QFont("DejaVu Sans")
    small.setPixelSize(16)
    painter.setFont(small)
    painter.drawText(QPointF(16, bar_y - 8), "10 mm")
    painter.end()
    return picture
