"""Keys: editors keep what is typed in them; slice keys scroll the viewer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from respond.ui.keys import ViewerKeyRouter, is_editor
from respond.ui.viewer import SliceView

TOOL_KEYS = ("L", "S", "V")
SLICE_KEYS = [
    (Qt.Key.Key_Down, 11),
    (Qt.Key.Key_Up, 10),
    (Qt.Key.Key_PageDown, 19),
    (Qt.Key.Key_PageUp, 9),
    (Qt.Key.Key_Home, 0),
    (Qt.Key.Key_End, 19),
]


class _PanelEditorDelegate(QStyledItemDelegate):
    """Column 1 edits with a plain focusable widget (like a picker of buttons)."""

    def createEditor(self, parent, option, index):  # type: ignore[no-untyped-def]
        if index.column() == 1:
            editor = QWidget(parent)
            editor.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            editor.setObjectName("picker")
            return editor
        return super().createEditor(parent, option, index)


class Window(QMainWindow):
    """A viewer beside the widgets a reader types into or clicks."""

    def __init__(self) -> None:
        super().__init__()
        self.view = SliceView()
        self.line = QLineEdit()
        self.spin = QSpinBox()
        self.spin.setRange(0, 999)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.addItems(["liver", "lung", "bone"])
        self.plain_combo = QComboBox()
        self.plain_combo.addItems(["0", "1", "2"])
        self.model = QStandardItemModel(3, 2)
        for row in range(3):
            for column in range(2):
                self.model.setItem(row, column, QStandardItem(f"r{row}c{column}"))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(_PanelEditorDelegate(self.table))
        self.button = QPushButton("Remove")
        self.tabs = QTabWidget()
        for name in ("Lesions", "Clinical"):
            self.tabs.addTab(QWidget(), name)
        panel = QWidget()
        column = QVBoxLayout(panel)
        for widget in (
            self.line,
            self.spin,
            self.combo,
            self.plain_combo,
            self.table,
            self.button,
            self.tabs,
        ):
            column.addWidget(widget)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.view, 1)
        layout.addWidget(panel)
        self.setCentralWidget(central)
        self.triggered: list[str] = []
        for key in TOOL_KEYS:
            action = QAction(f"tool {key}", self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _=False, k=key: self.triggered.append(k))
            self.addAction(action)


@pytest.fixture
def window(qtbot, volume) -> Iterator[Window]:
    window = Window()
    qtbot.addWidget(window)
    window.resize(900, 1000)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    window.view.set_volume(volume)
    router = ViewerKeyRouter(window.view, window)
    app = QApplication.instance()
    app.installEventFilter(router)
    yield window
    app.removeEventFilter(router)


def focus(qtbot, widget: QWidget) -> QWidget:
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    focused = QApplication.focusWidget()
    assert focused is widget or widget.isAncestorOf(focused)
    return focused


def start_editing(qtbot, window: Window, column: int) -> QWidget:
    table = window.table
    focus(qtbot, table)
    index = window.model.index(1, column)
    table.setCurrentIndex(index)
    table.edit(index)
    qtbot.waitUntil(
        lambda: table.state() == QTableView.State.EditingState, timeout=2000
    )
    editor = QApplication.focusWidget()
    assert editor is not None
    assert editor is not table
    return editor


def test_the_tool_shortcuts_work_from_the_viewer_and_a_button(qtbot, window) -> None:
    for widget in (window.view, window.button):
        focus(qtbot, widget)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_L)
    assert window.triggered == ["L", "L"]


@pytest.mark.parametrize("name", ["line", "spin", "combo"])
def test_typing_into_an_editor_never_fires_a_tool(qtbot, window, name) -> None:
    editor = focus(qtbot, getattr(window, name))
    if name == "spin":
        qtbot.keyClicks(editor, "15")
        typed = window.spin.text()
        qtbot.keyClicks(editor, "LSV")  # not a number: refused by the spin box
        assert window.spin.text() == typed
    else:
        qtbot.keyClicks(editor, "LSV")
        text = window.line.text() if name == "line" else window.combo.currentText()
        assert text.endswith("LSV")
    assert window.triggered == []


@pytest.mark.parametrize("column", [0, 1])
def test_typing_into_a_table_cell_editor_never_fires_a_tool(
    qtbot, window, column: int
) -> None:
    editor = start_editing(qtbot, window, column)
    for key in TOOL_KEYS:
        qtbot.keyClick(editor, key)
    assert window.triggered == []
    if column == 0:
        assert editor.text().endswith("LSV")  # type: ignore[attr-defined]
    # The table is not editing any more: the tool keys work again.
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.table.state() != QTableView.State.EditingState)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_V)
    assert window.triggered == ["V"]


@pytest.mark.parametrize("name", ["table", "button", "tabs", "plain_combo"])
def test_slice_keys_scroll_the_viewer_from_other_widgets(qtbot, window, name) -> None:
    target = focus(qtbot, getattr(window, name))
    window.table.setCurrentIndex(window.model.index(1, 0))
    tab, item = window.tabs.currentIndex(), window.plain_combo.currentIndex()
    for key, expected in SLICE_KEYS:
        qtbot.keyClick(target, key)
        assert window.view.slice_index == expected, key
    # ... and only the viewer: the table row, the tab and the choice stay.
    assert window.table.currentIndex().row() == 1
    assert (window.tabs.currentIndex(), window.plain_combo.currentIndex()) == (
        tab,
        item,
    )
    assert QApplication.focusWidget() is target


def test_slice_keys_work_in_the_viewer_itself(qtbot, window) -> None:
    focus(qtbot, window.view)
    qtbot.keyClick(window.view, Qt.Key.Key_Down)
    assert window.view.slice_index == 11


@pytest.mark.parametrize("name", ["line", "spin", "combo"])
def test_slice_keys_stay_in_an_editor(qtbot, window, name) -> None:
    editor = focus(qtbot, getattr(window, name))
    window.line.setText("segment VIII")
    window.spin.setValue(5)
    for key, _ in SLICE_KEYS:
        qtbot.keyClick(editor, key)
    assert window.view.slice_index == 10
    if name == "line":
        assert window.line.cursorPosition() == len("segment VIII")  # End went here
    if name == "spin":
        assert window.spin.value() != 5


@pytest.mark.parametrize("column", [0, 1])
@pytest.mark.parametrize("key", [key for key, _ in SLICE_KEYS])
def test_slice_keys_stay_in_a_table_cell_being_edited(
    qtbot, window, column: int, key: Qt.Key
) -> None:
    # (Up or Down may then end the edit, as in any table: the next key scrolls.)
    editor = start_editing(qtbot, window, column)
    qtbot.keyClick(editor, key)
    assert window.view.slice_index == 10


def test_modified_slice_keys_are_left_alone(qtbot, window) -> None:
    focus(qtbot, window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert window.view.slice_index == 10


def test_what_counts_as_an_editor(qtbot, window) -> None:
    assert is_editor(window.line)
    assert is_editor(window.spin)
    assert is_editor(window.combo)
    assert is_editor(window.combo.lineEdit())
    assert not is_editor(window.plain_combo)
    assert not is_editor(window.table)
    assert not is_editor(window.button)
    assert not is_editor(None)
    editor = start_editing(qtbot, window, 1)
    assert is_editor(editor)
