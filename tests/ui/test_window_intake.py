"""Studies become time points safely, in the window, on real CT.

Another patient's study is refused (or accepted after a confirmation naming both
IDs), a caliper on another time point's series is refused naming both, a moved
folder is found again through the image index, a time point is removed and put
back, and a study without a date asks for one.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pydicom
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

from respond.criteria import LesionId
from respond.dicom import scan, study_facts
from respond.session.intake import create_patient
from respond.store import open_store
from respond.ui.main_window import MainWindow

pytestmark = pytest.mark.skipif(not LIVER.is_dir(), reason=NO_LIVER)
LEFT = Qt.MouseButton.LeftButton
READER = "Dr B. Reader (radiologist)"


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "reads.sqlite3") as opened:
        yield opened


def window_on(qtbot, store) -> tuple[MainWindow, ScriptedPrompts]:
    window = MainWindow(store, reader=READER)
    qtbot.addWidget(window)
    window.resize(1400, 850)
    window.show()
    qtbot.waitExposed(window)
    prompts = ScriptedPrompts(window)
    window.prompts = prompts
    return window, prompts


def new_patient(qtbot, window: MainWindow, prompts: ScriptedPrompts, folder: Path):
    prompts.folders.append(folder)
    prompts.studies.append(None)
    window.new_patient_from_study()
    qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT_MS)
    wait_shown(qtbot, window, "BL")
    assert window.session is not None
    return window.session


def add_study(qtbot, window, prompts, folder: Path, *answers: bool) -> None:
    prompts.folders.append(folder)
    prompts.studies.append(None)
    prompts.answers.extend(answers)
    window.add_study_from_folder()
    qtbot.waitUntil(lambda: not prompts.studies, timeout=WAIT_MS)


def test_another_patients_study_is_refused_unless_confirmed(
    qtbot, store, tmp_path: Path
) -> None:
    window, prompts = window_on(qtbot, store)
    session = new_patient(qtbot, window, prompts, LIVER)
    other = follow_up_copy(LIVER, tmp_path / "other", days=56, patient_id="XYZ-9")
    add_study(qtbot, window, prompts, other, False)
    assert len(session.read.timepoints) == 1
    question = prompts.asked[-1]
    assert "'XYZ-9'" in question
    assert "'Patient_01'" in question
    assert "'XYZ-9', not 'Patient_01'" in window.errors.last
    add_study(qtbot, window, prompts, other, True)
    assert len(session.read.timepoints) == 2
    confirmations = [e for e in store.audit("Patient_01") if e.entity == "confirmation"]
    assert len(confirmations) == 1
    assert "XYZ-9" in (confirmations[0].after or "")
    assert confirmations[0].who == READER


def test_the_demo_never_takes_a_real_study(qtbot, store, tmp_path: Path) -> None:
    from respond.app import open_demo
    from respond.demo import prepare_demo

    setup = prepare_demo(tmp_path / "demo")
    window, prompts = window_on(qtbot, store)
    window.demo_opener = lambda: (
        open_store(setup.database),
        setup.patient_id,
        setup.dicom_root,
    )
    assert open_demo  # the application's opener has the same shape
    window.open_demo()
    assert window.session is not None
    assert window.session.read.patient.id == "DEMO-0001"
    assert "SYNTHETIC DEMO" in window.windowTitle()
    before = len(window.session.read.timepoints)
    add_study(qtbot, window, prompts, LIVER, False)
    assert len(window.session.read.timepoints) == before
    assert "'Patient_01', not 'DEMO-0001'" in window.errors.last
    window.close_patient()
    assert window.store is store
    assert window.patient_list.visible_patients() == []


def test_a_caliper_on_another_time_points_series_is_refused(
    qtbot, store, tmp_path: Path
) -> None:
    window, prompts = window_on(qtbot, store)
    session = new_patient(qtbot, window, prompts, LIVER)
    add_study(qtbot, window, prompts, follow_up_copy(LIVER, tmp_path / "fu", days=56))
    wait_shown(qtbot, window, "FU1")
    baseline, fu = session.read.timepoints
    target = window.lesions.add_target("liver")
    window.lesions.select(target)
    # Show the baseline's series while FU1 stays selected.
    baseline_series = window._find_series(baseline.series_uid)
    assert baseline_series is not None
    window.show_series(baseline_series)
    wait_shown(qtbot, window, "BL")
    assert window.current_uid == fu.uid
    assert window.current_pane.caption.text().startswith("⚠ Not FU1, the selected")
    window.set_tool("long_axis")
    view = window.view
    mouse_drag(
        qtbot,
        view,
        LEFT,
        [viewport_point(view, 250, 150), viewport_point(view, 250, 200)],
    )
    assert session.timepoint(fu.uid).target(LesionId(target)) is None
    assert session.timepoint(baseline.uid).target(LesionId(target)) is None
    message = window.errors.last
    assert "FU1 (2001-10-07)" in message
    assert "of time point BL (2001-08-12)" in message
    assert view.calipers() == {}
    # The whole message shows over the images (the status bar cuts it).
    assert window.notice.isVisibleTo(window)
    assert window.notice.text() == message
    window.stop_tool_action.trigger()  # Esc puts the tool down
    assert window.view.tool is None


def test_a_moved_folder_is_found_again_through_the_index(
    qtbot, store, tmp_path: Path
) -> None:
    first = follow_up_copy(LIVER, tmp_path / "a" / "study", days=0)
    window, prompts = window_on(qtbot, store)
    new_patient(qtbot, window, prompts, first)
    window.close_patient()
    moved = tmp_path / "b" / "renamed"
    moved.parent.mkdir()
    shutil.move(first, moved)
    window.open_patient("Patient_01")
    caption = window.current_pane.caption
    qtbot.waitUntil(lambda: "no images" in caption.text(), timeout=WAIT_MS)
    assert not window.current_pane.showing_images
    assert "not found" in window.current_pane.message.text()
    assert window.current_pane.locate.isVisibleTo(window.current_pane)
    assert store.study_images(window.session.read.timepoints[0].study_uid) == []  # type: ignore[union-attr]
    prompts.folders.append(moved)
    qtbot.mouseClick(window.current_pane.locate, LEFT)
    wait_shown(qtbot, window, "BL")
    # The index remembers the new place: the next opening finds it at once.
    window.close_patient()
    window.open_patient("Patient_01")
    wait_shown(qtbot, window, "BL")
    roots = [root for root, _, _ in store.indexed_roots()]
    assert str(moved.absolute()) in roots


def test_removing_a_time_point_is_undone(qtbot, store, tmp_path: Path) -> None:
    window, prompts = window_on(qtbot, store)
    session = new_patient(qtbot, window, prompts, LIVER)
    add_study(qtbot, window, prompts, follow_up_copy(LIVER, tmp_path / "fu", days=56))
    wait_shown(qtbot, window, "FU1")
    fu = session.read.timepoints[1]
    target = window.lesions.add_target("liver")
    window.lesions.select(target)
    window.set_tool("long_axis")
    view = window.view
    mouse_drag(
        qtbot,
        view,
        LEFT,
        [viewport_point(view, 250, 150), viewport_point(view, 250, 190)],
    )
    measured = session.timepoint(fu.uid).target(LesionId(target))
    assert measured is not None
    prompts.answers.append(True)
    assert window.remove_timepoint(fu.uid)
    assert [tp.label for tp in session.read.timepoints] == ["BL"]
    assert [tp.label for tp in store.load("Patient_01").timepoints] == ["BL"]
    assert window.current_uid == session.read.timepoints[0].uid
    window.undo_action.trigger()
    assert [tp.label for tp in store.load("Patient_01").timepoints] == ["BL", "FU1"]
    assert store.load("Patient_01").timepoints[1].target(LesionId(target)) == measured
    window.redo_action.trigger()
    assert len(store.load("Patient_01").timepoints) == 1
    deleted = store.deleted("Patient_01")
    assert deleted[0].entity == "timepoint"


def test_redo_has_two_unambiguous_shortcuts(qtbot, store) -> None:
    window, _ = window_on(qtbot, store)
    keys = [k.toString() for k in window.redo_action.shortcuts()]
    assert keys == ["Ctrl+Shift+Z", "Ctrl+Y"]
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"


def test_a_study_without_a_date_asks_for_one(qtbot, store, tmp_path: Path) -> None:
    undated = follow_up_copy(LIVER, tmp_path / "undated", days=0)
    for path in undated.iterdir():
        ds = pydicom.dcmread(path)
        ds.StudyDate = ""
        ds.save_as(path)
    window, prompts = window_on(qtbot, store)
    asked: list[str] = []

    def date(text: str) -> dt.date | None:
        asked.append(text)
        return dt.date(2001, 8, 12)

    prompts.date = date  # type: ignore[method-assign]
    session = new_patient(qtbot, window, prompts, undated)
    assert "no usable StudyDate" in asked[0]
    assert session.read.timepoints[0].date == dt.date(2001, 8, 12)


def test_the_patient_list_lists_every_patient_and_opens_one(
    qtbot, store, tmp_path: Path
) -> None:
    for n, days in enumerate((0, 10, 20)):
        folder = follow_up_copy(
            LIVER, tmp_path / f"p{n}", days=days, patient_id=f"HCC-{n}", remove=80
        )
        result = scan(folder)
        patient = result.patients[0]
        create_patient(store, study_facts(patient, patient.studies[0]), who="t")
    window, _ = window_on(qtbot, store)
    assert window.patient_list.visible_patients() == ["HCC-0", "HCC-1", "HCC-2"]
    qtbot.keyClicks(window.patient_list.filter, "hcc-1")
    assert window.patient_list.visible_patients() == ["HCC-1"]
    qtbot.keyClick(window.patient_list.filter, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT_MS)
    assert window.session.read.patient.id == "HCC-1"  # type: ignore[union-attr]
    window.close_patient()
    assert window.pages.currentWidget() is window.patient_list


def test_a_follow_up_opens_beside_its_prior_at_the_lesion(
    qtbot, store, tmp_path: Path
) -> None:
    window, prompts = window_on(qtbot, store)
    session = new_patient(qtbot, window, prompts, LIVER)
    assert window.layout_name == "1x1"
    assert not window.prior_pane.isVisible()
    target = window.lesions.add_target("liver")
    window.lesions.select(target)
    window.view.set_slice(40)
    window.set_tool("long_axis")
    view = window.view
    mouse_drag(
        qtbot,
        view,
        LEFT,
        [viewport_point(view, 255, 204), viewport_point(view, 255, 238)],
    )
    add_study(qtbot, window, prompts, follow_up_copy(LIVER, tmp_path / "fu", days=56))
    wait_shown(qtbot, window, "FU1")
    assert session.timepoint(window.current_uid).label == "FU1"
    # The hanging protocol: a follow-up opens with its prior beside it.
    assert window.layout_name == "1x2"
    assert window.compare.isChecked()
    assert window.prior_pane.isVisible()
    qtbot.waitUntil(
        lambda: (
            window.prior_view.volume is not None and not window.prior_loader.loading
        ),
        timeout=WAIT_MS,
    )
    window.view.set_slice(70)
    # Not measured at FU1 yet: the current pane opens where BL measured it.
    window.lesions.select(target)
    window.lesions.lesion_selected.emit(target)
    assert window.view.slice_index == 40
    qtbot.waitUntil(lambda: window.prior_view.slice_index == 40, timeout=WAIT_MS)
    assert window.prior_pane.caption.text().startswith("Prior · BL · 2001-08-12 · #6")
    assert window.current_pane.caption.text().startswith("Current · FU1 · 2001-10-07")
    assert f"{target}|long_axis|0" in window.prior_view.calipers()
    # Scrolling is linked at the lesion.
    window.view.set_slice(45)
    assert window.prior_view.slice_index == 45
    # C puts the prior away (1 x 1); C again brings it back at the same anatomy.
    window.compare.trigger()
    assert window.layout_name == "1x1"
    assert not window.prior_pane.isVisible()
    window.compare.trigger()
    assert window.layout_name == "1x2"
    assert window.prior_pane.isVisible()


def test_removing_a_patient_from_the_list_is_undone(
    qtbot, store, tmp_path: Path
) -> None:
    folder = follow_up_copy(
        LIVER, tmp_path / "p", days=0, patient_id="HCC-9", remove=80
    )
    patient = scan(folder).patients[0]
    create_patient(store, study_facts(patient, patient.studies[0]), who="t")
    window, prompts = window_on(qtbot, store)
    window.patient_list.select("HCC-9")
    prompts.answers.append(False)
    window.patient_list.remove_button.click()
    assert window.patient_list.visible_patients() == ["HCC-9"]
    prompts.answers.append(True)
    window.patient_list.remove_button.click()
    assert window.patient_list.visible_patients() == []
    assert store.list_patients() == []
    assert "Edit > Undo puts it back" in prompts.asked[-1]
    window.undo_action.trigger()
    assert window.patient_list.visible_patients() == ["HCC-9"]
    assert store.load("HCC-9").timepoints[0].study_uid == patient.studies[0].uid
    window.redo_action.trigger()
    assert store.list_patients() == []
    assert store.deleted()[0].entity == "patient"
