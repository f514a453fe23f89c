"""The slice view: navigation, window/level, cursor readout and overlays."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from tests.ui.conftest import make_volume, mouse_drag, viewport_point

import respond.ui.viewer as viewer
from respond.ui.viewer import WINDOW_PRESETS, CursorInfo, SliceView

CORONAL = (1.0, 0.0, 0.0, 0.0, 0.0, -1.0)


def wheel(view: SliceView, notches: int, modifiers=Qt.KeyboardModifier.NoModifier):
    viewport = view.graphics_view.viewport()
    pos = QPointF(viewport.rect().center())
    event = QWheelEvent(
        pos,
        QPointF(viewport.mapToGlobal(pos)),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)


@pytest.fixture
def view(make_view, volume) -> SliceView:
    return make_view(volume)


def test_exported_names_are_the_public_api() -> None:
    exported = {name for name in dir(viewer) if not name.startswith("_")}
    modules = {"calipers", "cursor", "reformat_view", "slice_view", "windowing"}
    assert exported - modules == set(viewer.__all__)


def test_set_volume_shows_the_middle_slice(view, volume) -> None:
    assert view.slice_count == 20
    assert view.slice_index == 10
    assert view.slider.value() == 10
    shown = view.image_item.image
    assert np.shares_memory(shown, volume.voxels)
    np.testing.assert_array_equal(shown, volume.voxels[10])


def test_keys_step_page_and_jump_and_the_slider_follows(qtbot, view) -> None:
    moves = [
        (Qt.Key.Key_Down, 11),
        (Qt.Key.Key_Up, 10),
        (Qt.Key.Key_Up, 9),
        (Qt.Key.Key_PageDown, 19),
        (Qt.Key.Key_PageUp, 9),
        (Qt.Key.Key_PageUp, 0),
        (Qt.Key.Key_End, 19),
        (Qt.Key.Key_Down, 19),
        (Qt.Key.Key_Home, 0),
    ]
    for key, expected in moves:
        qtbot.keyClick(view, key)
        assert (view.slice_index, view.slider.value()) == (expected, expected), key


def test_slice_changed_is_emitted_once_per_change(qtbot, view) -> None:
    with qtbot.waitSignal(view.slice_changed, timeout=1000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Down)
    assert blocker.args == [11]


def test_wheel_steps_slices_and_ctrl_wheel_zooms(view) -> None:
    wheel(view, -1)
    assert view.slice_index == 11
    wheel(view, 2)
    assert view.slice_index == 9
    assert view.slider.value() == 9
    width_before = view.view_box.viewRect().width()
    wheel(view, 1, Qt.KeyboardModifier.ControlModifier)
    assert view.slice_index == 9
    assert view.view_box.viewRect().width() < width_before
    view.reset_view()
    assert view.view_box.viewRect().width() == pytest.approx(width_before)


def test_the_slider_moves_the_slice(view, volume) -> None:
    view.slider.setValue(3)
    assert view.slice_index == 3
    np.testing.assert_array_equal(view.image_item.image, volume.voxels[3])


@pytest.mark.parametrize("name", list(WINDOW_PRESETS))
def test_presets_set_the_window_and_the_image_levels(view, name) -> None:
    preset = WINDOW_PRESETS[name]
    view.apply_preset(name)
    assert view.display_window == (preset.center, preset.width)
    low, high = view.image_item.getLevels()
    assert (low, high) == pytest.approx(
        (preset.center - preset.width / 2, preset.center + preset.width / 2)
    )
    assert (
        view.overlay_texts()["window"] == f"W {preset.width:.0f} L {preset.center:.0f}"
    )


def test_arterial_liver_preset_and_number_keys(qtbot, view) -> None:
    assert WINDOW_PRESETS["arterial_liver"].center == 100.0
    assert WINDOW_PRESETS["arterial_liver"].width == 250.0
    qtbot.keyClick(view, Qt.Key.Key_4)
    assert view.display_window == (-600.0, 1500.0)
    with pytest.raises(ValueError, match="unknown window preset"):
        view.apply_preset("brain")


def test_right_drag_sets_width_horizontally_and_level_vertically(qtbot, view) -> None:
    start = viewport_point(view, 60, 80)
    windows: list[tuple[float, float]] = []
    view.window_changed.connect(lambda c, w: windows.append((c, w)))
    right = start + QPoint(100, 0)
    mouse_drag(qtbot, view, Qt.MouseButton.RightButton, [start, right])
    center, width = view.display_window
    assert center == pytest.approx(40.0)
    assert width > 400.0
    down = start + QPoint(0, 50)
    mouse_drag(qtbot, view, Qt.MouseButton.RightButton, [start, down])
    assert view.display_window[0] > 40.0
    assert view.display_window[1] == pytest.approx(width)
    low, high = view.image_item.getLevels()
    assert (low + high) / 2 == pytest.approx(view.display_window[0])
    assert windows[-1] == view.display_window
    assert view.slice_index == 10


def test_cursor_moved_gives_the_voxel_value_and_patient_position(
    qtbot, view, volume
) -> None:
    seen: list[CursorInfo | None] = []
    view.cursor_moved.connect(seen.append)
    viewport = view.graphics_view.viewport()
    qtbot.mouseMove(viewport, viewport_point(view, 37, 91))
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] is not None, timeout=1000)
    info = seen[-1]
    assert (info.k, info.i, info.j) == (10, 37, 91)
    assert info.value == volume.value_at(10, 37, 91) == 100 + 28 - 50
    expected = volume.geometry.index_to_patient(10, 37, 91)
    assert info.position_mm == pytest.approx(tuple(expected))
    assert "78 HU" in view.overlay_texts()["cursor"]
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert seen[-1].k == 11
    assert seen[-1].value == 88
    qtbot.mouseMove(viewport, viewport_point(view, -8, 91))
    qtbot.waitUntil(lambda: seen[-1] is None, timeout=1000)
    assert view.overlay_texts()["cursor"] == ""


def test_the_cursor_readout_clears_when_the_mouse_leaves(qtbot, view) -> None:
    seen: list[CursorInfo | None] = []
    view.cursor_moved.connect(seen.append)
    viewport = view.graphics_view.viewport()
    qtbot.mouseMove(viewport, viewport_point(view, 20, 20))
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] is not None, timeout=1000)
    QApplication.sendEvent(viewport, QEvent(QEvent.Type.Leave))
    assert seen[-1] is None
    assert view.overlay_texts()["cursor"] == ""


def test_other_modalities_open_on_the_middle_slice_value_range(make_view) -> None:
    view = make_view(make_volume(modality="MR"))
    values = view.volume.voxels[10]
    low, high = np.percentile(values, (1, 99))
    assert view.display_window == pytest.approx(((low + high) / 2, high - low))


def test_orientation_labels_of_an_axial_slice(view) -> None:
    texts = view.overlay_texts()
    edges = {edge: texts[edge] for edge in ("left", "right", "top", "bottom")}
    assert edges == {"left": "R", "right": "L", "top": "A", "bottom": "P"}


def test_orientation_labels_of_a_coronal_slice(make_view) -> None:
    view = make_view(make_volume(orientation=CORONAL))
    texts = view.overlay_texts()
    edges = {edge: texts[edge] for edge in ("left", "right", "top", "bottom")}
    assert edges == {"left": "R", "right": "L", "top": "S", "bottom": "I"}
    assert "y = " in texts["slice"]


def test_overlay_slice_window_and_scale_texts(qtbot, view) -> None:
    texts = view.overlay_texts()
    assert texts["slice"] == "11/20 · z = -225.0 mm · 2.5 mm"
    assert texts["window"] == "W 400 L 40"
    assert texts["scale"] == "20 mm"
    wheel(view, 3, Qt.KeyboardModifier.ControlModifier)
    assert view.overlay_texts()["scale"] in {"5 mm", "10 mm"}
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.overlay_texts()["slice"] == "1/20 · z = -250.0 mm · 2.5 mm"


def test_slice_change_only_sets_a_view_of_the_volume_with_fixed_levels(
    view, volume, monkeypatch
) -> None:
    calls = []
    set_image = view.image_item.setImage

    def spy(image, **options):
        calls.append((image, options))
        set_image(image, **options)

    monkeypatch.setattr(view.image_item, "setImage", spy)
    view.set_slice(4)
    [(image, options)] = calls
    assert image.base is volume.voxels or image.base is volume.voxels.base
    assert np.shares_memory(image, volume.voxels)
    assert options == {"autoLevels": False, "levels": (-160.0, 240.0)}


def test_refresh_slice_repaints_only_the_slice_shown(make_view, volume) -> None:
    voxels = np.zeros_like(volume.voxels)
    loading = type(volume)(
        voxels=voxels,
        geometry=volume.geometry,
        is_rescaled=True,
        slopes=volume.slopes,
        intercepts=volume.intercepts,
        frames=volume.frames,
        modality="CT",
    )
    view = make_view(loading)
    assert view.image_item.image.max() == 0
    voxels[3] = 100
    view.refresh_slice(3)
    assert view.image_item.image.max() == 0
    voxels[10] = 77
    view.refresh_slice(10)
    assert view.image_item.image.max() == 77


def test_levels_of_a_stored_value_volume_use_each_slice_rescale(make_view) -> None:
    ct = make_volume()
    stored = type(ct)(
        voxels=(ct.voxels + 1024).astype(np.uint16),
        geometry=ct.geometry,
        is_rescaled=False,
        slopes=np.full(20, 2.0),
        intercepts=np.full(20, -1024.0),
        frames=ct.frames,
        modality="CT",
    )
    view = make_view(stored)
    low, high = view.image_item.getLevels()
    assert (low, high) == pytest.approx(((-160 + 1024) / 2, (240 + 1024) / 2))


def test_set_slice_outside_the_volume_raises(view) -> None:
    with pytest.raises(IndexError, match=r"outside 0\.\.19"):
        view.set_slice(20)


def test_ten_thousand_slice_changes_with_ten_calipers_do_not_crash(qtbot, view) -> None:
    # Guards the PySide6 6.12.0 abort inside pyqtgraph's ImageItem.render.
    for n in range(10):
        view.add_caliper(
            f"m{n}", "long_axis", (10.0, 20.0, 20.0 + n), (10.0, 90.0, 120.0)
        )
    app = QApplication.instance()
    started = time.perf_counter()
    for n in range(10_000):
        # Every other change comes back to slice 10, where the calipers are.
        view.set_slice(10 if n % 2 == 0 else (n * 7) % 20)
        if n % 100 == 0:
            app.processEvents()
    app.processEvents()
    assert time.perf_counter() - started < 20.0
    assert view.slice_index == (9_999 * 7) % 20 == 13
    assert not any(item.isVisible() for item in view.calipers().values())
    view.set_slice(10)
    assert all(item.isVisible() for item in view.calipers().values())


def test_a_new_view_opens_on_the_abdomen_preset(qtbot, monkeypatch) -> None:
    from respond.ui.viewer import WindowPreset, slice_view

    abdomen = WindowPreset("abdomen", "Abdomen", 50.0, 350.0)
    monkeypatch.setattr(slice_view, "WINDOW_PRESETS", {"abdomen": abdomen})
    view = SliceView()
    qtbot.addWidget(view)
    assert view.display_window == (abdomen.center, abdomen.width)


def test_a_voxel_is_drawn_where_its_index_and_the_cursor_say(make_view) -> None:
    """The image, the cursor and the calipers share one grid: centres on integers.

    A bright voxel is painted around view point (j, i), so a caliper end placed
    on what the reader sees lands on that voxel's centre in patient space.
    """
    from dataclasses import replace

    base = make_volume()
    voxels = np.full_like(base.voxels, -1000)
    voxels[10, 40, 60] = 1000
    view = make_view(replace(base, voxels=voxels))
    view.set_slice(10)
    view.set_window(0.0, 400.0)
    view.view_box.setRange(QRectF(50, 30, 20, 20), padding=0.0)
    QApplication.processEvents()
    image = view.graphics_view.viewport().grab().toImage()
    centre = viewport_point(view, 40, 60)
    assert image.pixelColor(centre).lightness() > 200
    for di, dj in ((0.45, 0.0), (-0.45, 0.0), (0.0, 0.45), (0.0, -0.45)):
        assert (
            image.pixelColor(viewport_point(view, 40 + di, 60 + dj)).lightness() > 200
        )
    for di, dj in ((0.6, 0.0), (-0.6, 0.0), (0.0, 0.6), (0.0, -0.6)):
        assert image.pixelColor(viewport_point(view, 40 + di, 60 + dj)).lightness() < 60
