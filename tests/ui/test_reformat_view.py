"""The reformat view: crosshair clicks, plane moves, aspect, calipers, real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor
from tests.conftest import SHARED
from tests.ui.conftest import make_volume

from respond.dicom import Volume
from respond.dicom.reformat import PlaneRelation

SHARED_DICOM = SHARED / "data" / "dicom"
YELLOW = QColor("#ffd400")


@pytest.fixture(scope="module")
def view_class() -> type:
    """The view under test."""
    from respond.ui.viewer import ReformatView

    return ReformatView


@pytest.fixture
def make_reformat(qtbot, view_class):
    """Build a shown 640 x 560 ReformatView of a volume."""

    def make(volume: Volume, orientation: str = "coronal"):
        view = view_class(orientation)
        qtbot.addWidget(view)
        view.resize(640, 560)
        view.show()
        qtbot.waitExposed(view)
        view.set_volume(volume)
        return view

    return make


def viewport_at(view, row: float, column: float) -> QPoint:
    """The viewport pixel over reformat pixel (row, column)."""
    scene = view.view_box.mapViewToScene(QPointF(column, row))
    return view.graphics_view.mapFromScene(scene)


def mm_per_screen_pixel(view) -> tuple[float, float]:
    """Patient mm per screen pixel along the view's x and y."""
    origin = view.view_box.mapViewToScene(QPointF(0.0, 0.0))
    right = view.view_box.mapViewToScene(QPointF(100.0, 0.0))
    down = view.view_box.mapViewToScene(QPointF(0.0, 10.0))
    row_mm, column_mm = view.image.pixel_spacing_mm
    return (
        100 * column_mm / (right.x() - origin.x()),
        10 * row_mm / (down.y() - origin.y()),
    )


def test_a_click_in_the_coronal_view_emits_the_patient_point_under_it(
    qtbot, make_reformat, volume
) -> None:
    view = make_reformat(volume)
    target = volume.geometry.index_to_patient(6, 70, 40)
    view.set_crosshair(target)
    row, column = view.image.patient_to_pixel(target)
    where = viewport_at(view, row, column)
    viewport = view.graphics_view.viewport()
    with qtbot.waitSignal(view.crosshair_moved, timeout=2000) as blocker:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=where)
    (point,) = blocker.args
    assert isinstance(point, tuple)
    assert len(point) == 3
    mm_x, mm_y = mm_per_screen_pixel(view)
    assert point[1] == pytest.approx(target[1])  # on the coronal plane
    assert point[0] == pytest.approx(target[0], abs=mm_x)
    assert point[2] == pytest.approx(target[2], abs=mm_y)
    assert view.patient_point_at(where) == pytest.approx(point)
    assert view.crosshair_mm == pytest.approx(point)


def test_a_drag_moves_the_crosshair_with_the_mouse(qtbot, make_reformat, volume):
    view = make_reformat(volume)
    points = [viewport_at(view, 5, 20), viewport_at(view, 8, 60)]
    seen: list[tuple[float, float, float]] = []
    view.crosshair_moved.connect(seen.append)
    viewport = view.graphics_view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=points[0])
    qtbot.mouseMove(viewport, points[1])
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=points[1])
    assert len(seen) >= 2
    assert seen[-1] == pytest.approx(view.patient_point_at(points[1]))
    assert seen[-1][0] > seen[0][0]  # dragged towards the patient's left


def test_set_crosshair_moves_the_plane_and_the_lines(make_reformat, volume) -> None:
    view = make_reformat(volume)
    point = volume.geometry.index_to_patient(4, 30, 100)
    view.set_crosshair(point)
    assert view.position == 30
    np.testing.assert_array_equal(view.image_item.image, volume.voxels[::-1, 30, :])
    horizontal, vertical = (
        item
        for item in view.view_box.addedItems
        if type(item).__name__ == "InfiniteLine"
    )
    assert vertical.value() == pytest.approx(100.0)
    assert horizontal.value() == pytest.approx(20 - 1 - 4)  # superior at the top
    assert view.overlay_texts()["slice"] == "Coronal 31/128 · y = -25.5 mm"


def test_sagittal_follows_the_crosshair_in_x(make_reformat, volume) -> None:
    view = make_reformat(volume, "sagittal")
    view.set_crosshair(volume.geometry.index_to_patient(2, 10, 77))
    assert view.position == 77
    np.testing.assert_array_equal(view.image_item.image, volume.voxels[::-1, :, 77])
    texts = view.overlay_texts()
    assert (texts["left"], texts["right"], texts["top"], texts["bottom"]) == (
        "A",
        "P",
        "S",
        "I",
    )


def test_keys_and_wheel_move_the_plane_and_report_the_crosshair(
    qtbot, make_reformat, volume
) -> None:
    view = make_reformat(volume)
    start = volume.geometry.index_to_patient(4, 30, 100)
    view.set_crosshair(start)
    with qtbot.waitSignal(view.crosshair_moved, timeout=2000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.position == 31
    moved = blocker.args[0]
    assert moved == pytest.approx((start[0], start[1] + 0.75, start[2]))
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.position == 127
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.position == 0


def test_anisotropic_voxels_keep_square_millimetres(make_reformat) -> None:
    volume = make_volume(pixel_spacing=(0.5, 0.8))
    for orientation in ("coronal", "sagittal"):
        view = make_reformat(volume, orientation)
        row_mm, column_mm = view.image.pixel_spacing_mm
        assert row_mm == pytest.approx(2.5)
        assert column_mm == pytest.approx(0.8 if orientation == "coronal" else 0.5)
        mm_x, mm_y = mm_per_screen_pixel(view)
        assert mm_x == pytest.approx(mm_y, rel=1e-3)


def test_set_window_sets_the_levels_and_reports_it(qtbot, make_reformat, volume):
    view = make_reformat(volume)
    with qtbot.waitSignal(view.window_changed, timeout=2000) as blocker:
        view.set_window(100.0, 50.0)
    assert blocker.args == [100.0, 50.0]
    assert tuple(view.image_item.getLevels()) == pytest.approx((75.0, 125.0))
    assert view.overlay_texts()["window"] == "W 50 L 100"


def has_colour_near(image, point: QPoint, colour: QColor, radius: int = 2) -> bool:
    for dx in range(-radius, radius + 1):
        for dy in range(-radius, radius + 1):
            pixel = image.pixelColor(point.x() + dx, point.y() + dy)
            if (
                abs(pixel.red() - colour.red()) < 60
                and abs(pixel.green() - colour.green()) < 60
                and abs(pixel.blue() - colour.blue()) < 60
            ):
                return True
    return False


def test_calipers_are_drawn_projected_solid_faint_or_not(
    qtbot, make_reformat, volume
) -> None:
    view = make_reformat(volume)
    geometry = volume.geometry
    view.set_crosshair(geometry.index_to_patient(10, 64, 80))
    volume.voxels[:] = -1000  # black image: only the lines show
    view.refresh()
    on = (
        "T1|long_axis|0",
        geometry.index_to_patient(10, 64, 30),
        geometry.index_to_patient(10, 64, 70),
    )
    crossing = (
        "T2|short_axis|0",
        geometry.index_to_patient(5, 40, 120),
        geometry.index_to_patient(5, 90, 120),
    )
    away = (
        "T3|long_axis|0",
        geometry.index_to_patient(15, 10, 100),
        geometry.index_to_patient(15, 12, 140),
    )
    view.set_calipers([on, crossing, away], colours={"T2|short_axis|0": "#00e5ff"})
    relations = {k: p.relation for k, p in view.caliper_projections().items()}
    assert relations == {
        "T1|long_axis|0": PlaneRelation.ON,
        "T2|short_axis|0": PlaneRelation.CROSSES,
        "T3|long_axis|0": PlaneRelation.AWAY,
    }
    grab = view.graphics_view.viewport().grab().toImage()
    assert has_colour_near(grab, viewport_at(view, 9, 50), YELLOW)
    assert not has_colour_near(grab, viewport_at(view, 4, 120), YELLOW)
    crossing_px = view.caliper_projections()["T2|short_axis|0"].crossing_px
    assert crossing_px == pytest.approx((14.0, 120.0))
    assert has_colour_near(grab, viewport_at(view, *crossing_px), QColor("#00e5ff"), 4)
    view.set_crosshair(geometry.index_to_patient(10, 20, 80))
    assert view.caliper_projections()["T1|long_axis|0"].relation is PlaneRelation.AWAY


def test_a_volume_without_geometry_shows_a_note(make_reformat, volume) -> None:
    bare = Volume(
        voxels=volume.voxels,
        geometry=None,
        is_rescaled=True,
        slopes=volume.slopes,
        intercepts=volume.intercepts,
        frames=volume.frames,
        modality="CT",
    )
    view = make_reformat(bare)
    assert view.image is None
    assert view.position_count == 0
    assert "at least two slices" in view.overlay_texts()["slice"]
    assert view.patient_point_at(QPoint(10, 10)) is None


@pytest.fixture(scope="module")
def tilted_head() -> Volume:
    if not SHARED_DICOM.is_dir():
        pytest.skip(
            "shared DICOM data not found at ../shared/data/dicom (not in a fresh clone)"
        )
    from respond.dicom import load_series, scan

    folder: Path = SHARED_DICOM / "ct_head_ge_tilt_varspacing"
    return load_series(scan(folder).series[0])


@pytest.mark.parametrize("orientation", ["coronal", "sagittal", "axial"])
def test_the_tilted_head_ct_shows_and_scrolls(
    qtbot, make_reformat, tilted_head, orientation
) -> None:
    view = make_reformat(tilted_head, orientation)
    assert view.image is not None
    assert view.image.is_interpolated == (orientation != "axial")
    assert view.position_count > 20
    point = tilted_head.geometry.index_to_patient(14, 300, 250)
    view.set_crosshair(point)
    distance = view.image.patient_to_plane(point)[2]
    assert abs(distance) <= view.image.half_thickness_mm
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    view.graphics_view.viewport().repaint()
    mm_x, mm_y = mm_per_screen_pixel(view)
    assert mm_x == pytest.approx(mm_y, rel=1e-3)
    assert view.overlay_texts()["slice"].startswith(orientation.capitalize())
