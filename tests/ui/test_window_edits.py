"""The main window's edits and loads on a synthetic CT, without DICOM files."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, Signal
from tests.ui.conftest import make_volume, mouse_drag, viewport_point

from respond.criteria import (
    CaliperKind,
    Lesion,
    LesionId,
    LesionKind,
    NewLesion,
    Patient,
    PatientRead,
    Role,
    TargetStatus,
    TimePoint,
    TimePointRecord,
)
from respond.dicom.phase import Phase
from respond.errors import RespondError
from respond.store import open_store
from respond.ui import series_loader as series_loader_module
from respond.ui._caliper_sync import caliper_from_indices
from respond.ui.commands import SetTargetStatusCommand, push
from respond.ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
LONG_KEY, SHORT_KEY = "T1|long_axis|0", "T1|short_axis|0"
LONG_ENDS = ((10.0, 40.0, 30.0), (10.0, 70.0, 110.0))
SHORT_ENDS = ((10.0, 70.0, 60.0), (10.0, 50.0, 75.0))


@pytest.fixture
def volume():
    return make_volume()


@pytest.fixture
def window(qtbot, tmp_path: Path, volume):
    """A read of P1: node T1 measured on slice 10 at BL, liver T2; FU unmeasured."""
    node = Lesion(
        LesionId("T1"), Role.TARGET, "lymph node", is_node=True, kind=LesionKind.NODE
    )
    liver = Lesion(LesionId("T2"), Role.TARGET, "liver", kind=LesionKind.HCC)
    timepoints = tuple(
        TimePointRecord(
            uid=uid,
            timepoint=TimePoint(label=label, date=date),
            series_uid=volume.series_uid,
        )
        for uid, label, date in (
            ("bl", "BL", dt.date(2026, 1, 5)),
            ("fu", "FU1", dt.date(2026, 3, 2)),
        )
    )
    with open_store(tmp_path / "reads.sqlite3") as store:
        store.create_patient(
            PatientRead(
                Patient("P1"),
                lesions=(node, liver),
                tracking_uids={node.id: "2.25.1", liver.id: "2.25.2"},
                timepoints=timepoints,
            ),
            who="setup",
        )
        window = MainWindow(store, reader="dr-test")
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        session = window.open_patient("P1")
        window.view.set_volume(volume)
        window.set_timepoint("bl")
        # No DICOM files here: the pane shows the volume as if it were loaded.
        window.current_pane.show_images()
        session.set_calipers(
            "bl",
            "T1",
            [
                caliper_from_indices(volume, CaliperKind.LONG_AXIS, *LONG_ENDS),
                caliper_from_indices(volume, CaliperKind.SHORT_AXIS, *SHORT_ENDS),
            ],
        )
        window.view.set_slice(10)
        yield window


def flat(ends) -> list[float]:
    """A caliper's two (k, i, j) ends as six numbers (for pytest.approx)."""
    return [float(v) for point in ends for v in point]


def stored_ends(window: MainWindow, kind: CaliperKind) -> list[float]:
    """The ends of T1's stored caliper of a kind, as voxel indices."""
    geometry = window.view.volume.geometry  # type: ignore[union-attr]
    [caliper] = [
        c
        for c in window.session.read.timepoint("bl").calipers[LesionId("T1")]  # type: ignore[union-attr]
        if c.kind is kind
    ]
    return flat(
        geometry.patient_to_index(point) for point in (caliper.start_mm, caliper.end_mm)
    )


def drag_long_axis_end(qtbot, window: MainWindow) -> None:
    view = window.view
    grab = viewport_point(view, *LONG_ENDS[1][1:])
    drop = viewport_point(view, 95, 90)
    mouse_drag(qtbot, view, LEFT, [grab, grab + QPoint(5, 20), drop])


def test_dragging_a_long_axis_saves_both_axes_as_one_undo_step(
    qtbot, window: MainWindow
) -> None:
    items = window.view.calipers()
    long_item, short_item = items[LONG_KEY], items[SHORT_KEY]
    before = window.stack.count()
    drag_long_axis_end(qtbot, window)
    assert window.stack.count() == before + 1
    assert stored_ends(window, CaliperKind.LONG_AXIS) == pytest.approx(
        flat(long_item.endpoints_ijk())
    )
    assert stored_ends(window, CaliperKind.SHORT_AXIS) == pytest.approx(
        flat(short_item.endpoints_ijk())
    )
    assert flat(short_item.endpoints_ijk()) != pytest.approx(flat(SHORT_ENDS))
    # the dragged items were moved in place, not rebuilt under the mouse
    assert window.view.calipers() == {LONG_KEY: long_item, SHORT_KEY: short_item}
    window.stack.undo()
    assert stored_ends(window, CaliperKind.LONG_AXIS) == pytest.approx(flat(LONG_ENDS))
    assert stored_ends(window, CaliperKind.SHORT_AXIS) == pytest.approx(
        flat(SHORT_ENDS)
    )
    assert flat(short_item.endpoints_ijk()) == pytest.approx(flat(SHORT_ENDS))


def test_a_refused_caliper_move_goes_back(qtbot, window: MainWindow) -> None:
    window.session.sign("bl")  # type: ignore[union-attr]
    before = window.stack.count()
    drag_long_axis_end(qtbot, window)
    assert window.stack.count() == before
    items = window.view.calipers()
    assert flat(items[LONG_KEY].endpoints_ijk()) == pytest.approx(flat(LONG_ENDS))
    assert flat(items[SHORT_KEY].endpoints_ijk()) == pytest.approx(flat(SHORT_ENDS))
    assert "signed" in window.lesions.message.text().lower()


def test_editing_another_lesion_keeps_the_selection_and_the_slice(
    window: MainWindow,
) -> None:
    window.lesions.select("T1")
    assert window.view.slice_index == 10  # choosing a lesion shows its slice
    window.view.set_slice(3)
    push(
        window.stack,
        SetTargetStatusCommand(window.session, "bl", "T2", TargetStatus.TOO_SMALL),  # type: ignore[arg-type]
    )
    assert window.view.slice_index == 3
    assert window.lesions.selected_lesion == "T1"
    [row] = window.lesions.table.selectionModel().selectedRows()
    assert window.lesions.model.lesion_at(row.row()).id == "T1"  # type: ignore[union-attr]


def test_a_removed_lesion_is_no_longer_selected(window: MainWindow) -> None:
    window.lesions.select("T2")
    window.lesions.remove_selected()
    assert window.lesions.selected_lesion == ""
    window.view.caliper_drawn.emit("long_axis", (10.0, 5.0, 5.0), (10.0, 9.0, 9.0))
    assert "select the target lesion" in window.lesions.message.text().lower()


def test_new_lesions_here_follows_the_time_point(window: MainWindow) -> None:
    window.session.put_new_lesion("fu", NewLesion("X1", organ="lung"))  # type: ignore[union-attr]
    window.set_timepoint("bl")
    assert window.lesions.new_lesions.text() == "New lesions here: none"
    window.set_timepoint("fu")
    assert "X1 lung" in window.lesions.new_lesions.text()


def test_drawing_on_a_series_without_geometry_is_a_message(
    window: MainWindow, volume
) -> None:
    window.view.set_volume(dataclasses.replace(volume, geometry=None))
    window.lesions.select("T2")
    window.view.caliper_drawn.emit("long_axis", (10.0, 5.0, 5.0), (10.0, 9.0, 9.0))
    assert "geometry" in window.lesions.message.text()
    assert window.session.read.timepoint("bl").target(LesionId("T2")) is None  # type: ignore[union-attr]


def fake_series(uid: str) -> SimpleNamespace:
    return SimpleNamespace(
        key=uid,
        series_uid=uid,
        study_uid="1.2.3",
        series_number=7,
        description="PV",
        is_localizer=False,
        image_count=20,
        phase=SimpleNamespace(phase=Phase.PORTAL_VENOUS),
    )


class FakeLoad(QObject):
    """A SeriesLoadWorker that loads nothing: the test emits its signals."""

    started = Signal(object)
    slice_loaded = Signal(int)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    progress = Signal(int, int)
    made: ClassVar[list[FakeLoad]] = []

    def __init__(self, candidate: object, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.candidate = candidate
        FakeLoad.made.append(self)

    def start(self) -> None:
        pass

    def cancel(self) -> None:
        self.cancelled.emit()


@pytest.fixture
def fake_loads(monkeypatch: pytest.MonkeyPatch) -> list[FakeLoad]:
    FakeLoad.made = []
    monkeypatch.setattr(series_loader_module, "SeriesLoadWorker", FakeLoad)
    return FakeLoad.made


def test_signals_of_a_replaced_or_cancelled_load_are_ignored(
    window: MainWindow, fake_loads: list[FakeLoad]
) -> None:
    shown = window.view.volume
    window.show_series(fake_series("1.1"))  # type: ignore[arg-type]
    window.show_series(fake_series("1.2"))  # type: ignore[arg-type]
    first, second = fake_loads
    first.started.emit(make_volume())
    first.finished.emit(make_volume())
    first.failed.emit(RespondError("first load failed"))
    assert window.view.volume is shown
    assert window.loader._worker is second
    assert not window.progress.isHidden()
    window.cancel_load()
    second.finished.emit(make_volume())
    assert window.view.volume is shown
    assert "failed" not in window.lesions.message.text()


def test_a_failed_load_ends_the_progress_and_says_why(
    window: MainWindow, fake_loads: list[FakeLoad]
) -> None:
    window.show_series(fake_series("1.1"))  # type: ignore[arg-type]
    [load] = fake_loads
    assert not window.cancel_button.isHidden()
    load.failed.emit(RespondError("slice 3 is unreadable"))
    assert not window.loader.loading
    assert window.progress.isHidden()
    assert window.cancel_button.isHidden()
    assert window.lesions.message.text() == "Slice 3 is unreadable"


def test_a_prior_removed_while_it_loads_shows_no_calipers(
    window: MainWindow, fake_loads: list[FakeLoad], volume
) -> None:
    session = window.session
    window.scan_result = SimpleNamespace(  # type: ignore[assignment]
        study=lambda uid: None, series=(fake_series(volume.series_uid),)
    )
    window.set_timepoint("fu")
    window.compare.setChecked(True)
    window._on_compare_toggled(True)
    prior = fake_loads[-1]
    session.remove_timepoint("bl")  # type: ignore[union-attr]
    prior.started.emit(volume)
    prior.finished.emit(volume)
    # The load of the removed prior was dropped: FU1 is now the baseline.
    assert window.prior_view.calipers() == {}
    assert not window.prior_pane.showing_images
    assert "no prior" in window.prior_pane.caption.text()
