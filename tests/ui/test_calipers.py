"""Calipers: drawing, editing once per drag, slice visibility, bidirectional pairs."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from tests.ui.conftest import index_at, mouse_drag, viewport_point

from respond.ui.viewer import CALIPER_COLOURS, SliceView, format_length

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def view(make_view, volume) -> SliceView:
    return make_view(volume)


@pytest.fixture
def anisotropic_view(make_view, anisotropic_volume) -> SliceView:
    return make_view(anisotropic_volume)


def record(signal) -> list[tuple]:
    seen: list[tuple] = []
    signal.connect(lambda *args: seen.append(args))
    return seen


def moved_end(view, end, grab: QPoint, drop: QPoint) -> tuple[float, float, float]:
    """Where a dragged handle lands: it keeps its offset from the mouse."""
    (gi, gj), (di, dj) = index_at(view, grab), index_at(view, drop)
    return (end[0], end[1] + di - gi, end[2] + dj - gj)


def patient_vector(geometry, segment) -> np.ndarray:
    start, end = segment
    return geometry.index_to_patient(*end) - geometry.index_to_patient(*start)


def cosine_mm(geometry, first, second) -> float:
    a, b = patient_vector(geometry, first), patient_vector(geometry, second)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def length_mm(geometry, segment) -> float:
    return float(np.linalg.norm(patient_vector(geometry, segment)))


def test_drawing_a_caliper_emits_its_ends_and_the_geometry_length(
    qtbot, view, volume
) -> None:
    drawn = record(view.caliper_drawn)
    view.set_tool("long_axis")
    start, end = viewport_point(view, 30, 40), viewport_point(view, 70, 120)
    middle = viewport_point(view, 50, 80)
    mouse_drag(qtbot, view, LEFT, [start, middle, end])
    [(kind, start_ijk, end_ijk)] = drawn
    assert kind == "long_axis"
    # The ends are where the mouse was, to the pixel it could hit.
    assert start_ijk == pytest.approx((10.0, *index_at(view, start)))
    assert end_ijk == pytest.approx((10.0, *index_at(view, end)))
    assert start_ijk == pytest.approx((10, 30, 40), abs=0.25)
    assert end_ijk == pytest.approx((10, 70, 120), abs=0.25)
    # The view keeps nothing by itself: the owner adds the caliper.
    assert view.calipers() == {}
    item = view.add_caliper("T1-long", kind, start_ijk, end_ijk)
    exact = volume.geometry.distance_mm(start_ijk, end_ijk)
    assert item.length_mm() == pytest.approx(exact, abs=1e-9)
    assert abs(item.length_mm() - volume.distance_mm((10, 30, 40), (10, 70, 120))) < 0.3
    assert item.label_text() == format_length(exact) == f"{exact:.1f} mm"


def test_without_a_tool_a_left_drag_pans(qtbot, view) -> None:
    drawn = record(view.caliper_drawn)
    before = view.view_box.viewRect()
    start = viewport_point(view, 60, 80)
    mouse_drag(qtbot, view, LEFT, [start, start + QPoint(40, 0), start + QPoint(80, 0)])
    assert drawn == []
    assert view.view_box.viewRect().left() < before.left()


def test_middle_drag_pans_even_with_a_tool(qtbot, view) -> None:
    view.set_tool("short_axis")
    drawn = record(view.caliper_drawn)
    before = view.view_box.viewRect()
    start = viewport_point(view, 60, 80)
    mouse_drag(qtbot, view, Qt.MouseButton.MiddleButton, [start, start + QPoint(0, 60)])
    assert drawn == []
    assert view.view_box.viewRect().top() < before.top()


def test_dragging_a_caliper_end_emits_one_edit_on_release(qtbot, view, volume) -> None:
    item = view.add_caliper("T1-long", "long_axis", (10, 30, 40), (10, 70, 120))
    view.set_tool("long_axis")  # a drag on a caliper edits it, it draws nothing
    edited, drawn = record(view.caliper_edited), record(view.caliper_drawn)
    lengths = []
    item.sigRegionChanged.connect(lambda: lengths.append(item.label_text()))
    viewport = view.graphics_view.viewport()
    grab = viewport_point(view, 70, 120)
    qtbot.mousePress(viewport, LEFT, pos=grab)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, grab + QPoint(0, 8 * step))
    assert edited == []
    assert len(set(lengths)) > 1  # the label follows the drag
    qtbot.mouseRelease(viewport, LEFT, pos=grab + QPoint(0, 40))
    assert drawn == []
    [(key, start_ijk, end_ijk)] = edited
    assert key == "T1-long"
    assert start_ijk == (10.0, 30.0, 40.0)
    assert end_ijk == pytest.approx(
        moved_end(view, (10, 70, 120), grab, grab + QPoint(0, 40))
    )
    assert (start_ijk, end_ijk) == item.endpoints_ijk()
    assert item.label_text() == format_length(volume.distance_mm(start_ijk, end_ijk))


def test_dragging_a_caliper_line_moves_it_whole_with_one_edit(qtbot, view) -> None:
    item = view.add_caliper("T2-long", "long_axis", (10, 30, 40), (10, 30, 120))
    edited = record(view.caliper_edited)
    grab = viewport_point(view, 30, 80)
    mouse_drag(qtbot, view, LEFT, [grab, grab + QPoint(0, 20), grab + QPoint(0, 40)])
    [(key, start_ijk, end_ijk)] = edited
    assert key == "T2-long"
    assert start_ijk[1] == pytest.approx(end_ijk[1])
    assert start_ijk[1] > 35.0
    assert end_ijk[2] - start_ijk[2] == pytest.approx(80.0)
    assert item.endpoints_ijk() == (start_ijk, end_ijk)


def test_programmatic_moves_and_removal_are_silent(view) -> None:
    edited = record(view.caliper_edited)
    item = view.add_caliper("T1-long", "long_axis", (10, 30, 40), (10, 70, 120))
    view.move_caliper("T1-long", (12, 20, 20), (12, 25, 60))
    assert item.endpoints_ijk() == ((12.0, 20.0, 20.0), (12.0, 25.0, 60.0))
    assert item.slice_index == 12
    assert not item.isVisible()
    view.remove_caliper("T1-long")
    assert view.calipers() == {}
    assert item.scene() is None
    assert edited == []
    with pytest.raises(KeyError, match="no caliper with key 'T1-long'"):
        view.remove_caliper("T1-long")


def test_calipers_show_only_on_their_slice(view) -> None:
    on_3 = view.add_caliper("a", "viable", (3, 10, 10), (3, 50, 50))
    on_5 = view.add_caliper("b", "fragment", (5, 10, 10), (5, 50, 50))
    assert [on_3.isVisible(), on_5.isVisible()] == [False, False]
    view.set_slice(3)
    assert [on_3.isVisible(), on_5.isVisible()] == [True, False]
    view.set_slice(5)
    assert [on_3.isVisible(), on_5.isVisible()] == [False, True]
    assert on_3.pen.color().name() == CALIPER_COLOURS["viable"]
    assert on_5.pen.color().name() == CALIPER_COLOURS["fragment"]


def test_length_is_exact_in_mm_with_non_square_pixels(anisotropic_view) -> None:
    across = anisotropic_view.add_caliper("a", "long_axis", (10, 20, 20), (10, 20, 70))
    down = anisotropic_view.add_caliper("b", "long_axis", (10, 20, 20), (10, 70, 20))
    diagonal = anisotropic_view.add_caliper("c", "viable", (10, 0, 0), (10, 30, 40))
    assert across.label_text() == "40.0 mm"  # 50 columns x 0.8 mm
    assert down.label_text() == "25.0 mm"  # 50 rows x 0.5 mm
    assert diagonal.length_mm() == pytest.approx(np.hypot(15.0, 32.0))


def test_invalid_calipers_are_refused(view) -> None:
    view.add_caliper("a", "long_axis", (10, 20, 20), (10, 40, 40))
    with pytest.raises(ValueError, match="already shown"):
        view.add_caliper("a", "long_axis", (10, 20, 20), (10, 40, 40))
    with pytest.raises(ValueError, match="same whole slice"):
        view.add_caliper("b", "long_axis", (10, 20, 20), (11, 40, 40))
    with pytest.raises(ValueError, match="unknown caliper kind"):
        view.add_caliper("c", "diameter", (10, 20, 20), (10, 40, 40))
    with pytest.raises(ValueError, match="only a short_axis"):
        view.add_caliper("d", "viable", (10, 30, 20), (10, 30, 40), long_axis_key="a")
    with pytest.raises(ValueError, match="unknown caliper kind"):
        view.set_tool("ruler")


def perpendicular_pair(view, volume):
    """A long axis and a 20 mm short axis crossing it at 30 %, perpendicular in mm."""
    geometry = volume.geometry
    long_ends = ((10.0, 40.0, 30.0), (10.0, 70.0, 110.0))
    a, b = (geometry.index_to_patient(*p) for p in long_ends)
    across = np.cross(geometry.analysis.normal, b - a)
    across /= np.linalg.norm(across)
    crossing = a + 0.3 * (b - a)
    short_ends = tuple(
        (10.0, *geometry.patient_to_index(crossing + side * across)[1:])
        for side in (-8.0, 12.0)
    )
    view.add_caliper("T1-long", "long_axis", *long_ends)
    short = view.add_caliper(
        "T1-short", "short_axis", *short_ends, long_axis_key="T1-long"
    )
    assert abs(cosine_mm(geometry, long_ends, short.endpoints_ijk())) < 1e-9
    return view.calipers()["T1-long"], short


def test_short_axis_follows_a_moved_long_axis_perpendicular_in_mm(
    qtbot, anisotropic_view, anisotropic_volume
) -> None:
    geometry = anisotropic_volume.geometry
    long_item, short = perpendicular_pair(anisotropic_view, anisotropic_volume)
    edited = record(anisotropic_view.caliper_edited)
    grab = viewport_point(anisotropic_view, 70, 110)
    drop = viewport_point(anisotropic_view, 95, 90)
    mouse_drag(qtbot, anisotropic_view, LEFT, [grab, grab + QPoint(5, 20), drop])
    assert [key for key, *_ in edited] == ["T1-long", "T1-short"]
    long_ends, short_ends = long_item.endpoints_ijk(), short.endpoints_ijk()
    assert [args[1:] for args in edited] == [long_ends, short_ends]
    assert long_ends[1] == pytest.approx(
        moved_end(anisotropic_view, (10, 70, 110), grab, drop)
    )
    assert cosine_mm(geometry, long_ends, short_ends) == pytest.approx(0.0, abs=1e-9)
    # Perpendicular in pixels would be wrong with 0.5 x 0.8 mm pixels.
    (_, i0, j0), (_, i1, j1) = long_ends
    (_, s0, t0), (_, s1, t1) = short_ends
    assert abs((i1 - i0) * (s1 - s0) + (j1 - j0) * (t1 - t0)) > 1.0
    assert length_mm(geometry, short_ends) == pytest.approx(20.0)
    # It still crosses the long axis 30 % along it.
    a = geometry.index_to_patient(*long_ends[0])
    b = geometry.index_to_patient(*long_ends[1])
    middle = (geometry.index_to_patient(*short_ends[0]) * 12 / 20) + (
        geometry.index_to_patient(*short_ends[1]) * 8 / 20
    )
    assert (middle - a) @ (b - a) / ((b - a) @ (b - a)) == pytest.approx(0.3)


def test_a_dragged_short_axis_is_reprojected_perpendicular(
    qtbot, anisotropic_view, anisotropic_volume
) -> None:
    geometry = anisotropic_volume.geometry
    long_item, short = perpendicular_pair(anisotropic_view, anisotropic_volume)
    long_before = long_item.endpoints_ijk()
    fixed_end, free_end = short.endpoints_ijk()
    edited = record(anisotropic_view.caliper_edited)
    grab = viewport_point(anisotropic_view, free_end[1], free_end[2])
    mouse_drag(
        qtbot,
        anisotropic_view,
        LEFT,
        [grab, grab + QPoint(20, 10), grab + QPoint(45, 25)],
    )
    [(key, start_ijk, end_ijk)] = edited
    assert key == "T1-short"
    assert long_item.endpoints_ijk() == long_before
    assert start_ijk == pytest.approx(fixed_end)
    assert cosine_mm(geometry, long_before, (start_ijk, end_ijk)) == pytest.approx(
        0.0, abs=1e-9
    )
    assert length_mm(geometry, (start_ijk, end_ijk)) != pytest.approx(20.0, abs=0.5)
    # Then moving the long axis keeps the new length.
    new_length = length_mm(geometry, (start_ijk, end_ijk))
    long_item_start = viewport_point(anisotropic_view, 40, 30)
    mouse_drag(
        qtbot,
        anisotropic_view,
        LEFT,
        [
            long_item_start,
            long_item_start + QPoint(0, -20),
            long_item_start + QPoint(-10, -40),
        ],
    )
    ends = short.endpoints_ijk()
    assert cosine_mm(geometry, long_item.endpoints_ijk(), ends) == pytest.approx(
        0.0, abs=1e-9
    )
    assert length_mm(geometry, ends) == pytest.approx(new_length)


def test_removing_a_long_axis_unlinks_its_short_axis(
    anisotropic_view, anisotropic_volume
) -> None:
    _, short = perpendicular_pair(anisotropic_view, anisotropic_volume)
    anisotropic_view.remove_caliper("T1-long")
    ends = ((10.0, 10.0, 10.0), (10.0, 10.0, 50.0))
    anisotropic_view.move_caliper("T1-short", *ends)
    assert short.endpoints_ijk() == ends
    anisotropic_view.add_caliper("T2-long", "long_axis", (10, 5, 5), (10, 60, 60))
    anisotropic_view.add_caliper(
        "x", "short_axis", (10, 30, 20), (10, 30, 40), long_axis_key="T2-long"
    )
    with pytest.raises(ValueError, match="already has a short axis"):
        anisotropic_view.add_caliper(
            "y", "short_axis", (10, 30, 20), (10, 30, 40), long_axis_key="T2-long"
        )
    anisotropic_view.add_caliper("T3-long", "long_axis", (10, 5, 5), (10, 9, 9))
    with pytest.raises(ValueError, match="on its long axis' slice 10"):
        anisotropic_view.add_caliper(
            "z", "short_axis", (11, 30, 20), (11, 30, 40), long_axis_key="T3-long"
        )


def test_a_drag_that_moves_a_pair_is_reported_as_one_edit(
    qtbot, anisotropic_view, anisotropic_volume
) -> None:
    long_item, short = perpendicular_pair(anisotropic_view, anisotropic_volume)
    edits = record(anisotropic_view.calipers_edited)
    grab = viewport_point(anisotropic_view, 70, 110)
    drop = viewport_point(anisotropic_view, 95, 90)
    mouse_drag(qtbot, anisotropic_view, LEFT, [grab, grab + QPoint(5, 20), drop])
    [(edit,)] = edits
    assert edit == (
        ("T1-long", *long_item.endpoints_ijk()),
        ("T1-short", *short.endpoints_ijk()),
    )


def test_the_label_shows_the_recorded_length_rounded_half_up(view, volume) -> None:
    from respond.criteria import CaliperKind
    from respond.ui._caliper_sync import caliper_from_indices

    start, end = (10.0, 40.0, 30.0), (10.0, 40.0, 65.0)  # 35 x 0.75 = 26.25 mm
    assert volume.geometry.distance_mm(start, end) == 26.25
    item = view.add_caliper("T1", "long_axis", start, end)
    recorded = caliper_from_indices(volume, CaliperKind.LONG_AXIS, start, end)
    assert item.label_text() == f"{recorded.length_mm} mm" == "26.3 mm"
