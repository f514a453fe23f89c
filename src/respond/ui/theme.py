"""The reading-room look: a dark theme by default, a light one in the settings.

A reading room is dim; a white window around a grey CT glares and changes how
the grey is seen. respond starts dark (Qt's Fusion style with a dark palette,
the viewer's black canvas unchanged) and offers a light theme under
View > Theme, remembered in the settings::

    apply_theme(app, theme_from(settings))

Colours that widgets set themselves (warnings, hints) are chosen to stay
legible on both palettes (contrast >= 3:1 for bold text on either).
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Final

from PySide6.QtGui import QAction, QActionGroup, QColor, QPalette
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMenu

__all__ = [
    "SETTINGS_KEY",
    "Theme",
    "add_theme_menu",
    "apply_theme",
    "current_theme",
    "theme_from",
]

SETTINGS_KEY: Final = "appearance/theme"


class Theme(Enum):
    """The application's look."""

    DARK = "dark"
    LIGHT = "light"

    @property
    def label(self) -> str:
        """The menu text: ``Dark (reading room)``, ``Light``."""
        return "Dark (reading room)" if self is Theme.DARK else "Light"


_DARK: Final = {
    QPalette.ColorRole.Window: "#25282d",
    QPalette.ColorRole.WindowText: "#e3e6eb",
    QPalette.ColorRole.Base: "#1b1d21",
    QPalette.ColorRole.AlternateBase: "#2a2e34",
    QPalette.ColorRole.ToolTipBase: "#30343b",
    QPalette.ColorRole.ToolTipText: "#f0f2f5",
    QPalette.ColorRole.PlaceholderText: "#8c939e",
    QPalette.ColorRole.Text: "#e3e6eb",
    QPalette.ColorRole.Button: "#2f3339",
    QPalette.ColorRole.ButtonText: "#e3e6eb",
    QPalette.ColorRole.BrightText: "#ff6b5e",
    QPalette.ColorRole.Light: "#3d424a",
    QPalette.ColorRole.Midlight: "#34383f",
    QPalette.ColorRole.Mid: "#23262b",
    QPalette.ColorRole.Dark: "#17191c",
    QPalette.ColorRole.Shadow: "#0b0c0e",
    QPalette.ColorRole.Highlight: "#2f6db3",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6fb1ff",
    QPalette.ColorRole.LinkVisited: "#b08cff",
}
_DARK_DISABLED: Final = {
    QPalette.ColorRole.WindowText: "#767c86",
    QPalette.ColorRole.Text: "#767c86",
    QPalette.ColorRole.ButtonText: "#767c86",
    QPalette.ColorRole.Highlight: "#3a3f47",
    QPalette.ColorRole.HighlightedText: "#9aa0a9",
}
_TOOLTIP_STYLE: Final = (
    "QToolTip { color: #f0f2f5; background-color: #30343b; "
    "border: 1px solid #4a5059; padding: 3px; }"
)


def theme_from(settings: QSettings) -> Theme:
    """Return the theme the settings name (dark when unset or unknown)."""
    value = str(settings.value(SETTINGS_KEY, Theme.DARK.value) or "")
    try:
        return Theme(value)
    except ValueError:
        return Theme.DARK


def current_theme(app: QApplication) -> Theme:
    """Return the theme applied to ``app`` (dark until one is applied)."""
    value = app.property("respond-theme")
    return Theme(value) if value in {t.value for t in Theme} else Theme.DARK


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Give ``app`` the theme's style, palette and tooltip look."""
    app.setStyle("Fusion")
    app.setProperty("respond-theme", theme.value)
    if theme is Theme.LIGHT:
        app.setPalette(app.style().standardPalette())
        app.setStyleSheet("")
        return
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    app.setPalette(palette)
    app.setStyleSheet(_TOOLTIP_STYLE)


def add_theme_menu(view_menu: QMenu, settings: QSettings) -> dict[Theme, QAction]:
    """Add View > Theme (dark, the default, or light); a choice applies and is kept."""
    menu = view_menu.addMenu("Theme")
    group = QActionGroup(menu)
    chosen = theme_from(settings)
    actions: dict[Theme, QAction] = {}
    for theme in Theme:
        action = QAction(theme.label, menu, checkable=True)
        action.setChecked(theme is chosen)
        action.triggered.connect(lambda _on=False, t=theme: _choose(t, settings))
        group.addAction(action)
        menu.addAction(action)
        actions[theme] = action
    return actions


def _choose(theme: Theme, settings: QSettings) -> None:
    settings.setValue(SETTINGS_KEY, theme.value)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_theme(app, theme)
