"""The patient list as a reader uses it: type to filter, Enter to open."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, Qt

from respond.session.patients import PatientRow
from respond.ui.models import PatientTableModel
from respond.ui.patient_list import EMPTY_TEXT, PatientListPanel

ROWS = [
    PatientRow(
        "HCC-0002",
        name="MÜLLER, Anna",
        birth_date=dt.date(1948, 11, 3),
        sex="F",
        timepoints=3,
        last_label="FU2",
        last_date=dt.date(2001, 10, 7),
        responses={"RECIST1.1": "SD", "mRECIST": "PR"},
        signed=True,
    ),
    PatientRow(
        "HCC-0001",
        name="DOE, John",
        birth_date=dt.date(1950, 3, 2),
        sex="M",
        timepoints=1,
        last_label="BL",
        last_date=dt.date(2001, 5, 1),
        responses={"RECIST1.1": "", "mRECIST": ""},
    ),
    PatientRow(
        "HCC-0010",
        name="DOE, Jane",
        birth_date=dt.date(1961, 7, 15),
        sex="F",
        timepoints=2,
        last_label="FU1",
        last_date=dt.date(2002, 1, 20),
        problem="target T1 was not measured at baseline",
    ),
]


@pytest.fixture
def panel(qtbot) -> PatientListPanel:
    widget = PatientListPanel()
    qtbot.addWidget(widget)
    widget.set_rows(ROWS)
    widget.resize(900, 400)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def cell(panel: PatientListPanel, patient_id: str, header: str) -> str:
    row = panel.visible_patients().index(patient_id)
    column = PatientTableModel.COLUMNS.index(header)
    return str(panel.proxy.index(row, column).data() or "")


def test_model_passes_the_qt_model_contract(qtmodeltester) -> None:
    model = PatientTableModel(ROWS)
    qtmodeltester.check(model)
    model.set_rows(ROWS[:1])
    qtmodeltester.check(model)


def test_lists_patients_with_responses_and_signed(panel: PatientListPanel) -> None:
    assert panel.visible_patients() == ["HCC-0001", "HCC-0002", "HCC-0010"]
    assert cell(panel, "HCC-0002", "Name") == "MÜLLER, Anna"
    assert cell(panel, "HCC-0002", "Birth date") == "1948-11-03"
    assert cell(panel, "HCC-0002", "Time points") == "3"
    assert cell(panel, "HCC-0002", "Last time point") == "FU2  2001-10-07"
    assert cell(panel, "HCC-0002", "RECIST 1.1") == "SD"
    assert cell(panel, "HCC-0002", "mRECIST") == "PR"
    assert cell(panel, "HCC-0002", "Signed") == "signed"
    assert cell(panel, "HCC-0001", "RECIST 1.1") == ""  # baseline only
    assert cell(panel, "HCC-0001", "Signed") == "unsigned"
    assert panel.count.text() == "3 patients"


def test_a_patient_with_a_problem_says_why_on_every_cell(
    panel: PatientListPanel,
) -> None:
    row = panel.visible_patients().index("HCC-0010")
    assert cell(panel, "HCC-0010", "RECIST 1.1") == "—"
    assert cell(panel, "HCC-0010", "mRECIST") == "—"
    for column in range(panel.proxy.columnCount()):
        tip = panel.proxy.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
        assert tip == "target T1 was not measured at baseline"


def test_sorting_uses_dates_and_counts(qtbot, panel: PatientListPanel) -> None:
    header = panel.table.horizontalHeader()
    column = PatientTableModel.COLUMNS.index("Time points")
    centre = QPoint(
        header.sectionViewportPosition(column) + header.sectionSize(column) // 2,
        header.height() // 2,
    )
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert header.sortIndicatorSection() == column
    order = panel.visible_patients()
    if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder:
        order.reverse()
    assert order == ["HCC-0001", "HCC-0010", "HCC-0002"]  # 1, 2, 3 time points
    panel.table.sortByColumn(
        PatientTableModel.COLUMNS.index("Birth date"), Qt.SortOrder.DescendingOrder
    )
    assert panel.visible_patients() == ["HCC-0010", "HCC-0001", "HCC-0002"]


def test_typing_part_of_a_name_narrows_the_list(qtbot, panel: PatientListPanel) -> None:
    qtbot.keyClicks(panel.filter, "doe")
    assert panel.visible_patients() == ["HCC-0001", "HCC-0010"]
    assert panel.count.text() == "2 of 3 patients"
    qtbot.keyClicks(panel.filter, " jan")
    assert panel.visible_patients() == ["HCC-0010"]
    panel.filter.clear()
    qtbot.keyClicks(panel.filter, "ANNA")  # case-insensitive
    assert panel.visible_patients() == ["HCC-0002"]
    # QTest types ASCII only; a name with an accent arrives as text.
    panel.filter.setText("Müll")
    assert panel.visible_patients() == ["HCC-0002"]


def test_filter_matches_id_and_birth_date(qtbot, panel: PatientListPanel) -> None:
    qtbot.keyClicks(panel.filter, "0010")
    assert panel.visible_patients() == ["HCC-0010"]
    panel.filter.clear()
    qtbot.keyClicks(panel.filter, "1950-03")
    assert panel.visible_patients() == ["HCC-0001"]
    panel.filter.clear()
    qtbot.keyClicks(panel.filter, "nobody")
    assert panel.visible_patients() == []
    assert not panel.open_button.isEnabled()


def test_enter_in_the_filter_opens_the_single_match(
    qtbot, panel: PatientListPanel
) -> None:
    qtbot.keyClicks(panel.filter, "anna")
    with qtbot.waitSignal(panel.open_requested, timeout=1000) as blocker:
        qtbot.keyClick(panel.filter, Qt.Key.Key_Return)
    assert blocker.args == ["HCC-0002"]


def test_enter_in_the_filter_opens_the_first_of_several(
    qtbot, panel: PatientListPanel
) -> None:
    qtbot.keyClicks(panel.filter, "doe")
    with qtbot.waitSignal(panel.open_requested, timeout=1000) as blocker:
        qtbot.keyClick(panel.filter, Qt.Key.Key_Enter)
    assert blocker.args == ["HCC-0001"]


def test_down_from_the_filter_then_enter_opens_the_selected_patient(
    qtbot, panel: PatientListPanel
) -> None:
    assert panel.focusWidget() is panel.filter
    qtbot.keyClick(panel.filter, Qt.Key.Key_Down)
    assert panel.focusWidget() is panel.table
    assert panel.selected_patient() == "HCC-0001"
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    assert panel.selected_patient() == "HCC-0002"
    with qtbot.waitSignal(panel.open_requested, timeout=1000) as blocker:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert blocker.args == ["HCC-0002"]


def test_double_click_on_a_row_opens_it(qtbot, panel: PatientListPanel) -> None:
    row = panel.visible_patients().index("HCC-0010")
    rect = panel.table.visualRect(panel.proxy.index(row, 1))
    viewport = panel.table.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.selected_patient() == "HCC-0010"
    with qtbot.waitSignal(panel.open_requested, timeout=1000) as blocker:
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["HCC-0010"]


def test_buttons_open_and_remove_the_selected_patient(
    qtbot, panel: PatientListPanel
) -> None:
    assert not panel.open_button.isEnabled()
    assert panel.select("HCC-0001")
    assert panel.open_button.isEnabled()
    with qtbot.waitSignal(panel.open_requested, timeout=1000) as opened:
        qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == ["HCC-0001"]
    with qtbot.waitSignal(panel.remove_requested, timeout=1000) as removed:
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert removed.args == ["HCC-0001"]
    with qtbot.waitSignal(panel.new_patient_requested, timeout=1000):
        qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.demo_requested, timeout=1000):
        qtbot.mouseClick(panel.demo_button, Qt.MouseButton.LeftButton)


def test_new_rows_keep_the_selection_by_patient_id(panel: PatientListPanel) -> None:
    panel.select("HCC-0002")
    panel.set_rows([ROWS[2], ROWS[0]])  # a patient removed, order changed
    assert panel.selected_patient() == "HCC-0002"
    panel.set_rows([ROWS[2]])
    assert panel.selected_patient() is None


def test_select_clears_a_filter_that_hides_the_patient(
    qtbot, panel: PatientListPanel
) -> None:
    qtbot.keyClicks(panel.filter, "anna")
    assert panel.select("HCC-0001")
    assert panel.filter.text() == ""
    assert panel.selected_patient() == "HCC-0001"
    assert not panel.select("HCC-9999")


def test_an_empty_database_shows_what_to_do(qtbot) -> None:
    panel = PatientListPanel()
    qtbot.addWidget(panel)
    panel.set_rows([])
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.stack.currentWidget() is panel.empty
    assert panel.empty.isVisible()
    assert not panel.table.isVisible()
    assert panel.empty.text() == EMPTY_TEXT
    assert "New patient from study…" in panel.empty.text()
    assert panel.new_button.isVisible()
    assert panel.demo_button.isVisible()
    assert not panel.open_button.isEnabled()
    with qtbot.waitSignal(panel.demo_requested, timeout=1000):
        qtbot.mouseClick(panel.demo_button, Qt.MouseButton.LeftButton)
    panel.set_rows(ROWS)
    assert panel.table.isVisible()
