"""Screen-fixed overlay items: corner texts, orientation letters and a scale bar.

The items live in the scene, outside the ViewBox; a pyqtgraph GraphicsView maps
scene coordinates 1:1 to viewport pixels, so they stay put while the image pans
and zooms, and repainting them never re-renders the image.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from respond.ui.viewer._annotations import edge_letters, scale_bar_mm

if TYPE_CHECKING:
    from PySide6.QtWidgets import QGraphicsScene, QStyleOptionGraphicsItem, QWidget

    from respond.dicom.geometry import VolumeGeometry

_MARGIN_PX: Final = 6.0
_Z_OVERLAY: Final = 1_000.0
_TEXT_COLOUR: Final = QColor(235, 235, 235)
_LETTER_COLOUR: Final = QColor(255, 214, 80)
_SHADOW_COLOUR: Final = QColor(0, 0, 0, 220)
_OUTLINE: Final = ((-1.0, 0.0), (1.0, 0.0), (0.0, -1.0), (0.0, 1.0), (1.0, 1.0))
_SCALE_BAR_MAX_PX: Final = 120.0


def _overlay_font(point_size: float, *, is_bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(point_size)
    font.setBold(is_bold)
    return font


class OverlayTextItem(QGraphicsItem):
    """Shadowed text anchored by a fraction of its size (0, 0 = top-left)."""

    def __init__(
        self,
        anchor: tuple[float, float],
        colour: QColor = _TEXT_COLOUR,
        font: QFont | None = None,
    ) -> None:
        super().__init__()
        self._anchor = anchor
        self._colour = colour
        self._font = font if font is not None else _overlay_font(9.0)
        self._metrics = QFontMetricsF(self._font)
        horizontal = (
            Qt.AlignmentFlag.AlignLeft,
            Qt.AlignmentFlag.AlignHCenter,
            Qt.AlignmentFlag.AlignRight,
        )[round(anchor[0] * 2)]
        self._flags = int(horizontal | Qt.AlignmentFlag.AlignTop)
        self._text = ""
        self._rect = QRectF()
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(_Z_OVERLAY)

    def text(self) -> str:
        """Return the text shown."""
        return self._text

    def set_text(self, text: str) -> None:
        """Show ``text`` (several lines allowed)."""
        if text == self._text:
            return
        self.prepareGeometryChange()
        self._text = text
        size = self._metrics.boundingRect(QRectF(0, 0, 4096, 4096), self._flags, text)
        width, height = size.width() + 2.0, size.height() + 2.0
        ax, ay = self._anchor
        self._rect = QRectF(-ax * width, -ay * height, width, height)
        self.update()

    def boundingRect(self) -> QRectF:
        """Qt override: the text's box around the anchor point."""
        return self._rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Qt override: the text in a one-pixel dark outline, readable on any grey.

        The outline surrounds every glyph (not a shadow on one side), so the
        text reads over bone, contrast and air alike.
        """
        if not self._text:
            return
        painter.setFont(self._font)
        painter.setPen(_SHADOW_COLOUR)
        for dx, dy in _OUTLINE:
            painter.drawText(self._rect.translated(dx, dy), self._flags, self._text)
        painter.setPen(self._colour)
        painter.drawText(self._rect, self._flags, self._text)


class ScaleBarItem(QGraphicsItem):
    """A horizontal bar of a round length in mm, anchored at its bottom-right."""

    def __init__(self) -> None:
        super().__init__()
        self._length_px = 0.0
        self._label = OverlayTextItem((0.5, 1.0))
        self._label.setParentItem(self)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(_Z_OVERLAY)

    def text(self) -> str:
        """Return the label, e.g. ``"20 mm"``."""
        return self._label.text()

    def set_bar(self, length_px: float, text: str) -> None:
        """Show a bar ``length_px`` long labelled ``text``."""
        if length_px == self._length_px and text == self._label.text():
            return
        self.prepareGeometryChange()
        self._length_px = length_px
        self._label.set_text(text)
        self._label.setPos(QPointF(-length_px / 2.0, -6.0))
        self.update()

    def boundingRect(self) -> QRectF:
        """Qt override: the bar and its end ticks."""
        return QRectF(-self._length_px - 2.0, -7.0, self._length_px + 4.0, 9.0)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Qt override: a shadowed bar with end ticks."""
        if self._length_px <= 0:
            return
        for colour, shift in ((_SHADOW_COLOUR, 1.0), (_TEXT_COLOUR, 0.0)):
            painter.setPen(QPen(colour, 1.5))
            left, right, base = -self._length_px + shift, shift, -1.0 + shift
            painter.drawLine(QPointF(left, base), QPointF(right, base))
            painter.drawLine(QPointF(left, base), QPointF(left, base - 5.0))
            painter.drawLine(QPointF(right, base), QPointF(right, base - 5.0))


class ScreenOverlay:
    """The overlay items of one view; `layout` places them in viewport pixels."""

    def __init__(self, scene: QGraphicsScene) -> None:
        letter_font = _overlay_font(11.0, is_bold=True)
        self.slice = OverlayTextItem((0.0, 0.0))
        self.window = OverlayTextItem((1.0, 0.0))
        self.cursor = OverlayTextItem((0.0, 1.0))
        self.scale_bar = ScaleBarItem()
        self.edges = {
            edge: OverlayTextItem(anchor, _LETTER_COLOUR, letter_font)
            for edge, anchor in (
                ("left", (0.0, 0.5)),
                ("right", (1.0, 0.5)),
                ("top", (0.5, 0.0)),
                ("bottom", (0.5, 1.0)),
            )
        }
        for item in (self.slice, self.window, self.cursor, self.scale_bar):
            scene.addItem(item)
        for item in self.edges.values():
            scene.addItem(item)

    def layout(self, rect: QRectF) -> None:
        """Place the items inside ``rect`` (the viewport, scene coordinates)."""
        inner = rect.adjusted(_MARGIN_PX, _MARGIN_PX, -_MARGIN_PX, -_MARGIN_PX)
        centre = inner.center()
        self.slice.setPos(inner.topLeft())
        self.window.setPos(inner.topRight())
        self.cursor.setPos(inner.bottomLeft())
        self.scale_bar.setPos(inner.bottomRight() - QPointF(8.0, 4.0))
        self.edges["left"].setPos(QPointF(inner.left(), centre.y()))
        self.edges["right"].setPos(QPointF(inner.right(), centre.y()))
        self.edges["top"].setPos(QPointF(centre.x(), inner.top()))
        self.edges["bottom"].setPos(QPointF(centre.x(), inner.bottom()))

    def show_geometry(self, geometry: VolumeGeometry | None) -> None:
        """Letter the edges from the direction cosines (blank without geometry)."""
        edges = dict.fromkeys(self.edges, "")
        if geometry is not None:
            a = geometry.analysis
            edges = edge_letters(a.row_direction, a.column_direction)
        for edge, letters in edges.items():
            self.edges[edge].set_text(letters)

    def show_scale(
        self, geometry: VolumeGeometry | None, columns_per_px: float
    ) -> None:
        """Size the scale bar for the zoom: image columns per screen pixel."""
        if geometry is None or columns_per_px <= 0:
            self.scale_bar.set_bar(0.0, "")
            return
        mm_per_px = columns_per_px * float(geometry.pixel_spacing_mm[1])
        length_mm, length_px = scale_bar_mm(mm_per_px, _SCALE_BAR_MAX_PX)
        self.scale_bar.set_bar(length_px, f"{length_mm} mm")

    def texts(self) -> dict[str, str]:
        """Return every overlay text by name (slice, window, cursor, scale, edges)."""
        texts = {
            "slice": self.slice.text(),
            "window": self.window.text(),
            "cursor": self.cursor.text(),
            "scale": self.scale_bar.text(),
        }
        texts.update((edge, item.text()) for edge, item in self.edges.items())
        return texts
