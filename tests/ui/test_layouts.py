"""Layouts (1 x 1, 1 x 2, 2 x 2), the hanging protocol, the phase pair, the look."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from tests.ui.test_main_window import WAIT_MS

from respond.dicom import Phase
from respond.store import open_store
from respond.ui.main_window import MainWindow
from respond.ui.theme import Theme, apply_theme, current_theme, theme_from

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from respond.demo import DemoSetup


@pytest.fixture(scope="module")
def demo_setup(tmp_path_factory: pytest.TempPathFactory) -> DemoSetup:
    from respond.demo import prepare_demo

    return prepare_demo(tmp_path_factory.mktemp("demo") / "demo")


@pytest.fixture
def demo_window(qtbot, demo_setup: DemoSetup) -> Iterator[MainWindow]:
    with open_store(demo_setup.database) as store:
        window = _open(qtbot, store, demo_setup, reader="Dr A. Reader")
        yield window
        window.close_patient()


def _open(qtbot, store, setup: DemoSetup, *, reader: str) -> MainWindow:
    window = MainWindow(store, reader=reader)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_patient(setup.patient_id)
    window.open_folder(setup.dicom_root)
    _wait_current(qtbot, window)
    return window


def _wait_current(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: (
            window.scan_result is not None
            and window.view.volume is not None
            and not window.loader.loading
        ),
        timeout=WAIT_MS,
    )


def _wait_second(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: (
            window.prior_view.volume is not None and not window.prior_loader.loading
        ),
        timeout=WAIT_MS,
    )


def _label(window: MainWindow) -> str:
    assert window.session is not None
    return window.session.read.timepoint(window.current_uid).label


def test_a_follow_up_hangs_beside_its_prior_and_a_baseline_alone(
    qtbot, demo_window: MainWindow
) -> None:
    window = demo_window
    assert _label(window) == "FU2"
    assert window.layout_name == "1x2"
    assert window.prior_pane.isVisible()
    _wait_second(qtbot, window)
    assert window.prior_pane.caption.text().startswith("Prior · BL")
    assert window.session is not None
    window.set_timepoint(window.session.read.timepoints[0].uid)
    assert window.layout_name == "1x1"
    assert not window.prior_pane.isVisible()


def test_layout_keys_and_the_cycle(qtbot, demo_window: MainWindow) -> None:
    window = demo_window
    for name, key in (("1x1", "F2"), ("2x2", "F4"), ("1x2", "F3")):
        action = window.layout_actions[name]
        assert action.shortcut().toString() == key
        action.trigger()
        assert window.layout_name == name
        assert action.isChecked()
    assert window.cycle_layout_action.shortcut().toString() == "G"
    seen = []
    for _ in range(3):
        window.cycle_layout_action.trigger()
        seen.append(window.layout_name)
    assert seen == ["2x2", "1x1", "1x2"]
    with pytest.raises(ValueError, match="unknown layout"):
        window.set_layout("3x3")


def test_layouts_are_remembered_per_reader(qtbot, demo_setup: DemoSetup) -> None:
    with open_store(demo_setup.database) as store:
        first = _open(qtbot, store, demo_setup, reader="Dr A. Reader")
        first.set_layout("2x2")  # at a follow-up: this reader's follow-up layout
        first.close_patient()
        again = _open(qtbot, store, demo_setup, reader="Dr A. Reader")
        assert again.layout_name == "2x2"
        again.close_patient()
        other = _open(qtbot, store, demo_setup, reader="Dr B. Other")
        assert other.layout_name == "1x2"  # the default for a follow-up
        other.close_patient()
    keys = QSettings().allKeys()
    assert "layout/dr-a-reader/follow-up" in keys


def test_the_other_phase_beside_scrolls_by_patient_position(
    qtbot, demo_window: MainWindow
) -> None:
    window = demo_window
    window.set_layout("1x1")
    shown = window.loader.series
    assert shown is not None
    assert window.phase_action.shortcut().toString() == "P"
    window.phase_action.trigger()
    assert window.phase_pair
    _wait_second(qtbot, window)
    other = window.prior_loader.series
    assert other is not None
    assert other.study_uid == shown.study_uid
    phases = {shown.phase.phase, other.phase.phase}
    assert Phase.PORTAL_VENOUS in phases
    assert phases & {Phase.ARTERIAL, Phase.LATE_ARTERIAL}
    assert window.prior_pane.caption.text().startswith("Other phase · FU2")
    assert other.frame_of_reference_uid == shown.frame_of_reference_uid != ""
    qtbot.waitUntil(lambda: window.linked.by_position, timeout=WAIT_MS)
    current, second = window.view.volume, window.prior_view.volume
    assert current is not None
    assert second is not None
    assert current.geometry is not None
    assert second.geometry is not None
    for k in (3, current.shape[0] // 2, current.shape[0] - 4):
        window.view.set_slice(k)
        here = current.geometry.index_to_patient(k, 0, 0)[2]
        there = second.geometry.index_to_patient(window.prior_view.slice_index, 0, 0)
        spacing = second.geometry.spacing_mm[2]
        assert abs(there[2] - here) <= spacing / 2 + 1e-6
    window.phase_action.trigger()  # P again: back to the layout
    assert not window.phase_pair
    assert not window.linked.by_position


def test_no_other_phase_is_said(qtbot, demo_window: MainWindow, monkeypatch) -> None:
    import respond.ui._window_layout as layout

    monkeypatch.setattr(layout, "other_phase", lambda *_: None)
    assert window_shows_no_pair(demo_window)
    assert "no series of another contrast phase" in (
        demo_window.statusBar().currentMessage()
    )


def window_shows_no_pair(window: MainWindow) -> bool:
    return window.show_phase_pair() is False and not window.phase_pair


def test_every_tool_has_an_icon_a_tooltip_and_a_key(demo_window: MainWindow) -> None:
    bar = demo_window.toolbar
    tools = [a for a in bar.actions() if not a.isSeparator() and a.text()]
    assert len(tools) >= 9
    for action in tools:
        assert not action.icon().isNull(), action.text()
        assert action.toolTip(), action.text()
        keys = action.shortcut().toString()
        assert keys, f"{action.text()} has no key"
        assert f"({keys})" in action.toolTip(), action.toolTip()


def test_the_shortcut_sheet_lists_every_key(qtbot, demo_window: MainWindow) -> None:
    demo_window.shortcuts()
    sheet = demo_window.shortcuts_box
    rows = sheet.rows()
    keys = {key for key, what in rows if what}
    for key in (
        "L",
        "S",
        "V",
        "M",
        "C",
        "G",
        "P",
        "N",
        "F2",
        "F3",
        "F4",
        "Ctrl+Z",
        "F1",
    ):
        assert key in keys, key
    headings = [key for key, what in rows if not what]
    assert headings[0] == "Reading tools"
    assert "Viewer (mouse and keys)" in headings
    assert any("window presets" in what for _, what in rows)
    sheet.close()


def test_dark_by_default_light_in_the_settings(qtbot, demo_window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    try:
        assert theme_from(QSettings()) is Theme.DARK
        apply_theme(app, theme_from(QSettings()))
        window_colour = app.palette().color(QPalette.ColorRole.Window)
        assert window_colour.lightness() < 60
        demo_window.theme_actions[Theme.LIGHT].trigger()
        assert current_theme(app) is Theme.LIGHT
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 180
        assert theme_from(QSettings()) is Theme.LIGHT
        QSettings().setValue("appearance/theme", "purple")
        assert theme_from(QSettings()) is Theme.DARK
    finally:
        app.setStyleSheet("")
        app.setPalette(before)


def test_overlay_text_is_outlined_on_every_side(qtbot) -> None:
    """Corner text reads over bone or contrast as over air: a dark outline.

    Each glyph pixel's neighbours that are not glyph are dark on a white image
    (a shadow on one side only would leave the others white).
    """
    from respond.ui.viewer._overlay import OverlayTextItem

    item = OverlayTextItem((0.0, 0.0))
    item.set_text("W 400 L 40")
    on_white = _render(item, Qt.GlobalColor.white)
    on_black = _render(item, Qt.GlobalColor.black)
    width, height = on_white.width(), on_white.height()
    glyph = {
        (x, y)
        for x in range(width)
        for y in range(height)
        if on_black.pixelColor(x, y).lightness() > 150
    }
    assert glyph
    edges = [
        (x + dx, y + dy)
        for x, y in glyph
        for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1))
        if (x + dx, y + dy) not in glyph
    ]
    dark = sum(on_white.pixelColor(x, y).lightness() < 128 for x, y in edges)
    assert dark / len(edges) > 0.8


def _render(item, background):
    from PySide6.QtGui import QImage, QPainter

    rect = item.boundingRect()
    image = QImage(
        int(rect.width()) + 6, int(rect.height()) + 6, QImage.Format.Format_RGB32
    )
    image.fill(background)
    painter = QPainter(image)
    painter.translate(3 - rect.left(), 3 - rect.top())
    item.paint(painter, None)
    painter.end()
    return image


def test_the_layout_survives_closing_the_patient(
    qtbot, demo_window: MainWindow, tmp_path: Path
) -> None:
    demo_window.set_layout("2x2")
    demo_window.close_patient()
    assert demo_window.layout_name == "1x1"
    assert not demo_window.prior_pane.isVisible()


def test_the_navigator_opens_a_lesion_at_a_time_point(
    qtbot, demo_window: MainWindow
) -> None:
    from respond.app import navigator_images

    window = demo_window
    window.navigator_images = navigator_images
    assert window.navigator_action.shortcut().toString() == "N"
    window.navigator_action.trigger()
    assert window.tabs.currentWidget() is window.navigator
    qtbot.waitUntil(
        lambda: window.navigator.read is not None and not window.navigator.is_loading,
        timeout=WAIT_MS,
    )
    assert window.session is not None
    read = window.session.read
    assert window.navigator.timepoint_uids() == [tp.uid for tp in read.timepoints]
    fu1 = read.timepoints[1]
    target = "T1"
    window.set_layout("1x1")
    window.navigator.lesion_chosen.emit(target, fu1.uid)
    assert window.current_uid == fu1.uid
    assert window.layout_name == "1x2"
    _wait_current(qtbot, window)
    _wait_second(qtbot, window)
    caliper = next(iter(fu1.calipers[target]))
    volume = window.view.volume
    assert volume is not None
    assert volume.geometry is not None
    k = round(float(volume.geometry.patient_to_index(caliper.start_mm)[0]))
    qtbot.waitUntil(lambda: window.view.slice_index == k, timeout=WAIT_MS)
    assert window.lesions.selected_lesion == target


def test_two_by_two_links_axial_coronal_and_sagittal_by_a_crosshair(
    qtbot, demo_window: MainWindow
) -> None:
    from respond.dicom.reformat import PlaneRelation

    window = demo_window
    window.layout_actions["2x2"].trigger()
    assert window.reformat_row.isVisible()
    volume = window.view.volume
    assert volume is not None
    assert volume.geometry is not None
    qtbot.waitUntil(lambda: window.coronal.volume is volume, timeout=WAIT_MS)
    assert window.sagittal.volume is volume
    assert window.session is not None
    record = window.session.read.timepoint(window.current_uid)
    caliper = next(iter(record.calipers["T1"]))
    assert caliper.series_uid == volume.series_uid
    middle = [
        (a + b) / 2 for a, b in zip(caliper.start_mm, caliper.end_mm, strict=True)
    ]
    window.move_crosshair(middle)
    # The point is on the axial slice shown, under the axial crosshair ...
    k, i, j = volume.geometry.patient_to_index(middle)
    assert window.view.slice_index == round(k)
    crosshair = window.view.crosshair
    assert crosshair is not None
    assert crosshair == pytest.approx((i, j), abs=1e-6)
    # ... and on the coronal and sagittal planes, at the same patient position.
    for view in (window.coronal, window.sagittal):
        image = view.image
        assert image is not None
        row, column, distance = image.patient_to_plane([middle])[0]
        assert abs(distance) <= image.half_thickness_mm + 1e-6
        back = image.pixel_to_patient([(row, column)])[0]
        assert back == pytest.approx(middle, abs=image.half_thickness_mm + 1e-6)
        projection = view.caliper_projections()["T1|long_axis|0"]
        assert projection.relation in {PlaneRelation.ON, PlaneRelation.CROSSES}
    # A click in the coronal view moves the axial slice and the sagittal plane.
    target = volume.geometry.index_to_patient(3, i, j)
    window.coronal.crosshair_moved.emit(tuple(float(v) for v in target))
    assert window.view.slice_index == 3
    assert window.sagittal.crosshair_mm == pytest.approx(tuple(target), abs=1e-6)
    # Scrolling the axial view moves the crosshair along the slice normal.
    window.view.set_slice(5)
    expected = volume.geometry.index_to_patient(5, i, j)
    assert window.coronal.crosshair_mm == pytest.approx(tuple(expected), abs=1e-6)
    # The window follows from the axial view.
    window.view.set_window(80.0, 300.0)
    assert window.coronal.display_window == (80.0, 300.0)
    window.layout_actions["1x1"].trigger()
    assert not window.reformat_row.isVisible()
    assert window.view.crosshair is None


def test_two_by_two_shares_the_height_evenly(qtbot, demo_window: MainWindow) -> None:
    demo_window.set_layout("2x2")
    QApplication.processEvents()
    top, bottom = demo_window.grid.sizes()
    assert abs(top - bottom) <= 0.1 * (top + bottom)
