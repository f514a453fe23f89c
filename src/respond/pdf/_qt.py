"""A Qt application for painting, created on demand (offscreen without a screen).

It is a QApplication (not only a QGuiApplication) so that widgets created later
in the same process, by the desktop app or its tests, find the one they need.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

__all__ = ["ensure_gui"]

_KEEP: list[QApplication] = []


def ensure_gui() -> None:
    """Make sure a QGuiApplication exists (fonts and images need one)."""
    if QGuiApplication.instance() is not None:
        return
    headless = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    if headless and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _KEEP.append(QApplication([sys.argv[0] if sys.argv else "respond"]))
