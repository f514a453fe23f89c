"""The ViewBox of a slice view: gestures (and navigation keys) become requests.

Wheel = slice step, Ctrl+wheel = zoom about the cursor (pyqtgraph's own), right
drag = window/level, middle drag = pan, left drag = the active tool, or pan.
A left drag is first offered to the `grabber` (the calipers): one that starts on
a caliper's end or line edits it instead; anywhere else, even close by, it
draws (or pans).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Protocol

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from respond.ui.viewer.windowing import WINDOW_PRESETS

if TYPE_CHECKING:
    from PySide6.QtCore import QPointF

_WHEEL_STEP: Final = 120  # one notch, in eighths of a degree
PAGE_STEP: Final = 10
_STEP_KEYS: Final = {
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageUp: -PAGE_STEP,
    Qt.Key.Key_PageDown: PAGE_STEP,
}


_PRESET_KEYS: Final = dict(
    zip(
        (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5),
        WINDOW_PRESETS,
        strict=True,
    )
)


def preset_for_key(key: Qt.Key) -> str | None:
    """Return the window preset of a number key (1-5, in `WINDOW_PRESETS` order)."""
    return _PRESET_KEYS.get(key)


def slice_for_key(key: Qt.Key, k: int, count: int) -> int | None:
    """Return the slice a navigation key goes to from ``k``, clamped; else None."""
    if count == 0:
        return None
    if key in _STEP_KEYS:
        return min(max(k + _STEP_KEYS[key], 0), count - 1)
    if key == Qt.Key.Key_Home:
        return 0
    if key == Qt.Key.Key_End:
        return count - 1
    return None


class Grabber(Protocol):
    """Takes left drags that start on something it can move (scene coordinates)."""

    def begin_drag(self, scene_pos: QPointF) -> bool:
        """Grab what is under a press; return whether anything was."""
        ...

    def drag_to(self, scene_pos: QPointF) -> None:
        """Move what was grabbed with the mouse."""
        ...

    def finish_drag(self) -> None:
        """Let go of what was grabbed."""
        ...


class SliceCanvasItem(pg.ViewBox):  # type: ignore[misc]
    """The image's ViewBox: y down, aspect locked, gestures emitted as signals."""

    slice_step_requested = Signal(int)
    window_drag_started = Signal()
    window_dragged = Signal(float, float)
    tool_dragged = Signal(object, object, bool)

    def __init__(self) -> None:
        super().__init__(invertY=True, lockAspect=True, enableMenu=False)
        self.is_tool_active = False
        self.grabber: Grabber | None = None
        self._is_grabbing = False
        self._wheel_rest = 0

    def wheelEvent(self, ev: Any, axis: int | None = None) -> None:
        """Qt override: one slice per notch (forward = previous); Ctrl zooms."""
        if ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(ev, axis)
            return
        ev.accept()
        self._wheel_rest += int(ev.delta())
        notches = int(self._wheel_rest / _WHEEL_STEP)
        if notches:
            self._wheel_rest -= notches * _WHEEL_STEP
            self.slice_step_requested.emit(-notches)

    def mouseDragEvent(self, ev: Any, axis: int | None = None) -> None:
        """Route a drag by its button (pyqtgraph override; see the module)."""
        button = ev.button()
        if button == Qt.MouseButton.RightButton:
            ev.accept()
            if ev.isStart():
                self.window_drag_started.emit()
            travel = ev.screenPos() - ev.buttonDownScreenPos()
            self.window_dragged.emit(float(travel.x()), float(travel.y()))
        elif button == Qt.MouseButton.LeftButton and self._grab_drag(ev):
            return
        elif button == Qt.MouseButton.LeftButton and self.is_tool_active:
            ev.accept()
            start = self.mapToView(ev.buttonDownPos())
            end = self.mapToView(ev.pos())
            self.tool_dragged.emit(start, end, bool(ev.isFinish()))
        elif button in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            super().mouseDragEvent(ev, axis)
        else:
            ev.ignore()

    def _grab_drag(self, ev: Any) -> bool:
        """Give a left drag to the grabber when it started on something it moves."""
        grabber = self.grabber
        if grabber is None:
            return False
        if ev.isStart():
            self._is_grabbing = grabber.begin_drag(ev.buttonDownScenePos())
        if not self._is_grabbing:
            return False
        ev.accept()
        grabber.drag_to(ev.scenePos())
        if ev.isFinish():
            self._is_grabbing = False
            grabber.finish_drag()
        return True
