"""A whole read of a real patient, as a radiologist does it.

Empty database -> New patient from the shared liver CT -> add T1 and measure it
with mouse drags -> add a follow-up from a second folder (the same images with
new UIDs, dated eight weeks later) -> measure -> both criteria in the response
panel -> sign -> restart the window on the same database -> everything is there.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from tests.ui.conftest import mouse_drag, viewport_point
from tests.ui.readflow import (
    LIVER,
    NO_LIVER,
    WAIT_MS,
    ScriptedPrompts,
    follow_up_copy,
    wait_shown,
)

from respond.criteria import CaliperKind, Criterion, LesionId, Response
from respond.store import open_store
from respond.ui.main_window import MainWindow

pytestmark = pytest.mark.skipif(not LIVER.is_dir(), reason=NO_LIVER)
LEFT = Qt.MouseButton.LeftButton


def open_window(qtbot, store) -> tuple[MainWindow, ScriptedPrompts]:
    window = MainWindow(store, reader="Dr A. Reader (radiologist)")
    qtbot.addWidget(window)
    window.resize(1500, 900)
    window.show()
    qtbot.waitExposed(window)
    prompts = ScriptedPrompts(window)
    window.prompts = prompts
    return window, prompts


def measure(qtbot, window: MainWindow, key: str, row: float, j0: float, j1: float):
    """Draw a line with a tool chosen by its key, over image row ``row``."""
    qtbot.keyClick(window.view.graphics_view.viewport(), key)
    assert window.view.tool is not None
    view = window.view
    start = viewport_point(view, row, j0)
    end = viewport_point(view, row, j1)
    middle = (start + end) / 2
    mouse_drag(qtbot, view, LEFT, [start, middle, end])


def test_a_real_patient_is_read_from_first_study_to_signed_follow_up(
    qtbot, tmp_path: Path
) -> None:
    database = tmp_path / "reads.sqlite3"
    follow_up = follow_up_copy(LIVER, tmp_path / "elsewhere" / "fu", days=56)
    with open_store(database) as store:
        window, prompts = open_window(qtbot, store)
        # The start screen: the (empty) patient list.
        assert window.pages.currentWidget() is window.patient_list
        assert window.patient_list.visible_patients() == []
        # New patient from study.
        prompts.folders.append(LIVER)
        prompts.studies.append(None)
        window.new_patient_action.trigger()
        qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT_MS)
        session = window.session
        assert session is not None
        assert session.read.patient.id == "Patient_01"
        (baseline,) = session.read.timepoints
        assert (baseline.label, baseline.date) == ("BL", dt.date(2001, 8, 12))
        wait_shown(qtbot, window, "BL")
        # The headers do not say which phase this is: the reader says arterial.
        assert window.banner.isVisibleTo(window)  # "phase ... headers do not tell"
        window.arterial_action.trigger()
        assert session.timepoint(baseline.uid).timepoint.arterial_phase
        assert window.banner.isHidden()
        assert "(read as arterial)" in window.current_pane.caption.text()
        # Add T1 and measure its long axis and viable diameter with the mouse.
        target = window.lesions.add_target("liver")
        window.lesions.select(target)
        window.view.set_slice(44)
        measure(qtbot, window, "L", 250.0, 150.0, 210.0)
        assert "press V" in window.statusBar().currentMessage()  # mRECIST's next step
        measure(qtbot, window, "V", 260.0, 160.0, 200.0)
        assert "press V" not in window.statusBar().currentMessage()
        record = session.timepoint(baseline.uid)
        calipers = {c.kind: c for c in record.calipers[LesionId(target)]}
        measured = record.target(LesionId(target))
        assert measured is not None
        assert measured.long_axis_mm == calipers[CaliperKind.LONG_AXIS].length_mm
        assert measured.viable_mm == calipers[CaliperKind.VIABLE].length_mm
        spacing = float(window.view.volume.geometry.pixel_spacing_mm[1])  # type: ignore[union-attr]
        # 60 image pixels, to the screen pixel the mouse can hit.
        assert float(measured.long_axis_mm) == pytest.approx(
            60 * spacing, abs=2 * spacing
        )  # type: ignore[arg-type]
        # The follow-up was exported to another folder.
        prompts.folders.append(follow_up)
        prompts.studies.append(None)
        window.add_study_action.trigger()
        qtbot.waitUntil(lambda: len(session.read.timepoints) == 2, timeout=WAIT_MS)
        fu = session.read.timepoints[1]
        assert (fu.label, fu.date) == ("FU1", dt.date(2001, 10, 7))
        assert window.current_uid == fu.uid
        wait_shown(qtbot, window, "FU1")
        # Both studies have been read (the patient's, the folder just opened):
        # looking up the patient's images reads no file again.
        assert window.find_images() is None
        window.arterial_action.trigger()
        window.lesions.select(target)
        window.view.set_slice(44)
        measure(qtbot, window, "L", 250.0, 150.0, 186.0)
        measure(qtbot, window, "V", 260.0, 160.0, 180.0)
        # Both criteria in the response panel: 60 -> 36 px is -40 %, PR.
        model = window.response.model
        assert model.rowCount() == 2
        recist = model.result(1, Criterion.RECIST11)
        mrecist = model.result(1, Criterion.MRECIST)
        assert recist is not None
        assert recist.overall is Response.PR
        assert mrecist is not None
        assert mrecist.overall is Response.PR
        change = recist.change_from_baseline_pct
        assert change is not None
        assert Decimal(-45) < change < Decimal(-35)
        # Sign the follow-up.
        window.clinical.set_timepoint(fu.uid)
        qtbot.mouseClick(window.clinical.sign_button, LEFT)
        assert session.timepoint(fu.uid).is_signed
        signed_by = session.timepoint(fu.uid).signed_by
        assert signed_by == "Dr A. Reader (radiologist)"
        fu_long = session.timepoint(fu.uid).target(LesionId(target)).long_axis_mm  # type: ignore[union-attr]
        window.close()
    # Restart on the same database: everything is there.
    with open_store(database) as store:
        window, prompts = open_window(qtbot, store)
        assert window.pages.currentWidget() is window.patient_list
        (row,) = window.patient_list.model._rows  # type: ignore[attr-defined]
        assert (row.patient_id, row.timepoints, row.signed) == ("Patient_01", 2, True)
        assert row.responses == {"RECIST1.1": "PR", "mRECIST": "PR"}
        qtbot.keyClick(window.patient_list.filter, "P")
        qtbot.keyClick(window.patient_list.filter, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT_MS)
        session = window.session
        assert session is not None
        fu = session.read.timepoints[1]
        assert fu.target(LesionId(target)).long_axis_mm == fu_long  # type: ignore[union-attr]
        # The follow-up's images are found through the index, in their folder.
        wait_shown(qtbot, window, "FU1")
        assert f"{target}|long_axis|0" in window.view.calipers()
        assert window.response.model.result(1, Criterion.MRECIST).overall is Response.PR  # type: ignore[union-attr]
        window.close()
