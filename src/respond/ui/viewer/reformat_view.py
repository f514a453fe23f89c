"""A reformat view: one coronal, sagittal or axial plane through a volume.

The plane follows a crosshair in patient space shared with the other views: a
left click or drag moves the crosshair within the plane, the wheel and Up/Down
move the plane (and the crosshair with it), and every such move is reported as
the new patient point. Calipers are shown as their projection on the plane,
read-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen, QTransform
from PySide6.QtWidgets import QVBoxLayout, QWidget

from respond.dicom.errors import GeometryError
from respond.dicom.reformat import Reformatter, project_segments
from respond.ui.viewer._annotations import edge_letters, scale_bar_mm
from respond.ui.viewer._canvas import preset_for_key, slice_for_key
from respond.ui.viewer._overlay import ScreenOverlay
from respond.ui.viewer._reformat_items import (
    CrosshairDrag,
    ProjectedCalipersItem,
    ReformatCanvasItem,
    ShownCaliper,
    plane_text,
    spacing_text,
)
from respond.ui.viewer.calipers import CALIPER_COLOURS
from respond.ui.viewer.windowing import (
    MIN_WINDOW_WIDTH,
    WINDOW_PRESETS,
    default_window,
    dragged_window,
    format_window,
    window_levels,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QKeyEvent

    from respond.dicom import Volume
    from respond.dicom.reformat import Orientation, ProjectedSegment, ReformatImage

__all__ = ["PatientPoint", "ProjectedCaliper", "ReformatView"]

PatientPoint = tuple[float, float, float]
"""A patient point (LPS, mm)."""
ProjectedCaliper = tuple[str, PatientPoint, PatientPoint]
"""A caliper to project: ``(key, start_mm, end_mm)``."""

_CROSSHAIR_COLOUR: Final = QColor(80, 220, 120, 170)
_SCALE_BAR_MAX_PX: Final = 120.0


def _patient_point(values: Iterable[float]) -> PatientPoint:
    x, y, z = (float(v) for v in values)
    return (x, y, z)


def crosshair_line(angle: float) -> Any:
    """Return a thin, fixed crosshair line at ``angle`` degrees (0: horizontal)."""
    pen = QPen(_CROSSHAIR_COLOUR, 1.0)
    pen.setCosmetic(True)
    line = pg.InfiniteLine(angle=angle, movable=False, pen=pen)
    line.setZValue(5.0)
    line.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
    return line


class ReformatView(QWidget):
    """Shows one reformatted plane of a `Volume`, a crosshair and projected calipers.

    Left click or drag: move the crosshair; wheel or Up/Down: previous/next
    plane; Page Up/Down: 10 planes; Home/End: first/last; right drag: window;
    1-5: window presets; Ctrl+wheel: zoom; middle drag: pan.
    """

    crosshair_moved = Signal(object)
    """The reader moved the crosshair: the patient point, a tuple of 3 floats."""
    position_changed = Signal(int)
    """The plane shown changed: its position."""
    window_changed = Signal(float, float)
    """The display window changed: ``(center, width)``."""

    def __init__(
        self, orientation: Orientation = "coronal", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._orientation: Orientation = orientation
        self._volume: Volume | None = None
        self._planes: Reformatter | None = None
        self._image: ReformatImage | None = None
        self._crosshair = np.zeros(3)
        abdomen = WINDOW_PRESETS["abdomen"]
        self._window = (abdomen.center, abdomen.width)
        self._window_at_press = self._window
        self._calipers: list[ProjectedCaliper] = []
        self._colours: dict[str, str] = {}
        self._projections: dict[str, ProjectedSegment] = {}
        self._build()
        self._connect()

    def _build(self) -> None:
        self._graphics: Any = pg.GraphicsView(background="k")
        self._graphics.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._box = ReformatCanvasItem()
        self._box.grabber = CrosshairDrag(self._box, self._on_pointer_at)
        self._graphics.setCentralItem(self._box)
        self._item: Any = pg.ImageItem(axisOrder="row-major")
        self._item.setZValue(-100)
        # Pixel (r, c) is drawn centred on view point (c, r).
        self._item.setTransform(QTransform.fromTranslate(-0.5, -0.5))
        self._box.addItem(self._item)
        self._caliper_item = ProjectedCalipersItem()
        self._box.addItem(self._caliper_item)
        self._lines = (crosshair_line(0.0), crosshair_line(90.0))
        for line in self._lines:
            self._box.addItem(line)
            line.hide()
        self._overlay = ScreenOverlay(self._graphics.scene())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._graphics, 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(200, 200)

    def _connect(self) -> None:
        box = self._box
        box.clicked.connect(self._on_pointer_at)
        box.slice_step_requested.connect(self._on_box_slice_step_requested)
        box.window_drag_started.connect(self._on_box_window_drag_started)
        box.window_dragged.connect(self._on_box_window_dragged)
        box.sigResized.connect(self._on_box_resized)
        box.sigRangeChanged.connect(self._on_box_range_changed)

    @property
    def orientation(self) -> Orientation:
        """The plane orientation: ``"coronal"``, ``"sagittal"`` or ``"axial"``."""
        return self._orientation

    @property
    def volume(self) -> Volume | None:
        """The volume shown, or None."""
        return self._volume

    @property
    def image(self) -> ReformatImage | None:
        """The plane shown (pixels and mapping), or None."""
        return self._image

    @property
    def position(self) -> int:
        """The plane's position (0 without a volume)."""
        return 0 if self._image is None else self._image.position

    @property
    def position_count(self) -> int:
        """Number of plane positions (0 without a reformattable volume)."""
        return 0 if self._planes is None else self._planes.position_count

    @property
    def crosshair_mm(self) -> PatientPoint:
        """The crosshair's patient point (LPS, mm)."""
        return _patient_point(self._crosshair)

    @property
    def display_window(self) -> tuple[float, float]:
        """The display window ``(center, width)`` in modality units."""
        return self._window

    @property
    def image_item(self) -> Any:
        """The pyqtgraph ImageItem showing the plane."""
        return self._item

    @property
    def view_box(self) -> Any:
        """The pyqtgraph ViewBox (view coordinates: x = column, y = row)."""
        return self._box

    @property
    def graphics_view(self) -> Any:
        """The pyqtgraph GraphicsView (mouse events go to its viewport)."""
        return self._graphics

    def set_volume(
        self, volume: Volume, window: tuple[float, float] | None = None
    ) -> None:
        """Show ``volume`` through its centre, removing the calipers.

        A volume without geometry, or of one slice, shows a note instead of
        an image. ``window`` is ``(center, width)``, by default
        `windowing.default_window`.
        """
        self._volume, self._image, self._calipers = volume, None, []
        center, width = default_window(volume) if window is None else window
        self._window = (float(center), max(MIN_WINDOW_WIDTH, float(width)))
        self._overlay.window.set_text(format_window(*self._window))
        try:
            self._planes = Reformatter(volume, self._orientation)
        except GeometryError as error:
            self._show_unavailable(error.args[0])
            return
        geometry = volume.geometry
        assert geometry is not None
        slices, rows, columns = volume.shape
        self._crosshair = geometry.index_to_patient(
            (slices - 1) / 2, (rows - 1) / 2, (columns - 1) / 2
        )
        self._show(self._planes.position_of(self._crosshair))
        self.reset_view()

    def clear(self) -> None:
        """Show nothing (the patient or series was closed)."""
        self._volume, self._planes, self._image = None, None, None
        self._calipers, self._projections = [], {}
        self._show_unavailable("")

    def _show_unavailable(self, reason: str) -> None:
        self._planes, self._image, self._projections = None, None, {}
        self._item.clear()
        self._overlay.scale_bar.set_bar(0.0, "")
        for line in self._lines:
            line.hide()
        self._caliper_item.set_calipers([], QRectF())
        self._overlay.slice.set_text(reason)
        self._overlay.cursor.set_text("")
        for item in self._overlay.edges.values():
            item.set_text("")

    def refresh(self) -> None:
        """Read the plane again (the loader filled more of the voxels)."""
        if self._image is not None:
            self._show(self._image.position, force=True)

    def _show(self, position: int, *, force: bool = False) -> None:
        """Show the plane at ``position``: image, overlay, crosshair, calipers."""
        assert self._planes is not None
        if not force and self._image is not None and self._image.position == position:
            self._place_crosshair()
            return
        is_new_shape = self._image is None
        image = self._planes.image(position)
        self._image = image
        self._item.setImage(image.pixels, autoLevels=False, levels=self._levels())
        if is_new_shape:
            row_mm, column_mm = image.pixel_spacing_mm
            # Square millimetres on screen: x units are columns, y units rows.
            self._box.setAspectLocked(True, ratio=column_mm / row_mm)
            right, down = image.column_step_mm, image.row_step_mm
            for edge, letters in edge_letters(right, down).items():
                self._overlay.edges[edge].set_text(letters)
        self._overlay.slice.set_text(plane_text(image, self._planes.position_count))
        self._overlay.cursor.set_text(spacing_text(image))
        self._place_crosshair()
        self._project_calipers()
        self.position_changed.emit(position)

    def _levels(self) -> tuple[float, float]:
        image = self._image
        if image is None:
            return window_levels(*self._window)
        return window_levels(*self._window, image.slope, image.intercept)

    def set_window(self, center: float, width: float) -> None:
        """Show values ``center +/- width / 2`` as black to white (width >= 1)."""
        window = (float(center), max(MIN_WINDOW_WIDTH, float(width)))
        if window == self._window:
            return
        self._window = window
        if self._image is not None:
            self._item.setLevels(self._levels())
        self._overlay.window.set_text(format_window(*window))
        self.window_changed.emit(*window)

    def set_crosshair(self, point_mm: Iterable[float]) -> None:
        """Move the crosshair to a patient point; the plane follows it.

        The plane shown becomes the one nearest to the point (within half a
        plane step). Nothing is emitted: this is how other views sync this one.
        """
        self._crosshair = np.asarray(tuple(point_mm), dtype=np.float64).reshape(3)
        if self._planes is not None:
            self._show(self._planes.position_of(self._crosshair))

    def set_position(self, position: int) -> None:
        """Show the plane at ``position`` (clamped); the crosshair moves with it."""
        if self._planes is None or self._image is None:
            return
        position = min(max(position, 0), self._planes.position_count - 1)
        shift = self._planes.offset_mm(position) - self._image.offset_mm
        self._crosshair = self._crosshair + shift * self._image.normal
        self._show(position)

    def _place_crosshair(self) -> None:
        if self._image is None:
            return
        row, column = self._image.patient_to_pixel(self._crosshair)
        horizontal, vertical = self._lines
        horizontal.setPos(float(row))
        vertical.setPos(float(column))
        horizontal.show()
        vertical.show()

    def set_calipers(
        self,
        calipers: Iterable[ProjectedCaliper],
        colours: Mapping[str, str] | None = None,
    ) -> None:
        """Show these calipers, projected on the plane, replacing the others.

        Each is ``(key, start_mm, end_mm)`` in patient mm. A caliper within half
        a plane step of the plane is drawn solid, one crossing it dashed with a
        dot where it crosses, and one away from it not at all. ``colours`` maps
        keys to colours (default: the long axis colour).
        """
        self._calipers = [
            (key, _patient_point(start), _patient_point(end))
            for key, start, end in calipers
        ]
        self._colours = dict(colours or {})
        self._project_calipers()

    def caliper_projections(self) -> dict[str, ProjectedSegment]:
        """Return each caliper's projection on the plane shown, by key."""
        return dict(self._projections)

    def _project_calipers(self) -> None:
        image = self._image
        if image is None:
            self._projections = {}
            return
        keys = [key for key, _, _ in self._calipers]
        projected = project_segments(
            image,
            [start for _, start, _ in self._calipers],
            [end for _, _, end in self._calipers],
        )
        self._projections = dict(zip(keys, projected, strict=True))
        default = CALIPER_COLOURS["long_axis"]
        shown = [
            ShownCaliper(projection, QColor(self._colours.get(key, default)))
            for key, projection in self._projections.items()
        ]
        rows, columns = image.shape
        self._caliper_item.set_calipers(
            shown, QRectF(-0.5, -0.5, float(columns), float(rows))
        )

    def patient_point_at(self, pos: QPoint | QPointF) -> PatientPoint | None:
        """Return the patient point under a viewport pixel (None without a plane).

        Points beyond the image are clamped to its edge.
        """
        if self._image is None:
            return None
        scene = self._graphics.mapToScene(
            pos.toPoint() if isinstance(pos, QPointF) else pos
        )
        return self._point_at_view(self._box.mapSceneToView(scene))

    def _point_at_view(self, at: QPointF) -> PatientPoint | None:
        image = self._image
        if image is None:
            return None
        rows, columns = image.shape
        row = min(max(at.y(), 0.0), rows - 1.0)
        column = min(max(at.x(), 0.0), columns - 1.0)
        return _patient_point(image.pixel_to_patient((row, column)))

    def reset_view(self) -> None:
        """Fit the whole plane in the view."""
        if self._image is not None:
            rows, columns = self._image.shape
            self._box.setRange(QRectF(-0.5, -0.5, columns, rows), padding=0.0)

    def overlay_texts(self) -> dict[str, str]:
        """Return the overlay texts: slice (the plane), window, cursor, scale, edges."""
        return self._overlay.texts()

    def _on_pointer_at(self, at: QPointF) -> None:
        point = self._point_at_view(at)
        if point is None:
            return
        self._crosshair = np.asarray(point)
        self._place_crosshair()
        self.crosshair_moved.emit(point)

    def _step_to(self, position: int) -> None:
        if self._image is None:
            return
        before = self._image.position
        self.set_position(position)
        if self._image.position != before:
            self.crosshair_moved.emit(self.crosshair_mm)

    def navigate(self, key: Qt.Key) -> bool:
        """Apply a plane navigation key; return whether it was one."""
        target = slice_for_key(key, self.position, self.position_count)
        if target is None:
            return False
        self._step_to(target)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Qt override: plane navigation and window preset keys."""
        key = Qt.Key(event.key())
        preset = preset_for_key(key)
        if self.navigate(key):
            return
        if preset is not None and self._image is not None:
            chosen = WINDOW_PRESETS[preset]
            self.set_window(chosen.center, chosen.width)
        else:
            super().keyPressEvent(event)

    def _on_box_slice_step_requested(self, step: int) -> None:
        self._step_to(self.position + step)

    def _on_box_window_drag_started(self) -> None:
        self._window_at_press = self._window

    def _on_box_window_dragged(self, dx_px: float, dy_px: float) -> None:
        self.set_window(*dragged_window(self._window_at_press, dx_px, dy_px))

    def _on_box_resized(self) -> None:
        viewport = self._graphics.viewport().rect()
        self._overlay.layout(self._graphics.mapToScene(viewport).boundingRect())
        self._on_box_range_changed()

    def _on_box_range_changed(self) -> None:
        width_px = float(self._box.width())
        if self._image is None or width_px <= 0:
            self._overlay.scale_bar.set_bar(0.0, "")
            return
        columns_per_px = self._box.viewRect().width() / width_px
        mm_per_px = columns_per_px * self._image.pixel_spacing_mm[1]
        length_mm, length_px = scale_bar_mm(mm_per_px, _SCALE_BAR_MAX_PX)
        self._overlay.scale_bar.set_bar(length_px, f"{length_mm} mm")
