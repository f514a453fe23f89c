"""The lesion navigator: lesions by time points, as key image thumbnails.

The demo read (two liver targets at three time points, a new lesion at the
second follow-up, calipers on phantom DICOM images) is shown with its images;
the key images come from the report's ``key_images``, as the application
gives them. One test reads the shared liver CT: a baseline and its follow-up
copy, each measured through the session.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont, QImage, QPixmap
from tests.ui.readflow import LIVER, NO_LIVER, follow_up_copy

from respond.criteria import (
    Caliper,
    CaliperKind,
    Lesion,
    LesionId,
    LesionKind,
    NonTargetObservation,
    NonTargetStatus,
    Patient,
    PatientRead,
    Role,
    TargetMeasurement,
    TargetStatus,
    TimePointRecord,
)
from respond.demo import DemoSetup, prepare_demo
from respond.dicom import DicomError
from respond.report.images import ImageIndex
from respond.report.keyimages import key_images
from respond.store import open_store
from respond.ui._navigator_cells import NO_CALIPER, NO_IMAGES, NON_TARGET, NOT_SEEN
from respond.ui._navigator_model import CURRENT_ROLE, LOADING, REASON_ROLE
from respond.ui.navigator import (
    FAILED,
    CaliperLineView,
    KeyImageSource,
    KeyImageView,
    LesionNavigator,
)

WAIT_MS = 20000
YELLOW = (0xFF, 0xD6, 0x00)  # long axis
PINK = (0xFF, 0x40, 0x81)  # viable


# -- fixtures (the report tests' demo, made here once) --------------------------
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSetup:
    return prepare_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def demo_read(demo: DemoSetup) -> PatientRead:
    with open_store(demo.database) as store:
        return store.load(demo.patient_id)


@pytest.fixture(scope="module")
def demo_images(demo: DemoSetup) -> ImageIndex:
    return ImageIndex.from_folders([demo.dicom_root])


@pytest.fixture
def navigator(qtbot) -> LesionNavigator:
    widget = LesionNavigator()
    qtbot.addWidget(widget)
    widget.resize(900, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def source_of(index: ImageIndex) -> KeyImageSource:
    """The source the application gives: the report's key images of an index."""
    return partial(key_images, index=index)


def show(qtbot, navigator: LesionNavigator, read, images) -> None:
    """Show a read and wait until every cell has its thumbnail or its reason."""
    with qtbot.waitSignal(navigator.thumbnails_finished, timeout=WAIT_MS):
        navigator.show_read(read, images)


def uids(read: PatientRead) -> list[str]:
    return [tp.uid for tp in read.timepoints]


def cell(navigator: LesionNavigator, lesion_id: str, uid: str, role=None) -> object:
    index = navigator.index_of(lesion_id, uid)
    assert index.isValid(), (lesion_id, uid)
    return index.data(Qt.ItemDataRole.DisplayRole if role is None else role)


def pixmap_of(navigator: LesionNavigator, lesion_id: str, uid: str) -> QPixmap:
    pixmap = cell(navigator, lesion_id, uid, Qt.ItemDataRole.DecorationRole)
    assert isinstance(pixmap, QPixmap), f"{lesion_id} has no thumbnail"
    return pixmap


def colour_count(image: QImage, rgb: tuple[int, int, int], tolerance: int = 40) -> int:
    """How many pixels are within ``tolerance`` of a colour (each channel)."""
    rgb32 = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = rgb32.width(), rgb32.height()
    data = np.frombuffer(rgb32.constBits(), np.uint8, rgb32.sizeInBytes())
    pixels = data.reshape(height, rgb32.bytesPerLine())[:, : width * 4]
    bgr = pixels.reshape(height, width, 4)[..., :3].astype(int)
    wanted = np.array(rgb[::-1])
    return int(np.all(np.abs(bgr - wanted) <= tolerance, axis=-1).sum())


def with_non_target_and_small(read: PatientRead) -> PatientRead:
    """The demo read with a non-target N1 (listed before T2) and T2 too small at FU2.

    N1 is present at baseline and absent at FU1, not recorded at FU2.
    """
    n1 = Lesion(LesionId("N1"), Role.NON_TARGET, "portal vein")
    t1, t2 = read.lesions
    bl, fu1, fu2 = read.timepoints

    def observed(tp: TimePointRecord, status: NonTargetStatus) -> TimePointRecord:
        non_targets = {n1.id: NonTargetObservation(status)}
        return replace(tp, timepoint=replace(tp.timepoint, non_targets=non_targets))

    small = TargetMeasurement(TargetStatus.TOO_SMALL, lesion_id="T2")
    targets = {**fu2.timepoint.targets, t2.id: small}
    calipers = {k: v for k, v in fu2.calipers.items() if k != t2.id}
    fu2 = replace(fu2, timepoint=replace(fu2.timepoint, targets=targets))
    fu2 = replace(fu2, calipers=calipers)
    return replace(
        read,
        lesions=(t1, n1, t2),
        timepoints=(
            observed(bl, NonTargetStatus.PRESENT),
            observed(fu1, NonTargetStatus.ABSENT),
            fu2,
        ),
    )


@dataclass(frozen=True)
class FlatKeyImage:
    """A key image of one grey value without calipers (a recognisable stand-in)."""

    lesion_id: str
    timepoint_label: str
    pixels: np.ndarray | None = field(
        default_factory=lambda: np.full((40, 40), 1000.0, np.float32)
    )
    pixel_spacing: tuple[float, float] = (1.0, 1.0)
    window: tuple[float, float] = (50.0, 350.0)
    lines: tuple[CaliperLineView, ...] = ()
    missing: str = ""
    location_text: str = ""


class Gate:
    """A key image source that waits for :meth:`open` before giving its images."""

    def __init__(self, images: Iterable[KeyImageView]) -> None:
        self.images = list(images)
        self.event = threading.Event()
        self.called = threading.Event()

    def __call__(self, read: PatientRead) -> Iterator[KeyImageView]:
        self.called.set()
        assert self.event.wait(WAIT_MS / 1000), "the test never opened the gate"
        yield from self.images

    def open(self) -> None:
        self.event.set()


# -- the matrix ----------------------------------------------------------------
def test_rows_are_targets_then_non_targets_then_new_lesions(
    navigator: LesionNavigator, demo_read: PatientRead, qtbot
) -> None:
    read = with_non_target_and_small(demo_read)
    show(qtbot, navigator, read, None)
    assert navigator.lesion_ids() == ["T1", "T2", "N1", "X1"]
    assert navigator.timepoint_uids() == uids(read)
    model = navigator.model
    assert (model.rowCount(), model.columnCount()) == (4, 3)
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal)
        for c in range(model.columnCount())
    ]
    assert headers == [
        "BL\n2024-01-08",
        "FU1\n2024-03-04",
        "FU2 · current\n2024-04-29",
    ]
    assert (
        model.headerData(2, Qt.Orientation.Vertical) == "N1\nnon-target · portal vein"
    )
    assert model.headerData(3, Qt.Orientation.Vertical) == "X1\nnew · liver"


def test_the_model_keeps_qt_model_rules(
    navigator: LesionNavigator,
    demo_read: PatientRead,
    demo_images,
    qtbot,
    qtmodeltester,
) -> None:
    show(qtbot, navigator, with_non_target_and_small(demo_read), None)
    qtmodeltester.check(navigator.model)
    show(qtbot, navigator, demo_read, source_of(demo_images))
    qtmodeltester.check(navigator.model)


def test_cells_show_their_values(
    navigator: LesionNavigator, demo_read: PatientRead, qtbot
) -> None:
    read = with_non_target_and_small(demo_read)
    bl, fu1, fu2 = uids(read)
    show(qtbot, navigator, read, None)
    assert cell(navigator, "T1", fu1) == "LD 40.0 mm, viable 18.0 mm"
    assert cell(navigator, "T2", fu2) == "too small"
    assert cell(navigator, "N1", bl) == "present"
    assert cell(navigator, "N1", fu1) == "absent"
    assert cell(navigator, "N1", fu2) == "not recorded"
    assert cell(navigator, "X1", fu2) == "new lesion, 12.0 mm"
    assert cell(navigator, "X1", bl) == ""
    # why no thumbnail, in the thumbnail's place
    assert cell(navigator, "T2", fu2, REASON_ROLE) == NO_CALIPER
    assert cell(navigator, "N1", bl, REASON_ROLE) == NON_TARGET
    assert cell(navigator, "X1", bl, REASON_ROLE) == NOT_SEEN
    tooltip = str(cell(navigator, "T1", fu1, Qt.ItemDataRole.ToolTipRole))
    assert "T1: target, liver, segment VI (HCC)" in tooltip
    assert "at FU1 (2024-03-04): LD 40.0 mm, viable 18.0 mm" in tooltip


def test_the_current_time_point_column_is_highlighted(
    navigator: LesionNavigator, demo_read: PatientRead, qtbot
) -> None:
    bl, fu1, fu2 = uids(demo_read)
    show(qtbot, navigator, demo_read, None)
    assert cell(navigator, "T1", fu2, CURRENT_ROLE) is True  # the latest by default
    navigator.set_current_timepoint(fu1)
    assert [cell(navigator, "T2", uid, CURRENT_ROLE) for uid in (bl, fu1, fu2)] == [
        False,
        True,
        False,
    ]
    header = navigator.model.headerData(1, Qt.Orientation.Horizontal)
    assert header == "FU1 · current\n2024-03-04"
    font = navigator.model.headerData(
        1, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole
    )
    assert isinstance(font, QFont)
    assert font.bold()
    # painted: the highlighted column's background differs from the others
    navigator.table.clearSelection()
    grab = navigator.table.viewport().grab().toImage()
    rect_fu1 = navigator.table.visualRect(navigator.index_of("T2", fu1))
    rect_bl = navigator.table.visualRect(navigator.index_of("T2", bl))
    corner = QPoint(4, rect_fu1.height() - 4)
    assert grab.pixelColor(rect_fu1.topLeft() + corner) != grab.pixelColor(
        rect_bl.topLeft() + corner
    )


# -- thumbnails ----------------------------------------------------------------
def test_thumbnails_show_the_crop_with_calipers_in_colour(
    navigator: LesionNavigator, demo_read: PatientRead, demo_images, qtbot
) -> None:
    show(qtbot, navigator, demo_read, source_of(demo_images))
    assert not navigator.is_loading
    for uid in uids(demo_read):
        for lesion_id in ("T1", "T2"):
            pixmap = pixmap_of(navigator, lesion_id, uid)
            assert (pixmap.width(), pixmap.height()) == (112, 112)
            image = pixmap.toImage()
            assert colour_count(image, YELLOW) > 20, (lesion_id, uid)  # long axis
            assert colour_count(image, PINK) > 10, (lesion_id, uid)  # viable
            assert cell(navigator, lesion_id, uid, REASON_ROLE) == ""
    # the phantom's grey image is there too, not only the lines on black
    bl = uids(demo_read)[0]
    image = pixmap_of(navigator, "T1", bl).toImage()
    greys = {image.pixelColor(x, y).red() for x in range(0, 112, 7) for y in (5, 56)}
    assert len(greys) > 3
    tooltip = str(cell(navigator, "T1", bl, Qt.ItemDataRole.ToolTipRole))
    assert "key image: series 2, image 25, slice 0.0 mm" in tooltip
    # and on screen: the painted table holds the calipers' yellow
    grab = navigator.table.viewport().grab().toImage()
    assert colour_count(grab, YELLOW) > 20
    # the new lesion X1 has no caliper: it says so
    assert cell(navigator, "X1", uids(demo_read)[2], REASON_ROLE) == "no caliper drawn"


def test_values_and_placeholders_show_before_the_thumbnails(
    navigator: LesionNavigator, demo_read: PatientRead, demo_images, qtbot
) -> None:
    gate = Gate(key_images(demo_read, demo_images))
    navigator.show_read(demo_read, gate)
    fu1 = uids(demo_read)[1]
    try:
        # shown at once, while the source is still working
        assert cell(navigator, "T1", fu1) == "LD 40.0 mm, viable 18.0 mm"
        assert cell(navigator, "T1", fu1, REASON_ROLE) == LOADING
        assert navigator.is_loading
        qtbot.waitUntil(gate.called.is_set, timeout=WAIT_MS)
    finally:
        gate.open()
    qtbot.waitUntil(lambda: not navigator.is_loading, timeout=WAIT_MS)
    assert pixmap_of(navigator, "T1", fu1).width() == 112


def test_a_read_shown_again_keeps_unchanged_thumbnails(
    navigator: LesionNavigator, demo_read: PatientRead, demo_images, qtbot
) -> None:
    show(qtbot, navigator, demo_read, source_of(demo_images))
    bl, _, fu2 = uids(demo_read)
    before = pixmap_of(navigator, "T1", bl).cacheKey()
    # T2 re-measured at FU2: only that cell waits for a new thumbnail
    tp = demo_read.timepoints[2]
    (long_axis, viable) = tp.calipers[LesionId("T2")]
    moved = replace(viable, end_mm=(viable.end_mm[0] - 2.0, *viable.end_mm[1:]))
    calipers = {**tp.calipers, LesionId("T2"): (long_axis, moved)}
    edited = replace(
        demo_read,
        timepoints=(*demo_read.timepoints[:2], replace(tp, calipers=calipers)),
    )
    gate = Gate(key_images(edited, demo_images))
    navigator.show_read(edited, gate)
    try:
        assert pixmap_of(navigator, "T1", bl).cacheKey() == before
        assert cell(navigator, "T2", fu2, REASON_ROLE) == LOADING
        assert navigator.model.waiting == 1
    finally:
        gate.open()
    qtbot.waitUntil(lambda: not navigator.is_loading, timeout=WAIT_MS)
    assert colour_count(pixmap_of(navigator, "T2", fu2).toImage(), PINK) > 10


def test_cells_without_images_say_why(
    navigator: LesionNavigator, demo_read: PatientRead, qtbot
) -> None:
    fu1 = uids(demo_read)[1]
    show(qtbot, navigator, demo_read, None)
    assert cell(navigator, "T1", fu1, REASON_ROLE) == NO_IMAGES
    assert cell(navigator, "T1", fu1, Qt.ItemDataRole.DecorationRole) is None
    # images given, but the calipers' images are in none of the folders
    show(qtbot, navigator, demo_read, source_of(ImageIndex.empty()))
    assert cell(navigator, "T1", fu1, REASON_ROLE) == (
        "image not found in the folders searched"
    )
    tooltip = str(cell(navigator, "T1", fu1, Qt.ItemDataRole.ToolTipRole))
    assert "open its folder in respond" in tooltip  # the whole reason
    assert cell(navigator, "T1", fu1, Qt.ItemDataRole.DecorationRole) is None


def test_a_failing_source_is_reported_and_said_in_the_cells(
    navigator: LesionNavigator, demo_read: PatientRead, qtbot
) -> None:
    error = DicomError("the disk went away: open the folder again")

    def failing(read: PatientRead) -> list[KeyImageView]:
        raise error

    with qtbot.waitSignal(navigator.images_failed, timeout=WAIT_MS) as failed:
        navigator.show_read(demo_read, failing)
    assert failed.args == [error]
    assert cell(navigator, "T1", uids(demo_read)[0], REASON_ROLE) == FAILED


def test_a_second_read_replaces_the_first_and_its_late_thumbnails_are_dropped(
    navigator: LesionNavigator, demo_read: PatientRead, demo_images, qtbot
) -> None:
    bl, fu1, fu2 = uids(demo_read)
    # the first read's source is slow, and its images are flat grey squares
    stale = Gate(
        FlatKeyImage(lesion_id, tp.label)
        for lesion_id in ("T1", "T2")
        for tp in demo_read.timepoints
    )
    navigator.show_read(demo_read, stale)
    qtbot.waitUntil(stale.called.is_set, timeout=WAIT_MS)
    # the second read: T1 only, T2 gone
    second = replace(demo_read, lesions=demo_read.lesions[:1])
    navigator.show_read(second, source_of(demo_images))
    assert navigator.lesion_ids() == ["T1", "X1"]
    with qtbot.waitSignal(navigator.thumbnails_finished, timeout=WAIT_MS):
        stale.open()  # the first source ends; then the second runs
    for uid in (bl, fu1, fu2):
        image = pixmap_of(navigator, "T1", uid).toImage()
        assert colour_count(image, YELLOW) > 20  # the key image, not the grey square
    assert navigator.read is second


# -- choosing a cell -------------------------------------------------------------
def test_a_click_on_a_cell_asks_for_that_lesion_and_time_point(
    navigator: LesionNavigator, demo_read: PatientRead, qtbot
) -> None:
    show(qtbot, navigator, demo_read, None)
    fu1 = uids(demo_read)[1]
    rect = navigator.table.visualRect(navigator.index_of("T2", fu1))
    with qtbot.waitSignal(navigator.lesion_chosen, timeout=WAIT_MS) as chosen:
        qtbot.mouseClick(
            navigator.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    assert chosen.args == ["T2", fu1]


def test_arrows_move_between_cells_and_enter_chooses(
    navigator: LesionNavigator, demo_read: PatientRead, qtbot
) -> None:
    show(qtbot, navigator, demo_read, None)
    bl, _, fu2 = uids(demo_read)
    table = navigator.table
    table.setFocus()
    table.setCurrentIndex(navigator.index_of("T1", bl))
    qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex() == navigator.index_of("T2", fu2)
    with qtbot.waitSignal(navigator.lesion_chosen, timeout=WAIT_MS) as chosen:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert chosen.args == ["T2", fu2]


def test_clear_shows_nothing(
    navigator: LesionNavigator, demo_read: PatientRead, qtbot
) -> None:
    show(qtbot, navigator, demo_read, None)
    navigator.clear()
    assert navigator.read is None
    assert (navigator.model.rowCount(), navigator.model.columnCount()) == (0, 0)


# -- a real CT -------------------------------------------------------------------
def _real_read(tmp_path: Path, follow_up: Path) -> PatientRead:
    """Baseline (the shared liver CT) and its follow-up copy, T1 measured on both."""
    from respond.dicom import scan
    from respond.session import ReadSession

    store = open_store(tmp_path / "reads.sqlite3")
    store.create_patient(PatientRead(Patient("HCC048")), who="test")
    session = ReadSession(store, "HCC048", reader="dr-a")
    lesion = session.add_lesion(Role.TARGET, "liver", kind=LesionKind.HCC)
    for days, folder in ((0, LIVER), (56, follow_up)):
        result = scan(folder)
        (series,) = result.series
        uid = session.add_timepoint(
            dt.date(2001, 8, 12) + dt.timedelta(days=days),
            study_uid=series.study_uid,
            series_uid=series.series_uid,
        )
        frame = series.frames[len(series.frames) // 2]
        ref = ImageIndex.from_scans([result]).require(frame.sop_instance_uid)
        start, end = ref.to_patient(300.5, 250.5), ref.to_patient(340.5, 250.5)
        caliper = Caliper(
            CaliperKind.LONG_AXIS, start, end, series.series_uid, ref.sop_instance_uid
        )
        session.set_calipers(uid, lesion, [caliper])
    read = session.read
    store.close()
    return read


@pytest.mark.slow
@pytest.mark.skipif(not LIVER.is_dir(), reason=NO_LIVER)
def test_a_real_ct_read_shows_its_key_images(
    navigator: LesionNavigator, tmp_path: Path, qtbot
) -> None:
    follow_up = follow_up_copy(LIVER, tmp_path / "fu", days=56)
    read = _real_read(tmp_path, follow_up)
    index = ImageIndex.from_folders([LIVER, follow_up])
    show(qtbot, navigator, read, source_of(index))
    assert navigator.lesion_ids() == ["T1"]
    for uid in uids(read):
        record = read.timepoint(uid)
        assert record is not None
        (caliper,) = record.calipers[LesionId("T1")]
        assert caliper.length_mm > 10
        assert cell(navigator, "T1", uid) == f"LD {caliper.length_mm} mm"
        image = pixmap_of(navigator, "T1", uid).toImage()
        assert colour_count(image, YELLOW) > 20
        # soft-tissue window on a real abdomen: many grey levels, not a flat square
        greys = {image.pixelColor(x, 20).red() for x in range(0, 112, 4)}
        assert len(greys) > 5
