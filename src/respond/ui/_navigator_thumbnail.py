"""A key image as a small thumbnail: the windowed crop with its calipers.

The navigator does not cut key images itself (the ui reaches neither the
report nor the files): the application gives it a source of key images, any
objects with the fields below (the report's ``KeyImage`` has them). A
thumbnail is drawn on a :class:`QImage`, which may be painted off the GUI
thread; no text is drawn on it (the cell writes the values below it), so no
font is needed there. The calipers keep the colours of the report's key
images; a caliper lying along an earlier one (the viable diameter is often
part of the long axis) is dashed and shifted, so both show.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Final, Protocol

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from respond.criteria import CaliperKind

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from respond.criteria import PatientRead

__all__ = [
    "CALIPER_COLOURS",
    "THUMBNAIL_PX",
    "CaliperLineView",
    "KeyImageSource",
    "KeyImageView",
    "render_thumbnail",
]

THUMBNAIL_PX: Final = 112
"""A thumbnail's side in pixels."""
CALIPER_COLOURS: Final = {
    CaliperKind.LONG_AXIS: "#ffd600",
    CaliperKind.SHORT_AXIS: "#00e5ff",
    CaliperKind.VIABLE: "#ff4081",
    CaliperKind.FRAGMENT: "#ffab00",
}
"""The colour of each caliper kind, as the report's key images draw them."""
_BACKGROUND: Final = "#000000"
_SHIFT_PX: Final = 3.0
_CROSS_PX: Final = 3.0


class CaliperLineView(Protocol):
    """A caliper in a key image's pixel coordinates (column, row; pixel centres)."""

    @property
    def kind(self) -> CaliperKind:
        """What the caliper measures."""
        ...

    @property
    def start(self) -> tuple[float, float]:
        """One end, ``(column, row)``."""
        ...

    @property
    def end(self) -> tuple[float, float]:
        """The other end, ``(column, row)``."""
        ...

    @property
    def label(self) -> str:
        """What it measures and its length, e.g. ``LD 23.9 mm``."""
        ...


class KeyImageView(Protocol):
    """One lesion at one time point, cut around its calipers (or why not)."""

    @property
    def lesion_id(self) -> str:
        """The lesion (or new finding) id."""
        ...

    @property
    def timepoint_label(self) -> str:
        """The label of the time point it was cut at."""
        ...

    @property
    def pixels(self) -> NDArray[np.float32] | None:
        """Modality values (HU for CT), rows x columns; None when not shown."""
        ...

    @property
    def pixel_spacing(self) -> tuple[float, float]:
        """Row and column spacing in mm."""
        ...

    @property
    def window(self) -> tuple[float, float]:
        """Display window: level and width."""
        ...

    @property
    def lines(self) -> Sequence[CaliperLineView]:
        """The calipers drawn on the image."""
        ...

    @property
    def missing(self) -> str:
        """Why the image cannot be shown ("" when it can)."""
        ...

    @property
    def location_text(self) -> str:
        """Where it was cut (series, image, slice position)."""
        ...


KeyImageSource = Callable[["PatientRead"], Iterable[KeyImageView]]
"""Cuts a read's key images; called off the GUI thread (it reads files)."""


def _grey(pixels: NDArray[np.float32], window: tuple[float, float]) -> QImage:
    level, width = window
    width = max(float(width), 1.0)
    low = level - width / 2.0
    scaled = np.clip((pixels - low) * (255.0 / width), 0, 255).astype(np.uint8)
    scaled = np.ascontiguousarray(scaled)
    rows, cols = scaled.shape
    grey = QImage(scaled.data, cols, rows, cols, QImage.Format.Format_Grayscale8)
    return grey.copy()  # own the bytes: ``scaled`` goes when this returns


def _distance_to_segment(
    point: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    (px, py), (ax, ay), (bx, by) = point, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else ((px - ax) * dx + (py - ay) * dy) / length2
    t = min(1.0, max(0.0, t))
    return math.dist(point, (ax + t * dx, ay + t * dy))


def _lies_on_earlier(lines: Sequence[CaliperLineView], number: int) -> bool:
    """Whether line ``number`` lies along an earlier one (both ends within 1.5 px).

    A viable diameter is often part of the long axis: drawn over it, it would
    hide it.
    """
    line = lines[number]
    return any(
        _distance_to_segment(line.start, e.start, e.end) <= 1.5
        and _distance_to_segment(line.end, e.start, e.end) <= 1.5
        for e in lines[:number]
    )


def _draw_line(
    painter: QPainter, a: QPointF, b: QPointF, colour: QColor, *, dashed: bool
) -> None:
    """Draw a caliper with a small cross at each end."""
    if dashed:
        dx, dy = b.x() - a.x(), b.y() - a.y()
        length = math.hypot(dx, dy) or 1.0
        shift = QPointF(-dy / length * _SHIFT_PX, dx / length * _SHIFT_PX)
        a, b = a + shift, b + shift
    pen = QPen(colour, 2.0)
    pen.setStyle(Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)
    painter.setPen(pen)
    painter.drawLine(a, b)
    painter.setPen(QPen(colour, 1.5))
    for end in (a, b):
        painter.drawLine(
            end + QPointF(-_CROSS_PX, -_CROSS_PX), end + QPointF(_CROSS_PX, _CROSS_PX)
        )
        painter.drawLine(
            end + QPointF(-_CROSS_PX, _CROSS_PX), end + QPointF(_CROSS_PX, -_CROSS_PX)
        )


def _placement(
    pixels: NDArray[np.float32], spacing: tuple[float, float], size: int
) -> tuple[QRectF, float]:
    """Return where the crop goes (square pixels, centred) and pixels per mm."""
    rows, cols = pixels.shape
    row_mm, col_mm = spacing
    width_mm, height_mm = cols * col_mm, rows * row_mm
    scale = size / max(width_mm, height_mm)
    target = QRectF(
        (size - width_mm * scale) / 2,
        (size - height_mm * scale) / 2,
        width_mm * scale,
        height_mm * scale,
    )
    return target, scale


def render_thumbnail(image: KeyImageView, size: int = THUMBNAIL_PX) -> QImage | None:
    """Return a key image as a ``size`` x ``size`` picture, or None without pixels.

    The crop is windowed (the key image's window: soft tissue for CT), scaled
    to fit with square pixels and centred on black; the calipers are drawn in
    their colours over it. Safe to call off the GUI thread.
    """
    pixels = image.pixels
    if pixels is None or pixels.ndim != 2 or 0 in pixels.shape:
        return None
    picture = QImage(size, size, QImage.Format.Format_RGB32)
    picture.fill(QColor(_BACKGROUND))
    target, scale = _placement(pixels, image.pixel_spacing, size)
    row_mm, col_mm = image.pixel_spacing

    def point(col: float, row: float) -> QPointF:
        # crop pixel centres -> picture: pixel (0, 0)'s centre is half a pixel in
        return QPointF(
            target.left() + (col + 0.5) * col_mm * scale,
            target.top() + (row + 0.5) * row_mm * scale,
        )

    painter = QPainter(picture)
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(target, _grey(pixels, image.window))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        lines = image.lines
        for number, line in enumerate(lines):
            colour = QColor(CALIPER_COLOURS.get(line.kind, "#ffffff"))
            dashed = _lies_on_earlier(lines, number)
            _draw_line(
                painter, point(*line.start), point(*line.end), colour, dashed=dashed
            )
    finally:
        painter.end()
    return picture
