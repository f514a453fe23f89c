"""Editing a lesion's site in the lesion table: segments for the liver, undoable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QLineEdit
from tests.conftest import EXAMPLE_CASE

from respond.casefile import load_case, read_case_file
from respond.session import ReadSession, read_from_case
from respond.store import open_store
from respond.ui._organs import COUINAUD_SEGMENTS, format_segments, parse_segments
from respond.ui.commands import IntentCommand
from respond.ui.lesion_panel import CouinaudPicker, LesionPanel
from respond.ui.models.lesion_table import COLUMNS

SITE = COLUMNS.index("site")


@pytest.fixture
def session(tmp_path: Path) -> ReadSession:
    """The example read: T1 liver (segment VIII), T2 para-aortic node."""
    store = open_store(tmp_path / "reads.sqlite3")
    store.create_patient(
        read_from_case(load_case(read_case_file(EXAMPLE_CASE))), who="t"
    )
    return ReadSession(store, "HCC-0001", reader="dr-a")


@pytest.fixture
def stack() -> QUndoStack:
    return QUndoStack()


@pytest.fixture
def panel(qtbot, session: ReadSession, stack: QUndoStack) -> LesionPanel:
    panel = LesionPanel(session, stack)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def shown_errors(monkeypatch) -> list[Exception]:
    """What the main window's error sink would show."""
    errors: list[Exception] = []
    monkeypatch.setattr(IntentCommand, "error_sink", errors.append)
    return errors


def row_of(panel: LesionPanel, lesion_id: str) -> int:
    rows = range(panel.model.rowCount())
    return next(r for r in rows if panel.model.lesion_at(r).id == lesion_id)  # type: ignore[union-attr]


def open_site_editor(qtbot, panel: LesionPanel, lesion_id: str):
    """Double-click the lesion's site cell, as a reader does; return the editor."""
    table = panel.table
    index = panel.model.index(row_of(panel, lesion_id), SITE)
    table.scrollTo(index)
    centre = table.visualRect(index).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState, timeout=2000)
    editor = QApplication.focusWidget()
    assert editor is not None
    return editor


def site(session: ReadSession, lesion_id: str) -> str:
    return session.lesion(lesion_id).site


def press_and_wait(qtbot, panel: LesionPanel, editor, key: Qt.Key) -> None:
    """Press Return or Escape in the editor and let the view close it.

    The view commits after the key event, and the edit follows once the
    editor is closed.
    """
    qtbot.keyClick(editor, key)
    qtbot.waitUntil(
        lambda: panel.table.state() != panel.table.State.EditingState, timeout=2000
    )
    QApplication.processEvents()


def test_a_liver_site_is_picked_as_couinaud_segments_and_undone(
    qtbot, panel: LesionPanel, session: ReadSession, stack: QUndoStack
) -> None:
    assert site(session, "T1") == "segment VIII"
    picker = open_site_editor(qtbot, panel, "T1")
    assert isinstance(picker, CouinaudPicker)
    assert list(picker.buttons) == list(COUINAUD_SEGMENTS)
    assert picker.segments() == ("VIII",)  # what the stored text names
    qtbot.mouseClick(picker.buttons["VII"], Qt.MouseButton.LeftButton)
    press_and_wait(qtbot, panel, picker, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: site(session, "T1") == "VII/VIII", timeout=2000)
    assert stack.count() == 1
    assert stack.text(0) == "Set the site of T1 to VII/VIII"
    index = panel.model.index(row_of(panel, "T1"), SITE)
    assert index.data() == "VII/VIII"
    stack.undo()
    assert site(session, "T1") == "segment VIII"
    assert panel.model.index(row_of(panel, "T1"), SITE).data() == "segment VIII"
    stack.redo()
    assert site(session, "T1") == "VII/VIII"


def test_an_unchanged_pick_keeps_the_text_and_makes_no_edit(
    qtbot, panel: LesionPanel, session: ReadSession, stack: QUndoStack
) -> None:
    picker = open_site_editor(qtbot, panel, "T1")
    press_and_wait(qtbot, panel, picker, Qt.Key.Key_Return)
    assert site(session, "T1") == "segment VIII"
    assert stack.count() == 0


def test_escape_cancels_a_pick(
    qtbot, panel: LesionPanel, session: ReadSession, stack: QUndoStack
) -> None:
    picker = open_site_editor(qtbot, panel, "T1")
    qtbot.mouseClick(picker.buttons["VIII"], Qt.MouseButton.LeftButton)
    press_and_wait(qtbot, panel, picker, Qt.Key.Key_Escape)
    assert site(session, "T1") == "segment VIII"
    assert stack.count() == 0


def test_another_organ_takes_free_text(
    qtbot, panel: LesionPanel, session: ReadSession, stack: QUndoStack
) -> None:
    editor = open_site_editor(qtbot, panel, "T2")  # the para-aortic node
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "para-aortic"
    editor.selectAll()
    qtbot.keyClicks(editor, "porta hepatis")
    press_and_wait(qtbot, panel, editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: site(session, "T2") == "porta hepatis", timeout=2000)
    assert session.lesion("T2").is_porta_hepatis_node  # mRECIST's rule sees it
    stack.undo()
    assert site(session, "T2") == "para-aortic"


def test_a_signed_time_point_refuses_the_edit_and_says_so(
    qtbot,
    panel: LesionPanel,
    session: ReadSession,
    stack: QUndoStack,
    shown_errors: list[Exception],
) -> None:
    session.sign(session.read.timepoints[0].uid)
    picker = open_site_editor(qtbot, panel, "T1")
    qtbot.mouseClick(picker.buttons["VII"], Qt.MouseButton.LeftButton)
    press_and_wait(qtbot, panel, picker, Qt.Key.Key_Return)
    assert site(session, "T1") == "segment VIII"
    assert stack.count() == 0
    assert panel.model.index(row_of(panel, "T1"), SITE).data() == "segment VIII"
    assert "signed" in panel.message.text()
    assert "T1" in panel.message.text()
    [error] = shown_errors  # the window shows it as well
    assert "signed" in str(error)


def test_only_the_site_column_is_editable(qtmodeltester, panel: LesionPanel) -> None:
    qtmodeltester.check(panel.model)
    editable = [
        COLUMNS[c]
        for c in range(panel.model.columnCount())
        if panel.model.flags(panel.model.index(0, c)) & Qt.ItemFlag.ItemIsEditable
    ]
    assert editable == ["site"]


@pytest.mark.parametrize(
    ("text", "segments", "is_complete"),
    [
        ("segment VIII", ("VIII",), True),
        ("S7/S8", ("VII", "VIII"), True),
        ("VIII/VII", ("VII", "VIII"), True),
        ("4a, 4b", ("IVa", "IVb"), True),
        ("dome of VIII", ("VIII",), False),
        ("IV", (), False),
        ("", (), True),
    ],
)
def test_site_texts_name_couinaud_segments(text, segments, is_complete) -> None:
    assert parse_segments(text) == (segments, is_complete)


def test_segments_are_written_in_couinaud_order() -> None:
    assert format_segments(["VIII", "IVb", "II"]) == "II/IVb/VIII"
    with pytest.raises(ValueError, match="not Couinaud segments"):
        format_segments(["IX"])
