"""The mouse wheel scrolls a form; it never changes a value the reader did not pick.

Qt's combo and spin boxes take the wheel whenever the pointer is over them: a
reader scrolling the Clinical tab changed ECOG from "not recorded" to 4 without
noticing. :class:`WheelGuard`, installed on the application, lets such a box
take the wheel only while it has the keyboard focus (clicked or tabbed to);
otherwise the wheel goes to the form around it, which scrolls.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

__all__ = ["WheelGuard"]

_VALUE_BOXES = (QComboBox, QAbstractSpinBox)


def _value_box(widget: QObject) -> QWidget | None:
    """Return the combo or spin box ``widget`` is (or is the editor of)."""
    if isinstance(widget, _VALUE_BOXES):
        return widget
    parent = widget.parent()
    if isinstance(parent, _VALUE_BOXES):
        return parent
    return None


class WheelGuard(QObject):
    """Sends the wheel of an unfocused value box to the widget around it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Pass the wheel on unless the box has the focus."""
        if event.type() != QEvent.Type.Wheel:
            return False
        box = _value_box(watched)
        if box is None or box.hasFocus():
            return False
        parent = box.parentWidget()
        event.ignore()
        if parent is not None:
            QCoreApplication.sendEvent(parent, event)
        return True
