"""Help > Keyboard shortcuts: one sheet of every key, grouped as the reader works.

The sheet is built from the window's own actions (so it never disagrees with
what the keys do) plus the viewer's mouse and keys, which are not actions::

    sheet = ShortcutSheet(shortcut_sections(window, VIEWER_KEYS), window)
    sheet.show()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from PySide6.QtWidgets import QMainWindow, QMenu

__all__ = ["ShortcutSheet", "shortcut_sections"]

Section = tuple[str, list[tuple[str, str]]]


def _keys(action: QAction) -> str:
    return ", ".join(k.toString() for k in action.shortcuts())


def _text(action: QAction) -> str:
    text = action.text().replace("&", "")
    return text.split(" (", 1)[0] if text.endswith(")") else text


def _menu_rows(menu: QMenu, seen: set[int]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for action in menu.actions():
        sub = action.menu()
        if sub is not None:
            rows.extend(_menu_rows(cast("QMenu", sub), seen))
        elif _keys(action) and id(action) not in seen:
            seen.add(id(action))
            rows.append((_keys(action), _text(action)))
    return rows


def shortcut_sections(
    window: QMainWindow, viewer_keys: Iterable[tuple[str, str]]
) -> list[Section]:
    """Return the window's shortcuts by section: tools first, then each menu.

    Every action with a key appears once: the reading tools (toolbar and window
    actions), then the menus in menu-bar order, then the viewer's keys.
    """
    seen: set[int] = set()
    menus = [
        cast("QMenu", a.menu())
        for a in window.menuBar().actions()
        if a.menu() is not None
    ]
    in_menus = {id(a) for m in menus for a in _all_actions(m)}
    tools = []
    for action in window.findChildren(QAction):
        if _keys(action) and id(action) not in in_menus and id(action) not in seen:
            seen.add(id(action))
            tools.append((_keys(action), _text(action)))
    sections: list[Section] = [("Reading tools", sorted(tools, key=lambda r: r[1]))]
    for menu in menus:
        rows = _menu_rows(menu, seen)
        if rows:
            sections.append((menu.title().replace("&", ""), rows))
    sections.append(("Viewer (mouse and keys)", list(viewer_keys)))
    return sections


def _all_actions(menu: QMenu) -> list[QAction]:
    found: list[QAction] = []
    for action in menu.actions():
        sub = action.menu()
        found.extend(_all_actions(cast("QMenu", sub)) if sub is not None else [action])
    return found


class ShortcutSheet(QDialog):
    """A non-modal sheet: section headings, then key and what it does."""

    def __init__(self, sections: Sequence[Section], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Key", "Does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for title, rows in sections:
            self._add_section(title, rows)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        hint = QLabel(
            "Keys work wherever the focus is, except while typing in a field."
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(560, 640)

    def _add_section(self, title: str, rows: Sequence[tuple[str, str]]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        heading = QTableWidgetItem(title)
        font = QFont(heading.font())
        font.setBold(True)
        heading.setFont(font)
        self.table.setItem(row, 0, heading)
        self.table.setSpan(row, 0, 1, 2)
        for keys, what in rows:
            row = self.table.rowCount()
            self.table.insertRow(row)
            key_item = QTableWidgetItem(keys)
            key_item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.table.setItem(row, 0, key_item)
            self.table.setItem(row, 1, QTableWidgetItem(what))

    def rows(self) -> list[tuple[str, str]]:
        """Every row shown: ``(key, what)``; a heading has an empty ``what``."""
        result = []
        for row in range(self.table.rowCount()):
            key = self.table.item(row, 0)
            what = self.table.item(row, 1)
            result.append((key.text() if key else "", what.text() if what else ""))
        return result
