"""Which widget a key belongs to: the editor being typed in, or the viewer.

`ViewerKeyRouter` is an application-wide event filter; the main window installs
it once::

    router = ViewerKeyRouter(self.view, self)
    QApplication.instance().installEventFilter(router)

(the parent owns it; Qt drops the filter when the router is destroyed). Rules:

- Keys typed into an editor (a line or text edit, a spin box, an editable combo
  box, or an item view editing a cell) belong to it: single-key shortcuts (tool
  keys ``L``, ``S``, ``V``; digits) never fire from there.
- The slice keys (Up, Down, Page Up, Page Down, Home, End) scroll the viewer
  wherever the focus is in its window (a table that is not editing, a button, a
  tab bar, a plain combo box), except in such an editor, and not while a dialog
  or a popup is open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

if TYPE_CHECKING:
    from respond.ui.viewer import SliceView

__all__ = ["NAVIGATION_KEYS", "ViewerKeyRouter", "is_editor"]

NAVIGATION_KEYS: Final = frozenset(
    {
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
    }
)
"""The keys that scroll the viewer's slices."""
_EDITING_KEYS: Final = frozenset(
    {
        *NAVIGATION_KEYS,
        Qt.Key.Key_Left,
        Qt.Key.Key_Right,
        Qt.Key.Key_Backspace,
        Qt.Key.Key_Delete,
    }
)
_COMMAND_MODIFIERS: Final = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)
_TEXT_EDITORS: Final = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)
_KEY_EVENTS: Final = frozenset({QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress})


def is_editor(widget: QWidget | None) -> bool:
    """Return whether keys typed with ``widget`` focused belong to it.

    True for a line or text edit, a spin box, an editable combo box, and for
    any widget of an item view that is editing a cell (the cell's editor).
    """
    if widget is None:
        return False
    if isinstance(widget, _TEXT_EDITORS):
        return True
    if isinstance(widget, QComboBox) and widget.isEditable():
        return True
    ancestor: QWidget | None = widget
    while ancestor is not None:
        if isinstance(ancestor, QAbstractItemView):
            return ancestor.state() == QAbstractItemView.State.EditingState
        if ancestor.isWindow():
            return False
        ancestor = ancestor.parentWidget()
    return False


def _is_typing(event: QKeyEvent) -> bool:
    """Whether an editor would take the key as typing (no Ctrl, Alt or Meta)."""
    if event.modifiers() & _COMMAND_MODIFIERS:
        return False
    text = event.text()
    return (bool(text) and text.isprintable()) or event.key() in _EDITING_KEYS


class ViewerKeyRouter(QObject):
    """Application event filter: editors keep their keys, slice keys scroll the view.

    Parameters
    ----------
    view : SliceView
        The viewer the slice keys scroll.
    parent : QObject or None
        The owner (the main window); the filter goes when it does.
    """

    def __init__(self, view: SliceView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view = view

    @property
    def view(self) -> SliceView:
        """The viewer the slice keys scroll."""
        return self._view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Qt override: route key presses and shortcut overrides (see the module)."""
        kind = event.type()
        if kind not in _KEY_EVENTS or not isinstance(event, QKeyEvent):
            return False
        if kind == QEvent.Type.ShortcutOverride:
            return self._on_shortcut_override(watched, event)
        return self._on_key_press(watched, event)

    def _on_shortcut_override(self, watched: QObject, event: QKeyEvent) -> bool:
        """Keep typing in an editor from firing single-key shortcuts."""
        focus = QApplication.focusWidget()
        if watched is not focus or not is_editor(focus) or not _is_typing(event):
            return False
        event.accept()  # Qt then delivers the key to the editor, not the shortcut
        return True

    def _on_key_press(self, watched: QObject, event: QKeyEvent) -> bool:
        """Send a slice key to the viewer unless an editor is typed in."""
        key = Qt.Key(event.key())
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key not in NAVIGATION_KEYS or modifiers != Qt.KeyboardModifier.NoModifier:
            return False
        focus = QApplication.focusWidget()
        origin = focus if focus is not None else self._view.window()
        view = self._view
        if watched is not origin or origin is view or view.isAncestorOf(origin):
            return False  # not the first delivery, or the viewer handles it itself
        if is_editor(focus) or not self._is_viewer_reachable(origin):
            return False
        return view.navigate(key)

    def _is_viewer_reachable(self, origin: QWidget) -> bool:
        """Whether the focus is in the viewer's window, with no dialog or popup."""
        view = self._view
        if QApplication.activePopupWidget() is not None:
            return False
        if QApplication.activeModalWidget() is not None:
            return False
        if not (view.isVisible() and view.isEnabled()):
            return False
        window = origin.window()
        if isinstance(window, QDockWidget):  # a floating dock of the main window
            parent = window.parentWidget()
            window = parent.window() if parent is not None else window
        return window is view.window()
