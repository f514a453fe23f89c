"""Graphics of a reformat view: its ViewBox, projected calipers and overlay text.

View coordinates are the reformat's pixel indices: x = column, y = row, with
pixel centres on whole numbers (the image item is shifted by half a pixel).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from respond.dicom.reformat import PlaneRelation, ProjectedSegment
from respond.ui.viewer._canvas import SliceCanvasItem

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

    from respond.dicom.reformat import ReformatImage

_Z_CALIPERS: Final = 10.0
_SOLID_WIDTH_PX: Final = 2.0
_FAINT_WIDTH_PX: Final = 1.2
_FAINT_ALPHA: Final = 110
_MARKER_RADIUS_PX: Final = 3.5
_AXIS_NAMES: Final = "xyz"


class ReformatCanvasItem(SliceCanvasItem):
    """The reformat's ViewBox: a slice canvas whose left click is a request too."""

    clicked = Signal(object)
    """A left click (no drag): its view coordinates, a QPointF."""

    def mouseClickEvent(self, ev: Any) -> None:
        """Qt override: a left click sets the crosshair (others as a ViewBox)."""
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.clicked.emit(self.mapToView(ev.pos()))
            return
        super().mouseClickEvent(ev)


class CrosshairDrag:
    """Takes every left drag of the canvas and reports where it is (a Grabber)."""

    def __init__(self, box: SliceCanvasItem, moved: Any) -> None:
        self._box = box
        self._moved = moved

    def begin_drag(self, scene_pos: QPointF) -> bool:
        """Start at the press: the crosshair jumps there."""
        self._moved(self._box.mapSceneToView(scene_pos))
        return True

    def drag_to(self, scene_pos: QPointF) -> None:
        """Follow the mouse."""
        self._moved(self._box.mapSceneToView(scene_pos))

    def finish_drag(self) -> None:
        """Nothing to commit: the crosshair is not part of the read."""


@dataclass(frozen=True, slots=True)
class ShownCaliper:
    """One projected caliper and its colour, ready to paint."""

    projection: ProjectedSegment
    colour: QColor


def _point(rc: tuple[float, float]) -> QPointF:
    return QPointF(rc[1], rc[0])


class ProjectedCalipersItem(QGraphicsItem):
    """The calipers projected on the plane: solid on it, dashed when crossing it."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: list[ShownCaliper] = []
        self._rect = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(_Z_CALIPERS)

    def set_calipers(self, shown: list[ShownCaliper], image_rect: QRectF) -> None:
        """Paint ``shown`` (the AWAY ones are skipped); ``image_rect`` bounds most."""
        self.prepareGeometryChange()
        self._shown = [
            s for s in shown if s.projection.relation is not PlaneRelation.AWAY
        ]
        rect = QRectF(image_rect)
        for item in self._shown:
            for end in (item.projection.start_px, item.projection.end_px):
                rect = rect.united(QRectF(_point(end), _point(end)))
        pad = 0.05 * max(rect.width(), rect.height(), 1.0)
        self._rect = rect.adjusted(-pad, -pad, pad, pad)
        self.update()

    def boundingRect(self) -> QRectF:
        """Qt override: the image and every projected end, padded."""
        return self._rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Qt override: lines in view coordinates, crossing markers in pixels."""
        markers: list[tuple[QPointF, QColor]] = []
        for item in self._shown:
            projection, colour = item.projection, QColor(item.colour)
            is_on = projection.relation is PlaneRelation.ON
            if not is_on:
                colour.setAlpha(_FAINT_ALPHA)
            pen = QPen(colour, _SOLID_WIDTH_PX if is_on else _FAINT_WIDTH_PX)
            pen.setCosmetic(True)
            if not is_on:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(_point(projection.start_px), _point(projection.end_px))
            if projection.crossing_px is not None:
                markers.append((_point(projection.crossing_px), QColor(item.colour)))
        if markers:
            device = painter.transform()
            painter.resetTransform()
            for at, colour in markers:
                pen = QPen(colour, _SOLID_WIDTH_PX)
                painter.setPen(pen)
                painter.drawEllipse(
                    device.map(at), _MARKER_RADIUS_PX, _MARKER_RADIUS_PX
                )
            painter.setTransform(device)


def plane_text(image: ReformatImage, count: int) -> str:
    """Return e.g. ``"Coronal 12/512 · y = -35.2 mm"`` for a plane."""
    axis = int(np.argmax(np.abs(image.normal)))
    along_mm = image.offset_mm * float(np.sign(image.normal[axis]))
    title = image.orientation.capitalize()
    return (
        f"{title} {image.position + 1}/{count} · {_AXIS_NAMES[axis]} = "
        f"{along_mm:.1f} mm"
    )


def spacing_text(image: ReformatImage) -> str:
    """Return the pixel size, e.g. ``"2.50 x 0.70 mm"`` (row x column)."""
    row_mm, column_mm = image.pixel_spacing_mm
    marker = " · interpolated" if image.is_interpolated else ""
    return f"{row_mm:.2f} x {column_mm:.2f} mm{marker}"
