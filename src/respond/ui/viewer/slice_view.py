"""The slice viewer: one slice of a volume, windowed, with calipers and overlays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QSlider, QVBoxLayout, QWidget

from respond.ui.viewer._annotations import cursor_text, slice_text
from respond.ui.viewer._caliper_set import CaliperSet
from respond.ui.viewer._canvas import (
    PAGE_STEP,
    SliceCanvasItem,
    preset_for_key,
    slice_for_key,
)
from respond.ui.viewer._overlay import ScreenOverlay
from respond.ui.viewer.cursor import CursorInfo, cursor_info
from respond.ui.viewer.windowing import (
    MIN_WINDOW_WIDTH,
    WINDOW_PRESETS,
    default_window,
    dragged_window,
    format_window,
    window_levels,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent

    from respond.dicom import Volume
    from respond.ui.viewer.calipers import (
        CaliperEdit,
        CaliperItem,
        CaliperKind,
        IndexPoint,
    )

__all__ = ["SliceView"]


class SliceView(QWidget):
    """Shows one slice of a `Volume` and the calipers of the session's read.

    Wheel or Up/Down: previous/next slice; Page Up/Down: 10 slices; Home/End:
    first/last; 1-5: window presets; right drag: window (horizontal = width,
    vertical = level); Ctrl+wheel: zoom about the cursor; middle drag: pan; left
    drag: moves a caliper when it starts on one (on an end point or on the line,
    within a few screen pixels), else the active caliper tool draws a new one, or
    pans when no tool is active.

    Each caliper is labelled with its lesion (the part of its key before ``|``)
    and its length.
    """

    slice_changed = Signal(int)
    """The slice shown changed: its index ``k``."""
    window_changed = Signal(float, float)
    """The display window changed: ``(center, width)``."""
    cursor_moved = Signal(object)
    """The voxel under the mouse: a `CursorInfo`, or None outside the image."""
    caliper_drawn = Signal(str, object, object)
    """A caliper was drawn with the tool: ``(kind, start_ijk, end_ijk)``."""
    caliper_edited = Signal(str, object, object)
    """A caliper was moved by the mouse: ``(key, start_ijk, end_ijk)``, on release."""
    calipers_edited = Signal(object)
    """One mouse edit, on release: a tuple of ``(key, start_ijk, end_ijk)``.

    Every caliper the drag changed (a dragged long axis and the short axis that
    followed it), emitted once after the `caliper_edited` of each: record it as
    one edit.
    """
    point_picked = Signal(object)
    """A left click on the image while picking (`set_picking`): ``(k, i, j)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._volume: Volume | None = None
        self._k = 0
        abdomen = WINDOW_PRESETS["abdomen"]
        self._window = (abdomen.center, abdomen.width)
        self._window_at_press = self._window
        self._pointer_scene: QPointF | None = None
        self._cursor: CursorInfo | None = None
        self._crosshair_lines: tuple[Any, Any] | None = None
        self._graphics: Any = pg.GraphicsView(background="k")
        self._graphics.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._box = SliceCanvasItem()
        self._graphics.setCentralItem(self._box)
        self._image: Any = pg.ImageItem(axisOrder="row-major")
        self._image.setZValue(-100)
        # Voxel (i, j) is drawn centred on view point (j, i), as the cursor,
        # the calipers and reset_view count: pixel centres are whole numbers.
        self._image.setTransform(QTransform.fromTranslate(-0.5, -0.5))
        self._box.addItem(self._image)
        self._calipers = CaliperSet(
            self._box, self._on_calipers_edited, self.caliper_drawn.emit
        )
        self._box.grabber = self._calipers
        self._cursor_shape = Qt.CursorShape.ArrowCursor
        self._is_picking = False
        self._overlay = ScreenOverlay(self._graphics.scene())
        self._slider = QSlider(Qt.Orientation.Horizontal)
        self._slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._slider.setPageStep(PAGE_STEP)
        self._slider.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._graphics, 1)
        layout.addWidget(self._slider)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # An explicit minimum: smaller is useless for reading, and it keeps the
        # layout from re-constraining a top-level window after it is shown.
        self.setMinimumSize(200, 200)
        self._connect()

    def _connect(self) -> None:
        self._slider.valueChanged.connect(self._on_slider_value_changed)
        self._box.slice_step_requested.connect(self._on_box_slice_step_requested)
        self._box.window_drag_started.connect(self._on_box_window_drag_started)
        self._box.window_dragged.connect(self._on_box_window_dragged)
        self._box.tool_dragged.connect(self._on_box_tool_dragged)
        self._box.sigResized.connect(self._on_box_resized)
        self._box.sigRangeChanged.connect(self._on_box_range_changed)
        self._graphics.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self._graphics.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self._graphics.viewport().installEventFilter(self)

    @property
    def volume(self) -> Volume | None:
        """The volume shown, or None."""
        return self._volume

    @property
    def slice_index(self) -> int:
        """The slice ``k`` shown."""
        return self._k

    @property
    def slice_count(self) -> int:
        """Number of slices of the volume (0 without one)."""
        return 0 if self._volume is None else self._volume.shape[0]

    @property
    def slider(self) -> QSlider:
        """The slice slider below the image."""
        return self._slider

    @property
    def image_item(self) -> Any:
        """The pyqtgraph ImageItem showing the slice."""
        return self._image

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
        """Show ``volume`` from its middle slice, removing every caliper.

        The voxels may still be filling (see `refresh_slice`). ``window`` is
        ``(center, width)``, by default `windowing.default_window`.
        """
        self._volume = volume
        self._calipers.set_geometry(volume.geometry)
        self._k = volume.shape[0] // 2
        center, width = default_window(volume) if window is None else window
        self._window = (float(center), max(MIN_WINDOW_WIDTH, float(width)))
        row_mm, column_mm = 1.0, 1.0
        if volume.geometry is not None:
            row_mm, column_mm = (float(v) for v in volume.geometry.pixel_spacing_mm)
        # Square millimetres on screen: x units are columns, y units are rows.
        self._box.setAspectLocked(True, ratio=column_mm / row_mm)
        self._overlay.show_geometry(volume.geometry)
        self._overlay.window.set_text(format_window(*self._window))
        self._sync_slider(volume.shape[0])
        self._show_slice()
        self._calipers.show_slice(self._k)
        self.reset_view()
        self.slice_changed.emit(self._k)
        self.window_changed.emit(*self._window)

    def set_slice(self, k: int) -> None:
        """Show slice ``k``.

        Raises
        ------
        IndexError
            When ``k`` is not a slice of the volume.
        """
        if not 0 <= k < self.slice_count:
            raise IndexError(f"slice {k} is outside 0..{self.slice_count - 1}")
        if k == self._k:
            return
        self._k = k
        self._show_slice()
        self._sync_slider()
        self._calipers.show_slice(k)
        self._update_cursor()
        self.slice_changed.emit(k)

    def refresh_slice(self, k: int) -> None:
        """Repaint after the loader filled slice ``k``, if it is the one shown."""
        if self._volume is not None and k == self._k:
            self._show_slice()
            self._cursor = None
            self._update_cursor()

    def _show_slice(self) -> None:
        assert self._volume is not None
        # A view of the volume with fixed levels: no copy, no level computation.
        self._image.setImage(
            self._volume.voxels[self._k], autoLevels=False, levels=self._levels()
        )
        self._overlay.slice.set_text(slice_text(self._volume, self._k))

    def _sync_slider(self, count: int | None = None) -> None:
        self._slider.blockSignals(True)
        if count is not None:
            self._slider.setRange(0, count - 1)
            self._slider.setEnabled(count > 1)
        self._slider.setValue(self._k)
        self._slider.blockSignals(False)

    def _go_to(self, k: int) -> None:
        if self.slice_count:
            self.set_slice(min(max(k, 0), self.slice_count - 1))

    @property
    def display_window(self) -> tuple[float, float]:
        """The display window ``(center, width)`` in modality units.

        Not ``window``: that would hide `QWidget.window`, which Qt code relies on.
        """
        return self._window

    def set_window(self, center: float, width: float) -> None:
        """Show values ``center +/- width / 2`` as black to white (width >= 1)."""
        window = (float(center), max(MIN_WINDOW_WIDTH, float(width)))
        if window == self._window:
            return
        self._window = window
        if self._volume is not None:
            self._image.setLevels(self._levels())
        self._overlay.window.set_text(format_window(*window))
        self.window_changed.emit(*window)

    def apply_preset(self, name: str) -> None:
        """Apply the window preset ``name`` of `WINDOW_PRESETS`.

        Raises
        ------
        ValueError
            For an unknown preset name.
        """
        preset = WINDOW_PRESETS.get(name)
        if preset is None:
            raise ValueError(
                f"unknown window preset {name!r}: one of {', '.join(WINDOW_PRESETS)}"
            )
        self.set_window(preset.center, preset.width)

    def _levels(self) -> tuple[float, float]:
        assert self._volume is not None
        volume, k = self._volume, self._k
        if volume.is_rescaled:
            return window_levels(*self._window)
        slope, intercept = float(volume.slopes[k]), float(volume.intercepts[k])
        return window_levels(*self._window, slope, intercept)

    def set_crosshair(self, index: tuple[float, float] | None) -> None:
        """Draw the linked views' crosshair at voxel ``(i, j)``; None hides it."""
        if self._crosshair_lines is None:
            from respond.ui.viewer.reformat_view import crosshair_line

            self._crosshair_lines = (crosshair_line(0.0), crosshair_line(90.0))
            for line in self._crosshair_lines:
                self._box.addItem(line)
        horizontal, vertical = self._crosshair_lines
        for line in self._crosshair_lines:
            line.setVisible(index is not None)
        if index is not None:
            horizontal.setValue(float(index[0]))
            vertical.setValue(float(index[1]))

    @property
    def crosshair(self) -> tuple[float, float] | None:
        """The crosshair's voxel ``(i, j)``, or None when hidden."""
        lines = self._crosshair_lines
        if lines is None or not lines[0].isVisible():
            return None
        return float(lines[0].value()), float(lines[1].value())

    def reset_view(self) -> None:
        """Fit the whole image in the view."""
        if self._volume is not None:
            _, rows, columns = self._volume.shape
            self._box.setRange(QRectF(-0.5, -0.5, columns, rows), padding=0.0)

    def overlay_texts(self) -> dict[str, str]:
        """Return the overlay texts: slice, window, cursor, scale and the 4 edges."""
        return self._overlay.texts()

    def _on_box_resized(self) -> None:
        viewport = self._graphics.viewport().rect()
        self._overlay.layout(self._graphics.mapToScene(viewport).boundingRect())
        self._on_box_range_changed()

    def _on_box_range_changed(self) -> None:
        width_px = float(self._box.width())
        columns_per_px = self._box.viewRect().width() / width_px if width_px else 0.0
        geometry = None if self._volume is None else self._volume.geometry
        self._overlay.show_scale(geometry, columns_per_px)
        self._calipers.relayout_labels()

    def navigate(self, key: Qt.Key) -> bool:
        """Apply a slice navigation key; return whether it was one.

        Up/Down: previous/next slice, Page Up/Down: 10 slices, Home/End:
        first/last. Without a volume nothing is a navigation key.
        """
        target = slice_for_key(key, self._k, self.slice_count)
        if target is None:
            return False
        self._go_to(target)
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Qt override: slice navigation and window preset keys."""
        key = Qt.Key(event.key())
        preset = preset_for_key(key)
        if self.navigate(key):
            return
        if preset is not None and self._volume is not None:
            self.apply_preset(preset)
        else:
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Qt override: the cursor readout and highlight clear when the mouse leaves."""
        if event.type() == QEvent.Type.Leave:
            self._pointer_scene = None
            self._update_cursor()
            self._show_grab(None)
        return super().eventFilter(watched, event)

    def _on_slider_value_changed(self, value: int) -> None:
        self._go_to(value)

    def _on_box_slice_step_requested(self, step: int) -> None:
        self._go_to(self._k + step)

    def _on_box_window_drag_started(self) -> None:
        self._window_at_press = self._window

    def _on_box_window_dragged(self, dx_px: float, dy_px: float) -> None:
        self.set_window(*dragged_window(self._window_at_press, dx_px, dy_px))

    def _on_scene_mouse_moved(self, scene_pos: QPointF) -> None:
        self._pointer_scene = QPointF(scene_pos)
        self._update_cursor()
        self._show_grab(self._pointer_scene)

    def _show_grab(self, scene_pos: QPointF | None) -> None:
        """Highlight what a press would grab, and say so with the mouse cursor."""
        grab = self._calipers.hover(scene_pos)
        if grab is not None:
            shape = Qt.CursorShape.SizeAllCursor
        elif self._calipers.tool is not None or self._is_picking:
            shape = Qt.CursorShape.CrossCursor
        else:
            shape = Qt.CursorShape.ArrowCursor
        if shape != self._cursor_shape:
            self._cursor_shape = shape
            self._graphics.viewport().setCursor(shape)

    def _update_cursor(self) -> None:
        info = None
        if self._volume is not None and self._pointer_scene is not None:
            at = self._box.mapSceneToView(self._pointer_scene)
            info = cursor_info(self._volume, self._k, at.y(), at.x())
        if info == self._cursor:
            return
        self._cursor = info
        modality = "" if self._volume is None else self._volume.modality
        self._overlay.cursor.set_text(cursor_text(info, modality))
        self.cursor_moved.emit(info)

    @property
    def tool(self) -> CaliperKind | None:
        """The caliper kind a left drag draws, or None (left drag pans)."""
        return self._calipers.tool

    def set_tool(self, kind: CaliperKind | None) -> None:
        """Make a left drag draw a ``kind`` caliper; None makes it pan.

        Raises
        ------
        ValueError
            For an unknown caliper kind.
        """
        self._calipers.set_tool(kind)
        self._box.is_tool_active = kind is not None
        self._cursor_shape = (
            Qt.CursorShape.CrossCursor
            if kind or self._is_picking
            else Qt.CursorShape.ArrowCursor
        )
        self._graphics.viewport().setCursor(self._cursor_shape)

    @property
    def is_picking(self) -> bool:
        """Whether a left click on the image emits `point_picked`."""
        return self._is_picking

    def set_picking(self, on: bool) -> None:
        """Make a left click on the image (not on a caliper) emit `point_picked`.

        A left drag still pans (or moves the caliper it starts on).
        """
        self._is_picking = on
        active = on or self._calipers.tool is not None
        self._cursor_shape = (
            Qt.CursorShape.CrossCursor if active else Qt.CursorShape.ArrowCursor
        )
        self._graphics.viewport().setCursor(self._cursor_shape)

    def _on_scene_mouse_clicked(self, event: Any) -> None:
        if (
            not self._is_picking
            or self._volume is None
            or event.button() != Qt.MouseButton.LeftButton
            or self._calipers.grab_at(event.scenePos()) is not None
        ):
            return
        at = self._box.mapSceneToView(event.scenePos())
        self.point_picked.emit((float(self._k), float(at.y()), float(at.x())))

    def _on_box_tool_dragged(self, start: QPointF, end: QPointF, done: bool) -> None:
        if self._volume is not None:
            self._calipers.draw(self._k, start, end, is_done=done)

    def add_caliper(
        self,
        key: str,
        kind: CaliperKind,
        start_ijk: IndexPoint,
        end_ijk: IndexPoint,
        *,
        long_axis_key: str | None = None,
        lesion_label: str | None = None,
        is_proposal: bool = False,
    ) -> CaliperItem:
        """Show the caliper of measurement ``key`` from ``start_ijk`` to ``end_ijk``.

        Both ends ``(k, i, j)`` lie on slice ``k``; the caliper shows while that
        slice does. A short axis given ``long_axis_key`` stays perpendicular to
        that long axis, in patient space, while either line is dragged. Its
        label names ``lesion_label``, by default the part of ``key`` before the
        first ``|`` (keys read ``lesion|kind|index``). A proposed line
        (``is_proposal``; its key starts with ``PROPOSAL_KEY_PREFIX``) is
        dashed, can be dragged like any caliper, and is listed by
        `proposal_calipers`, not `calipers`.

        Raises
        ------
        ValueError
            For a duplicate key, an unknown kind, ends on two slices, or a link
            that is not short axis -> long axis on one slice.
        KeyError
            For an unknown ``long_axis_key``.
        """
        return self._calipers.add(
            key,
            kind,
            (start_ijk, end_ijk),
            long_axis_key,
            lesion_label,
            is_proposal=is_proposal,
        )

    def remove_caliper(self, key: str) -> None:
        """Remove the caliper of ``key``, unlinking its partner.

        Raises
        ------
        KeyError
            For an unknown key.
        """
        self._calipers.remove(key)

    def move_caliper(
        self, key: str, start_ijk: IndexPoint, end_ijk: IndexPoint
    ) -> None:
        """Move the caliper of ``key`` without an edit signal (undo, redo, sync).

        This is also how an owner that refused a mouse edit puts the line back
        where the read has it (`respond.ui._caliper_sync.show_calipers`), even
        from within its `calipers_edited` handler.

        Raises
        ------
        KeyError
            For an unknown key.
        ValueError
            For ends on two slices.
        """
        self._calipers.move(key, (start_ijk, end_ijk))

    def calipers(self) -> dict[str, CaliperItem]:
        """Return the calipers shown, by measurement key."""
        return self._calipers.items()

    def proposal_calipers(self) -> dict[str, CaliperItem]:
        """Return the proposed lines shown, by key."""
        return self._calipers.proposals()

    def caliper_link(self, key: str) -> str | None:
        """Return the long axis key the short axis ``key`` follows (None: none)."""
        return self._calipers.long_axis_of(key)

    def _on_calipers_edited(self, edits: tuple[CaliperEdit, ...]) -> None:
        for key, start, end in edits:
            self.caliper_edited.emit(key, start, end)
        self.calipers_edited.emit(edits)
