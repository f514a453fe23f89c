"""Click to measure in the main window, on the synthetic demo's DICOM phantom.

The demo's lesions have known centres and diameters (respond.dicom.phantom);
its time points are read on their arterial series, so a liver target's
proposal has a viable diameter too.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from tests.ui.conftest import mouse_drag, viewport_point

from respond.criteria import CaliperKind, LesionId
from respond.store import open_store
from respond.ui._caliper_sync import caliper_from_indices
from respond.ui.main_window import MainWindow
from respond.ui.measure_action import HINT
from respond.ui.models.lesion_table import COLUMNS

WAIT_MS = 30_000
LEFT = Qt.MouseButton.LeftButton
LONG = "proposal:T1|long_axis|0"
VIABLE = "proposal:T1|viable|0"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from respond.demo import prepare_demo

    return prepare_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def window(qtbot, demo, tmp_path: Path):
    """The demo read at its last time point, its arterial series loaded, T1 chosen."""
    database = tmp_path / "reads.sqlite3"
    database.write_bytes(demo.database.read_bytes())
    with open_store(database) as store:
        window = MainWindow(store, reader="dr-test")
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.open_patient(demo.patient_id)
        window.open_folder(demo.dicom_root)
        qtbot.waitUntil(
            lambda: (
                window.view.volume is not None
                and not window.loader.loading
                and window.view.volume.series_uid
                == window.session.timepoint(window.current_uid).series_uid
            ),
            timeout=WAIT_MS,
        )
        window.lesions.select("T1")
        yield window


def tool(window):
    return window.measure_tool


def truth(demo, window, name: str = "T1"):
    label = window.session.timepoint(window.current_uid).label
    return next(tp for tp in demo.timepoints if tp.label == label).lesion(name)


def click_at(qtbot, window, point_mm) -> None:
    """Show the slice of a patient point and left-click on it."""
    view = window.view
    k, i, j = (float(v) for v in view.volume.geometry.patient_to_index(point_mm))
    view.set_slice(round(k))
    viewport = view.graphics_view.viewport()
    qtbot.mouseClick(viewport, LEFT, pos=viewport_point(view, i, j))


def propose_t1(qtbot, demo, window):
    """Turn the tool on and click inside T1, beside the demo's own line."""
    window.measure_action.setChecked(True)
    x, y, z = truth(demo, window).centre_mm
    with qtbot.waitSignal(tool(window).measured, timeout=WAIT_MS) as measured:
        click_at(qtbot, window, (x, y + 8.0, z))
    return measured.args[0]


def press(qtbot, window, key) -> None:
    qtbot.keyClick(window.view, key)


def drawn(window, key: str):
    item = window.view.proposal_calipers()[key]
    kind = CaliperKind(key.split("|")[1])
    return caliper_from_indices(window.view.volume, kind, *item.endpoints_ijk())


def stored(window, kind: CaliperKind):
    record = window.session.timepoint(window.current_uid)
    return next(c for c in record.calipers[LesionId("T1")] if c.kind is kind)


def target_entries(window) -> list[dict]:
    entries = window.store.audit(window.session.read.patient.id)
    return [
        json.loads(e.after)
        for e in entries
        if e.entity == "target" and e.key.endswith("/T1") and e.after
    ]


def test_the_tool_is_in_the_reading_toolbar_with_its_key(window) -> None:
    action = window.measure_action
    assert action in window.toolbar.actions()
    assert action.isCheckable()
    assert action.shortcut().toString() == "M"
    assert "Enter accepts" in action.toolTip()
    window.measure_action.setChecked(True)
    assert window.view.is_picking
    window.set_tool("long_axis")  # another caliper tool puts it down
    assert not window.measure_action.isChecked()
    assert not window.view.is_picking


def test_a_click_proposes_dashed_calipers_close_to_the_truth(
    qtbot, demo, window
) -> None:
    before = window.session.timepoint(window.current_uid)
    proposal = propose_t1(qtbot, demo, window)
    lesion = truth(demo, window)
    assert float(proposal.long_axis.length_mm) == pytest.approx(
        lesion.diameter_mm, abs=1.5
    )
    assert proposal.viable is not None
    assert proposal.volume_ml > 0
    items = window.view.proposal_calipers()
    assert set(items) == {LONG, VIABLE}  # no short axis for a liver lesion
    assert window.view.slice_index == proposal.slice_index
    assert all(item.is_proposal for item in items.values())
    pen = items[LONG].pen
    assert pen.style() == Qt.PenStyle.DashLine
    assert items[LONG].label_item.text().startswith("T1 proposed")
    assert HINT in window.statusBar().currentMessage()
    assert "volume" in window.statusBar().currentMessage()
    # a proposal is not a measurement
    assert window.session.timepoint(window.current_uid) == before
    assert LONG not in window.view.calipers()


def test_enter_stores_the_lines_as_shown_as_one_undo_step(qtbot, demo, window) -> None:
    session = window.session
    uid = window.current_uid
    before = session.timepoint(uid)
    proposal = propose_t1(qtbot, demo, window)
    shown = {key: drawn(window, key) for key in (LONG, VIABLE)}
    steps = window.stack.count()
    press(qtbot, window, Qt.Key.Key_Return)
    assert not window.view.proposal_calipers()
    assert stored(window, CaliperKind.LONG_AXIS) == shown[LONG]
    assert stored(window, CaliperKind.VIABLE) == shown[VIABLE]
    target = session.timepoint(uid).target(LesionId("T1"))
    assert target.long_axis_mm == shown[LONG].length_mm
    assert target.viable_mm == shown[VIABLE].length_mm
    extent = session.timepoint(uid).extents[LesionId("T1")]
    assert extent.volume_ml == Decimal(f"{proposal.volume_ml:.2f}")
    assert extent.enhancing_fraction is not None
    assert window.stack.count() == steps + 1
    # the read reloaded from the database holds the same
    assert window.store.load(session.read.patient.id) == session.read
    # the audit says how the calipers came
    entry = target_entries(window)[-1]
    assert entry["proposal"]["method"] == "click-to-measure"
    assert entry["proposal"]["outcome"] == "accepted as proposed"
    assert entry["extent"]["volume_ml"] == str(extent.volume_ml)
    assert "saved (click-to-measure" in window.statusBar().currentMessage()
    # the lesion table shows the extra figures in the value's tooltip
    table = window.lesions.model
    row = next(r for r in range(table.rowCount()) if table.lesion_at(r).id == "T1")
    column = COLUMNS.index("current")
    tip = table.data(table.index(row, column), Qt.ItemDataRole.ToolTipRole)
    assert f"volume {extent.volume_ml} mL" in tip
    assert "not used by the criteria" in tip
    # undo removes them like any measured caliper; redo puts them back
    window.stack.undo()
    assert session.timepoint(uid) == before
    assert LesionId("T1") not in session.timepoint(uid).extents
    window.stack.redo()
    assert stored(window, CaliperKind.LONG_AXIS) == shown[LONG]
    assert LesionId("T1") in session.timepoint(uid).extents


def test_a_dragged_end_is_stored_where_it_was_left_and_audited_as_adjusted(
    qtbot, demo, window
) -> None:
    propose_t1(qtbot, demo, window)
    view = window.view
    _, (_, i1, j1) = view.proposal_calipers()[LONG].endpoints_ijk()
    grab = viewport_point(view, i1, j1)
    mouse_drag(qtbot, view, LEFT, [grab, grab + QPoint(6, 3), grab + QPoint(12, 6)])
    moved = drawn(window, LONG)
    assert view.proposal_calipers()[LONG].endpoints_ijk()[1][1:] != (i1, j1)
    assert window.session.timepoint(window.current_uid).calipers[LesionId("T1")] != (
        moved,
    )  # nothing stored by the drag itself
    press(qtbot, window, Qt.Key.Key_Enter)
    assert stored(window, CaliperKind.LONG_AXIS) == moved
    assert target_entries(window)[-1]["proposal"]["outcome"] == "adjusted"


def test_esc_rejects_the_proposal_and_stores_nothing(qtbot, demo, window) -> None:
    before = window.session.timepoint(window.current_uid)
    entries = len(window.store.audit())
    propose_t1(qtbot, demo, window)
    with qtbot.waitSignal(tool(window).resolved) as resolved:
        press(qtbot, window, Qt.Key.Key_Escape)
    assert resolved.args == ["rejected"]
    assert not window.view.proposal_calipers()
    assert window.session.timepoint(window.current_uid) == before
    assert len(window.store.audit()) == entries
    assert window.measure_action.isChecked()  # the next lesion can be clicked
    press(qtbot, window, Qt.Key.Key_Return)  # nothing to accept any more
    assert window.session.timepoint(window.current_uid) == before


def test_a_click_outside_any_lesion_says_what_to_do(qtbot, demo, window) -> None:
    before = window.session.timepoint(window.current_uid)
    window.measure_action.setChecked(True)
    view = window.view
    with qtbot.waitSignal(window.errors.reported, timeout=WAIT_MS) as reported:
        qtbot.mouseClick(
            view.graphics_view.viewport(), LEFT, pos=viewport_point(view, 2.0, 2.0)
        )
    text = reported.args[0].lower()
    assert "no lesion found" in text
    assert "air" in text
    assert "click inside the lesion" in text
    assert "Traceback" not in text
    assert not view.proposal_calipers()
    assert window.session.timepoint(window.current_uid) == before


def test_a_click_without_a_target_chosen_asks_for_one(qtbot, demo, window) -> None:
    window.lesions.table.clearSelection()
    assert window.lesions.selected_lesion == ""
    window.measure_action.setChecked(True)
    with qtbot.waitSignal(window.errors.reported, timeout=WAIT_MS) as reported:
        x, y, z = truth(demo, window).centre_mm
        click_at(qtbot, window, (x, y + 8.0, z))
    assert "choose a target first" in reported.args[0].lower()
    assert not tool(window).is_measuring


def test_a_second_click_replaces_the_first(qtbot, demo, window) -> None:
    window.measure_action.setChecked(True)
    t2 = truth(demo, window, "T2")
    x, y, z = truth(demo, window).centre_mm
    with qtbot.waitSignal(tool(window).measured, timeout=WAIT_MS) as measured:
        click_at(qtbot, window, (x, y + 8.0, z))
        window.lesions.select("T2")
        click_at(
            qtbot, window, (t2.centre_mm[0], t2.centre_mm[1] + 6.0, t2.centre_mm[2])
        )
    assert float(measured.args[0].long_axis.length_mm) == pytest.approx(
        t2.diameter_mm, abs=1.5
    )
    qtbot.wait(200)  # the first click's result, if it comes, is dropped
    assert set(window.view.proposal_calipers()) == {
        "proposal:T2|long_axis|0",
        "proposal:T2|viable|0",
    }
