"""The main window end to end: scan, load, draw a caliper on real CT, undo, reopen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from tests.conftest import SHARED
from tests.ui.conftest import mouse_drag, viewport_point

from respond.criteria import (
    Criterion,
    Lesion,
    LesionId,
    Patient,
    PatientRead,
    Response,
    Role,
    TimePoint,
    TimePointRecord,
)
from respond.session import ReadSession
from respond.store import open_store
from respond.ui.main_window import MainWindow

LIVER = SHARED / "data" / "dicom" / "ct_liver_hcc048_pv"
LIVER_SERIES_UID_PREFIX = "1.3.6.1.4.1.14519"
WAIT_MS = 20_000


def liver_series_uid() -> str:
    import pydicom

    return str(
        pydicom.dcmread(
            LIVER / "00000045.dcm", stop_before_pixels=True
        ).SeriesInstanceUID
    )


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "reads.sqlite3") as store:
        yield store


def window_for(qtbot, store, patient_id: str) -> MainWindow:
    window = MainWindow(store, reader="dr-test")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_patient(patient_id)
    return window


def wait_loaded(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: window.view.volume is not None and not window.progress.isVisible(),
        timeout=WAIT_MS,
    )


@pytest.mark.skipif(
    not LIVER.is_dir(),
    reason="shared DICOM data not found at ../shared/data/dicom (not in a fresh clone)",
)
def test_caliper_drawn_on_the_real_liver_ct_is_exact_undoable_and_reopens(
    qtbot, store
) -> None:
    series_uid = liver_series_uid()
    record = TimePointRecord(
        uid="bl",
        timepoint=TimePoint(label="BL", date=dt.date(2001, 8, 12)),
        series_uid=series_uid,
    )
    lesion = Lesion(LesionId("T1"), Role.TARGET, "liver")
    store.create_patient(
        PatientRead(
            Patient("HCC048"),
            lesions=(lesion,),
            tracking_uids={lesion.id: "2.25.1"},
            timepoints=(record,),
        ),
        who="setup",
    )
    window = window_for(qtbot, store, "HCC048")
    window.open_folder(LIVER)
    qtbot.waitUntil(lambda: window.scan_result is not None, timeout=WAIT_MS)
    wait_loaded(qtbot, window)
    view = window.view
    k = view.slice_index
    # Zoom so one screen pixel is a small fraction of an image pixel.
    view.view_box.setRange(xRange=(140, 220), yRange=(190, 240), padding=0)
    qtbot.wait(50)
    window.lesions.select("T1")
    window.set_tool("long_axis")
    start, end = (200.0, 150.0), (230.0, 210.0)
    mouse_drag(
        qtbot,
        view,
        Qt.MouseButton.LeftButton,
        [
            viewport_point(view, *start),
            viewport_point(view, 215, 180),
            viewport_point(view, *end),
        ],
    )
    session: ReadSession = window.session  # type: ignore[assignment]
    measured = session.timepoint("bl").target(LesionId("T1"))
    assert measured is not None
    exact = view.volume.geometry.distance_mm((k, *start), (k, *end))  # type: ignore[union-attr]
    assert abs(float(measured.long_axis_mm) - exact) <= 0.1  # type: ignore[arg-type]
    (caliper,) = session.timepoint("bl").calipers[LesionId("T1")]
    assert caliper.series_uid == series_uid
    assert caliper.sop_instance_uid == view.volume.frames[k].sop_instance_uid  # type: ignore[union-attr]
    assert list(view.calipers()) == ["T1|long_axis|0"]
    # undo and redo through the window's stack
    window.stack.undo()
    assert session.timepoint("bl").target(LesionId("T1")) is None
    assert view.calipers() == {}
    window.stack.redo()
    assert session.timepoint("bl").target(LesionId("T1")) == measured
    # a new session on the same database sees exactly the same read
    reopened = ReadSession(store, "HCC048", reader="dr-other")
    assert reopened.read == session.read


def test_demo_read_opens_with_its_calipers_and_both_criteria(
    qtbot, tmp_path: Path
) -> None:
    from respond.demo import prepare_demo

    setup = prepare_demo(tmp_path)
    with open_store(setup.database) as store:
        window = window_for(qtbot, store, setup.patient_id)
        window.open_folder(setup.dicom_root)
        qtbot.waitUntil(lambda: window.scan_result is not None, timeout=WAIT_MS)
        wait_loaded(qtbot, window)
        assert "DEMO-0001" in window.windowTitle()
        assert set(window.view.calipers()) >= {"T1|long_axis|0", "T1|viable|0"}
        model = window.response.model
        fu1 = 1
        assert model.result(fu1, Criterion.RECIST11).target is Response.SD  # type: ignore[union-attr]
        assert model.result(fu1, Criterion.MRECIST).target is Response.PR  # type: ignore[union-attr]
        # switching to the baseline loads its series and shows its calipers
        window.set_timepoint(window.session.read.timepoints[0].uid)  # type: ignore[union-attr]
        wait_loaded(qtbot, window)
        qtbot.waitUntil(
            lambda: (
                window.view.volume.series_uid
                == window.session.read.timepoints[0].series_uid
            ),
            timeout=WAIT_MS,
        )  # type: ignore[union-attr]
        assert "T1|viable|0" in window.view.calipers()


def test_viable_caliper_on_a_portal_venous_series_warns(qtbot, tmp_path: Path) -> None:
    from respond.demo import prepare_demo

    setup = prepare_demo(tmp_path)
    with open_store(setup.database) as store:
        window = window_for(qtbot, store, setup.patient_id)
        window.open_folder(setup.dicom_root)
        qtbot.waitUntil(lambda: window.scan_result is not None, timeout=WAIT_MS)
        wait_loaded(qtbot, window)
        portal = next(s for s in window.scan_result.series if "PORTAL" in s.description)  # type: ignore[union-attr]
        window.show_series(portal)
        qtbot.waitUntil(
            lambda: (
                window.view.volume is not None
                and window.view.volume.series_uid == portal.series_uid
            ),
            timeout=WAIT_MS,
        )
        window.set_tool("viable")
        assert window.banner.isVisible()
        assert "arterial" in window.banner.text()
