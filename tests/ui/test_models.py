"""Item models over the session: Qt's model contract, and they follow edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from tests.conftest import EXAMPLE_CASE

from respond.casefile import load_case, read_case_file
from respond.criteria import TargetStatus
from respond.session import ReadSession, read_from_case
from respond.store import open_store
from respond.ui.models import LesionTableModel, ResponseTableModel


@pytest.fixture
def session(tmp_path: Path) -> ReadSession:
    store = open_store(tmp_path / "reads.sqlite3")
    store.create_patient(
        read_from_case(load_case(read_case_file(EXAMPLE_CASE))), who="t"
    )
    return ReadSession(store, "HCC-0001", reader="dr-a")  # type: ignore[arg-type]


def text(model: object, row: int, column: int) -> str:
    index = model.index(row, column)  # type: ignore[attr-defined]
    return str(model.data(index, Qt.ItemDataRole.DisplayRole) or "")  # type: ignore[attr-defined]


def test_response_model_contract_and_values(
    qtmodeltester, session: ReadSession
) -> None:
    model = ResponseTableModel(session)
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    # RECIST columns 0-6, mRECIST 7-13; FU1 row 1
    assert text(model, 1, 0) == "55.0 mm"
    assert text(model, 1, 1) == "-21.4 %"
    assert text(model, 1, 3) == "SD"
    assert text(model, 1, 6) == "PD"
    assert text(model, 1, 10) == "PR"
    tooltip = model.data(model.index(1, 3), Qt.ItemDataRole.ToolTipRole)
    assert "RECIST1.1 4.3.1" in tooltip


def test_response_model_follows_an_edit(qtbot, session: ReadSession) -> None:
    model = ResponseTableModel(session)
    fu1 = session.read.timepoints[1].uid
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        session.set_target_status(fu1, "T1", TargetStatus.NOT_EVALUATED)
    assert text(model, 1, 3) == "NE"


def test_lesion_model_contract_and_values(qtmodeltester, session: ReadSession) -> None:
    model = LesionTableModel(session)
    qtmodeltester.check(model)
    assert [text(model, r, 0) for r in range(model.rowCount())] == [
        "T1",
        "T2",
        "N1",
        "N2",
    ]
    assert text(model, 0, 5) == "52.0 / 45.0 mm"  # baseline total / viable
    assert text(model, 0, 7) == "50.0 / 20.0 mm"  # current
    assert text(model, 1, 1) == "target (node)"
    assert text(model, 1, 7) == "too small"
    assert text(model, 3, 7) == "absent"
    model.set_current(session.read.timepoints[0].uid)
    assert text(model, 0, 7) == "52.0 / 45.0 mm"


def test_spider_plot_uses_the_engine_values(qtbot, session: ReadSession) -> None:
    from respond.ui.response_panel import ResponsePanel

    panel = ResponsePanel(session)
    qtbot.addWidget(panel)
    curves = {item.name(): item for item in panel.spider.getPlotItem().listDataItems()}
    # T2 is a node marked too small at FU1: it counts 5 mm (RECIST 1.1 4.3.2)
    _, ys = curves["T2"].getData()
    assert list(ys) == pytest.approx([0.0, (5 - 18) / 18 * 100])
    _, ys = curves["T1"].getData()
    assert list(ys) == pytest.approx([0.0, (50 - 52) / 52 * 100])
